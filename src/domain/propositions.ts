/**
 * Proposals of contract (pré-saisie, issue 12): states and moves, the guide's 9 tabs and which CERFA
 * fields belong to which, the four fields a save needs, what lists and searches read of a proposal.
 * Pure rules; choices in docs/decisions/presaisie.md, "Proposals".
 */
import { searchKey } from './adherents.js';
import { isJsonObject } from './json.js';
import type { Violation } from './violation.js';

export const ETATS_PROPOSITION = [
  'EN_COURS_DE_SAISIE',
  'ENVOYE_A_L_ENTREPRISE',
  'EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE',
  'REFUSE_PAR_L_ENTREPRISE',
  'TRANSMIS_A_L_OPCO',
] as const;
export type EtatProposition = (typeof ETATS_PROPOSITION)[number];

/** States in which the CFA may modify ("Modifier / Reprendre"). */
export const MODIFIABLE_PAR_LE_CFA: readonly EtatProposition[] = ['EN_COURS_DE_SAISIE', 'ENVOYE_A_L_ENTREPRISE'];
/** States the employer sees: sent to it, accepted, transmitted (never a draft, never a refused one). */
export const VISIBLES_PAR_L_ENTREPRISE: readonly EtatProposition[] = ['ENVOYE_A_L_ENTREPRISE', 'EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE', 'TRANSMIS_A_L_OPCO'];

/** Every allowed move; anything else is refused (409 naming the state). */
export const MOVES: Readonly<Record<EtatProposition, readonly EtatProposition[]>> = {
  EN_COURS_DE_SAISIE: ['ENVOYE_A_L_ENTREPRISE'],
  // A CFA's modification takes the proposal back (« Reprendre »): it must be sent again.
  ENVOYE_A_L_ENTREPRISE: ['EN_COURS_DE_SAISIE', 'EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE', 'REFUSE_PAR_L_ENTREPRISE'],
  EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE: ['TRANSMIS_A_L_OPCO'],
  REFUSE_PAR_L_ENTREPRISE: [],
  TRANSMIS_A_L_OPCO: [],
};

export function canMove(from: EtatProposition, to: EtatProposition): boolean {
  return MOVES[from].includes(to);
}

export const LIBELLES_ETAT: Readonly<Record<EtatProposition, string>> = {
  EN_COURS_DE_SAISIE: 'en cours de saisie',
  ENVOYE_A_L_ENTREPRISE: 'envoyée à l’entreprise',
  EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE: 'en cours d’examen par l’entreprise',
  REFUSE_PAR_L_ENTREPRISE: 'refusée par l’entreprise',
  TRANSMIS_A_L_OPCO: 'transmise à l’OPCO',
};

// ------------------------------------------------------------------------------------------- tabs

/** The guide's 9 tabs, in order. */
export const ONGLETS = [
  'introduction', 'employeur', 'apprenti', 'maitreApprentissage', 'contrat', 'formation', 'synthese', 'documents', 'attestation',
] as const;
export type Onglet = (typeof ONGLETS)[number];

export const LIBELLES_ONGLET: Readonly<Record<Onglet, string>> = {
  introduction: 'Introduction',
  employeur: 'Employeur',
  apprenti: 'Apprenti(e)',
  maitreApprentissage: 'Maître d’apprentissage',
  contrat: 'Contrat',
  formation: 'Formation',
  synthese: 'Synthèse',
  documents: 'Documents',
  attestation: 'Attestation',
};

/** The Attestation tab's fields: « Fait à » and the employer's attestation that it holds the supporting documents. */
export const ATTESTATION_FIELDS = ['/cerfa/contrat/lieuSignatureContrat', '/cerfa/employeur/attestationPieces'] as const;

/** The tab a finding belongs to, from its JSON pointer into the request (`/cerfa/...`, `/documents`). */
export function ongletOf(champ: string): Onglet {
  if ((ATTESTATION_FIELDS as readonly string[]).some((f) => champ === f || champ.startsWith(`${f}/`))) return 'attestation';
  const parts = champ.split('/').filter(Boolean);
  if (parts[0] === 'documents') return 'documents';
  if (parts[0] !== 'cerfa') return 'introduction';
  switch (parts[1]) {
    case 'employeur':
    case 'employeurV2':
      return 'employeur';
    case 'apprenti':
      return 'apprenti';
    case 'maitre1':
    case 'maitre2':
      return 'maitreApprentissage';
    case 'contrat':
      return 'contrat';
    case 'formation':
    case 'organismeFormation':
    case 'organismeFormationLieuFormationPrincipal':
      return 'formation';
    default:
      return 'introduction';
  }
}

export interface TabReport {
  onglet: Onglet;
  libelle: string;
  nombreErreurs: number;
  erreurs: Array<Violation & { onglet: Onglet }>;
}

/** Every tab, in the guide's order, with its findings and their count (0 for a complete tab). */
export function byTab(violations: readonly Violation[]): TabReport[] {
  const reports = ONGLETS.map((onglet): TabReport => ({ onglet, libelle: LIBELLES_ONGLET[onglet], nombreErreurs: 0, erreurs: [] }));
  for (const v of violations) {
    const onglet = ongletOf(v.champ);
    const report = reports[ONGLETS.indexOf(onglet)];
    if (!report) continue;
    report.erreurs.push({ ...v, onglet });
    report.nombreErreurs += 1;
  }
  return reports;
}

/** Count per tab (only tabs with errors), as the guide shows on each tab's banner. */
export function countByTab(violations: readonly Violation[]): Partial<Record<Onglet, number>> {
  const counts: Partial<Record<Onglet, number>> = {};
  for (const v of violations) {
    const onglet = ongletOf(v.champ);
    counts[onglet] = (counts[onglet] ?? 0) + 1;
  }
  return counts;
}

// -------------------------------------------------------------------------------------- reading

function member(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isJsonObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The employer member of a proposal's CERFA (`employeur`, or the norm's v2 alias `employeurV2`). */
export function employeurOf(cerfa: Record<string, unknown>): Record<string, unknown> | undefined {
  const e = cerfa.employeur ?? cerfa.employeurV2;
  return isJsonObject(e) ? e : undefined;
}

/** The employer's SIRET when it has the shape of one (14 digits, spaces ignored). */
export function employeurSiretOf(cerfa: Record<string, unknown>): string | undefined {
  const siret = text(employeurOf(cerfa)?.siret)?.replace(/\s/g, '');
  return siret && /^[0-9]{14}$/.test(siret) ? siret : undefined;
}

/** The calendar date of a CERFA date (`2025-09-01T00:00:00+02:00` → `2025-09-01`), when it starts with one. */
function dayOf(value: unknown): string | undefined {
  const t = text(value);
  return t && /^\d{4}-\d{2}-\d{2}/.test(t) ? t.slice(0, 10) : undefined;
}

/** What the lists and the search read of a proposal, derived from its CERFA at every save. */
export interface PropositionSummary {
  employeurSiret: string | undefined;
  employeurSiren: string | undefined;
  entreprise: string | undefined;
  apprentiNom: string | undefined;
  apprentiPrenom: string | undefined;
  dateDebutContrat: string | undefined;
  dateFinContrat: string | undefined;
}

const clip = (s: string | undefined, n: number): string | undefined => (s === undefined ? undefined : s.slice(0, n));

export function summaryOf(cerfa: Record<string, unknown>): PropositionSummary {
  const siret = employeurSiretOf(cerfa);
  return {
    employeurSiret: siret,
    employeurSiren: siret?.slice(0, 9),
    entreprise: clip(text(employeurOf(cerfa)?.denomination), 255),
    apprentiNom: clip(text(member(cerfa, 'apprenti', 'nom')), 255),
    apprentiPrenom: clip(text(member(cerfa, 'apprenti', 'prenom')), 255),
    dateDebutContrat: dayOf(member(cerfa, 'contrat', 'dateDebutContrat')),
    dateFinContrat: dayOf(member(cerfa, 'contrat', 'dateFinContrat')),
  };
}

/** The normalised text the list's `q` searches: apprentice, employer (name, SIRET), numbers. */
export function searchTextOf(summary: PropositionSummary, numeros: ReadonlyArray<string | null | undefined>): string {
  return [summary.apprentiNom, summary.apprentiPrenom, summary.entreprise, summary.employeurSiret, ...numeros]
    .filter((s): s is string => typeof s === 'string' && s !== '')
    .map(searchKey)
    .join(' | ');
}

// ------------------------------------------------------------------------------------ save minimum

/**
 * The guide's four fields a save needs: employer raison sociale or SIREN, the establishment's NIC
 * (the SIRET's last 5 digits: a SIRET carries both SIREN and NIC), the apprentice's birth name and
 * first name. One CHAMP_OBLIGATOIRE per missing field.
 */
export function saveMinimumViolations(cerfa: unknown): Violation[] {
  const c = isJsonObject(cerfa) ? cerfa : {};
  const employeur = employeurOf(c) ?? {};
  const siret = employeurSiretOf(c);
  const out: Violation[] = [];
  if (!text(employeur.denomination) && !siret) {
    out.push({ code: 'CHAMP_OBLIGATOIRE', champ: '/cerfa/employeur/denomination', section: 'employeur', description: 'La raison sociale de l’employeur (ou son SIREN, par le SIRET) est obligatoire pour enregistrer la proposition.' });
  }
  if (!siret) {
    out.push({ code: 'CHAMP_OBLIGATOIRE', champ: '/cerfa/employeur/siret', section: 'employeur', description: 'Le NIC de l’établissement employeur est obligatoire pour enregistrer la proposition : indiquez le SIRET (SIREN + NIC, 14 chiffres).' });
  }
  if (!text(member(c, 'apprenti', 'nom'))) {
    out.push({ code: 'CHAMP_OBLIGATOIRE', champ: '/cerfa/apprenti/nom', section: 'apprenti', description: 'Le nom de naissance de l’apprenti(e) est obligatoire pour enregistrer la proposition.' });
  }
  if (!text(member(c, 'apprenti', 'prenom'))) {
    out.push({ code: 'CHAMP_OBLIGATOIRE', champ: '/cerfa/apprenti/prenom', section: 'apprenti', description: 'Le prénom de l’apprenti(e) est obligatoire pour enregistrer la proposition.' });
  }
  return out;
}

/** The tabs whose every starred field must be filled before the CFA sends the proposal to the employer. */
export const ONGLETS_ENVOI: readonly Onglet[] = ['employeur', 'apprenti', 'formation'];

/**
 * Starred for the guide though the CERFA schema lets them out (a dossier may come without them):
 * the code diplôme, which the guide names among the Formation fields needed to send.
 */
export function envoiViolations(cerfa: Record<string, unknown>): Violation[] {
  if (text(member(cerfa, 'formation', 'codeDiplome'))) return [];
  return [{ code: 'CHAMP_OBLIGATOIRE', champ: '/cerfa/formation/codeDiplome', section: 'formation', description: 'Le code diplôme est obligatoire pour envoyer la proposition à l’entreprise.' }];
}

/** The Attestation tab, required before the employer transmits to the OPCO. */
export function attestationViolations(cerfa: Record<string, unknown>): Violation[] {
  const out: Violation[] = [];
  if (!text(member(cerfa, 'contrat', 'lieuSignatureContrat'))) {
    out.push({ code: 'CHAMP_OBLIGATOIRE', champ: '/cerfa/contrat/lieuSignatureContrat', section: 'contrat', description: 'Le lieu de signature (« Fait à ») est obligatoire pour transmettre à l’OPCO.' });
  }
  if (employeurOf(cerfa)?.attestationPieces !== true) {
    out.push({ code: 'ATTESTATION_OBLIGATOIRE', champ: '/cerfa/employeur/attestationPieces', section: 'employeur', description: 'L’employeur doit attester détenir les pièces justificatives (attestationPieces = true) pour transmettre à l’OPCO.' });
  }
  return out;
}

// ---------------------------------------------------------------------------------------- prefill

const isEmpty = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** `target` with every member of `source` that `target` lacks (nested objects merged the same way). */
function fillMissing(target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined || value === null) continue;
    const present = out[key];
    if (isJsonObject(value) && isJsonObject(present)) out[key] = fillMissing(present, value);
    else if (isEmpty(present)) out[key] = value;
  }
  return out;
}

/** The CFA profile's data (issue 12: SIRET, UAI, name, address) into the Formation tab's organismeFormation, where missing. */
export function prefillFormation(cerfa: Record<string, unknown>, profil: { siret: string; uai: string; denomination: string; adresse: object } | undefined): Record<string, unknown> {
  if (!profil) return cerfa;
  const organisme = isJsonObject(cerfa.organismeFormation) ? cerfa.organismeFormation : {};
  const known = { siret: profil.siret, uaiCfa: profil.uai, denomination: profil.denomination, adresse: { ...profil.adresse } };
  return { ...cerfa, organismeFormation: fillMissing(organisme, known) };
}

/** The member register's data (raison sociale, address, NAF, IDCC, headcount) into the Employeur tab, where missing. */
export function prefillEmployeur(
  cerfa: Record<string, unknown>,
  adherent: { raisonSociale: string; adresse: string | null; codePostal: string | null; commune: string | null; naf: string | null; idcc: string | null; effectif: number | null } | undefined,
): Record<string, unknown> {
  if (!adherent) return cerfa;
  const key = isJsonObject(cerfa.employeur) || !isJsonObject(cerfa.employeurV2) ? 'employeur' : 'employeurV2';
  const employeur = employeurOf(cerfa) ?? {};
  const known: Record<string, unknown> = {
    denomination: adherent.raisonSociale,
    naf: adherent.naf,
    codeIdcc: adherent.idcc,
    nombreDeSalaries: adherent.effectif,
  };
  const adresse = { adresse1: adherent.adresse, codePostal: adherent.codePostal, commune: adherent.commune };
  if (Object.values(adresse).some((v) => v !== null)) known.adresse = adresse;
  return { ...cerfa, [key]: fillMissing(employeur, known) };
}
