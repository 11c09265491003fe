/**
 * The CFA's declaration of an early termination (POST /v2/dossiers/rupture/employeur). The norm
 * publishes no payload (norme-api-cfa.md §5.8, §10 Q2): motif codes follow the legal grounds of
 * L6222-18 / L6222-18-1 / L6222-19 (docs/decisions/factures.md), and each motif admits the parties
 * that can take that initiative.
 */
import type { Violation } from '../violation.js';

export const MOTIFS_RUPTURE = [
  'PERIODE_PROBATOIRE', 'ACCORD_COMMUN', 'DEMISSION_APPRENTI', 'OBTENTION_DIPLOME', 'FAUTE_GRAVE', 'INAPTITUDE',
  'FORCE_MAJEURE', 'DECES_EMPLOYEUR', 'EXCLUSION_CFA', 'LIQUIDATION_JUDICIAIRE', 'AUTRE',
] as const;
export type MotifRupture = (typeof MOTIFS_RUPTURE)[number];

export const INITIATIVES_RUPTURE = ['EMPLOYEUR', 'APPRENTI', 'COMMUN'] as const;
export type InitiativeRupture = (typeof INITIATIVES_RUPTURE)[number];

const TOUTES: readonly InitiativeRupture[] = INITIATIVES_RUPTURE;

export const INITIATIVES_PAR_MOTIF: Readonly<Record<MotifRupture, readonly InitiativeRupture[]>> = {
  PERIODE_PROBATOIRE: TOUTES, // either party, unilaterally, or both
  ACCORD_COMMUN: ['COMMUN'],
  DEMISSION_APPRENTI: ['APPRENTI'],
  OBTENTION_DIPLOME: ['APPRENTI'],
  FAUTE_GRAVE: ['EMPLOYEUR'],
  INAPTITUDE: ['EMPLOYEUR'],
  FORCE_MAJEURE: ['EMPLOYEUR'],
  DECES_EMPLOYEUR: ['EMPLOYEUR'],
  EXCLUSION_CFA: ['EMPLOYEUR'],
  LIQUIDATION_JUDICIAIRE: ['EMPLOYEUR'],
  AUTRE: TOUTES,
};

export interface DeclarationRupture {
  motif: MotifRupture;
  initiative: InitiativeRupture;
  commentaire?: string;
}

/** Consistency of motif, initiative and comment (the schema already checked the codes). */
export function checkDeclarationRupture(d: DeclarationRupture): Violation[] {
  const out: Violation[] = [];
  const admises = INITIATIVES_PAR_MOTIF[d.motif];
  if (!admises.includes(d.initiative)) {
    out.push({
      code: 'INITIATIVE_INCOHERENTE',
      description: `Le motif ${d.motif} n'admet pas l'initiative ${d.initiative} (admises : ${admises.join(', ')}).`,
      champ: '/initiative',
      section: 'requete',
    });
  }
  if (d.motif === 'AUTRE' && (d.commentaire ?? '').trim() === '') {
    out.push({ code: 'COMMENTAIRE_OBLIGATOIRE', description: 'Le motif AUTRE exige un commentaire.', champ: '/commentaire', section: 'requete' });
  }
  return out;
}

