/** Dossier rows → the norm's JSON shapes (§5.6, §5.7). */
import type { DossierRow, EtatItem, HistoryRow } from '../../db/dossiers.js';

export interface FinancingView {
  engagement: number | null;
  echeances: unknown[];
  detailsFacturation: unknown;
  engagementsFraisAnnexe: unknown[];
}

const NO_FINANCING: FinancingView = { engagement: null, echeances: [], detailsFacturation: null, engagementsFraisAnnexe: [] };

/** The state comment the CFA sees: the pending conformity request first, else the last state comment. */
function commentaireEtat(row: DossierRow): string | null {
  return row.commentaire_etat ?? null;
}

export function dossierView(row: DossierRow, financing: FinancingView = NO_FINANCING): Record<string, unknown> {
  return {
    cerfa: {
      ...row.cerfa,
      numeroInterne: row.numero_interne,
      numeroExterne: row.numero_externe,
      numeroDeca: row.numero_deca,
      etat: row.etat,
      commentaireEtat: commentaireEtat(row),
      miseEnConformiteDemandee: row.mise_en_conformite,
    },
    ...financing,
  };
}

export function etatView(item: EtatItem): Record<string, unknown> {
  return {
    numeroInterne: item.numero_interne,
    numeroExterne: item.numero_externe,
    numeroDeca: item.numero_deca,
    etat: item.etat,
    dateMiseAJour: new Date(item.mis_a_jour_le).toISOString(),
  };
}

/** History as a CFA sees it: OPCO staff are shown as "OPCO", not by name. */
export function historyView(rows: HistoryRow[], forOpco: boolean): Record<string, unknown>[] {
  return rows.map((r) => ({
    evenement: r.evenement,
    etat: r.etat,
    date: new Date(r.le).toISOString(),
    acteur: forOpco || !r.acteur.startsWith('opco:') ? r.acteur : 'OPCO',
    commentaire: r.commentaire,
  }));
}
