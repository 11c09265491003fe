/**
 * Amounts before they are cut into échéances: NPEC modulations (FOAD, RQTH, short-contract
 * majoration, employer participation) and the proration of a year of execution.
 */
import type { PeriodeAnnuelle } from './calendrier.js';
import { formatEuros, percentOf, prorate, type Cents } from './money.js';
import { DEBUT_REGIME_JOUR } from './regime.js';
import type { EngagementInput, Regime } from './types.js';

/** D6332-82-1 I and III. */
export const TAUX_MINORATION_FOAD_BP = 2_000;
export const SEUIL_FOAD_POURCENT = 80;
export const PLANCHER_FOAD_CENTS: Cents = 400_000;
/** D6332-82 (contracts from 1 Jan 2021): up to 4 000 € per year of execution. */
export const PLAFOND_RQTH_ANNUEL_CENTS: Cents = 400_000;
/** R6332-25 IV 2°: +10 % for a duration reduced by convention, total ≤ annual NPEC. */
export const TAUX_MAJORATION_REDUCTION_DUREE_BP = 1_000;
export const DEROGATION_REDUCTION_DUREE = 21;
/** R6332-25-1. */
export const PARTICIPATION_EMPLOYEUR_CENTS: Cents = 75_000;
export const JOURS_PERIODE_PROBATOIRE = 45;

export interface NpecRetenu {
  npecRetenuCents: Cents;
  minorationFoad: boolean;
  explication: string;
}

/**
 * FOAD minoration (D6332-82-1, contracts concluded from 1 July 2025): −20 % when ≥ 80 % of the
 * training hours are remote, never below 4 000 €. The floor cannot RAISE an NPEC already below
 * 4 000 € (it limits a cut, it is not a guarantee), hence min(NPEC, max(4 000, 80 % NPEC)).
 */
export function computeNpecRetenu(input: EngagementInput, regime: Regime): NpecRetenu {
  const npec = input.npecAnnuelCents;
  const duree = input.dureeFormationHeures ?? 0;
  const distanciel = input.heuresDistanciel ?? 0;
  const foad = duree > 0 && distanciel * 100 >= SEUIL_FOAD_POURCENT * duree;
  const base = `NPEC annuel : ${formatEuros(npec)}.`;
  if (!foad) return { npecRetenuCents: npec, minorationFoad: false, explication: base };
  const part = `${distanciel} h à distance sur ${duree} h`;
  if (regime !== 'JOUR_40_30_20_10') {
    return { npecRetenuCents: npec, minorationFoad: false, explication: `${base} Formation à distance (${part}) sans minoration : la minoration FOAD ne vise que les contrats conclus à compter du 01/07/2025 (D6332-82-1).` };
  }
  if (input.certificationExempteeFoad === true) {
    return { npecRetenuCents: npec, minorationFoad: false, explication: `${base} Formation à distance (${part}) mais certification exemptée (tous les CFA la dispensent à distance, D6332-82-1 II) : pas de minoration.` };
  }
  const minore = npec - percentOf(npec, TAUX_MINORATION_FOAD_BP);
  const retenu = Math.min(npec, Math.max(PLANCHER_FOAD_CENTS, minore));
  if (retenu === npec) {
    return { npecRetenuCents: npec, minorationFoad: false, explication: `${base} Formation à distance (${part}, ≥ 80 %) mais NPEC déjà au plus égal au plancher de 4 000,00 € : pas de minoration (D6332-82-1 III).` };
  }
  const plancher = retenu > minore ? ` ramenée au plancher de ${formatEuros(PLANCHER_FOAD_CENTS)} (D6332-82-1 III)` : '';
  return {
    npecRetenuCents: retenu,
    minorationFoad: true,
    explication: `${base} Formation à distance (${part}, ≥ 80 %) : minoration de 20 %${plancher}, NPEC retenu ${formatEuros(retenu)} (D6332-82-1, décret 2025-586).`,
  };
}

/**
 * Amount of one year of execution for an annual amount (NPEC or RQTH majoration):
 * - day regime: a complete anniversary year is due in full (even when it has 366 days); a partial
 *   year is annual × days / 365, rounded half-up, capped at the annual amount (R6332-25 III);
 * - month regime: annual × started months / 12 (every started month is due).
 */
export function montantAnnee(regime: Regime, periode: PeriodeAnnuelle, annuelCents: Cents): Cents {
  if (regime === 'JOUR_40_30_20_10') {
    return periode.complete ? annuelCents : Math.min(annuelCents, prorate(annuelCents, periode.jours, 365));
  }
  return prorate(annuelCents, Math.min(12, periode.countStartedMonths), 12);
}

export function libelleProrata(regime: Regime, periode: PeriodeAnnuelle, annuelCents: Cents, montant: Cents): string {
  if (regime === 'JOUR_40_30_20_10') {
    return periode.complete
      ? `année complète (${periode.jours} jours) → ${formatEuros(montant)}`
      : `${periode.jours} jours → ${formatEuros(annuelCents)} × ${periode.jours} / 365 = ${formatEuros(montant)}`;
  }
  const mois = Math.min(12, periode.countStartedMonths);
  return mois === 12
    ? `12 mois commencés → ${formatEuros(montant)}`
    : `${mois} mois commencés → ${formatEuros(annuelCents)} × ${mois} / 12 = ${formatEuros(montant)}`;
}

/** RQTH majoration of contract year `annee` (1-based): convention amount capped at 4 000 €. */
export function rqthAnnuel(input: EngagementInput, annee: number): { montantCents: Cents; plafonne: boolean } {
  const declare = input.rqthMontantsParAnneeCents?.[annee - 1] ?? 0;
  return { montantCents: Math.min(declare, PLAFOND_RQTH_ANNUEL_CENTS), plafonne: declare > PLAFOND_RQTH_ANNUEL_CENTS };
}

export function participationApplicable(input: EngagementInput): boolean {
  return input.niveauDiplome >= 6 && input.dateConclusion >= DEBUT_REGIME_JOUR;
}
