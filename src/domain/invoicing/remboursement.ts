/**
 * Refunds (remboursements) of a trop-perçu: after a rupture, what the OPCO paid above the
 * recomputed entitlement (financement.md §2.3). The CFA declares how it regularises — a transfer
 * back (VIREMENT) or an avoir deducted from a later payment (AVOIR_DEDUCTION, with the avoir's
 * reference) — and the OPCO confirms receipt.
 *
 *   A_REGULARISER → DECLARE (CFA; may declare again while not received) → RECU (OPCO)
 */
import type { Cents } from '../financing/index.js';
import type { Violation } from '../violation.js';

export const ETATS_REMBOURSEMENT = ['A_REGULARISER', 'DECLARE', 'RECU'] as const;
export type EtatRemboursement = (typeof ETATS_REMBOURSEMENT)[number];

export const MODES_REMBOURSEMENT = ['VIREMENT', 'AVOIR_DEDUCTION'] as const;
export type ModeRemboursement = (typeof MODES_REMBOURSEMENT)[number];

export const CAUSES_REMBOURSEMENT = ['TROP_PERCU_RUPTURE'] as const;
export type CauseRemboursement = (typeof CAUSES_REMBOURSEMENT)[number];

export type PlanRemboursement =
  | { ok: true; vers: EtatRemboursement }
  | { ok: false; code: string; description: string; allowed: EtatRemboursement[] };

const SUIVANTS: Readonly<Record<EtatRemboursement, EtatRemboursement[]>> = {
  A_REGULARISER: ['DECLARE'],
  DECLARE: ['DECLARE', 'RECU'],
  RECU: [],
};

/** The CFA declares (or changes, before receipt) how it regularises. */
export function planDeclaration(etat: EtatRemboursement, mode: ModeRemboursement, referenceAvoir: string | undefined): PlanRemboursement | { ok: false; violations: Violation[] } {
  if (mode === 'AVOIR_DEDUCTION' && (referenceAvoir ?? '').trim() === '') {
    return {
      ok: false,
      violations: [{ code: 'REFERENCE_AVOIR_OBLIGATOIRE', description: 'Une régularisation par avoir exige referenceAvoir (numéro de l’avoir émis par le CFA).', champ: '/referenceAvoir', section: 'requete' }],
    };
  }
  if (!SUIVANTS[etat].includes('DECLARE')) {
    return { ok: false, code: 'REMBOURSEMENT_DEJA_RECU', description: 'Ce remboursement est déjà reçu par l’OPCO : la déclaration ne peut plus changer.', allowed: SUIVANTS[etat] };
  }
  return { ok: true, vers: 'DECLARE' };
}

/** The OPCO confirms receipt: only once the CFA has declared its regularisation. */
export function planReception(etat: EtatRemboursement): PlanRemboursement {
  if (etat === 'RECU') return { ok: false, code: 'ETAT_INCHANGE', description: 'Ce remboursement est déjà reçu.', allowed: [] };
  if (etat !== 'DECLARE') {
    return { ok: false, code: 'DECLARATION_ATTENDUE', description: 'Le CFA n’a pas encore déclaré sa régularisation (virement ou avoir) : réception impossible.', allowed: SUIVANTS[etat] };
  }
  return { ok: true, vers: 'RECU' };
}

/** A refund is due when the rupture left a trop-perçu. */
export function isRemboursementDue(tropPercuCents: Cents): boolean {
  return Number.isSafeInteger(tropPercuCents) && tropPercuCents > 0;
}
