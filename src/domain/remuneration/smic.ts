/**
 * SMIC (gross minimum wage) history, as used for the apprentice pay base (reference §4.4).
 * Amounts are integer CENTS so that pay can be computed without floating-point money.
 * Monthly amounts are the official 35 h figures (hourly × 35 × 52 / 12), not recomputed here,
 * because the published monthly value is what CFA software and payroll use.
 */
import type { IsoDate } from '../cerfa/types.js';

export interface SmicEntry {
  /** First day the rate applies. */
  readonly effectiveFrom: IsoDate;
  readonly horaireCents: number;
  readonly mensuelCents: number;
  readonly mayotteHoraireCents: number;
  readonly mayotteMensuelCents: number;
}

/** Sorted by `effectiveFrom`. 2025-01-01 had no revaluation (the Nov 2024 rise replaced it). */
export const SMIC_TABLE: readonly SmicEntry[] = Object.freeze([
  { effectiveFrom: '2018-01-01', horaireCents: 988, mensuelCents: 149_847, mayotteHoraireCents: 746, mayotteMensuelCents: 113_143 },
  { effectiveFrom: '2019-01-01', horaireCents: 1003, mensuelCents: 152_122, mayotteHoraireCents: 757, mayotteMensuelCents: 114_812 },
  { effectiveFrom: '2020-01-01', horaireCents: 1015, mensuelCents: 153_942, mayotteHoraireCents: 766, mayotteMensuelCents: 116_177 },
  { effectiveFrom: '2021-01-01', horaireCents: 1025, mensuelCents: 155_458, mayotteHoraireCents: 774, mayotteMensuelCents: 117_327 },
  { effectiveFrom: '2021-10-01', horaireCents: 1048, mensuelCents: 158_947, mayotteHoraireCents: 791, mayotteMensuelCents: 119_908 },
  { effectiveFrom: '2022-01-01', horaireCents: 1057, mensuelCents: 160_312, mayotteHoraireCents: 798, mayotteMensuelCents: 121_030 },
  { effectiveFrom: '2022-05-01', horaireCents: 1085, mensuelCents: 164_558, mayotteHoraireCents: 819, mayotteMensuelCents: 124_215 },
  { effectiveFrom: '2022-08-01', horaireCents: 1107, mensuelCents: 167_895, mayotteHoraireCents: 835, mayotteMensuelCents: 126_642 },
  { effectiveFrom: '2023-01-01', horaireCents: 1127, mensuelCents: 170_928, mayotteHoraireCents: 851, mayotteMensuelCents: 129_068 },
  { effectiveFrom: '2023-05-01', horaireCents: 1152, mensuelCents: 174_720, mayotteHoraireCents: 870, mayotteMensuelCents: 131_950 },
  { effectiveFrom: '2024-01-01', horaireCents: 1165, mensuelCents: 176_692, mayotteHoraireCents: 880, mayotteMensuelCents: 133_467 },
  { effectiveFrom: '2024-11-01', horaireCents: 1188, mensuelCents: 180_180, mayotteHoraireCents: 898, mayotteMensuelCents: 136_197 },
  { effectiveFrom: '2026-01-01', horaireCents: 1202, mensuelCents: 182_303, mayotteHoraireCents: 933, mayotteMensuelCents: 141_505 },
]);

export const DEPARTEMENT_MAYOTTE = '976';

/** True for Mayotte, the only département with its own SMIC. Accepts "976" or a 976xx postcode. */
export function isMayotte(departementOuCodePostal: string | undefined): boolean {
  return departementOuCodePostal !== undefined && departementOuCodePostal.trim().startsWith(DEPARTEMENT_MAYOTTE);
}

/**
 * The SMIC entry in force on `date`. Dates before the first entry use the first one and dates
 * after the last known revaluation use the last one (future revaluations are unknown).
 */
export function smicEntryAt(date: IsoDate): SmicEntry {
  for (let i = SMIC_TABLE.length - 1; i > 0; i -= 1) {
    const entry = SMIC_TABLE[i]!;
    if (entry.effectiveFrom <= date) return entry;
  }
  return SMIC_TABLE[0]!;
}

/** Monthly 35 h SMIC in cents on `date`, using the Mayotte rate when the employer is in 976. */
export function smicMensuelAt(date: IsoDate, departement?: string): number {
  const entry = smicEntryAt(date);
  return isMayotte(departement) ? entry.mayotteMensuelCents : entry.mensuelCents;
}
