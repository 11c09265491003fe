/**
 * The OPCO's register of member companies (adhérents): the back office imports it from CSV (the
 * CLI `adherents import` does the same through the same service); a CFA looks a company up to
 * prefill a proposal's employer. Choices: docs/decisions/presaisie.md, "Adherents".
 */
import { importAdherents, lookupAdherents } from '../../services/adherents.js';
import { opcoActor } from '../context.js';
import { adherentView } from '../presenters/presaisie.js';
import { ref } from '../route-table/components.js';
import { route, type RouteDeclaration } from '../route-table/declaration.js';

export const ADHERENT_ROUTES: RouteDeclaration[] = [
  route({
    operationId: 'importerAdherents',
    method: 'post',
    path: '/back-office/v1/adherents',
    role: 'opco',
    tags: ['Back-office'],
    summary: 'Importer le registre des adhérents (CSV siret,raison_sociale,adresse,code_postal,commune,naf,idcc,effectif)',
    description: 'Tout ou rien : une ligne invalide refuse le fichier (400, chaque ligne fautive avec son numéro, la ligne 1 étant l’en-tête ; `champ` /lignes/<n>/<colonne>) et rien n’est écrit. Sinon chaque ligne crée ou remplace l’adhérent de son SIRET ; les adhérents absents du fichier sont conservés. Séparateur `,` ou `;`, BOM UTF-8 admis.',
    body: { kind: 'csv', description: 'En-tête exactement `siret,raison_sociale,adresse,code_postal,commune,naf,idcc,effectif` (ou séparé par `;`), UTF-8' },
    responses: {
      200: { description: 'Adhérents importés', schema: ref('ImportAdherents') },
      400: { description: 'Fichier refusé : chaque ligne invalide (LIGNE_ADHERENT_INVALIDE), avec `champ` /lignes/<n>/<colonne>' },
    },
    async handler({ text }, { req, deps }) {
      return importAdherents(deps.db, opcoActor(req), text);
    },
  }),

  route({
    operationId: 'rechercherAdherents',
    method: 'get',
    path: '/{version}/adherents',
    versions: ['v2'],
    role: 'cfa',
    tags: ['Pré-saisie'],
    summary: 'Rechercher une entreprise adhérente (début de la raison sociale, SIREN ou SIRET)',
    description: 'Pour préremplir l’onglet Employeur d’une proposition : au plus 20 établissements, par raison sociale ; majuscules, accents et ponctuation ignorés.',
    query: {
      q: {
        description: 'Début de la raison sociale (2 caractères au moins), SIREN (9 chiffres) ou SIRET (14 chiffres)',
        schema: { type: 'string', minLength: 2, maxLength: 100 },
        required: true,
      },
    },
    responses: { 200: { description: 'Succès', schema: ref('RechercheAdherents') } },
    async handler({ query }, { deps }) {
      const { adherents, plusDeResultats } = await lookupAdherents(deps.db, query.q);
      return { adherents: adherents.map(adherentView), plusDeResultats };
    },
  }),
];
