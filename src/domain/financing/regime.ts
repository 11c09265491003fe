/**
 * Which payment regime applies — chosen by the CONCLUSION (signature) date, not the start date
 * (financement.md, preamble and §2.1; R6332-25 versions).
 */
import { FinancementError } from './errors.js';
import type { IsoDate, Regime } from './types.js';

/** R6332-25, version of 31 Dec 2020: 40/30/30, every started month due. */
export const DEBUT_REGIME_MOIS: IsoDate = '2021-01-01';
/** Décret 2025-585 of 27 June 2025: 40/30/20/10, prorated by days. */
export const DEBUT_REGIME_JOUR: IsoDate = '2025-07-01';

export function regimeApplicable(dateConclusion: IsoDate): Regime {
  if (dateConclusion >= DEBUT_REGIME_JOUR) return 'JOUR_40_30_20_10';
  if (dateConclusion >= DEBUT_REGIME_MOIS) return 'MOIS_40_30_30';
  throw new FinancementError(
    'REGIME_NON_SUPPORTE',
    `Contrat conclu le ${dateConclusion.split('-').reverse().join('/')} : les contrats conclus avant le 01/01/2021 relèvent des régimes 50/25/25 (décret 2018-1209 puis décret 2019-1326) et d'une majoration RQTH plafonnée à 50 % du NPEC ; ils ne sont pas calculés par ce moteur et doivent être traités manuellement.`,
    '/dateConclusion',
  );
}

export function libelleRegime(regime: Regime): string {
  return regime === 'JOUR_40_30_20_10'
    ? 'échéancier 40/30/20/10 au prorata des jours sur une base de 365 (R6332-25 III, décret 2025-585)'
    : 'échéancier 40/30/30, tout mois commencé étant dû (R6332-25, version du 31/12/2020)';
}
