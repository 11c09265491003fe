/**
 * The refusal of a state change, as the back office's transitions answer it (dossiers, invoices,
 * refunds): 400 when the request lacks something (comment, rupture date) or names an unknown state,
 * 409 when the state machine forbids the move; either way with the moves allowed from here.
 */
import { Refusal } from '../domain/refusal.js';

export function transitionRefusal(code: string, description: string, allowed: readonly string[]): Refusal {
  const champ = code.startsWith('DATE_RUPTURE') ? '/dateRupture' : code === 'COMMENTAIRE_OBLIGATOIRE' ? '/commentaire' : '/vers';
  const invalid = code === 'COMMENTAIRE_OBLIGATOIRE' || code === 'ETAT_INCONNU' || code.startsWith('DATE_RUPTURE');
  return new Refusal(invalid ? 'invalid' : 'conflict', [{ code, description, champ, section: 'requete' }], {
    title: invalid ? 'Requête invalide' : 'Transition refusée',
    extensions: { transitionsPossibles: [...allowed] },
  });
}
