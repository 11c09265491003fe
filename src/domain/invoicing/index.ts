/** Public API of the invoicing domain: invoice checks, money movements, ruptures, refunds. */
export * from './types.js';
export { isIban, normalizeIban } from './iban.js';
export { ETATS_DOSSIER_FACTURABLES, parseFacture, checkFacture, examineFacture, readCodification, convertedCodificationWarning } from './checks.js';
export * from './reste.js';
export * from './facturation.js';
export {
  etatAfterReglement, mouvementsDepot, mouvementsLiberation, mouvementsReglement, splitReglement,
  type LigneEnCompte, type Mouvement,
} from './ledger.js';
export * from './rupture.js';
export * from './remboursement.js';
export { motifsRefusSolde, type DossierPourSolde, type EcheancePourSolde } from './solde.js';
export * from './echus.js';
export * from './liberation.js';
