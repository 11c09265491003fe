/**
 * Draft facturations ("Facturation à l'OPCO", three resumable steps): pure rules. Step 1 chooses
 * dossiers and a kind of cost, step 2 the échéances (and quantities of meals and nights), step 3
 * turns the draft into one invoice through the very checks of POST /v1/factures. Nothing here
 * restates an invoice rule: step 2 runs `examineFacture` on the draft's lines and takes what is
 * still invoiceable from reste.ts. Choices: docs/decisions/pilotage-facturations.md.
 */
import type { Cents, IsoDate } from '../financing/index.js';
import type { Violation } from '../violation.js';
import { ETATS_DOSSIER_FACTURABLES, examineFacture, LIBELLES_NATURE, readMontantCents } from './checks.js';
import { quantiteDisponible, resteEcheance, resteFrais } from './reste.js';
import {
  isNatureEcheance, NATURES_A_QUANTITE, NATURES_ECHEANCE, NATURES_FRAIS, type DossierSuivi, type EcheanceSuivie, type FactureDemandee, type NatureLigne,
} from './types.js';

/** COUT_PEDAGOGIQUE holds the PEDAGOGIE and MAJORATION_RQTH lines of its échéances; a frais kind, the lines of that nature. */
export const NATURES_FACTURATION = ['COUT_PEDAGOGIQUE', ...NATURES_FRAIS] as const;
export type NatureFacturation = (typeof NATURES_FACTURATION)[number];

export const ETATS_FACTURATION = ['EN_COURS', 'DEPOSEE', 'ABANDONNEE'] as const;
export type EtatFacturation = (typeof ETATS_FACTURATION)[number];

/**
 * A draft untouched this long is abandoned by the job `abandon-facturations`: it would otherwise
 * hold its échéances out of every other draft for ever (a CFA user left, a session forgotten).
 */
export const JOURS_AVANT_ABANDON_FACTURATION = 90;

export function naturesLigneOf(nature: NatureFacturation): readonly NatureLigne[] {
  return nature === 'COUT_PEDAGOGIQUE' ? NATURES_ECHEANCE : [nature];
}

/** A line held by an active (EN_COURS) draft. */
export interface LigneReservee {
  numeroFacturation: string;
  dossierId: string;
  numeroEcheance: number;
  nature: NatureLigne;
  quantite: number;
  montantCents: Cents;
}

const cle = (dossierId: string, numeroEcheance: number, nature: NatureLigne): string => `${dossierId}|${numeroEcheance}|${nature}`;

function violation(code: string, description: string, champ: string): Violation {
  return { code, description, champ, section: 'requete' };
}

/**
 * The dossier as it will stand once the other drafts are deposited: their frais lines count as
 * invoiced against the envelopes, so two drafts on different échéances cannot together promise
 * more than one envelope. Échéance lines need no folding: an échéance × nature is in one draft at
 * most (partial unique index).
 */
export function withReservations(d: DossierSuivi, ailleurs: readonly LigneReservee[]): DossierSuivi {
  const siennes = ailleurs.filter((l) => l.dossierId === d.id && !isNatureEcheance(l.nature));
  if (siennes.length === 0) return d;
  return {
    ...d,
    frais: d.frais.map((f) => {
      const r = siennes.filter((l) => l.nature === f.nature);
      return {
        ...f,
        factureCents: f.factureCents + r.reduce((s, l) => s + l.montantCents, 0),
        quantiteFacturee: f.quantiteFacturee + r.reduce((s, l) => s + l.quantite, 0),
      };
    }),
  };
}

// ------------------------------------------------------------------------- what is open

export interface EcheanceOuverte {
  numero: number;
  codification: string;
  /** COUT_PEDAGOGIQUE: what the échéance still owes (pédagogie + RQTH); frais: what the envelope still holds. */
  resteCents: Cents;
  /** Meals or nights still engaged (RESTAURATION, HEBERGEMENT). */
  quantiteDisponible?: number;
  /** Step 3 needs a certificat de réalisation for this échéance (estCertificatRealisation, or POST /v2/certificats first). */
  certificatRequis: boolean;
}

/** Open today for that nature, as the invoice checks see it (cancelled, not yet open, past the deadline: not). */
function ouverte(e: EcheanceSuivie, nature: NatureLigne, aujourdHui: IsoDate): boolean {
  if (e.statut === 'ANNULEE' || e.dateOuverture > aujourdHui) return false;
  return !(isNatureEcheance(nature) && e.dateLimiteFacturation !== null && aujourdHui > e.dateLimiteFacturation);
}

/**
 * The échéances of a dossier one could put in a draft of this kind today: open, something left,
 * no pending invoice and no other draft on them. Empty for a dossier that is not invoiceable.
 */
export function echeancesOuvertes(d: DossierSuivi, nature: NatureFacturation, aujourdHui: IsoDate, ailleurs: readonly LigneReservee[]): EcheanceOuverte[] {
  if (!ETATS_DOSSIER_FACTURABLES.includes(d.etat)) return [];
  const prises = new Set(ailleurs.map((l) => cle(l.dossierId, l.numeroEcheance, l.nature)));
  const libre = (e: EcheanceSuivie, n: NatureLigne): boolean => ouverte(e, n, aujourdHui) && !e.factureEnAttente[n] && !prises.has(cle(d.id, e.numero, n));
  const dossier = withReservations(d, ailleurs);
  if (nature === 'COUT_PEDAGOGIQUE') {
    return dossier.echeances.flatMap((e) => {
      let reste = 0;
      for (const n of NATURES_ECHEANCE) if (libre(e, n)) reste += resteEcheance(e, n, reste);
      return reste > 0 ? [{ numero: e.numero, codification: e.codification, resteCents: reste, certificatRequis: e.exigeCertificat && !e.certificatRecu }] : [];
    });
  }
  const frais = dossier.frais.find((f) => f.nature === nature);
  if (!frais) return [];
  const reste = resteFrais(frais);
  const quantite = NATURES_A_QUANTITE.includes(nature) ? quantiteDisponible(frais) : undefined;
  if (reste === 0 || quantite === 0) return [];
  return dossier.echeances
    .filter((e) => frais.echeances.includes(e.numero) && libre(e, nature))
    .map((e) => ({ numero: e.numero, codification: e.codification, resteCents: reste, ...(quantite === undefined ? {} : { quantiteDisponible: quantite }), certificatRequis: false }));
}

// ------------------------------------------------------------------------------- step 1

/**
 * Step 1 against the CFA's dossiers (`dossiers`: found by numeroInterne or numeroExterne): the
 * numbers that name none (a 404 for them all, like any other CFA's dossier), then every dossier
 * that cannot be invoiced in this kind (a conflict with the dossier's state or échéancier).
 */
export function checkDossiersChoisis(
  nature: NatureFacturation, refs: readonly string[], dossiers: ReadonlyMap<string, DossierSuivi>, aujourdHui: IsoDate, ailleurs: readonly LigneReservee[],
): { inconnus: Violation[]; erreurs: Violation[] } {
  const inconnus: Violation[] = [];
  const erreurs: Violation[] = [];
  const vus = new Map<string, number>();
  refs.forEach((ref, i) => {
    const champ = `/dossiers/${i}`;
    const d = dossiers.get(ref);
    if (!d) {
      inconnus.push(violation('DOSSIER_INTROUVABLE', `Aucun dossier ${ref} pour ce CFA.`, champ));
      return;
    }
    const deja = vus.get(d.id);
    if (deja !== undefined) {
      erreurs.push(violation('DOSSIER_EN_DOUBLE', `Le dossier ${d.numeroExterne} est déjà choisi en position ${deja}.`, champ));
      return;
    }
    vus.set(d.id, i);
    if (!ETATS_DOSSIER_FACTURABLES.includes(d.etat)) {
      erreurs.push(violation('DOSSIER_NON_FACTURABLE', `Le dossier ${d.numeroExterne} est à l'état ${d.etat} : seuls les dossiers engagés (ENGAGE) ou rompus (RUPTURE, pour le reste dû) se facturent.`, champ));
    } else if (echeancesOuvertes(d, nature, aujourdHui, ailleurs).length === 0) {
      erreurs.push(violation('RIEN_A_FACTURER', `Le dossier ${d.numeroExterne} n'a aujourd'hui aucune échéance à facturer en ${libelleFacturation(nature)} (rien d'ouvert, tout facturé, ou déjà retenu par une autre facturation).`, champ));
    }
  });
  return { inconnus, erreurs };
}

export function libelleFacturation(nature: NatureFacturation): string {
  return nature === 'COUT_PEDAGOGIQUE' ? 'coût pédagogique (pédagogie et majoration RQTH)' : LIBELLES_NATURE[nature];
}

// ------------------------------------------------------------------------------- step 2

/** One échéance chosen at step 2, as read from the request (amount in cents). `index`: its position in `lignes`. */
export interface LigneChoisie {
  index: number;
  numeroInterneDossier: string;
  numeroEcheance: number;
  natureLigne?: NatureLigne;
  quantite?: number;
  montantCents?: Cents;
}

/** A step-2 entry as the (schema-valid) body carries it: amounts in euros. */
export interface LigneChoisieRecue {
  numeroInterneDossier: string;
  numeroEcheance: number | string;
  natureLigne?: NatureLigne | null;
  quantite?: number | null;
  montant?: number | string | null;
}

/** Reads the step-2 entries; amounts that are not exact cents (or ≤ 0) are listed. */
export function readLignesChoisies(recues: readonly LigneChoisieRecue[]): { lignes: LigneChoisie[]; erreurs: Violation[] } {
  const erreurs: Violation[] = [];
  const lignes = recues.map((r, index): LigneChoisie => {
    const lues: Violation[] = [];
    const montantCents = r.montant === undefined || r.montant === null || r.montant === '' ? undefined : readMontantCents(r.montant, `/lignes/${index}/montant`, lues);
    erreurs.push(...lues.map((v) => ({ ...v, section: 'requete' as const })));
    return {
      index,
      numeroInterneDossier: r.numeroInterneDossier.trim(),
      numeroEcheance: Number(r.numeroEcheance),
      ...(r.natureLigne ? { natureLigne: r.natureLigne } : {}),
      ...(typeof r.quantite === 'number' ? { quantite: r.quantite } : {}),
      ...(montantCents === undefined ? {} : { montantCents }),
    };
  });
  return { lignes, erreurs };
}

/** A line of the draft, as stored. `entree`: the step-2 entry it comes from. */
export interface LigneBrouillon {
  entree: number;
  dossierId: string;
  numeroInterneDossier: string;
  numeroEcheance: number;
  nature: NatureLigne;
  quantite: number;
  montantCents: Cents;
}

export interface PlanLignes {
  lignes: LigneBrouillon[];
  /** The request's own faults and the invoice checks' (400), every one, in entry order. */
  erreurs: Violation[];
  /** Échéances another draft holds (409), naming it. */
  conflits: Violation[];
}

/** Invoice checks that only step 3 can satisfy (the PDF may be the certificat). */
const CONSTATS_DU_DEPOT = ['CERTIFICAT_REALISATION_MANQUANT'];

/** The default amount of a line: all that is left (échéance natures, forfaits), or quantity × unit price within the envelope (meals, nights). */
function montantParDefaut(d: DossierSuivi, e: EcheanceSuivie | undefined, nature: NatureLigne, quantite: number, pris: Cents): Cents {
  if (isNatureEcheance(nature)) return e ? resteEcheance(e, nature, pris) : 0;
  const frais = d.frais.find((f) => f.nature === nature);
  if (!frais) return 0;
  const reste = resteFrais(frais, pris);
  return NATURES_A_QUANTITE.includes(nature) ? Math.min(quantite * frais.prixUnitaireCents, reste) : reste;
}

function entryOf(champ: string): number {
  const m = /^\/lignes\/(\d+)/.exec(champ);
  return m ? Number(m[1]) : -1;
}

/** Findings in the order of the entries they are about (stable within an entry). */
export function inEntryOrder(violations: readonly Violation[]): Violation[] {
  return [...violations].sort((a, b) => entryOf(a.champ) - entryOf(b.champ));
}

function dedupe(violations: readonly Violation[]): Violation[] {
  const seen = new Set<string>();
  return violations.filter((v) => {
    const key = `${v.code}|${v.champ}|${v.description}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Step 2: the lines of a draft of kind `nature` from the chosen échéances. An entry without
 * `natureLigne` in a COUT_PEDAGOGIQUE draft gives one line per nature with something left; an
 * absent amount is the default (montantParDefaut). The lines then go through `examineFacture`
 * as an invoice dated today would, whose line findings are returned against the entries
 * (`/lignes/i/...`); the certificat is left to step 3. `dossiers`: the draft's, by numeroInterne.
 */
export function planLignes(
  nature: NatureFacturation, choisies: readonly LigneChoisie[], dossiers: ReadonlyMap<string, DossierSuivi>, ailleurs: readonly LigneReservee[], aujourdHui: IsoDate,
): PlanLignes {
  const admises = naturesLigneOf(nature);
  const snapshot = new Map([...dossiers].map(([k, d]) => [k, withReservations(d, ailleurs)] as const));
  const erreurs: Violation[] = [];
  const lignes: LigneBrouillon[] = [];
  const pris = new Map<string, Cents>();

  for (const c of choisies) {
    const champ = (f: string): string => `/lignes/${c.index}/${f}`;
    const d = snapshot.get(c.numeroInterneDossier);
    if (!d) {
      erreurs.push(violation('DOSSIER_HORS_FACTURATION', `Le dossier ${c.numeroInterneDossier} n'est pas l'un des dossiers de cette facturation : ajoutez-le d'abord (étape 1, membre dossiers).`, champ('numeroInterneDossier')));
      continue;
    }
    if (c.natureLigne !== undefined && !admises.includes(c.natureLigne)) {
      erreurs.push(violation('NATURE_HORS_FACTURATION', `Une facturation de ${libelleFacturation(nature)} ne porte que sur les natures ${admises.join(', ')}.`, champ('natureLigne')));
      continue;
    }
    const natures = c.natureLigne !== undefined ? [c.natureLigne] : admises;
    if (natures.length > 1 && c.montantCents !== undefined) {
      erreurs.push(violation('NATURE_LIGNE_REQUISE', `Un montant choisi s'applique à une nature : précisez natureLigne (${admises.join(' ou ')}), ou omettez le montant pour facturer tout le reste.`, champ('natureLigne')));
      continue;
    }
    if (c.quantite === undefined && natures.some((n) => NATURES_A_QUANTITE.includes(n))) {
      erreurs.push(violation('QUANTITE_REQUISE', `Les frais de ${LIBELLES_NATURE[natures[0] ?? 'RESTAURATION']} se facturent sur les quantités réelles : indiquez quantite (repas ou nuitées).`, champ('quantite')));
      continue;
    }
    const e = d.echeances.find((x) => x.numero === c.numeroEcheance);
    const candidates = natures.map((n) => {
      const cleCumul = isNatureEcheance(n) ? `${d.id}|${c.numeroEcheance}` : `${d.id}|${n}`;
      return { n, cleCumul, montant: c.montantCents ?? montantParDefaut(d, e, n, c.quantite ?? 1, pris.get(cleCumul) ?? 0) };
    });
    // Several natures by default: those with something left (the first one otherwise, so that the checks say why not).
    const avecReste = candidates.filter((x) => x.montant > 0);
    for (const x of candidates.length > 1 && avecReste.length > 0 ? avecReste : candidates.slice(0, 1)) {
      pris.set(x.cleCumul, (pris.get(x.cleCumul) ?? 0) + x.montant);
      lignes.push({ entree: c.index, dossierId: d.id, numeroInterneDossier: d.numeroInterne, numeroEcheance: c.numeroEcheance, nature: x.n, quantite: c.quantite ?? 1, montantCents: x.montant });
    }
  }

  const facture: FactureDemandee = {
    numero: '', dateEmission: aujourdHui, montantTotalCents: lignes.reduce((s, l) => s + l.montantCents, 0), ibanEmetteur: '', siretEmetteur: '', estCertificatRealisation: false,
    lignes: lignes.map((l, index) => ({ index, numeroInterneDossier: l.numeroInterneDossier, numeroEcheance: l.numeroEcheance, nature: l.nature, quantite: l.quantite, montantCents: l.montantCents })),
  };
  const constats = examineFacture(facture, { dossiers: snapshot, numeroDejaUtilise: false, aujourdHui }).erreurs.flatMap((v) => {
    const m = /^\/facture\/lignes\/(\d+)(\/.*)?$/.exec(v.champ);
    const ligne = m ? lignes[Number(m[1])] : undefined;
    if (!ligne || CONSTATS_DU_DEPOT.includes(v.code)) return [];
    return [violation(v.code, v.description, `/lignes/${ligne.entree}${m?.[2] ?? ''}`)];
  });
  erreurs.push(...constats);

  const enErreur = new Set(erreurs.map((v) => entryOf(v.champ)));
  for (const l of lignes) {
    if (l.montantCents === 0 && !enErreur.has(l.entree)) {
      erreurs.push(violation('RIEN_A_FACTURER', `Plus rien à facturer en ${LIBELLES_NATURE[l.nature]} sur ${where(l, snapshot)}.`, `/lignes/${l.entree}`));
    }
  }
  return { lignes, erreurs: inEntryOrder(dedupe(erreurs)), conflits: findConflits(lignes, ailleurs, snapshot) };
}

function where(l: LigneBrouillon, dossiers: ReadonlyMap<string, DossierSuivi>): string {
  const d = dossiers.get(l.numeroInterneDossier);
  const codification = d?.echeances.find((x) => x.numero === l.numeroEcheance)?.codification ?? String(l.numeroEcheance);
  return `l'échéance ${codification} du dossier ${d?.numeroExterne ?? l.numeroInterneDossier}`;
}

/** The lines another active draft already holds (échéance × nature), each naming that draft. */
export function findConflits(lignes: readonly LigneBrouillon[], ailleurs: readonly LigneReservee[], dossiers: ReadonlyMap<string, DossierSuivi>): Violation[] {
  const tenues = new Map(ailleurs.map((l) => [cle(l.dossierId, l.numeroEcheance, l.nature), l.numeroFacturation] as const));
  return dedupe(lignes.flatMap((l) => {
    const autre = tenues.get(cle(l.dossierId, l.numeroEcheance, l.nature));
    return autre
      ? [violation('FACTURATION_CONCURRENTE', `La facturation ${autre} retient déjà ${where(l, dossiers)} (nature ${LIBELLES_NATURE[l.nature]}) : déposez-la, abandonnez-la ou retirez-en cette échéance.`, `/lignes/${l.entree}`)]
      : [];
  }));
}

/** What step 3 still needs, said in the view. */
export interface PourDeposer {
  pret: boolean;
  motifs: string[];
  /** Some échéance line asks for a certificat de réalisation: estCertificatRealisation at the deposit, or POST /v2/certificats first. */
  certificatRealisationRequis: boolean;
}

export function pourDeposer(etat: EtatFacturation, lignes: ReadonlyArray<Pick<LigneBrouillon, 'numeroInterneDossier' | 'numeroEcheance' | 'nature'>>, dossiers: ReadonlyMap<string, DossierSuivi>): PourDeposer {
  const motifs: string[] = [];
  if (etat !== 'EN_COURS') motifs.push(`La facturation est ${etat === 'DEPOSEE' ? 'déjà déposée' : 'abandonnée'}.`);
  else if (lignes.length === 0) motifs.push('Aucune échéance choisie : enregistrez les lignes (étape 2).');
  const certificatRealisationRequis = etat === 'EN_COURS' && lignes.some((l) => {
    const e = dossiers.get(l.numeroInterneDossier)?.echeances.find((x) => x.numero === l.numeroEcheance);
    return isNatureEcheance(l.nature) && e !== undefined && e.exigeCertificat && !e.certificatRecu;
  });
  return { pret: motifs.length === 0, motifs, certificatRealisationRequis };
}

// ------------------------------------------------------------------------------- step 3

/** What step 3 adds to the draft: the invoice's own fields. */
export interface DepotDemande {
  numero: string;
  dateEmission: string;
  ibanEmetteur: string;
  siretEmetteur: string;
  estCertificatRealisation?: boolean | null;
}

/** A stored line of the draft, with its échéance's codification. */
export interface LigneDeFacturation {
  numeroInterneDossier: string;
  numeroEcheance: number;
  codification: string;
  nature: NatureLigne;
  quantite: number;
  montantCents: Cents;
}

/**
 * The `facture` JSON of POST /v1/factures for the draft: its lines in order (so `/facture/lignes/i`
 * of a refusal is the draft's line i) and their exact sum. Amounts in euros, as the route reads them.
 */
export function factureOfFacturation(depot: DepotDemande, lignes: readonly LigneDeFacturation[], euros: (c: Cents) => number): Record<string, unknown> {
  return {
    numero: depot.numero,
    dateEmission: depot.dateEmission,
    montantTotal: euros(lignes.reduce((s, l) => s + l.montantCents, 0)),
    ibanEmetteur: depot.ibanEmetteur,
    siretEmetteur: depot.siretEmetteur,
    estCertificatRealisation: depot.estCertificatRealisation === true,
    lignes: lignes.map((l) => ({
      numeroInterneDossier: l.numeroInterneDossier, numeroEcheance: l.numeroEcheance, codificationEcheance: l.codification, natureLigne: l.nature, quantite: l.quantite, montant: euros(l.montantCents),
    })),
  };
}

/** A pointer of the invoice checks, in the deposit's terms: lines are the draft's (`/lignes/i/…`), the invoice's own fields are under `racine` (`/depot`). */
export function pointerOfDepot(champ: string, racine: string): string {
  if (champ.startsWith('/facture/lignes/')) return champ.slice('/facture'.length);
  if (champ.startsWith('/facture/')) return `${racine}${champ.slice('/facture'.length)}`;
  return champ;
}

// ------------------------------------------------------------------------------- changes

/** What a PATCH asks, as read from its body. */
export interface ModificationDemandee {
  nature?: NatureFacturation;
  dossiers?: readonly string[];
  lignes?: readonly LigneChoisie[];
  etat?: 'ABANDONNEE';
}

/** A PATCH does something, and abandoning is all it does then. */
export function checkModification(m: ModificationDemandee): Violation[] {
  const edits = (['nature', 'dossiers', 'lignes'] as const).filter((k) => m[k] !== undefined);
  if (m.etat !== undefined && edits.length) {
    return [violation('ABANDON_EXCLUSIF', `L'abandon (etat ABANDONNEE) se demande seul, sans ${edits.join(', ')}.`, '/etat')];
  }
  if (m.etat === undefined && edits.length === 0) {
    return [violation('MODIFICATION_VIDE', 'Rien à modifier : nature et dossiers (étape 1), lignes (étape 2) ou etat ABANDONNEE.', '')];
  }
  return [];
}

/** The step a save records: 2 once échéances are chosen in it, else 1. */
export function etapeOf(m: ModificationDemandee): 1 | 2 {
  return m.lignes !== undefined ? 2 : 1;
}
