/** Public API of the dossier and invoice life cycles. */
export type { CodeRefusTransition, PlanTransition } from './machine.js';
export * from './dossier.js';
export * from './facture.js';
export * from './historique.js';
