/**
 * @convergence-gateway/client — a typed client of convergence-gateway (API Convergence CFA/OPCO).
 *
 * Types come from the gateway's served contract (`src/schema.d.ts`, openapi-typescript); calls go
 * through openapi-fetch. On top of it, every request: carries the key (`X-API-KEY`) and, when
 * configured, the vendor's bearer token (fetched from `/oauth/token` and renewed); gets an
 * `Idempotency-Key` when it writes (kept across its own retries); is retried on 429 and 503
 * honouring `Retry-After` (bounded); and throws a `GatewayError` carrying the norm's `errors[]`
 * on any answer of status 400 or more. `feed()` and `pages()` walk the `depuis` feeds and pages.
 */
import { randomUUID } from 'node:crypto';
import createClient, { type Client } from 'openapi-fetch';
import { GatewayError } from './errors.js';
import { RETRIED_STATUSES, retryAfterMs, retryDelay, sleep as realSleep, type RetryOptions } from './retry.js';
import type { components, paths } from './schema.js';

export { GatewayError, isGatewayError, type GatewayErrorItem } from './errors.js';
export { retryAfterMs, retryDelay, type RetryOptions } from './retry.js';
export { verifyWebhook, isWebhookEvent, webhookId, WebhookVerificationError, type WebhookEvent, type WebhookHeaders } from './webhooks.js';
export type { components, paths, operations } from './schema.js';

export type Schemas = components['schemas'];

/** OAuth2 client credentials of the software vendor (`npm run cli -- clients create`). */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  scope?: string;
}

export interface GatewayClientOptions {
  /** e.g. `https://gateway.opco.example` (no trailing path). */
  baseUrl: string;
  /** The CFA's (or back office's) key, sent as `X-API-KEY`. */
  apiKey?: string;
  /** A bearer token as is, or the vendor's client credentials (the client then fetches and renews its token). */
  bearer?: string | ClientCredentials;
  /** Sent as `EDITEUR`, `LOGICIEL`, `VERSION` (recorded by the gateway with each write). */
  software?: { editeur?: string; logiciel?: string; version?: string };
  /** `Idempotency-Key` on every POST, PUT, PATCH, DELETE that has none (default true). */
  idempotencyKeys?: boolean;
  /** How keys are made (default: a random UUID). */
  newIdempotencyKey?: () => string;
  retry?: RetryOptions;
  /** Another fetch (default: the global one). */
  fetch?: (input: Request) => Promise<Response>;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The members of a `depuis` feed's answer. */
export interface FeedAnswer {
  curseurSuivant: string;
  plusDeResultats: boolean;
}

/** The members of a numbered page's answer. */
export interface PageAnswer {
  total: number;
  count: number;
}

function isFeedAnswer<D>(data: D): data is Extract<D, FeedAnswer> {
  return typeof data === 'object' && data !== null && 'curseurSuivant' in data && typeof data.curseurSuivant === 'string'
    && 'plusDeResultats' in data && typeof data.plusDeResultats === 'boolean';
}

function isPageAnswer<D>(data: D): data is Extract<D, PageAnswer> {
  return typeof data === 'object' && data !== null && 'total' in data && typeof data.total === 'number' && 'count' in data && typeof data.count === 'number';
}

/** What openapi-fetch resolves to (`data` on success; errors are thrown as `GatewayError` by this client). */
export interface Answer<D> {
  data?: D;
  response: Response;
}

/** The data of a successful call (a 2xx with a body); throws otherwise (e.g. a 304 or a 204). */
export async function ok<D>(call: Promise<Answer<D>>): Promise<D> {
  const { data, response } = await call;
  if (data === undefined) throw new Error(`Réponse sans corps (HTTP ${response.status})`);
  return data;
}

export type DossierChange = Schemas['EtatDossier'];
export type FactureChange = Schemas['EtatFacture'];

/** One batch of a feed: its items, then where to resume (save it with what you applied). */
export interface FeedBatch<T> {
  items: T[];
  curseurSuivant: string;
  plusDeResultats: boolean;
}

export interface GatewayClient extends Client<paths> {
  /** Sends any request through the client's pipeline (auth, idempotency, retries, errors). */
  send(request: Request): Promise<Response>;
  /**
   * Walks a `depuis` feed from `depuis` (`'0'`: from the start) until it is caught up: each answer
   * is yielded once; pass its `curseurSuivant` as `depuis` next time.
   */
  feed<D>(call: (depuis: string) => Promise<Answer<D>>, depuis?: string): AsyncGenerator<Extract<D, FeedAnswer>>;
  /** Walks numbered pages from 1 until `total` items were seen (or a page is empty). */
  pages<D>(call: (numeroPage: number) => Promise<Answer<D>>, firstPage?: number): AsyncGenerator<Extract<D, PageAnswer>>;
  /** The dossier-state feed (`GET /v2/dossiers/etats?depuis=`), batch by batch. */
  dossierChanges(depuis: string, taillePage?: number): AsyncGenerator<FeedBatch<DossierChange>>;
  /** The invoice-state feed (`GET /v2/factures/etats?depuis=`), batch by batch. */
  factureChanges(depuis: string, taillePage?: number): AsyncGenerator<FeedBatch<FactureChange>>;
}

interface Token {
  value: string;
  expiresAt: number;
}

export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const transport = options.fetch ?? ((input: Request) => fetch(input));
  const retry = {
    retries: options.retry?.retries ?? 3,
    maxDelayMs: options.retry?.maxDelayMs ?? 30_000,
    baseDelayMs: options.retry?.baseDelayMs ?? 500,
  };
  const wait = options.retry?.sleep ?? realSleep;
  const now = options.retry?.now ?? Date.now;
  const newKey = options.newIdempotencyKey ?? randomUUID;
  let token: Token | undefined;

  async function fetchToken(credentials: ClientCredentials): Promise<Token> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: credentials.clientId, client_secret: credentials.clientSecret });
    if (credentials.scope) form.set('scope', credentials.scope);
    const response = await exchange(new Request(`${baseUrl}/oauth/token`, { method: 'POST', body: form, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), false);
    const body: unknown = await response.json();
    if (typeof body !== 'object' || body === null || !('access_token' in body) || typeof body.access_token !== 'string' || !('expires_in' in body) || typeof body.expires_in !== 'number') {
      throw new GatewayError({ status: response.status, body, method: 'POST', url: `${baseUrl}/oauth/token` });
    }
    // Renewed 30 s before it expires, so that a request never leaves with a dying token.
    return { value: body.access_token, expiresAt: now() + Math.max(0, body.expires_in - 30) * 1000 };
  }

  async function bearer(renew: boolean): Promise<string | undefined> {
    const b = options.bearer;
    if (b === undefined || typeof b === 'string') return b;
    if (renew || !token || token.expiresAt <= now()) token = await fetchToken(b);
    return token.value;
  }

  /** One request with its retries; `authenticate` adds the key and the token. */
  async function exchange(request: Request, authenticate: boolean): Promise<Response> {
    const method = request.method.toUpperCase();
    const body = method === 'GET' || method === 'HEAD' ? undefined : await request.arrayBuffer();
    const headers = new Headers(request.headers);
    if (authenticate) {
      if (options.apiKey !== undefined && !headers.has('x-api-key')) headers.set('X-API-KEY', options.apiKey);
      const s = options.software;
      if (s?.editeur && !headers.has('editeur')) headers.set('EDITEUR', s.editeur);
      if (s?.logiciel && !headers.has('logiciel')) headers.set('LOGICIEL', s.logiciel);
      if (s?.version && !headers.has('version')) headers.set('VERSION', s.version);
      if (WRITES.has(method) && options.idempotencyKeys !== false && !headers.has('idempotency-key')) headers.set('Idempotency-Key', newKey());
    }
    const ownsAuthorization = authenticate && options.bearer !== undefined && !headers.has('authorization');
    let renewed = false;
    for (let attempt = 1; ; attempt += 1) {
      if (ownsAuthorization) {
        const value = await bearer(false);
        if (value) headers.set('Authorization', `Bearer ${value}`);
      }
      const response = await transport(new Request(request.url, { method, headers, body, redirect: request.redirect, signal: request.signal }));
      if (response.ok || response.status < 400) return response;
      // An expired or revoked token: fetch a new one once, if the client manages it.
      if (response.status === 401 && ownsAuthorization && typeof options.bearer === 'object' && !renewed) {
        renewed = true;
        await response.arrayBuffer();
        token = await fetchToken(options.bearer);
        continue;
      }
      const after = retryAfterMs(response.headers.get('retry-after'), now());
      if (RETRIED_STATUSES.has(response.status)) {
        const delay = retryDelay(attempt, after, retry);
        if (delay !== undefined) {
          await response.arrayBuffer();
          await wait(delay);
          continue;
        }
      }
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: kept as text
      }
      throw new GatewayError({
        status: response.status, body: parsed, method, url: request.url,
        requestId: response.headers.get('x-request-id') ?? undefined,
        retryAfterSeconds: after === undefined ? undefined : Math.ceil(after / 1000),
      });
    }
  }

  const send = (request: Request): Promise<Response> => exchange(request, true);
  const api = createClient<paths>({ baseUrl, fetch: send });

  async function* feed<D>(call: (depuis: string) => Promise<Answer<D>>, depuis = '0'): AsyncGenerator<Extract<D, FeedAnswer>> {
    let cursor = depuis;
    for (;;) {
      const data = await ok(call(cursor));
      if (!isFeedAnswer(data)) throw new Error('La réponse n’est pas celle d’un flux `depuis` (curseurSuivant, plusDeResultats).');
      yield data;
      if (!data.plusDeResultats || data.curseurSuivant === cursor) return;
      cursor = data.curseurSuivant;
    }
  }

  async function* pages<D>(call: (numeroPage: number) => Promise<Answer<D>>, firstPage = 1): AsyncGenerator<Extract<D, PageAnswer>> {
    let size = 0;
    for (let page = firstPage; ; page += 1) {
      const data = await ok(call(page));
      if (!isPageAnswer(data)) throw new Error('La réponse n’est pas une page numérotée (total, count).');
      if (data.count === 0) return;
      yield data;
      size ||= data.count;
      // The last page: shorter than the first one seen, or reaching the total.
      if (data.count < size || page * size >= data.total) return;
    }
  }

  async function* dossierChanges(depuis: string, taillePage?: number): AsyncGenerator<FeedBatch<DossierChange>> {
    const query = taillePage === undefined ? {} : { taillePage };
    for await (const batch of feed((d) => api.GET('/v2/dossiers/etats', { params: { query: { ...query, depuis: d } } }), depuis)) {
      yield { items: batch.EtatDossierResult, curseurSuivant: batch.curseurSuivant, plusDeResultats: batch.plusDeResultats };
    }
  }

  async function* factureChanges(depuis: string, taillePage?: number): AsyncGenerator<FeedBatch<FactureChange>> {
    const query = taillePage === undefined ? {} : { taillePage };
    for await (const batch of feed((d) => api.GET('/v2/factures/etats', { params: { query: { ...query, depuis: d } } }), depuis)) {
      yield { items: batch.factures, curseurSuivant: batch.curseurSuivant, plusDeResultats: batch.plusDeResultats };
    }
  }

  return Object.assign(api, { send, feed, pages, dossierChanges, factureChanges });
}
