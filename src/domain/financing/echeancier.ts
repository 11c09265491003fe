/**
 * Cutting yearly amounts into échéances (financement.md §2.1–2.2, R6332-25 III–IV).
 *
 * Per year of execution, day regime (contracts concluded from 2025-07-01):
 *   40 % AVANCE at the start of the year, 30 % at month 7, 20 % at month 10, 10 % balance:
 *   non-final year → SOLDE_INTERMEDIAIRE opening on the first day of the next year (it is "paid with
 *   the first advance of the following year"); final year → SOLDE opening on the contract end date,
 *   to be invoiced within 4 months (`dateLimiteFacturation`, R6332-25 III 4°).
 * Month regime (2021-01-01 … 2025-06-30): 40 % at start, 30 % at month 7, 30 % balance at month 10.
 * Contract shorter than one year: a single 50 % AVANCE, then the SOLDE at the end (R6332-25 IV).
 *
 * Each component (pédagogie, RQTH) is split on its own with half-up parts and the rounding remainder
 * on the LAST échéance of the year; so Σ échéances = Σ years exactly.
 * When a final year ends before its month 7 / month 10, those échéances are kept (the amounts are
 * due) but open on the contract end date and cover the whole realised year.
 */
import { addDays, addMonths } from '../dates.js';
import type { PeriodeAnnuelle } from './calendrier.js';
import { splitRemainderLast, type Cents } from './money.js';
import type { Echeance, IsoDate, Regime, TypeEcheance } from './types.js';

export const REPARTITION_JOUR_BP = [4_000, 3_000, 2_000, 1_000] as const;
export const REPARTITION_MOIS_BP = [4_000, 3_000, 3_000] as const;
export const REPARTITION_CONTRAT_COURT_BP = [5_000, 5_000] as const;
/** R6332-25 III 4°: the final balance is lost if invoiced more than 4 months after the end. */
export const MOIS_DELAI_SOLDE = 4;

export interface AnneeAEchelonner {
  periode: PeriodeAnnuelle;
  pedagogieCents: Cents;
  rqthCents: Cents;
}

interface Creneau {
  type: TypeEcheance;
  dateOuverture: IsoDate;
  dateDebut: IsoDate;
  dateFin: IsoDate;
  dateLimiteFacturation?: IsoDate;
}

function creneauxAnnee(regime: Regime, p: PeriodeAnnuelle, finale: boolean): Creneau[] {
  const m7Dans = p.mois7 <= p.dateFin;
  const m10Dans = p.mois10 <= p.dateFin;
  const anneeEntiere = { dateDebut: p.dateDebut, dateFin: p.dateFin };
  const avance: Creneau = { type: 'AVANCE', dateOuverture: p.dateDebut, dateDebut: p.dateDebut, dateFin: m7Dans ? addDays(p.mois7, -1) : p.dateFin };
  const mois7: Creneau = m7Dans
    ? { type: 'INTERMEDIAIRE', dateOuverture: p.mois7, dateDebut: p.mois7, dateFin: m10Dans ? addDays(p.mois10, -1) : p.dateFin }
    : { type: 'INTERMEDIAIRE', dateOuverture: p.dateFin, ...anneeEntiere };
  const mois10: Creneau = m10Dans
    ? { type: 'INTERMEDIAIRE', dateOuverture: p.mois10, dateDebut: p.mois10, dateFin: p.dateFin }
    : { type: 'INTERMEDIAIRE', dateOuverture: p.dateFin, ...anneeEntiere };

  if (regime === 'MOIS_40_30_30') {
    return [avance, mois7, finale ? { ...mois10, type: 'SOLDE' } : mois10];
  }
  const solde: Creneau = finale
    ? { type: 'SOLDE', dateOuverture: p.dateFin, ...anneeEntiere, dateLimiteFacturation: addMonths(p.dateFin, MOIS_DELAI_SOLDE) }
    : { type: 'SOLDE_INTERMEDIAIRE', dateOuverture: addDays(p.dateFin, 1), ...anneeEntiere };
  return [avance, mois7, mois10, solde];
}

function creneauxContratCourt(regime: Regime, p: PeriodeAnnuelle): Creneau[] {
  const periode = { dateDebut: p.dateDebut, dateFin: p.dateFin };
  const solde: Creneau = { type: 'SOLDE', dateOuverture: p.dateFin, ...periode };
  if (regime === 'JOUR_40_30_20_10') solde.dateLimiteFacturation = addMonths(p.dateFin, MOIS_DELAI_SOLDE);
  return [{ type: 'AVANCE', dateOuverture: p.dateDebut, ...periode }, solde];
}

/** Builds the numbered schedule, before the employer participation is deducted. */
export function buildEcheances(regime: Regime, annees: readonly AnneeAEchelonner[], contratCourt: boolean): Echeance[] {
  const echeances: Echeance[] = [];
  annees.forEach((a, index) => {
    const finale = index === annees.length - 1;
    const creneaux = contratCourt ? creneauxContratCourt(regime, a.periode) : creneauxAnnee(regime, a.periode, finale);
    const repartition = contratCourt ? REPARTITION_CONTRAT_COURT_BP : regime === 'JOUR_40_30_20_10' ? REPARTITION_JOUR_BP : REPARTITION_MOIS_BP;
    const pedagogie = splitRemainderLast(a.pedagogieCents, repartition);
    const rqth = splitRemainderLast(a.rqthCents, repartition);
    creneaux.forEach((c, i) => {
      const numero = echeances.length + 1;
      const dontMontantPedagogieCents = pedagogie[i] ?? 0;
      const dontMajorationRqthCents = rqth[i] ?? 0;
      echeances.push({
        numero,
        codification: `A${numero}`,
        type: c.type,
        anneeExecution: a.periode.annee,
        dateOuverture: c.dateOuverture,
        dateDebut: c.dateDebut,
        dateFin: c.dateFin,
        montantTotalCents: dontMontantPedagogieCents + dontMajorationRqthCents,
        dontMontantPedagogieCents,
        dontMajorationRqthCents,
        ...(c.dateLimiteFacturation ? { dateLimiteFacturation: c.dateLimiteFacturation } : {}),
        // Vade-mecum V1 (§2.2): only the initial advance goes without a certificat de réalisation.
        exigeCertificat: c.type !== 'AVANCE',
        statut: 'PREVUE',
      });
    });
  });
  return echeances;
}

/**
 * Deducts the employer participation from the pédagogie part of the first advance (R6332-25 III 1°);
 * if that advance is smaller, the rest is carried over to the following échéances, in order.
 * The caller caps `montantCents` at the pédagogie total, so it is always fully absorbed.
 */
export function deductParticipation(echeances: readonly Echeance[], montantCents: Cents): Echeance[] {
  let reste = montantCents;
  return echeances.map((e) => {
    const pris = Math.min(reste, e.dontMontantPedagogieCents);
    reste -= pris;
    if (pris === 0) return e;
    const dontMontantPedagogieCents = e.dontMontantPedagogieCents - pris;
    return { ...e, dontMontantPedagogieCents, montantTotalCents: dontMontantPedagogieCents + e.dontMajorationRqthCents };
  });
}
