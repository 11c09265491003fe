/**
 * Signed webhooks, the owner's use cases (`/v2/webhooks`, roles cfa and entreprise): register,
 * list, disable or re-enable, rotate the secret, delete, send a test event, read the delivery log and
 * replay. An endpoint belongs to (role, SIREN): another owner's endpoint is not found, like a missing
 * one. Choices: docs/decisions/integration-webhooks.md.
 */
import type { Knex } from 'knex';
import { recordWrite, type Author } from '../db/audit.js';
import * as db from '../db/webhooks.js';
import { refuse } from '../domain/refusal.js';
import { newSigningSecret } from '../domain/secrets.js';
import { EVENT_TYPES, urlProblems } from '../domain/webhooks.js';
import type { Violation } from '../domain/violation.js';

export interface WebhookActor extends db.WebhookOwner {
  author: Author;
}

/** Endpoints one owner may have: every event is sent to each, so their number multiplies the traffic. */
export const MAX_WEBHOOKS_PER_OWNER = 10;

/** How long the previous secret still signs after a rotation (receivers switch meanwhile). */
export const ROTATION_GRACE_SECONDS = 24 * 3600;

export interface NewWebhook {
  url: string;
  evenements?: string[];
}

function eventProblems(evenements: string[] | undefined): Violation[] {
  if (!evenements) return [];
  return evenements.flatMap((e, i) => ((EVENT_TYPES as readonly string[]).includes(e) ? [] : [{
    code: 'EVENEMENT_INCONNU',
    description: `Type d’événement inconnu : ${e} (attendu : ${EVENT_TYPES.join(', ')}).`,
    champ: `/evenements/${i}`,
    section: 'requete' as const,
  }]));
}

/** Registers an endpoint; its secret is returned this once. */
export async function registerWebhook(knex: Knex, actor: WebhookActor, input: NewWebhook, allowPrivate: boolean): Promise<db.WebhookRow> {
  const problems = [...urlProblems(input.url, allowPrivate), ...eventProblems(input.evenements)];
  if (problems.length) throw refuse.invalid(problems);
  return knex.transaction(async (trx) => {
    if ((await db.webhooksOf(trx, { role: actor.role, siren: actor.siren })).length >= MAX_WEBHOOKS_PER_OWNER) {
      throw refuse.conflict('WEBHOOKS_TROP_NOMBREUX', `Au plus ${MAX_WEBHOOKS_PER_OWNER} webhooks par clé (CFA ou entreprise) : supprimez-en un d’abord.`);
    }
    const evenements = input.evenements ? [...new Set(input.evenements)] : null;
    const row = await db.insertWebhook(trx, { role: actor.role, siren: actor.siren }, { url: input.url, evenements, secret: newSigningSecret() });
    await recordWrite(trx, actor.author, 'WEBHOOK_CREE', { type: 'WEBHOOK', id: row.id });
    return row;
  });
}

export async function listWebhooks(knex: Knex, owner: db.WebhookOwner): Promise<db.WebhookRow[]> {
  return db.webhooksOf(knex, { role: owner.role, siren: owner.siren });
}

export async function ownWebhook(knex: Knex, owner: db.WebhookOwner, id: string): Promise<db.WebhookRow> {
  const row = await db.findOwnWebhook(knex, { role: owner.role, siren: owner.siren }, id);
  if (!row) throw refuse.notFound('WEBHOOK_INTROUVABLE', `Aucun webhook ${id} pour cette clé.`);
  return row;
}

export async function deleteWebhook(knex: Knex, actor: WebhookActor, id: string): Promise<void> {
  await knex.transaction(async (trx) => {
    const row = await ownWebhook(trx, actor, id);
    await db.deleteWebhook(trx, row.id);
    await recordWrite(trx, actor.author, 'WEBHOOK_SUPPRIME', { type: 'WEBHOOK', id: row.id });
  });
}

/**
 * Disables or re-enables an endpoint. Re-enabled, it receives what is still waiting (events that
 * happened while it was disabled included); deliveries given up are replayed on demand.
 */
export async function setWebhookActive(knex: Knex, actor: WebhookActor, id: string, actif: boolean, now: Date): Promise<db.WebhookRow> {
  return knex.transaction(async (trx) => {
    const row = await ownWebhook(trx, actor, id);
    if (row.actif === actif) return row;
    const updated = actif ? await db.enableWebhook(trx, row.id, now) : await db.disableWebhook(trx, row.id, 'PROPRIETAIRE', now);
    if (!updated) throw new Error('webhook vanished');
    await recordWrite(trx, actor.author, actif ? 'WEBHOOK_REACTIVE' : 'WEBHOOK_DESACTIVE', { type: 'WEBHOOK', id: row.id });
    return updated;
  });
}

/** A new secret, returned this once; the previous one also signs for ROTATION_GRACE_SECONDS. */
export async function rotateSecret(knex: Knex, actor: WebhookActor, id: string, now: Date): Promise<db.WebhookRow> {
  return knex.transaction(async (trx) => {
    const row = await ownWebhook(trx, actor, id);
    const updated = await db.updateWebhook(trx, row.id, {
      secret: newSigningSecret(),
      secret_precedent: row.secret,
      secret_precedent_jusqu_au: new Date(now.getTime() + ROTATION_GRACE_SECONDS * 1000),
    });
    await recordWrite(trx, actor.author, 'WEBHOOK_SECRET_RENOUVELE', { type: 'WEBHOOK', id: row.id });
    return updated;
  });
}

/** A `webhook.test` event for this endpoint only, whatever it subscribes to; the worker sends it (once the endpoint is active). */
export async function sendTestEvent(knex: Knex, actor: WebhookActor, id: string): Promise<{ evenementId: string }> {
  return knex.transaction(async (trx) => {
    const row = await ownWebhook(trx, actor, id);
    const evenementId = await db.recordEvent(trx, { role: row.role, siren: row.siren, type: 'webhook.test', donnees: { webhook: String(row.id) }, webhookId: String(row.id) });
    if (!evenementId) throw new Error('test event not recorded');
    return { evenementId };
  });
}

export interface DeliveryLog {
  total: number;
  items: Array<db.LivraisonListItem & { attempts: db.TentativeRow[] }>;
}

export async function deliveryLog(knex: Knex, owner: db.WebhookOwner, id: string, filter: { etat?: db.EtatLivraison }, page: number, size: number): Promise<DeliveryLog> {
  const row = await ownWebhook(knex, owner, id);
  const { total, items } = await db.deliveriesOf(knex, row.id, filter, page, size);
  const attempts = await db.attemptsOf(knex, items.map((i) => i.id));
  return { total, items: items.map((i) => ({ ...i, attempts: attempts.filter((a) => String(a.livraison_id) === String(i.id)) })) };
}

/** Sends one delivery's event again (same webhook-id), as a new delivery due at once. */
export async function replayDelivery(knex: Knex, actor: WebhookActor, id: string, livraisonId: string, now: Date): Promise<db.LivraisonRow> {
  return knex.transaction(async (trx) => {
    const row = await ownWebhook(trx, actor, id);
    const delivery = await db.findDelivery(trx, row.id, livraisonId);
    if (!delivery) throw refuse.notFound('LIVRAISON_INTROUVABLE', `Aucune livraison ${livraisonId} pour ce webhook.`);
    const replay = await db.insertReplay(trx, row.id, delivery.evenement_id, now);
    await recordWrite(trx, actor.author, 'WEBHOOK_REJEU', { type: 'WEBHOOK', id: row.id });
    return replay;
  });
}

/** Sends again every event since a date that the endpoint subscribes to. */
export async function replayEventsSince(knex: Knex, actor: WebhookActor, id: string, since: Date, now: Date): Promise<number> {
  if (since.getTime() > now.getTime()) {
    throw refuse.invalid([{ code: 'DATE_FUTURE', description: 'La date depuis laquelle rejouer est dans le futur.', champ: '/depuis', section: 'requete' }]);
  }
  return knex.transaction(async (trx) => {
    const row = await ownWebhook(trx, actor, id);
    const count = await db.replaySince(trx, row, since, now);
    await recordWrite(trx, actor.author, 'WEBHOOK_REJEU', { type: 'WEBHOOK', id: row.id });
    return count;
  });
}
