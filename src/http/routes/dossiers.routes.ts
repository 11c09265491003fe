/**
 * The norm's dossier routes (v1 and v2): transmit a CERFA, read it back, list states (pages or
 * incremental feed), read the history. Every read is scoped to the key's CFA.
 */
import { ETATS_DOSSIER, ORIGINES } from '../../db/dossiers.js';
import { Refusal } from '../../domain/refusal.js';
import { sampleCerfaPayload } from '../../domain/cerfa/sample.js';
import {
  allDossierStates, dossierHistory, dossierStatesSince, pageOfDossierStates, readDossier, readDossiers, transmitDossier,
} from '../../services/dossiers.js';
import { cfaActor } from '../context.js';
import { sendJsonArray } from '../json-array-stream.js';
import { dossierView, etatView, financingView, historyView } from '../presenters/dossier.js';
import { ref } from '../route-table/components.js';
import { route, type RouteDeclaration } from '../route-table/declaration.js';
import { cursorOf, DEFAULT_PAGE_SIZE, DEPUIS, feedPosition, pageParameters } from '../route-table/paging.js';
import { recordSandboxScenario } from '../../services/sandbox.js';
import { readFeed } from '../../services/feed.js';

const tags = ['Dossiers'];
const numeroInterne = { description: 'Numéro interne rendu à la transmission', schema: { type: 'string', maxLength: 40 }, required: true };
const unknownDossier = { description: 'Dossier inconnu pour ce CFA (DOSSIER_INTROUVABLE)' };

/** Rows read per query when a whole list is streamed. */
const STREAM_BATCH = 500;

export const DOSSIER_ROUTES: RouteDeclaration[] = [
  route({
    operationId: 'transmettreDossier',
    method: 'post',
    path: '/{version}/dossiers',
    versions: ['v1', 'v2'],
    role: 'cfa',
    tags,
    summary: 'Transmettre un contrat d’apprentissage (CERFA FA13)',
    description: 'Valide le CERFA (schéma, formats, règles métier) et l’enregistre à l’état TRANSMIS, origine API_CFA (« Transmis par API CFA »). Un renvoi identique (même contenu, même CFA) rend le dossier existant avec `Idempotent-Replayed: true`.',
    editorHeaders: true,
    idempotent: true,
    sandboxScenario: true,
    body: { kind: 'json', schema: 'dossier-request', cerfa: true, example: sampleCerfaPayload() },
    responses: {
      200: { description: 'Dossier enregistré (ou renvoi d’un dossier déjà enregistré)', schema: ref('DossierCree') },
      400: { description: 'CERFA invalide : toutes les erreurs, avec `champ` (pointeur JSON), `section` et `erreursParSection`' },
      403: { description: 'Clé refusée, ou SIRET de l’organisme de formation hors du SIREN de la clé' },
      409: { description: 'Contrat déjà transmis pour cet apprenti, cet employeur et cette date de début (`numeroInterne` du dossier existant), ou Idempotency-Key encore en cours' },
    },
    async handler({ body }, { req, res, deps, scenario }) {
      try {
        const { outcome, dossier, avertissements } = await transmitDossier(deps.db, cfaActor(req), body.cerfa, new Date());
        deps.metrics.contractsReceived.inc({ outcome });
        if (scenario) await recordSandboxScenario(deps.db, 'DOSSIER', String(dossier.id), scenario);
        if (outcome === 'replayed') res.setHeader('Idempotent-Replayed', 'true');
        return { numeroInterne: dossier.numero_interne, numeroExterne: dossier.numero_externe, etat: dossier.etat, avertissements };
      } catch (err) {
        if (err instanceof Refusal) deps.metrics.contractsReceived.inc({ outcome: err.kind === 'conflict' ? 'duplicate' : 'invalid' });
        throw err;
      }
    },
  }),

  route({
    operationId: 'lireDossier',
    method: 'get',
    path: '/{version}/dossiers',
    versions: ['v1', 'v2'],
    role: 'cfa',
    tags,
    summary: 'Lire un dossier (CERFA tel qu’enregistré, engagement, échéancier, frais)',
    query: { numeroInterne },
    responses: { 200: { description: 'Succès', schema: ref('Dossier') }, 304: { description: 'Non modifié (If-None-Match)' }, 404: unknownDossier },
    async handler({ query }, { req, deps }) {
      const { dossier, financing } = await readDossier(deps.db, cfaActor(req), query.numeroInterne);
      return dossierView(dossier, financingView(dossier, financing));
    },
  }),

  route({
    operationId: 'listeDossiers',
    method: 'get',
    path: '/{version}/dossiers/liste',
    versions: ['v1', 'v2'],
    role: 'cfa',
    tags,
    summary: 'Lire plusieurs dossiers',
    query: { numerosInternes: { description: 'Numéros internes séparés par des virgules (100 au plus)', schema: { type: 'string', maxLength: 4100 }, required: true } },
    responses: { 200: { description: 'Succès', schema: { type: 'array', items: ref('Dossier') } } },
    async handler({ query }, { req, deps }) {
      const numeros = [...new Set(query.numerosInternes.split(',').map((n) => n.trim()).filter(Boolean))];
      if (numeros.length > 100) {
        throw new Refusal('invalid', [{ code: 'PARAMETRE_INVALIDE', description: 'Le paramètre numerosInternes accepte au plus 100 valeurs.', champ: '/numerosInternes', section: 'requete' }]);
      }
      const found = await readDossiers(deps.db, cfaActor(req), numeros);
      return found.map(({ dossier, financing }) => dossierView(dossier, financingView(dossier, financing)));
    },
  }),

  route({
    operationId: 'etatsDossiers',
    method: 'get',
    path: '/{version}/dossiers/etats',
    versions: ['v1', 'v2'],
    role: 'cfa',
    tags,
    summary: 'États des dossiers du CFA (pages, ou flux incrémental avec `depuis`)',
    description: 'Sans `depuis` : pages numérotées à partir de 1, ordre d’arrivée stable ; en v1 sans `numeroPage`, tous les dossiers du CFA (filtres `etat` et `origine` compris) en un seul tableau nu, envoyé au fil de la lecture. Avec `depuis=<curseur>` (0 pour tout relire) : les dossiers modifiés après le curseur, dans l’ordre des modifications, et `curseurSuivant` à passer à l’appel suivant (en v1, tableau nu ; le curseur voyage dans les en-têtes `Curseur-Suivant` et `Plus-De-Resultats`).',
    query: {
      ...pageParameters(),
      etat: { description: 'Filtre sur l’état', schema: { type: 'string', enum: [...ETATS_DOSSIER] } },
      origine: { description: 'Filtre sur l’origine', schema: { type: 'string', enum: [...ORIGINES] } },
      depuis: DEPUIS,
    },
    responses: {
      200: { description: 'Succès (v1 : tableau nu d’éléments ; sans `numeroPage`, tous les dossiers du CFA)', schema: { oneOf: [{ type: 'array', items: ref('EtatDossier') }, ref('PageEtatsDossiers'), ref('FluxEtatsDossiers')] } },
      304: { description: 'Non modifié (If-None-Match)' },
    },
    async handler({ query }, { req, res, deps, version, givenQuery }) {
      const cfa = cfaActor(req);
      const size = query.taillePage ?? DEFAULT_PAGE_SIZE;
      const page = query.numeroPage ?? 1;
      const filter = { etat: query.etat, origine: query.origine };
      if (query.depuis !== undefined) {
        const cursor = cursorOf(query.depuis);
        const items = await readFeed(deps.db, cursor, () => dossierStatesSince(deps.db, cfa, cursor, size, filter));
        const position = feedPosition(items, query.depuis, size);
        res.setHeader('Curseur-Suivant', position.curseurSuivant);
        res.setHeader('Plus-De-Resultats', String(position.plusDeResultats));
        const list = items.map(etatView);
        return version === 'v1' ? list : { count: list.length, EtatDossierResult: list, ...position };
      }
      if (version === 'v1' && !givenQuery.has('numeroPage')) {
        // v1 clients expect the whole list as one bare array: streamed, whatever its length.
        return sendJsonArray(res, allDossierStates(deps.db, cfa, filter, STREAM_BATCH), etatView);
      }
      const { total, items } = await pageOfDossierStates(deps.db, cfa, page, size, filter);
      const list = items.map(etatView);
      return version === 'v1' ? list : { total, count: list.length, page: query.numeroPage, EtatDossierResult: list };
    },
  }),

  route({
    operationId: 'historiqueDossier',
    method: 'get',
    path: '/{version}/dossiers/historique',
    versions: ['v1', 'v2'],
    role: 'cfa',
    tags,
    summary: 'Étapes franchies par un dossier (extension de la norme)',
    query: { numeroInterne },
    responses: { 200: { description: 'Succès', schema: ref('Historique') }, 404: unknownDossier },
    async handler({ query }, { req, deps }) {
      const { dossier, history } = await dossierHistory(deps.db, cfaActor(req), query.numeroInterne);
      return { numeroInterne: dossier.numero_interne, etat: dossier.etat, historique: historyView(history, false) };
    },
  }),
];
