/**
 * Dossiers échus à traiter (guide of the API CFA, issue 11 §3). A dossier still invoiced (ENGAGE or
 * RUPTURE), without a declaration de solde, is échu when all three hold:
 *   1. its billing period ended at least MOIS_AVANT_ECHU full months ago (`echuLe`);
 *   2. no invoice of the dossier is being processed;
 *   3. an amount remains to invoice, and/or the certificat de réalisation is missing.
 * The daily job (src/db/echus.ts) evaluates the same rules in one SQL statement; these functions are
 * the reference it is tested against, and what the declaration de solde reads. Choices:
 * docs/decisions/pilotage-echus.md.
 */
import { addMonths } from '../dates.js';
import type { Cents, IsoDate } from '../financing/index.js';

/** Full calendar months after the end of the billing period before a dossier is échu. */
export const MOIS_AVANT_ECHU = 2;

/** States in which a dossier is still invoiced: the only ones that can be échus or declare their solde. */
export const ETATS_DOSSIER_ECHUS: readonly string[] = ['ENGAGE', 'RUPTURE'];

export interface EcheancePourEchu {
  numero: number;
  /** PREVUE | PARTIELLE | ANNULEE (cancelled by a rupture). */
  statut: string;
  dateFin: IsoDate;
  dateLimiteFacturation: IsoDate | null;
  exigeCertificat: boolean;
  montantTotalCents: Cents;
  montantRegleCents: Cents;
  montantEnCoursCents: Cents;
}

export interface DossierPourEchu {
  etat: string;
  /** Last day executed, when the contract was broken. */
  dateRupture: IsoDate | null;
  echeances: readonly EcheancePourEchu[];
  /** A line of the dossier sits on an invoice still being processed (TRANSMIS … REGLE_PARTIELLEMENT). */
  factureEnTraitement: boolean;
  /** Échéances attested by a certificat (POST /v2/certificats) or by a live invoice flagged `estCertificatRealisation`. */
  echeancesCertifiees: readonly number[];
  /** A `Final` certificat was posted for the dossier, whatever the échéance it names. */
  certificatFinal: boolean;
  soldeDeclare: boolean;
}

/** Why a dossier is échu: what the list shows. */
export interface Echu {
  finPeriode: IsoDate;
  resteAFacturerCents: Cents;
  certificatManquant: boolean;
}

const vivantes = (echeances: readonly EcheancePourEchu[]): EcheancePourEchu[] => echeances.filter((e) => e.statut !== 'ANNULEE');

/**
 * End of the billing period: the rupture date when the contract was broken (the échéance holding it
 * keeps its original period), else the end of the last échéance not cancelled. Undefined without one.
 */
export function finPeriodeFacturation(d: Pick<DossierPourEchu, 'dateRupture' | 'echeances'>): IsoDate | undefined {
  if (d.dateRupture) return d.dateRupture;
  return vivantes(d.echeances).reduce<IsoDate | undefined>((fin, e) => (fin === undefined || e.dateFin > fin ? e.dateFin : fin), undefined);
}

/**
 * First day the dossier is échu: the end plus MOIS_AVANT_ECHU calendar months, clamped to the end of
 * the target month (30/09 → 30/11, 31/12 → 28/02). PostgreSQL's `date + interval '2 months'` clamps
 * the same way, which the job relies on.
 */
export function echuLe(finPeriode: IsoDate): IsoDate {
  return addMonths(finPeriode, MOIS_AVANT_ECHU);
}

/** The period is over once its last day has passed (Paris calendar dates). */
export function periodeTerminee(finPeriode: IsoDate, aujourdHui: IsoDate): boolean {
  return finPeriode < aujourdHui;
}

/**
 * What remains to invoice: Σ (due − paid − en cours) over the échéances not cancelled whose invoicing
 * deadline has not passed — a balance past its deadline is no longer due (R6332-25 III 4°), so it
 * is not "to invoice". An échéance overpaid after a rupture counts 0, not a negative amount.
 */
export function resteAFacturer(echeances: readonly EcheancePourEchu[], aujourdHui: IsoDate): Cents {
  return vivantes(echeances)
    .filter((e) => e.dateLimiteFacturation === null || e.dateLimiteFacturation >= aujourdHui)
    .reduce((s, e) => s + Math.max(0, e.montantTotalCents - e.montantRegleCents - e.montantEnCoursCents), 0);
}

/**
 * The certificat de réalisation is missing when the last échéance not cancelled requires one (every
 * échéance but an advance, and the partial one after a rupture) and neither a certificat for that
 * échéance, nor a `Final` certificat, nor a live invoice of that échéance flagged as certificat exists.
 */
export function certificatManquant(d: Pick<DossierPourEchu, 'echeances' | 'echeancesCertifiees' | 'certificatFinal'>): boolean {
  const derniere = vivantes(d.echeances).reduce<EcheancePourEchu | undefined>((last, e) => (last === undefined || e.numero > last.numero ? e : last), undefined);
  if (!derniere?.exigeCertificat) return false;
  return !d.certificatFinal && !d.echeancesCertifiees.includes(derniere.numero);
}

/** The reasons the dossier is échu on `aujourdHui`, or undefined when it is not. */
export function conditionsEchu(d: DossierPourEchu, aujourdHui: IsoDate): Echu | undefined {
  if (!ETATS_DOSSIER_ECHUS.includes(d.etat) || d.soldeDeclare || d.factureEnTraitement) return undefined;
  const finPeriode = finPeriodeFacturation(d);
  if (finPeriode === undefined || echuLe(finPeriode) > aujourdHui) return undefined;
  const echu = { finPeriode, resteAFacturerCents: resteAFacturer(d.echeances, aujourdHui), certificatManquant: certificatManquant(d) };
  return echu.resteAFacturerCents > 0 || echu.certificatManquant ? echu : undefined;
}
