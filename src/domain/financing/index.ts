/** Public API of the financing domain. */
export * from './types.js';
export { FinancementError, type FinancementErrorCode } from './errors.js';
export { allocate, centsToEuros, eurosToCents, formatEuros, percentOf, prorate, splitRemainderLast, sum } from './money.js';
export {
  IDCC_GENERIQUE, niveauDiplome, normalizeIdcc, normalizeRncp, parseNpecCsv, resolveNpec, VALEURS_AMORCAGE_CENTS,
  type NpecCsvError, type NpecQuery, type NpecResolution, type NpecRow, type NpecSource,
} from './npec.js';
export { DEBUT_REGIME_JOUR, DEBUT_REGIME_MOIS, regimeApplicable } from './regime.js';
export { computeEngagement, computeRupture } from './engine.js';
