/**
 * A tiny table-driven state machine shared by the dossier and invoice life cycles: a transition is
 * allowed when the table lists it, and may require a comment (reason) or a rupture date. `plan…`
 * functions only DECIDE; persisting the new state is the caller's job.
 */
import { isIsoDate } from '../dates.js';

export type Exigence = 'commentaire' | 'dateRupture';

export interface DefinitionTransition<E extends string> {
  de: readonly E[];
  vers: E;
  exige: readonly Exigence[];
}

export type CodeRefusTransition =
  | 'ETAT_INCONNU'
  | 'ETAT_INCHANGE'
  | 'TRANSITION_INTERDITE'
  | 'COMMENTAIRE_OBLIGATOIRE'
  | 'DATE_RUPTURE_OBLIGATOIRE'
  | 'DATE_RUPTURE_INVALIDE'
  | 'MISE_EN_CONFORMITE_INTERDITE';

export type PlanTransition<E extends string> =
  | { ok: true }
  | {
    ok: false;
    code: CodeRefusTransition;
    /** In French, for the API consumer. */
    description: string;
    /** States reachable from the current state (empty for a final state). */
    allowed: E[];
  };

export interface DemandeTransition<E extends string> {
  vers: E;
  commentaire?: string;
  dateRupture?: string;
}

export interface Machine<E extends string> {
  etats: readonly E[];
  transitions: readonly DefinitionTransition<E>[];
  libelles: Readonly<Record<E, string>>;
}

export function isRenseigne(commentaire: string | undefined): boolean {
  return commentaire !== undefined && commentaire.trim() !== '';
}

export function destinations<E extends string>(m: Machine<E>, de: E): E[] {
  return m.transitions.filter((t) => t.de.includes(de)).map((t) => t.vers);
}

export function planTransition<E extends string>(m: Machine<E>, de: E, demande: DemandeTransition<E>): PlanTransition<E> {
  const libelle = (e: E): string => m.libelles[e] ?? e;
  if (!m.etats.includes(de)) {
    return { ok: false, code: 'ETAT_INCONNU', description: `État courant inconnu : « ${String(de)} ».`, allowed: [] };
  }
  const allowed = destinations(m, de);
  if (!m.etats.includes(demande.vers)) {
    return { ok: false, code: 'ETAT_INCONNU', description: `État demandé inconnu : « ${String(demande.vers)} ».`, allowed };
  }
  if (demande.vers === de) {
    return { ok: false, code: 'ETAT_INCHANGE', description: `L’élément est déjà à l’état « ${libelle(de)} ».`, allowed };
  }
  const transition = m.transitions.find((t) => t.vers === demande.vers && t.de.includes(de));
  if (!transition) {
    const possibles = allowed.length > 0 ? `transitions possibles : ${allowed.map(libelle).join(', ')}` : 'état final, aucune transition possible';
    return { ok: false, code: 'TRANSITION_INTERDITE', description: `Passage de « ${libelle(de)} » à « ${libelle(demande.vers)} » interdit (${possibles}).`, allowed };
  }
  if (transition.exige.includes('commentaire') && !isRenseigne(demande.commentaire)) {
    return { ok: false, code: 'COMMENTAIRE_OBLIGATOIRE', description: `Un commentaire motivé est obligatoire pour passer à l’état « ${libelle(demande.vers)} ».`, allowed };
  }
  if (transition.exige.includes('dateRupture')) {
    if (demande.dateRupture === undefined || demande.dateRupture.trim() === '') {
      return { ok: false, code: 'DATE_RUPTURE_OBLIGATOIRE', description: 'La date de rupture est obligatoire pour passer à l’état « rupture ».', allowed };
    }
    if (!isIsoDate(demande.dateRupture)) {
      return { ok: false, code: 'DATE_RUPTURE_INVALIDE', description: `Date de rupture invalide : « ${demande.dateRupture} » (format AAAA-MM-JJ attendu).`, allowed };
    }
  }
  return { ok: true };
}
