/**
 * Proposals of contract (pré-saisie, issue 12): the CFA drafts, sends to a member employer; the
 * employer (role entreprise) accepts or refuses, completes and transmits to the OPCO. The list and
 * the read serve both sides, each within its own scope. Choices: docs/decisions/presaisie.md.
 */
import type { Request } from 'express';
import { TRIS_PROPOSITION } from '../../db/propositions.js';
import { ETATS_PROPOSITION } from '../../domain/propositions.js';
import {
  createProposition, decideProposition, duplicateProposition, listPropositions, modifyProposition, offersOf, propositionHistory, propositionsSince,
  readProposition, sendToEntreprise, transmitToOpco, type PropositionActor, type PropositionRead,
} from '../../services/propositions.js';
import { financingParameters } from '../../services/parametres.js';
import { cfaActor, entrepriseActor } from '../context.js';
import { propositionHistoryView, propositionLineView, propositionView } from '../presenters/presaisie.js';
import { ref } from '../route-table/components.js';
import { route, type RouteDeclaration, type RouteDeps } from '../route-table/declaration.js';
import { cursorOf, DEPUIS, feedPosition, pageParameters } from '../route-table/paging.js';
import { readFeed } from '../../services/feed.js';

const tags = ['Pré-saisie'];
const BOTH = ['cfa', 'entreprise'] as const;
const id = { id: { description: 'Numéro de la proposition', schema: { type: 'string', pattern: '^[0-9]{1,20}$' }, required: true } };
const unknown = { description: 'Proposition inconnue, ou hors du périmètre de la clé (PROPOSITION_INTROUVABLE)' };
const wrongState = { description: 'État de la proposition incompatible avec l’opération (ETAT_PROPOSITION_INCOMPATIBLE, `etat`)' };
const body = { kind: 'json', schema: 'proposition-request' } as const;

/** The caller as the proposals' services know it (the route's roles: cfa or entreprise). */
function who(req: Request): PropositionActor {
  return req.caller?.role === 'entreprise' ? { role: 'entreprise', actor: entrepriseActor(req) } : { role: 'cfa', actor: cfaActor(req) };
}

async function view(deps: RouteDeps, read: PropositionRead): Promise<Record<string, unknown>> {
  return propositionView(read, await offersOf(deps.db, read, financingParameters(deps.config)));
}

export const PROPOSITION_ROUTES: RouteDeclaration[] = [
  route({
    operationId: 'creerProposition',
    method: 'post',
    path: '/{version}/propositions',
    versions: ['v2'],
    role: 'cfa',
    tags,
    summary: 'Enregistrer une nouvelle proposition de contrat (pré-saisie), même incomplète',
    description: 'Exige la raison sociale ou le SIREN de l’employeur, le NIC de l’établissement (le SIRET employeur), le nom de naissance et le prénom de l’apprenti(e) : 400 nommant chaque champ manquant. Tout autre manque ou erreur est rendu dans `controle`, par onglet du guide. Préremplit l’onglet Formation avec le profil du CFA et l’onglet Employeur avec le registre des adhérents (`prerempli`).',
    idempotent: true,
    body,
    responses: {
      200: { description: 'Proposition enregistrée, à l’état EN_COURS_DE_SAISIE', schema: ref('Proposition') },
      400: { description: 'Un des quatre champs minimaux manque (erreursParOnglet)' },
      403: { description: 'SIRET de l’organisme de formation hors du SIREN de la clé, ou clé non habilitée' },
    },
    async handler(input, { req, deps, now: clock }) {
      const now = await clock();
      return view(deps, await createProposition(deps.db, cfaActor(req), input.body, deps.config.strictInput, now));
    },
  }),

  route({
    operationId: 'listePropositions',
    method: 'get',
    path: '/{version}/propositions',
    versions: ['v2'],
    role: BOTH,
    tags,
    summary: 'Propositions de contrat du CFA, ou adressées à l’entreprise (pages, ou flux incrémental avec `depuis`)',
    description: 'Un CFA voit toutes ses propositions ; une entreprise celles adressées à son SIREN, envoyées, acceptées ou transmises (jamais un brouillon, plus une proposition refusée). Sans `depuis` : une page `{total, page, items}` filtrée (`etat`, `q` : nom ou prénom de l’apprenti, employeur, numéro de proposition ou de dossier) et triée. Avec `depuis=<curseur>` (0 pour tout relire) : les propositions changées après le curseur, dans l’ordre des changements (filtre `etat` possible ; `q`, `tri` et les pages ne s’y appliquent pas).',
    query: {
      etat: { description: 'Filtre sur l’état', schema: { type: 'string', enum: [...ETATS_PROPOSITION] } },
      q: { description: 'Recherche : nom ou prénom de l’apprenti, employeur (raison sociale ou SIRET), numéro de proposition ou de dossier', schema: { type: 'string', maxLength: 200 } },
      tri: { description: 'Tri (défaut miseAJour)', schema: { type: 'string', enum: [...TRIS_PROPOSITION], default: 'miseAJour' } },
      ordre: { description: 'Ordre du tri (défaut desc)', schema: { type: 'string', enum: ['asc', 'desc'], default: 'desc' } },
      ...pageParameters(50, 1000),
      depuis: DEPUIS,
    },
    responses: { 200: { description: 'Succès', schema: { oneOf: [ref('ListePropositions'), ref('FluxPropositions')] } } },
    async handler({ query }, { req, deps }) {
      const caller = who(req);
      const size = query.taillePage ?? 50;
      if (query.depuis !== undefined) {
        const cursor = cursorOf(query.depuis);
        const rows = await readFeed(deps.db, cursor, () => propositionsSince(deps.db, caller, cursor, size, query.etat));
        const items = rows.map(propositionLineView);
        return { count: items.length, items, ...feedPosition(rows, query.depuis, size) };
      }
      const page = query.numeroPage ?? 1;
      const { total, rows } = await listPropositions(deps.db, caller, {
        etat: query.etat, q: query.q, tri: query.tri ?? 'miseAJour', ordre: query.ordre ?? 'desc', page, size,
      });
      return { total, page, items: rows.map(propositionLineView) };
    },
  }),

  route({
    operationId: 'lireProposition',
    method: 'get',
    path: '/{version}/propositions/{id}',
    versions: ['v2'],
    role: BOTH,
    tags,
    summary: 'Lire une proposition : CERFA, contrôle par onglet, rémunération proposée, synthèse estimée',
    pathParams: id,
    responses: { 200: { description: 'Succès', schema: ref('Proposition') }, 304: { description: 'Non modifié (If-None-Match)' }, 404: unknown },
    async handler({ path }, { req, deps, now: clock }) {
      const now = await clock();
      return view(deps, await readProposition(deps.db, who(req), path.id, deps.config.strictInput, now));
    },
  }),

  route({
    operationId: 'modifierProposition',
    method: 'put',
    path: '/{version}/propositions/{id}',
    versions: ['v2'],
    role: BOTH,
    tags,
    summary: 'Modifier (remplacer) le CERFA d’une proposition',
    description: 'Le CFA : à l’état EN_COURS_DE_SAISIE ou ENVOYE_A_L_ENTREPRISE (« Modifier / Reprendre » : une proposition envoyée revient EN_COURS_DE_SAISIE, à renvoyer). L’entreprise : après l’avoir acceptée (EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE), sans changer de SIREN employeur. Sinon 409 nommant l’état.',
    pathParams: id,
    body,
    responses: {
      200: { description: 'Proposition enregistrée', schema: ref('Proposition') },
      400: { description: 'Un des quatre champs minimaux manque' },
      403: { description: 'Organisme de formation hors du CFA de la proposition, ou employeur d’un autre SIREN (entreprise)' },
      404: unknown,
      409: wrongState,
    },
    async handler({ path, body: cerfa }, { req, deps, now: clock }) {
      const now = await clock();
      return view(deps, await modifyProposition(deps.db, who(req), path.id, cerfa, deps.config.strictInput, now));
    },
  }),

  route({
    operationId: 'envoyerPropositionEntreprise',
    method: 'post',
    path: '/{version}/propositions/{id}/transmission',
    versions: ['v2'],
    role: 'cfa',
    tags,
    summary: 'Envoyer la proposition à l’entreprise',
    description: 'Exige chaque champ des onglets Employeur, Apprenti(e) et Formation, la convention de formation parmi les documents (POST /v1/documents, objet PROPOSITION), un employeur adhérent de l’OPCO et un courriel de contact qui soit celui d’un utilisateur de l’entreprise. Les autres règles du CERFA sont rendues en avertissements.',
    pathParams: id,
    responses: {
      200: { description: 'Proposition ENVOYE_A_L_ENTREPRISE', schema: ref('Proposition') },
      400: { description: 'Ce qui empêche l’envoi, par onglet (erreursParOnglet), et les avertissements' },
      404: unknown,
      409: wrongState,
    },
    async handler({ path }, { req, deps, now: clock }) {
      const now = await clock();
      return view(deps, await sendToEntreprise(deps.db, cfaActor(req), path.id, deps.config.strictInput, now));
    },
  }),

  route({
    operationId: 'dupliquerProposition',
    method: 'post',
    path: '/{version}/propositions/{id}/duplication',
    versions: ['v2'],
    role: 'cfa',
    tags,
    summary: 'Dupliquer une proposition (nouvelle proposition EN_COURS_DE_SAISIE, mêmes données)',
    pathParams: id,
    responses: { 200: { description: 'La nouvelle proposition', schema: ref('Proposition') }, 404: unknown },
    async handler({ path }, { req, deps, now: clock }) {
      const now = await clock();
      return view(deps, await duplicateProposition(deps.db, cfaActor(req), path.id, deps.config.strictInput, now));
    },
  }),

  route({
    operationId: 'historiqueProposition',
    method: 'get',
    path: '/{version}/propositions/{id}/historique',
    versions: ['v2'],
    role: 'cfa',
    tags,
    summary: 'Historique d’une proposition : qui, quand, quels champs',
    pathParams: id,
    responses: { 200: { description: 'Succès', schema: ref('HistoriqueProposition') }, 404: unknown },
    async handler({ path }, { req, deps }) {
      const { row, history } = await propositionHistory(deps.db, cfaActor(req), path.id);
      return { id: row.numero, etat: row.etat, historique: propositionHistoryView(history) };
    },
  }),

  route({
    operationId: 'deciderProposition',
    method: 'post',
    path: '/{version}/propositions/{id}/decision',
    versions: ['v2'],
    role: 'entreprise',
    tags,
    summary: 'Accepter ou refuser une proposition (entreprise)',
    description: 'ACCEPTEE : EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE, l’entreprise peut alors la compléter et la transmettre à l’OPCO. REFUSEE (motif obligatoire) : REFUSE_PAR_L_ENTREPRISE, elle disparaît de la vue de l’entreprise.',
    pathParams: id,
    body: { kind: 'json', schema: 'decision-proposition' },
    responses: {
      200: { description: 'Décision enregistrée', schema: ref('Proposition') },
      400: { description: 'Décision invalide, ou refus sans motif' },
      404: unknown,
      409: wrongState,
    },
    async handler({ path, body: decision }, { req, deps, now: clock }) {
      const now = await clock();
      return view(deps, await decideProposition(deps.db, entrepriseActor(req), path.id, decision, deps.config.strictInput, now));
    },
  }),

  route({
    operationId: 'transmettrePropositionOpco',
    method: 'post',
    path: '/{version}/propositions/{id}/transmission-opco',
    versions: ['v2'],
    role: 'entreprise',
    tags,
    summary: 'Transmettre la proposition acceptée à l’OPCO : elle devient un dossier du CFA',
    description: 'Les règles du CERFA de POST /v1/dossiers, l’onglet Attestation (« Fait à », attestation des pièces justificatives) et la convention de formation. Le dossier est créé à l’état TRANSMIS, origine ENTREPRISE, pour le CFA de la proposition, avec ses documents ; ses numéros sont rendus dans `dossier`.',
    pathParams: id,
    responses: {
      200: { description: 'Proposition TRANSMIS_A_L_OPCO, avec les numéros du dossier', schema: ref('Proposition') },
      400: { description: 'Toutes les erreurs, par onglet (erreursParOnglet)' },
      404: unknown,
      409: { description: 'État incompatible, ou contrat déjà transmis pour cet apprenti, cet employeur et cette date de début' },
    },
    async handler({ path }, { req, deps, now: clock }) {
      const now = await clock();
      return view(deps, await transmitToOpco(deps.db, entrepriseActor(req), path.id, deps.config.strictInput, now));
    },
  }),
];
