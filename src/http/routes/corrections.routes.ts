/**
 * The CFA's answer to a mise en conformité (extension of the norm, v2): the corrected CERFA of a
 * dossier the OPCO asked it to correct. A document is attached as always, with POST /documents.
 */
import { correctDossier } from '../../services/corrections.js';
import { cfaActor } from '../context.js';
import { ref } from '../route-table/components.js';
import { route, type RouteDeclaration } from '../route-table/declaration.js';

export const CORRECTION_ROUTES: RouteDeclaration[] = [
  route({
    operationId: 'corrigerDossier',
    method: 'post',
    path: '/{version}/dossiers/correction',
    versions: ['v2'],
    role: 'cfa',
    tags: ['Dossiers'],
    summary: 'Corriger un dossier dont l’OPCO a demandé la mise en conformité (extension de la norme)',
    description: 'Le CERFA corrigé, complet, est validé comme une transmission (schéma, formats, règles métier, SIRET de l’organisme de formation dans le SIREN de la clé) et remplace le CERFA enregistré ; l’ancien est conservé. La demande de mise en conformité est levée, l’historique nomme les champs modifiés (pointeurs JSON, jamais les valeurs) ; l’état du dossier ne change pas. Une pièce justificative se dépose avec POST /v2/documents.',
    editorHeaders: true,
    idempotent: true,
    body: { kind: 'json', schema: 'correction-dossier', cerfa: true },
    responses: {
      200: { description: 'Dossier corrigé', schema: ref('DossierCorrige') },
      400: { description: 'CERFA invalide : toutes les erreurs, avec `champ` (pointeur JSON), `section` et `erreursParSection`' },
      403: { description: 'Clé refusée, ou SIRET de l’organisme de formation hors du SIREN de la clé' },
      404: { description: 'Dossier inconnu pour ce CFA (DOSSIER_INTROUVABLE)' },
      409: { description: 'Aucune mise en conformité demandée (MISE_EN_CONFORMITE_NON_DEMANDEE), CERFA identique à celui du dossier (CORRECTION_SANS_CHANGEMENT), contenu ou contrat déjà présent dans un autre dossier (CERFA_DEJA_TRANSMIS, CONTRAT_DEJA_TRANSMIS, `numeroInterne` de ce dossier), ou Idempotency-Key encore en cours' },
    },
    async handler({ body }, { req, deps }) {
      const { dossier, champsModifies, avertissements } = await correctDossier(deps.db, cfaActor(req), body.numeroInterne, body.cerfa);
      return { numeroInterne: dossier.numero_interne, numeroExterne: dossier.numero_externe, etat: dossier.etat, champsModifies, avertissements };
    },
  }),
];
