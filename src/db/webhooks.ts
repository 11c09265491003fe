/**
 * Signed webhooks, the queries: endpoints, the outbox (`recordEvent`, also called by the triggers of
 * migration 20261203_02_webhooks through the SQL function `webhooks_emettre`), the claim of due
 * deliveries across instances (`FOR UPDATE SKIP LOCKED`), attempts and replays.
 */
import type { Knex } from 'knex';
import type { EventType } from '../domain/webhooks.js';

export type WebhookRole = 'cfa' | 'entreprise';

/** Whose endpoints and events: a CFA or an employer, by SIREN. */
export interface WebhookOwner {
  role: WebhookRole;
  siren: string;
}

export interface WebhookRow {
  id: string;
  role: WebhookRole;
  siren: string;
  url: string;
  evenements: string[] | null;
  secret: string;
  secret_precedent: string | null;
  secret_precedent_jusqu_au: Date | null;
  actif: boolean;
  motif_desactivation: string | null;
  desactive_le: Date | null;
  dernier_succes_le: Date | null;
  cree_le: Date;
}

export type EtatLivraison = 'EN_ATTENTE' | 'LIVREE' | 'ECHEC';

export interface LivraisonRow {
  id: string;
  webhook_id: string;
  evenement_id: string;
  etat: EtatLivraison;
  tentatives: number;
  prochaine_tentative: Date | null;
  premiere_tentative_le: Date | null;
  derniere_tentative_le: Date | null;
  cree_le: Date;
}

export interface TentativeRow {
  id: string;
  livraison_id: string;
  tentee_le: Date;
  succes: boolean;
  code_http: number | null;
  duree_ms: number;
  erreur: string | null;
}

/** A delivery with its event, as the log shows it. */
export type LivraisonListItem = LivraisonRow & { message_id: string; type: string; evenement_cree_le: Date };

export async function insertWebhook(db: Knex, owner: WebhookOwner, input: { url: string; evenements: string[] | null; secret: string }): Promise<WebhookRow> {
  const [row] = (await db('webhooks').insert({ ...owner, url: input.url, evenements: input.evenements, secret: input.secret }).returning('*')) as WebhookRow[];
  if (!row) throw new Error('webhook not inserted');
  return row;
}

export async function webhooksOf(db: Knex, owner: WebhookOwner): Promise<WebhookRow[]> {
  return (await db('webhooks').where(owner).orderBy('id')) as WebhookRow[];
}

/** The owner's endpoint; another owner's is undefined, like a missing one. */
export async function findOwnWebhook(db: Knex, owner: WebhookOwner, id: string): Promise<WebhookRow | undefined> {
  return (await db('webhooks').where({ ...owner, id }).first()) as WebhookRow | undefined;
}

export async function deleteWebhook(db: Knex, id: string): Promise<void> {
  await db('webhooks').where({ id }).delete();
}

export async function updateWebhook(db: Knex, id: string, changes: Partial<Omit<WebhookRow, 'id' | 'role' | 'siren' | 'actif'>>): Promise<WebhookRow> {
  const [row] = (await db('webhooks').where({ id }).update(changes).returning('*')) as WebhookRow[];
  if (!row) throw new Error('webhook vanished');
  return row;
}

/**
 * Disables an endpoint: its waiting deliveries lose their due time, so the worker's claim never
 * walks past them (a disabled endpoint may pile up many). Undefined when it was not active.
 */
export async function disableWebhook(db: Knex, id: string, motif: 'ECHECS_REPETES' | 'PROPRIETAIRE', at: Date, onlyIf?: (q: Knex.QueryBuilder) => void): Promise<WebhookRow | undefined> {
  const [row] = (await db('webhooks').where({ id, actif: true }).modify((q) => onlyIf?.(q))
    .update({ actif: false, motif_desactivation: motif, desactive_le: at }).returning('*')) as WebhookRow[];
  if (row) await db('webhooks_livraisons').where({ webhook_id: id, etat: 'EN_ATTENTE' }).update({ prochaine_tentative: null });
  return row;
}

/** Re-enables an endpoint: everything that waited is due at `at`. */
export async function enableWebhook(db: Knex, id: string, at: Date): Promise<WebhookRow> {
  const [row] = (await db('webhooks').where({ id }).update({ actif: true, motif_desactivation: null, desactive_le: null }).returning('*')) as WebhookRow[];
  if (!row) throw new Error('webhook vanished');
  await db('webhooks_livraisons').where({ webhook_id: id, etat: 'EN_ATTENTE' }).whereNull('prochaine_tentative').update({ prochaine_tentative: at });
  return row;
}

/** An event to record in the outbox, in the transaction of the change it reports. */
export interface NewEvent extends WebhookOwner {
  type: EventType;
  /** Ids and feed cursor only: never personal data (the receiver reads details through the API). */
  donnees: Record<string, string | number | boolean | null>;
  /** A test event: to this endpoint only. */
  webhookId?: string;
}

/**
 * Records an event and its deliveries to the owner's endpoints that subscribe to its type, inside
 * the caller's transaction: a rolled-back change emits nothing. Nothing is stored for an owner
 * without endpoints. Returns the event's id, if one was stored.
 */
export async function recordEvent(trx: Knex, event: NewEvent): Promise<string | undefined> {
  const result = (await trx.raw('select webhooks_emettre(?, ?, ?, ?::jsonb, ?::bigint) as id', [
    event.role, event.siren, event.type, JSON.stringify(event.donnees), event.webhookId ?? null,
  ])) as { rows: Array<{ id: string | number | null }> };
  const id = result.rows[0]?.id;
  return id === null || id === undefined ? undefined : String(id);
}

/** A claimed delivery, with what sending it needs. */
export interface DueDelivery {
  id: string;
  tentatives: number;
  premiere_tentative_le: Date | null;
  webhook_id: string;
  url: string;
  secret: string;
  secret_precedent: string | null;
  secret_precedent_jusqu_au: Date | null;
  message_id: string;
  type: string;
  donnees: Record<string, unknown>;
  evenement_cree_le: Date;
}

/**
 * Claims up to `limit` deliveries due at `now` to active endpoints: their due time moves to
 * `leaseUntil`, so no other instance sends them meanwhile, and one left by a crashed instance is
 * taken again after the lease. Rows another instance is claiming are skipped, never waited for.
 */
export async function claimDueDeliveries(db: Knex, now: Date, leaseUntil: Date, limit: number): Promise<DueDelivery[]> {
  return db.transaction(async (trx) => {
    const claimed = (await trx.raw(
      `update webhooks_livraisons set prochaine_tentative = ?
       where id in (select l.id from webhooks_livraisons l join webhooks w on w.id = l.webhook_id
                    where l.etat = 'EN_ATTENTE' and l.prochaine_tentative <= ? and w.actif
                    order by l.prochaine_tentative, l.id limit ? for update of l skip locked)
       returning id`,
      [leaseUntil, now, limit],
    )) as { rows: Array<{ id: string | number }> };
    const ids = claimed.rows.map((r) => String(r.id));
    if (!ids.length) return [];
    return (await trx('webhooks_livraisons as l')
      .join('webhooks as w', 'w.id', 'l.webhook_id')
      .join('webhooks_evenements as e', 'e.id', 'l.evenement_id')
      .whereIn('l.id', ids)
      .orderBy('l.id')
      .select(
        'l.id', 'l.tentatives', 'l.premiere_tentative_le', 'l.webhook_id', 'w.url', 'w.secret', 'w.secret_precedent', 'w.secret_precedent_jusqu_au',
        'e.message_id', 'e.type', 'e.donnees', { evenement_cree_le: 'e.cree_le' },
      )) as DueDelivery[];
  });
}

export interface AttemptOutcome {
  at: Date;
  succes: boolean;
  codeHttp: number | null;
  dureeMs: number;
  erreur: string | null;
  /** Next attempt after a failure; undefined: given up (ECHEC). */
  next: Date | undefined;
}

/**
 * Records one attempt of a claimed delivery: the log line, the delivery's new state and the
 * endpoint's last success. A failure that gives the delivery up disables the endpoint when it had
 * no success since that delivery's first attempt (24 h of failures). Returns true when it did.
 */
export async function recordAttempt(db: Knex, delivery: Pick<DueDelivery, 'id' | 'webhook_id' | 'premiere_tentative_le'>, outcome: AttemptOutcome): Promise<boolean> {
  return db.transaction(async (trx) => {
    await trx('webhooks_tentatives').insert({
      livraison_id: delivery.id, tentee_le: outcome.at, succes: outcome.succes, code_http: outcome.codeHttp, duree_ms: outcome.dureeMs, erreur: outcome.erreur,
    });
    const etat: EtatLivraison = outcome.succes ? 'LIVREE' : outcome.next ? 'EN_ATTENTE' : 'ECHEC';
    await trx('webhooks_livraisons').where({ id: delivery.id }).update({
      etat,
      tentatives: trx.raw('tentatives + 1'),
      prochaine_tentative: etat === 'EN_ATTENTE' ? outcome.next : null,
      premiere_tentative_le: delivery.premiere_tentative_le ?? outcome.at,
      derniere_tentative_le: outcome.at,
    });
    if (outcome.succes) {
      await trx('webhooks').where({ id: delivery.webhook_id }).update({ dernier_succes_le: outcome.at });
      return false;
    }
    if (etat !== 'ECHEC') return false;
    const firstAttempt = delivery.premiere_tentative_le ?? outcome.at;
    const disabled = await disableWebhook(trx, delivery.webhook_id, 'ECHECS_REPETES', outcome.at,
      (q) => void q.where((w) => w.whereNull('dernier_succes_le').orWhere('dernier_succes_le', '<', firstAttempt)));
    return disabled !== undefined;
  });
}

/** The endpoint's deliveries, newest first, with their event. */
export async function deliveriesOf(db: Knex, webhookId: string, filter: { etat?: EtatLivraison }, page: number, size: number): Promise<{ total: number; items: LivraisonListItem[] }> {
  const base = db('webhooks_livraisons as l').where('l.webhook_id', webhookId).modify((q) => {
    if (filter.etat) void q.where('l.etat', filter.etat);
  });
  const [countRow] = (await base.clone().count<{ n: string | number }[]>({ n: '*' })) as Array<{ n: string | number }>;
  const items = (await base.clone()
    .join('webhooks_evenements as e', 'e.id', 'l.evenement_id')
    .orderBy('l.id', 'desc')
    .offset((page - 1) * size)
    .limit(size)
    .select('l.*', 'e.message_id', 'e.type', { evenement_cree_le: 'e.cree_le' })) as LivraisonListItem[];
  return { total: Number(countRow?.n ?? 0), items };
}

export async function attemptsOf(db: Knex, livraisonIds: string[]): Promise<TentativeRow[]> {
  if (!livraisonIds.length) return [];
  return (await db('webhooks_tentatives').whereIn('livraison_id', livraisonIds).orderBy('id')) as TentativeRow[];
}

export async function findDelivery(db: Knex, webhookId: string, id: string): Promise<LivraisonRow | undefined> {
  return (await db('webhooks_livraisons').where({ webhook_id: webhookId, id }).first()) as LivraisonRow | undefined;
}

/** A new delivery of an event already sent (same webhook-id), due at once. */
export async function insertReplay(db: Knex, webhookId: string, evenementId: string, now: Date): Promise<LivraisonRow> {
  const active = (await db('webhooks').where({ id: webhookId }).first('actif')) as { actif: boolean } | undefined;
  const [row] = (await db('webhooks_livraisons').insert({ webhook_id: webhookId, evenement_id: evenementId, prochaine_tentative: active?.actif ? now : null }).returning('*')) as LivraisonRow[];
  if (!row) throw new Error('replay not inserted');
  return row;
}

/**
 * New deliveries of every event of the owner since `since` that the endpoint subscribes to (test
 * events of other endpoints excepted), due at once. Returns how many.
 */
export async function replaySince(db: Knex, webhook: WebhookRow, since: Date, now: Date): Promise<number> {
  const result = (await db.raw(
    `insert into webhooks_livraisons (webhook_id, evenement_id, prochaine_tentative)
     select ?, e.id, ?::timestamptz from webhooks_evenements e
     where e.role = ? and e.siren = ? and e.cree_le >= ?
       and (e.webhook_id is null or e.webhook_id = ?)
       and (e.webhook_id is not null or ?::text[] is null or e.type = any(?::text[]))
     order by e.id
     returning id`,
    [webhook.id, webhook.actif ? now : null, webhook.role, webhook.siren, since, webhook.id, webhook.evenements, webhook.evenements],
  )) as { rows: unknown[] };
  return result.rows.length;
}

/**
 * Forgets events recorded before `cutoff` (with their deliveries and attempts), except those still
 * waiting for a delivery. Returns how many.
 */
export async function purgeEventsBefore(db: Knex, cutoff: Date): Promise<number> {
  const result = (await db.raw(
    `delete from webhooks_evenements e where e.cree_le < ?
       and not exists (select 1 from webhooks_livraisons l where l.evenement_id = e.id and l.etat = 'EN_ATTENTE')
     returning id`,
    [cutoff],
  )) as { rows: unknown[] };
  return result.rows.length;
}
