/**
 * Signed webhooks (`/v2/webhooks`), an alternative to polling for CFAs and employers: register an
 * endpoint (its Standard Webhooks secret shown once), list, disable or re-enable, rotate the
 * secret, delete, send a test event, read the delivery log and replay. Choices:
 * docs/decisions/integration-webhooks.md.
 */
import type { Request } from 'express';
import {
  deleteWebhook, deliveryLog, listWebhooks, registerWebhook, replayDelivery, replayEventsSince, rotateSecret, sendTestEvent, setWebhookActive,
  type WebhookActor,
} from '../../services/webhooks.js';
import { authorOf, type Caller } from '../context.js';
import { errors } from '../errors.js';
import { deliveryLogItemView, deliveryView, webhookView, webhookWithSecretView } from '../presenters/webhook.js';
import { ref } from '../route-table/components.js';
import { route, type ParameterDeclaration, type RouteDeclaration } from '../route-table/declaration.js';
import { DEFAULT_PAGE_SIZE, pageParameters } from '../route-table/paging.js';

const tags = ['Webhooks'];
const role = ['cfa', 'entreprise'] as const;

const ID: Record<'id', ParameterDeclaration> = {
  id: { description: 'Identifiant du webhook', schema: { type: 'string', pattern: '^[0-9]{1,18}$' }, attendu: 'doit être l’identifiant numérique d’un webhook.' },
};

/** The endpoint's owner: the key's role and SIREN (every key of a CFA shares its endpoints). */
function ownerOf(req: Request, caller: Caller): WebhookActor {
  if ((caller.role !== 'cfa' && caller.role !== 'entreprise') || !caller.siren) throw errors.forbidden('CLE_API_NON_HABILITEE', 'Clé CFA ou entreprise requise.');
  return { role: caller.role, siren: caller.siren, author: authorOf(req) };
}

export const WEBHOOK_ROUTES: RouteDeclaration[] = [
  route({
    operationId: 'creerWebhook',
    method: 'post',
    path: '/{version}/webhooks',
    versions: ['v2'],
    role,
    tags,
    summary: 'Enregistrer un webhook (URL recevant les événements signés)',
    description: 'Les événements (dossier.etat, dossier.mise-en-conformite, dossier.engagement, facture.etat, reglement.cree, remboursement.cree, remboursement.etat, proposition.etat) portent des identifiants et le curseur du flux `depuis`, jamais de données personnelles : le récepteur lit le détail par l’API. Chaque envoi est signé selon Standard Webhooks (en-têtes webhook-id, webhook-timestamp, webhook-signature, HMAC-SHA256) avec le `secret` rendu ici une seule fois. URL https hors adresses privées (400 URL_WEBHOOK_INVALIDE).',
    body: { kind: 'json', schema: 'nouveau-webhook' },
    responses: {
      201: { description: 'Webhook enregistré : `secret` n’est affiché qu’une fois', schema: ref('WebhookCree') },
      409: { description: 'Déjà 10 webhooks pour cette clé (WEBHOOKS_TROP_NOMBREUX)' },
    },
    async handler({ body }, { req, res, deps, caller }) {
      const row = await registerWebhook(deps.db, ownerOf(req, caller), body, deps.config.webhookAllowPrivateUrls);
      res.status(201).json(webhookWithSecretView(row));
      return undefined;
    },
  }),

  route({
    operationId: 'listerWebhooks',
    method: 'get',
    path: '/{version}/webhooks',
    versions: ['v2'],
    role,
    tags,
    summary: 'Lister les webhooks de la clé (CFA ou entreprise), sans leur secret',
    responses: { 200: { description: 'Succès', schema: { type: 'array', items: ref('Webhook') } } },
    async handler(_input, { req, deps, caller }) {
      return (await listWebhooks(deps.db, ownerOf(req, caller))).map(webhookView);
    },
  }),

  route({
    operationId: 'modifierWebhook',
    method: 'patch',
    path: '/{version}/webhooks/{id}',
    versions: ['v2'],
    role,
    tags,
    summary: 'Désactiver ou réactiver un webhook',
    description: 'Un webhook désactivé (par son propriétaire, ou après 24 h d’échecs sans aucun succès : motifDesactivation ECHECS_REPETES) garde ses événements ; réactivé, il les reçoit.',
    pathParams: ID,
    body: { kind: 'json', schema: 'modification-webhook' },
    responses: { 200: { description: 'Succès', schema: ref('Webhook') }, 404: { description: 'Webhook inconnu pour cette clé (WEBHOOK_INTROUVABLE)' } },
    async handler({ path, body }, { req, deps, caller }) {
      return webhookView(await setWebhookActive(deps.db, ownerOf(req, caller), path.id, body.actif, new Date()));
    },
  }),

  route({
    operationId: 'supprimerWebhook',
    method: 'delete',
    path: '/{version}/webhooks/{id}',
    versions: ['v2'],
    role,
    tags,
    summary: 'Supprimer un webhook (et ses livraisons en attente)',
    pathParams: ID,
    responses: { 204: { description: 'Supprimé' }, 404: { description: 'Webhook inconnu pour cette clé (WEBHOOK_INTROUVABLE)' } },
    async handler({ path }, { req, res, deps, caller }) {
      await deleteWebhook(deps.db, ownerOf(req, caller), path.id);
      res.status(204).end();
      return undefined;
    },
  }),

  route({
    operationId: 'testerWebhook',
    method: 'post',
    path: '/{version}/webhooks/{id}/test',
    versions: ['v2'],
    role,
    tags,
    summary: 'Envoyer un événement de test (type webhook.test) à ce webhook',
    description: 'L’événement est mis en file et envoyé dans la seconde ; son résultat se lit dans GET /v2/webhooks/{id}/livraisons.',
    pathParams: ID,
    responses: { 202: { description: 'Événement de test mis en file', schema: ref('EvenementTestWebhook') }, 404: { description: 'Webhook inconnu pour cette clé (WEBHOOK_INTROUVABLE)' } },
    async handler({ path }, { req, res, deps, caller }) {
      const { evenementId } = await sendTestEvent(deps.db, ownerOf(req, caller), path.id);
      res.status(202).json({ evenement: evenementId });
      return undefined;
    },
  }),

  route({
    operationId: 'renouvelerSecretWebhook',
    method: 'post',
    path: '/{version}/webhooks/{id}/rotation',
    versions: ['v2'],
    role,
    tags,
    summary: 'Renouveler le secret de signature',
    description: 'Le nouveau secret est rendu une seule fois. Pendant 24 h, chaque envoi porte deux signatures (nouveau et ancien secret) : le récepteur change de secret sans perdre d’événement.',
    pathParams: ID,
    responses: { 200: { description: 'Nouveau secret', schema: ref('WebhookCree') }, 404: { description: 'Webhook inconnu pour cette clé (WEBHOOK_INTROUVABLE)' } },
    async handler({ path }, { req, deps, caller }) {
      return webhookWithSecretView(await rotateSecret(deps.db, ownerOf(req, caller), path.id, new Date()));
    },
  }),

  route({
    operationId: 'livraisonsWebhook',
    method: 'get',
    path: '/{version}/webhooks/{id}/livraisons',
    versions: ['v2'],
    role,
    tags,
    summary: 'Journal des livraisons d’un webhook (les plus récentes d’abord), avec chaque tentative',
    pathParams: ID,
    query: {
      etat: { description: 'EN_ATTENTE, LIVREE ou ECHEC', schema: { type: 'string', enum: ['EN_ATTENTE', 'LIVREE', 'ECHEC'] } },
      ...pageParameters(),
    },
    responses: { 200: { description: 'Succès', schema: ref('PageLivraisonsWebhook') }, 404: { description: 'Webhook inconnu pour cette clé (WEBHOOK_INTROUVABLE)' } },
    async handler({ path, query }, { req, deps, caller }) {
      const page = query.numeroPage ?? 1;
      const log = await deliveryLog(deps.db, ownerOf(req, caller), path.id, { etat: query.etat }, page, query.taillePage ?? DEFAULT_PAGE_SIZE);
      return { total: log.total, page, items: log.items.map(deliveryLogItemView) };
    },
  }),

  route({
    operationId: 'rejouerLivraisonWebhook',
    method: 'post',
    path: '/{version}/webhooks/{id}/livraisons/{livraisonId}/rejeu',
    versions: ['v2'],
    role,
    tags,
    summary: 'Renvoyer l’événement d’une livraison (même webhook-id)',
    pathParams: {
      ...ID,
      livraisonId: { description: 'Identifiant de la livraison', schema: { type: 'string', pattern: '^[0-9]{1,18}$' }, attendu: 'doit être l’identifiant numérique d’une livraison.' },
    },
    responses: { 202: { description: 'Nouvelle livraison mise en file', schema: ref('LivraisonWebhook') }, 404: { description: 'Webhook ou livraison inconnus pour cette clé (WEBHOOK_INTROUVABLE, LIVRAISON_INTROUVABLE)' } },
    async handler({ path }, { req, res, deps, caller }) {
      const replay = await replayDelivery(deps.db, ownerOf(req, caller), path.id, path.livraisonId, new Date());
      res.status(202).json(deliveryView(replay));
      return undefined;
    },
  }),

  route({
    operationId: 'rejouerWebhook',
    method: 'post',
    path: '/{version}/webhooks/{id}/rejeu',
    versions: ['v2'],
    role,
    tags,
    summary: 'Renvoyer tous les événements survenus depuis une date-heure (même webhook-id qu’au premier envoi)',
    description: 'Les événements sont gardés depuis l’enregistrement du premier webhook de la clé.',
    pathParams: ID,
    body: { kind: 'json', schema: 'rejeu-webhook' },
    responses: { 202: { description: 'Événements remis en file', schema: ref('RejeuWebhookLance') }, 404: { description: 'Webhook inconnu pour cette clé (WEBHOOK_INTROUVABLE)' } },
    async handler({ path, body }, { req, res, deps, caller }) {
      const livraisons = await replayEventsSince(deps.db, ownerOf(req, caller), path.id, new Date(body.depuis), new Date());
      res.status(202).json({ livraisons });
      return undefined;
    },
  }),
];
