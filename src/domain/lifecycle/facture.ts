/**
 * Life cycle of a CFA invoice (`etatFacture`, norme-api-cfa.md §6.2; the norm only shows TRANSMIS
 * and REGLE, the other states are this gateway's, see financement.md §7 Q2):
 *   TRANSMIS → VALIDEE → (REGLE_PARTIELLEMENT →) REGLE
 *   TRANSMIS → EN_ATTENTE_MISE_EN_CONFORMITE (comment) → TRANSMIS (CFA corrects) or VALIDEE
 *   TRANSMIS / EN_ATTENTE_MISE_EN_CONFORMITE / VALIDEE → REJETEE (reason; VALIDEE: e.g. an invoice
 *   overtaken by a rupture). A partly paid invoice (REGLE_PARTIELLEMENT) cannot be rejected: money
 *   was paid against its lines (docs/decisions/factures.md).
 * A further partial payment of a REGLE_PARTIELLEMENT invoice is not a transition (state unchanged).
 */
import { destinations, planTransition, type Machine, type PlanTransition } from './machine.js';

export const ETATS_FACTURE = ['TRANSMIS', 'EN_ATTENTE_MISE_EN_CONFORMITE', 'VALIDEE', 'REJETEE', 'REGLE_PARTIELLEMENT', 'REGLE'] as const;
export type EtatFacture = (typeof ETATS_FACTURE)[number];

export interface DemandeTransitionFacture {
  vers: EtatFacture;
  /** Required towards EN_ATTENTE_MISE_EN_CONFORMITE (what to fix) and REJETEE (reason). */
  commentaire?: string;
}

export const LIBELLES_ETAT_FACTURE: Readonly<Record<EtatFacture, string>> = {
  TRANSMIS: 'transmise',
  EN_ATTENTE_MISE_EN_CONFORMITE: 'en attente de mise en conformité',
  VALIDEE: 'validée',
  REJETEE: 'rejetée',
  REGLE_PARTIELLEMENT: 'réglée partiellement',
  REGLE: 'réglée',
};

export const MACHINE_FACTURE: Machine<EtatFacture> = {
  etats: ETATS_FACTURE,
  libelles: LIBELLES_ETAT_FACTURE,
  transitions: [
    { de: ['TRANSMIS'], vers: 'EN_ATTENTE_MISE_EN_CONFORMITE', exige: ['commentaire'] },
    { de: ['EN_ATTENTE_MISE_EN_CONFORMITE'], vers: 'TRANSMIS', exige: [] },
    { de: ['TRANSMIS', 'EN_ATTENTE_MISE_EN_CONFORMITE'], vers: 'VALIDEE', exige: [] },
    { de: ['TRANSMIS', 'EN_ATTENTE_MISE_EN_CONFORMITE', 'VALIDEE'], vers: 'REJETEE', exige: ['commentaire'] },
    { de: ['VALIDEE'], vers: 'REGLE_PARTIELLEMENT', exige: [] },
    { de: ['VALIDEE', 'REGLE_PARTIELLEMENT'], vers: 'REGLE', exige: [] },
  ],
};

export function isEtatFacture(value: string): value is EtatFacture {
  return (ETATS_FACTURE as readonly string[]).includes(value);
}

/** States reachable from `from` (empty for REJETEE and REGLE). */
export function transitionsFacturePossibles(from: EtatFacture): EtatFacture[] {
  return destinations(MACHINE_FACTURE, from);
}

export function planFactureTransition(from: EtatFacture, request: DemandeTransitionFacture): PlanTransition<EtatFacture> {
  return planTransition(MACHINE_FACTURE, from, request);
}
