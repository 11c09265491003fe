/**
 * Signed webhooks, the delivery (docs/decisions/integration-webhooks.md): claim the due deliveries
 * (once across instances), sign each event with the Standard Webhooks library (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature`), POST it with a timeout to an address checked at
 * connection time, and record the attempt with the next one (exponential backoff and jitter) or the
 * end. Driven by `deliverDue(deps, now)`: the server's loop (src/jobs/webhooks.ts) and the tests.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { Webhook } from 'standardwebhooks';
import type { Config } from '../config/config.js';
import type { Metrics } from '../observability/metrics.js';
import { claimDueDeliveries, recordAttempt, type DueDelivery } from '../db/webhooks.js';
import { isPublicAddress, nextAttempt, urlProblems } from '../domain/webhooks.js';

/** Longest wait for the receiver's answer (status line and headers). */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** How long a claimed delivery is reserved for the instance sending it. */
const LEASE_MS = DELIVERY_TIMEOUT_MS + 30_000;

export interface DeliveryDeps {
  db: Knex;
  config: Pick<Config, 'webhookRetryBaseSeconds' | 'webhookAllowPrivateUrls'>;
  logger?: Logger;
  metrics?: Pick<Metrics, 'webhookAttempts'>;
  /** Jitter source, [0, 1) (tests pass a fixed one). */
  random?: () => number;
  /** Longest exchange with a receiver (DELIVERY_TIMEOUT_MS unless told). */
  timeoutMs?: number;
}

export interface DeliveryReport {
  envoyees: number;
  livrees: number;
  echecs: number;
  desactives: number;
}

/** The body sent: the Standard Webhooks shape, the event's data (ids and feed cursor). */
export function eventBody(d: Pick<DueDelivery, 'type' | 'donnees' | 'evenement_cree_le'>): string {
  return JSON.stringify({ type: d.type, timestamp: new Date(d.evenement_cree_le).toISOString(), data: d.donnees });
}

/**
 * `webhook-signature`: signed with the endpoint's secret and, in the days after a rotation, with the
 * previous one too (space-separated signatures, as the specification allows).
 */
export function signatureOf(d: Pick<DueDelivery, 'secret' | 'secret_precedent' | 'secret_precedent_jusqu_au' | 'message_id'>, at: Date, body: string): string {
  const signatures = [new Webhook(d.secret).sign(d.message_id, at, body)];
  if (d.secret_precedent && d.secret_precedent_jusqu_au && new Date(d.secret_precedent_jusqu_au).getTime() > at.getTime()) {
    signatures.push(new Webhook(d.secret_precedent).sign(d.message_id, at, body));
  }
  return signatures.join(' ');
}

interface PostResult {
  status: number | null;
  error: string | null;
  durationMs: number;
}

/** Resolves the host and refuses private addresses at connection time (no DNS rebinding between check and use). */
export function checkedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { family: options.family, hints: options.hints, all: true }, (err, addresses) => {
      if (err) {
        callback(err, '', 0);
        return;
      }
      const refused = !allowPrivate && addresses.some((a) => !isPublicAddress(a.address));
      const first = addresses[0];
      if (refused || !first) {
        callback(Object.assign(new Error('ADRESSE_PRIVEE'), { code: 'ADRESSE_PRIVEE' }), '', 0);
        return;
      }
      if (options.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

/** POSTs the body; never throws: a network failure is an outcome like a status. */
async function post(url: string, headers: Record<string, string>, body: string, allowPrivate: boolean, timeoutMs: number): Promise<PostResult> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const refused = urlProblems(url, allowPrivate);
  if (refused.length) return { status: null, error: 'URL_REFUSEE', durationMs: 0 };
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: PostResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const req = client.request(target, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: checkedLookup(allowPrivate),
      agent: false, // one connection per attempt, closed after it: no socket kept to a receiver
    }, (res) => {
      res.resume(); // the answer's body is not read
      done({ status: res.statusCode ?? null, error: null, durationMs: elapsed() });
    });
    // A hard deadline for the whole exchange (connection, answer, and a body that never ends).
    const deadline = setTimeout(() => {
      req.destroy();
      done({ status: null, error: 'DELAI_DEPASSE', durationMs: elapsed() });
    }, timeoutMs);
    deadline.unref();
    req.on('close', () => clearTimeout(deadline));
    req.on('error', (err: NodeJS.ErrnoException) => {
      done({ status: null, error: (err.code ?? err.name).slice(0, 200), durationMs: elapsed() });
    });
    req.end(body);
  });
}

/** Sends one claimed delivery and records the attempt. Returns whether it succeeded and whether the endpoint got disabled. */
async function deliverOne(deps: DeliveryDeps, d: DueDelivery, now: Date): Promise<{ ok: boolean; disabled: boolean }> {
  const body = eventBody(d);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'convergence-gateway-webhooks',
    'webhook-id': d.message_id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': signatureOf(d, now, body),
  };
  const result = await post(d.url, headers, body, deps.config.webhookAllowPrivateUrls, deps.timeoutMs ?? DELIVERY_TIMEOUT_MS);
  const ok = result.status !== null && result.status >= 200 && result.status < 300;
  const attempts = d.tentatives + 1;
  const next = ok ? undefined : nextAttempt({
    attempts,
    firstAttemptAt: d.premiere_tentative_le ? new Date(d.premiere_tentative_le) : now,
    now,
    baseSeconds: deps.config.webhookRetryBaseSeconds,
    random: (deps.random ?? Math.random)(),
  });
  const disabled = await recordAttempt(deps.db, d, {
    at: now,
    succes: ok,
    codeHttp: result.status,
    dureeMs: result.durationMs,
    erreur: ok ? null : result.error ?? `HTTP_${result.status ?? 0}`,
    next,
  });
  deps.metrics?.webhookAttempts.inc({ outcome: ok ? 'success' : next ? 'failure' : 'given_up' });
  // Never the URL nor the body: the webhook's id and the outcome only.
  deps.logger?.debug({ webhook: d.webhook_id, livraison: d.id, type: d.type, statut: result.status, erreur: result.error, tentative: attempts }, ok ? 'webhook livré' : 'échec de livraison du webhook');
  if (disabled) deps.logger?.warn({ webhook: d.webhook_id }, 'webhook désactivé après des échecs répétés');
  return { ok, disabled };
}

/** Sends every delivery due at `now` (at most `limit`, in parallel) and records the attempts. */
export async function deliverDue(deps: DeliveryDeps, now: Date = new Date(), limit = 50): Promise<DeliveryReport> {
  const due = await claimDueDeliveries(deps.db, now, new Date(now.getTime() + LEASE_MS), limit);
  const outcomes = await Promise.all(due.map((d) => deliverOne(deps, d, now)));
  return {
    envoyees: outcomes.length,
    livrees: outcomes.filter((o) => o.ok).length,
    echecs: outcomes.filter((o) => !o.ok).length,
    desactives: outcomes.filter((o) => o.disabled).length,
  };
}
