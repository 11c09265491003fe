/**
 * Turns a schema-valid raw CERFA (as a client sent it) into the domain `Cerfa` (./types.ts):
 * - dates → `YYYY-MM-DD`: a date-time keeps the calendar date *written* in it (its first 10
 *   characters, offset not applied: `2024-09-01T00:00:00+02:00` is 1 September, not 31 August UTC);
 * - codes → numbers (`"11"` → 11), `derniereClasse` → 2-char string (`1` → "01");
 * - `employeurV2` → `employeur`; alias names → the names of types.ts (`dateSignature` →
 *   `dateConclusion`, `dateDebutFormationPratique` → `dateFormationPratiqueEmployeur`, maître
 *   `diplome`/`niveauDiplome` → `intituleDiplomeObtenu`/`niveauDiplomeObtenu`); when both names are
 *   sent, the norm's name wins;
 * - null and "" → undefined; an optional object left empty (maitre2, responsableLegal, lieu de
 *   formation) → undefined; `typeDerogation` 99 ("none", an AGECAP transmission value) → undefined;
 *   `noContrat`/`noAvenant` sent as 0 on creation → undefined;
 * - `uaiCfa` upper-cased; `rncp` kept as sent.
 * Unknown properties are dropped here: they stay in the stored raw payload only.
 * The input must have passed validateDossierRequest: a missing required field throws.
 */
import { calendarDateOf } from '../formats.js';
import type {
  Adresse, Apprenti, Cerfa, Contrat, Employeur, Formation, LieuFormation, Maitre, OrganismeFormation,
  RemunerationAnnuelle, ResponsableLegal,
} from './types.js';

type Raw = Record<string, unknown>;

function object(value: unknown): Raw | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Raw) : undefined;
}

function text(raw: Raw, key: string): string | undefined {
  const value = raw[key];
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function date(raw: Raw, key: string): string | undefined {
  const value = text(raw, key);
  return value === undefined ? undefined : calendarDateOf(value);
}

function code(raw: Raw, key: string): number | undefined {
  const value = raw[key];
  if (typeof value === 'number') return value;
  return typeof value === 'string' && value !== '' ? Number(value) : undefined;
}

function num(raw: Raw, key: string): number | undefined {
  const value = raw[key];
  return typeof value === 'number' ? value : undefined;
}

function bool(raw: Raw, key: string): boolean | undefined {
  const value = raw[key];
  return typeof value === 'boolean' ? value : undefined;
}

function must<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw new TypeError(`normalizeCerfa: ${field} is missing (validate the payload first)`);
  return value;
}

/** Drops undefined members so stored/compared objects only hold what was sent. */
function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

function isEmpty(value: object): boolean {
  return Object.keys(value).length === 0;
}

function adresse(raw: Raw | undefined): Adresse | undefined {
  if (!raw) return undefined;
  const numero = raw.numero;
  return compact({
    numero: typeof numero === 'number' ? numero : typeof numero === 'string' && numero !== '' ? Number(numero) : undefined,
    repetitionVoie: text(raw, 'repetitionVoie'),
    voie: text(raw, 'voie'),
    adresse1: text(raw, 'adresse1'),
    adresse2: text(raw, 'adresse2'),
    complement: text(raw, 'complement'),
    codePostal: text(raw, 'codePostal'),
    commune: text(raw, 'commune'),
    departement: text(raw, 'departement'),
    region: text(raw, 'region'),
    pays: text(raw, 'pays'),
  });
}

function employeur(raw: Raw): Employeur {
  return compact({
    denomination: must(text(raw, 'denomination'), 'employeur.denomination'),
    nom: text(raw, 'nom'),
    prenom: text(raw, 'prenom'),
    siret: must(text(raw, 'siret'), 'employeur.siret'),
    naf: must(text(raw, 'naf'), 'employeur.naf'),
    nombreDeSalaries: must(num(raw, 'nombreDeSalaries'), 'employeur.nombreDeSalaries'),
    codeIdcc: must(text(raw, 'codeIdcc'), 'employeur.codeIdcc'),
    libelleIdcc: text(raw, 'libelleIdcc'),
    telephone: text(raw, 'telephone'),
    courriel: text(raw, 'courriel'),
    adresse: must(adresse(object(raw.adresse)), 'employeur.adresse'),
    typeEmployeur: must(code(raw, 'typeEmployeur'), 'employeur.typeEmployeur'),
    employeurSpecifique: code(raw, 'employeurSpecifique'),
    caisseComplementaire: text(raw, 'caisseComplementaire'),
    regimeSpecifique: bool(raw, 'regimeSpecifique'),
    attestationEligibilite: bool(raw, 'attestationEligibilite'),
    attestationPieces: bool(raw, 'attestationPieces'),
    privePublic: text(raw, 'privePublic'),
  });
}

function responsableLegal(raw: Raw | undefined): ResponsableLegal | undefined {
  if (!raw) return undefined;
  const out = compact({
    nom: text(raw, 'nom'),
    prenom: text(raw, 'prenom'),
    courriel: text(raw, 'courriel'),
    adresse: adresse(object(raw.adresse)),
  });
  return isEmpty(out) ? undefined : out;
}

function derniereClasse(raw: Raw): string {
  return String(must(code(raw, 'derniereClasse'), 'apprenti.derniereClasse')).padStart(2, '0');
}

function apprenti(raw: Raw): Apprenti {
  return compact({
    nom: must(text(raw, 'nom'), 'apprenti.nom'),
    nomUsage: text(raw, 'nomUsage'),
    prenom: must(text(raw, 'prenom'), 'apprenti.prenom'),
    sexe: must(text(raw, 'sexe'), 'apprenti.sexe') === 'F' ? 'F' : 'M',
    dateNaissance: must(date(raw, 'dateNaissance'), 'apprenti.dateNaissance'),
    departementNaissance: text(raw, 'departementNaissance'),
    communeNaissance: text(raw, 'communeNaissance'),
    nationalite: must(code(raw, 'nationalite'), 'apprenti.nationalite'),
    nir: text(raw, 'nir'),
    regimeSocial: must(code(raw, 'regimeSocial'), 'apprenti.regimeSocial'),
    handicap: must(bool(raw, 'handicap'), 'apprenti.handicap'),
    droitsRqthEquivalenceJeune: bool(raw, 'droitsRqthEquivalenceJeune'),
    droitsRqthExtensionBOE: bool(raw, 'droitsRqthExtensionBOE'),
    situationAvantContrat: must(code(raw, 'situationAvantContrat'), 'apprenti.situationAvantContrat'),
    diplome: must(code(raw, 'diplome'), 'apprenti.diplome'),
    diplomePrepare: must(code(raw, 'diplomePrepare'), 'apprenti.diplomePrepare'),
    intituleDiplomePrepare: text(raw, 'intituleDiplomePrepare'),
    derniereClasse: derniereClasse(raw),
    telephone: text(raw, 'telephone'),
    courriel: text(raw, 'courriel'),
    adresse: must(adresse(object(raw.adresse)), 'apprenti.adresse'),
    responsableLegal: responsableLegal(object(raw.responsableLegal)),
    apprentiMineurNonEmancipe: bool(raw, 'apprentiMineurNonEmancipe'),
    inscriptionSportifDeHautNiveau: bool(raw, 'inscriptionSportifDeHautNiveau'),
    projetCreationRepriseEntreprise: bool(raw, 'projetCreationRepriseEntreprise'),
  });
}

function maitre(raw: Raw | undefined): Maitre | undefined {
  if (!raw) return undefined;
  const out = compact({
    nom: text(raw, 'nom'),
    prenom: text(raw, 'prenom'),
    dateNaissance: date(raw, 'dateNaissance'),
    nir: text(raw, 'nir'),
    courriel: text(raw, 'courriel'),
    emploiOccupe: text(raw, 'emploiOccupe'),
    intituleDiplomeObtenu: text(raw, 'intituleDiplomeObtenu') ?? text(raw, 'diplome'),
    niveauDiplomeObtenu: code(raw, 'niveauDiplomeObtenu') ?? code(raw, 'niveauDiplome'),
  });
  return isEmpty(out) ? undefined : out;
}

function remuneration(raw: Raw, i: number): RemunerationAnnuelle {
  const field = `contrat.remunerationsAnnuelles[${i}]`;
  return {
    ordre: must(text(raw, 'ordre'), `${field}.ordre`),
    dateDebut: must(date(raw, 'dateDebut'), `${field}.dateDebut`),
    dateFin: must(date(raw, 'dateFin'), `${field}.dateFin`),
    taux: must(num(raw, 'taux'), `${field}.taux`),
    typeSalaire: must(text(raw, 'typeSalaire'), `${field}.typeSalaire`) === 'SMC' ? 'SMC' : 'SMIC',
  };
}

/** DECA numbers are assigned by the filing body; clients send 0 or "" on creation. */
function numeroDeca(raw: Raw, key: string): string | undefined {
  const value = text(raw, key);
  return value === undefined || /^0*$/.test(value) ? undefined : value;
}

function contrat(raw: Raw): Contrat {
  const derogation = code(raw, 'typeDerogation');
  const lignes = Array.isArray(raw.remunerationsAnnuelles) ? raw.remunerationsAnnuelles : [];
  return compact({
    modeContractuel: code(raw, 'modeContractuel'),
    typeContratApp: must(code(raw, 'typeContratApp'), 'contrat.typeContratApp'),
    numeroContratPrecedent: text(raw, 'numeroContratPrecedent'),
    noContrat: numeroDeca(raw, 'noContrat'),
    noAvenant: numeroDeca(raw, 'noAvenant'),
    dateConclusion: must(date(raw, 'dateConclusion') ?? date(raw, 'dateSignature'), 'contrat.dateConclusion'),
    dateDebutContrat: must(date(raw, 'dateDebutContrat'), 'contrat.dateDebutContrat'),
    dateFormationPratiqueEmployeur: date(raw, 'dateFormationPratiqueEmployeur') ?? date(raw, 'dateDebutFormationPratique'),
    dateFinContrat: must(date(raw, 'dateFinContrat'), 'contrat.dateFinContrat'),
    dateEffetAvenant: date(raw, 'dateEffetAvenant'),
    dateRupture: date(raw, 'dateRupture'),
    lieuSignatureContrat: text(raw, 'lieuSignatureContrat'),
    typeDerogation: derogation === 99 ? undefined : derogation,
    dureeTravailHebdoHeures: must(num(raw, 'dureeTravailHebdoHeures'), 'contrat.dureeTravailHebdoHeures'),
    dureeTravailHebdoMinutes: num(raw, 'dureeTravailHebdoMinutes'),
    travailRisque: bool(raw, 'travailRisque'),
    salaireEmbauche: num(raw, 'salaireEmbauche'),
    smc: num(raw, 'smc'),
    avantageNourriture: num(raw, 'avantageNourriture'),
    avantageLogement: num(raw, 'avantageLogement'),
    autreAvantageEnNature: bool(raw, 'autreAvantageEnNature'),
    remunerationsAnnuelles: lignes.map((l, i) => remuneration(must(object(l), `contrat.remunerationsAnnuelles[${i}]`), i)),
  });
}

function formation(raw: Raw): Formation {
  return compact({
    rncp: must(text(raw, 'rncp'), 'formation.rncp'),
    codeDiplome: text(raw, 'codeDiplome'),
    typeDiplome: must(code(raw, 'typeDiplome'), 'formation.typeDiplome'),
    intituleQualification: must(text(raw, 'intituleQualification'), 'formation.intituleQualification'),
    dateDebutFormation: must(date(raw, 'dateDebutFormation'), 'formation.dateDebutFormation'),
    dateFinFormation: must(date(raw, 'dateFinFormation'), 'formation.dateFinFormation'),
    dureeFormation: must(num(raw, 'dureeFormation'), 'formation.dureeFormation'),
    nombreHeuresEnDistanciel: num(raw, 'nombreHeuresEnDistanciel'),
  });
}

function organismeFormation(raw: Raw): OrganismeFormation {
  return compact({
    denomination: must(text(raw, 'denomination'), 'organismeFormation.denomination'),
    formationInterne: bool(raw, 'formationInterne'),
    siret: must(text(raw, 'siret'), 'organismeFormation.siret'),
    uaiCfa: must(text(raw, 'uaiCfa'), 'organismeFormation.uaiCfa').toUpperCase(),
    visaCfa: bool(raw, 'visaCfa'),
    // The schema does not require the CFA address; the domain type does: {} means "not sent".
    adresse: adresse(object(raw.adresse)) ?? {},
    lieuFormationIdentique: bool(raw, 'lieuFormationIdentique'),
  });
}

function lieuFormation(raw: Raw | undefined): LieuFormation | undefined {
  if (!raw) return undefined;
  const out = compact({
    denomination: text(raw, 'denomination'),
    siret: text(raw, 'siret'),
    uaiCfa: text(raw, 'uaiCfa')?.toUpperCase(),
    adresse: adresse(object(raw.adresse)),
  });
  return isEmpty(out) ? undefined : out;
}

export function normalizeCerfa(rawCerfa: Record<string, unknown>): Cerfa {
  const raw = rawCerfa;
  const signature = bool(raw, 'CERFASignatureProbante') ?? bool(raw, 'CERFAsignatureProbante');
  return compact({
    versionCERFA: text(raw, 'versionCERFA'),
    CERFASignatureProbante: signature,
    employeur: employeur(must(object(raw.employeur) ?? object(raw.employeurV2), 'employeur')),
    apprenti: apprenti(must(object(raw.apprenti), 'apprenti')),
    maitre1: must(maitre(object(raw.maitre1)), 'maitre1'),
    maitre2: maitre(object(raw.maitre2)),
    contrat: contrat(must(object(raw.contrat), 'contrat')),
    formation: formation(must(object(raw.formation), 'formation')),
    organismeFormation: organismeFormation(must(object(raw.organismeFormation), 'organismeFormation')),
    organismeFormationLieuFormationPrincipal: lieuFormation(object(raw.organismeFormationLieuFormationPrincipal)),
  });
}
