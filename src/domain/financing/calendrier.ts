/**
 * Cutting a contract into years of execution and rolling months. All arithmetic goes through
 * ../dates.ts. Conventions (financement.md §1.4, §7 Q4 — the law is silent, see docs/financing.md):
 * - year k (0-based) runs from addMonths(start, 12k) to the day before addMonths(start, 12(k+1)),
 *   cut at the contract end. Anniversaries are always computed from the START date (not chained),
 *   so a contract starting on 29 Feb does not drift to the 28th forever;
 * - rolling month i starts on addMonths(start, i); a month is "started" as soon as its first day is
 *   within the contract (28 Sept N → 3 Oct N+1 = 13 months, ensuplr example);
 * - "month 7" of year k opens on addMonths(start, 12k + 6), "month 10" on addMonths(start, 12k + 9):
 *   the first day of the 7th / 10th rolling month, whatever the day of the month the contract began.
 */
import { addDays, addMonths, daysInclusive, fullMonthsBetween, minDate } from '../dates.js';
import type { IsoDate } from './types.js';

export interface PeriodeAnnuelle {
  /** 1-based. */
  annee: number;
  dateDebut: IsoDate;
  dateFin: IsoDate;
  jours: number;
  countStartedMonths: number;
  complete: boolean;
  /** First day of the 7th / 10th rolling month of the year (may fall after `dateFin`). */
  mois7: IsoDate;
  mois10: IsoDate;
}

/** Rolling months started from `debut` to `fin` (both included); 0 if fin < debut. */
export function countStartedMonths(debut: IsoDate, fin: IsoDate): number {
  return fin < debut ? 0 : fullMonthsBetween(debut, fin) + 1;
}

export function splitIntoAnnees(debut: IsoDate, fin: IsoDate): PeriodeAnnuelle[] {
  const annees: PeriodeAnnuelle[] = [];
  for (let k = 0; ; k += 1) {
    const dateDebut = addMonths(debut, 12 * k);
    if (dateDebut > fin) break;
    const finAnniversaire = addDays(addMonths(debut, 12 * (k + 1)), -1);
    const dateFin = minDate(finAnniversaire, fin);
    annees.push({
      annee: k + 1,
      dateDebut,
      dateFin,
      jours: daysInclusive(dateDebut, dateFin),
      countStartedMonths: countStartedMonths(debut, dateFin) - 12 * k,
      complete: dateFin === finAnniversaire,
      mois7: addMonths(debut, 12 * k + 6),
      mois10: addMonths(debut, 12 * k + 9),
    });
  }
  return annees;
}
