/**
 * What each event of a dossier's history is called on the CFA's screens (`libelle` of
 * GET /v2/dossiers/historique). A state change is named by the state it reaches.
 */
import { isEtatDossier, LIBELLES_ETAT_DOSSIER } from './dossier.js';

export const LIBELLES_EVENEMENT_DOSSIER = {
  MISE_EN_CONFORMITE: 'Demande de mise en conformité',
  CONFORMITE_RETABLIE: 'Mise en conformité levée',
  CORRECTION: 'CERFA corrigé par le CFA',
  NUMERO_DECA: 'Numéro DECA attribué',
  DECLARATION_SOLDE: 'Déclaration de solde des dossiers échus',
} as const;
type EvenementNomme = keyof typeof LIBELLES_EVENEMENT_DOSSIER;

const isEvenementNomme = (evenement: string): evenement is EvenementNomme => Object.hasOwn(LIBELLES_EVENEMENT_DOSSIER, evenement);

export function libelleEvenementDossier(evenement: string, etat: string): string {
  if (evenement === 'ETAT') {
    const libelle = isEtatDossier(etat) ? LIBELLES_ETAT_DOSSIER[etat] : etat;
    return `Dossier ${libelle}`;
  }
  return isEvenementNomme(evenement) ? LIBELLES_EVENEMENT_DOSSIER[evenement] : evenement;
}
