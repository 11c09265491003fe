/**
 * Legal minimum pay of an apprentice, in % of the base (SMIC, or SMC from 21 when higher),
 * by contract year and age band (reference §4.1, Code du travail D6222-26).
 */
import type { IsoDate } from '../cerfa/types.js';

/**
 * Age bands of the grid: 0 = under 18, 1 = 18–20, 2 = 21–25, 3 = 26 and over. Contracts
 * concluded before 2019 never reach band 3: their band 2 is "21 and over".
 */
export type TrancheAge = 0 | 1 | 2 | 3;

export const TRANCHE_LIBELLES: Readonly<Record<TrancheAge, string>> = Object.freeze({
  0: 'moins de 18 ans',
  1: '18 à 20 ans',
  2: '21 à 25 ans',
  3: '26 ans et plus',
});

/** Contracts concluded from this date use the 2019 grid (decree 2018-1347). */
export const DATE_GRILLE_2019: IsoDate = '2019-01-01';

/** Ages at which the band changes. The pre-2019 grid has no 26+ band. */
export const SEUILS_2019: readonly number[] = Object.freeze([18, 21, 26]);
export const SEUILS_AVANT_2019: readonly number[] = Object.freeze([18, 21]);

// Rows: contract year 1..3; columns: age band. Year 4 and later reuse year 3 (S1/S2 assumption).
const GRILLE_2019: readonly (readonly number[])[] = [
  [27, 43, 53, 100],
  [39, 51, 61, 100],
  [55, 67, 78, 100],
];
// Before 2019, 21+ was a single band: the 26+ column repeats 21–25 so band indexes stay uniform.
const GRILLE_AVANT_2019: readonly (readonly number[])[] = [
  [25, 41, 53, 53],
  [37, 49, 61, 61],
  [53, 65, 78, 78],
];

export function grille2019Applicable(dateConclusion: IsoDate): boolean {
  return dateConclusion >= DATE_GRILLE_2019;
}

export function seuilsTranches(dateConclusion: IsoDate): readonly number[] {
  return grille2019Applicable(dateConclusion) ? SEUILS_2019 : SEUILS_AVANT_2019;
}

/** Band of an age in whole years (under 16 is paid as 16–17, D6222-27). */
export function trancheDeAge(age: number): TrancheAge {
  if (age < 18) return 0;
  if (age < 21) return 1;
  if (age < 26) return 2;
  return 3;
}

/**
 * Minimum rate (%) for a contract year (1-based; ≥ 4 treated as year 3) and an age band, with the
 * grid chosen by the conclusion date.
 */
export function tauxMinimal(anneeContrat: number, tranche: TrancheAge, dateConclusion: IsoDate): number {
  const grid = grille2019Applicable(dateConclusion) ? GRILLE_2019 : GRILLE_AVANT_2019;
  const row = grid[Math.min(Math.max(Math.trunc(anneeContrat), 1), 3) - 1]!;
  return row[tranche]!;
}
