/**
 * Dossiers échus à traiter, the CFA's third action (the other two — certificat, rupture — have their
 * routes): declare the final balance of a dossier whose billing period has ended. Another CFA's
 * dossier answers 404, like an unknown one.
 */
import { declareSolde } from '../../services/soldes.js';
import { cfaActor } from '../context.js';
import { declarationSoldeView } from '../presenters/solde.js';
import { ref } from '../route-table/components.js';
import { route, type RouteDeclaration } from '../route-table/declaration.js';

export const SOLDE_ROUTES: RouteDeclaration[] = [
  route({
    operationId: 'declarerSolde',
    method: 'post',
    path: '/{version}/dossiers/solde',
    versions: ['v2'],
    role: 'cfa',
    tags: ['Dossiers'],
    summary: 'Déclarer le solde d’un dossier échu : le CFA ne facturera plus rien',
    description: 'Le reste de l’engagement (échéances et frais annexes non facturés) est libéré ; le dossier passe à SOLDE tout de suite si rien n’est en attente, sinon dès que la dernière facture en cours est réglée ou rejetée (etat EN_ATTENTE d’ici là). La déclaration est conservée et le dossier quitte la liste des dossiers échus.',
    editorHeaders: true,
    body: { kind: 'json', schema: 'declaration-solde' },
    responses: {
      200: { description: 'Solde déclaré', schema: ref('SoldeDeclare') },
      400: { description: 'Corps invalide (numeroInterne absent, commentaire trop long)' },
      404: { description: 'Dossier inconnu pour ce CFA (DOSSIER_INTROUVABLE)' },
      409: { description: 'Solde déjà déclaré (SOLDE_DEJA_DECLARE), dossier ni engagé ni rompu (DOSSIER_NON_SOLDABLE), période de facturation en cours (PERIODE_FACTURATION_EN_COURS)' },
    },
    async handler({ body }, { req, deps }) {
      return declarationSoldeView(await declareSolde(deps.db, cfaActor(req), body));
    },
  }),
];
