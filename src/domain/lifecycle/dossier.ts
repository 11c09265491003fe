/**
 * Life cycle of an apprenticeship dossier (`cerfa.etat`, norme-api-cfa.md §6.1; financement.md §5):
 * TRANSMIS → EN_COURS_INSTRUCTION → ENGAGE → (RUPTURE) → SOLDE, or REFUSE / ANNULE.
 * A refusal and a cancellation must be reasoned (R6332-24: a rejection is reasoned); a rupture needs
 * its date, which drives the recomputation (financing/engine.ts `computeRupture`).
 */
import { destinations, isRenseigne, planTransition, type Machine, type PlanTransition } from './machine.js';

export const ETATS_DOSSIER = ['TRANSMIS', 'EN_COURS_INSTRUCTION', 'ENGAGE', 'REFUSE', 'ANNULE', 'RUPTURE', 'SOLDE'] as const;
export type EtatDossier = (typeof ETATS_DOSSIER)[number];

export interface DemandeTransitionDossier {
  vers: EtatDossier;
  /** Reason; required towards REFUSE and ANNULE. */
  commentaire?: string;
  /** YYYY-MM-DD; required towards RUPTURE. */
  dateRupture?: string;
}

export const LIBELLES_ETAT_DOSSIER: Readonly<Record<EtatDossier, string>> = {
  TRANSMIS: 'transmis',
  EN_COURS_INSTRUCTION: 'en cours d’instruction',
  ENGAGE: 'engagé',
  REFUSE: 'refusé',
  ANNULE: 'annulé',
  RUPTURE: 'rupture',
  SOLDE: 'soldé',
};

export const MACHINE_DOSSIER: Machine<EtatDossier> = {
  etats: ETATS_DOSSIER,
  libelles: LIBELLES_ETAT_DOSSIER,
  transitions: [
    { de: ['TRANSMIS'], vers: 'EN_COURS_INSTRUCTION', exige: [] },
    { de: ['EN_COURS_INSTRUCTION'], vers: 'ENGAGE', exige: [] },
    { de: ['EN_COURS_INSTRUCTION'], vers: 'REFUSE', exige: ['commentaire'] },
    { de: ['TRANSMIS', 'EN_COURS_INSTRUCTION', 'ENGAGE'], vers: 'ANNULE', exige: ['commentaire'] },
    { de: ['ENGAGE'], vers: 'RUPTURE', exige: ['dateRupture'] },
    { de: ['ENGAGE', 'RUPTURE'], vers: 'SOLDE', exige: [] },
  ],
};

export function isEtatDossier(value: string): value is EtatDossier {
  return (ETATS_DOSSIER as readonly string[]).includes(value);
}

/** States reachable from `from` (empty for REFUSE, ANNULE, SOLDE). */
export function transitionsDossierPossibles(from: EtatDossier): EtatDossier[] {
  return destinations(MACHINE_DOSSIER, from);
}

export function planDossierTransition(from: EtatDossier, request: DemandeTransitionDossier): PlanTransition<EtatDossier> {
  return planTransition(MACHINE_DOSSIER, from, request);
}

/**
 * The "mise en conformité" flag: the OPCO asks the CFA to correct the dossier. It can only be
 * raised while the dossier is EN_COURS_INSTRUCTION, always with a comment saying what to fix.
 * Refusals list `allowed: ['EN_COURS_INSTRUCTION']` — the only state where the flag may be raised.
 */
export function planMiseEnConformite(etat: EtatDossier, commentaire?: string): PlanTransition<EtatDossier> {
  if (etat !== 'EN_COURS_INSTRUCTION') {
    return {
      ok: false,
      code: 'MISE_EN_CONFORMITE_INTERDITE',
      description: `Une mise en conformité ne peut être demandée que sur un dossier en cours d’instruction (état actuel : ${LIBELLES_ETAT_DOSSIER[etat] ?? etat}).`,
      allowed: ['EN_COURS_INSTRUCTION'],
    };
  }
  if (!isRenseigne(commentaire)) {
    return { ok: false, code: 'COMMENTAIRE_OBLIGATOIRE', description: 'Un commentaire indiquant les éléments à mettre en conformité est obligatoire.', allowed: ['EN_COURS_INSTRUCTION'] };
  }
  return { ok: true };
}

/** The flag only lives during instruction: any transition out of EN_COURS_INSTRUCTION clears it. */
export function keepsMiseEnConformite(vers: EtatDossier): boolean {
  return vers === 'EN_COURS_INSTRUCTION';
}
