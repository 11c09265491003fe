/**
 * Back-office management of the vendors' OAuth2 clients on a running server (the CLI `clients
 * create` needs the embedded database to itself): create, list, revoke. Role `opco` only.
 */
import { createClient, listClients, revokeClient } from '../../services/clients.js';
import { opcoActor } from '../context.js';
import { ref } from '../route-table/components.js';
import { route, type RouteDeclaration } from '../route-table/declaration.js';

const tags = ['Back-office'];

export const CLIENT_ROUTES: RouteDeclaration[] = [
  route({
    operationId: 'creerClientOAuth',
    method: 'post',
    path: '/back-office/v1/clients',
    role: 'opco',
    tags,
    summary: 'Créer le client OAuth2 d’un éditeur (serveur en marche)',
    description: 'L’éditeur obtient ensuite ses jetons par POST /oauth/token (grant_type=client_credentials, client_id, client_secret). Le secret n’est affiché qu’une fois ; seule son empreinte est conservée.',
    body: { kind: 'json', schema: 'nouveau-client' },
    responses: { 201: { description: 'Client créé', schema: ref('ClientOAuthCree') } },
    async handler({ body }, { req, res, deps }) {
      const created = await createClient(deps.db, opcoActor(req), body.editeur);
      res.status(201).json({ clientId: created.clientId, clientSecret: created.clientSecret, editeur: created.editeur });
      return undefined;
    },
  }),

  route({
    operationId: 'listerClientsOAuth',
    method: 'get',
    path: '/back-office/v1/clients',
    role: 'opco',
    tags,
    summary: 'Lister les clients OAuth2 (sans leur secret)',
    responses: { 200: { description: 'Succès', schema: { type: 'array', items: ref('ClientOAuth') } } },
    async handler(_input, { deps }) {
      return (await listClients(deps.db)).map((c) => ({
        clientId: c.client_id,
        editeur: c.editeur,
        creeLe: new Date(c.cree_le).toISOString(),
        revoqueLe: c.revoque_le ? new Date(c.revoque_le).toISOString() : null,
      }));
    },
  }),

  route({
    operationId: 'revoquerClientOAuth',
    method: 'delete',
    path: '/back-office/v1/clients/{clientId}',
    role: 'opco',
    tags,
    summary: 'Révoquer un client OAuth2',
    description: 'Ses jetons sont refusés dès la réponse, et il n’en obtient plus.',
    pathParams: { clientId: { description: '`client_id` du client', schema: { type: 'string', maxLength: 64 } } },
    responses: { 204: { description: 'Révoqué' }, 404: { description: 'Client inconnu ou déjà révoqué (CLIENT_INTROUVABLE)' } },
    async handler({ path }, { req, res, deps }) {
      await revokeClient(deps.db, opcoActor(req), path.clientId);
      res.status(204).end();
      return undefined;
    },
  }),
];
