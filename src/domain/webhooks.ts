/**
 * Signed webhooks, the pure rules (docs/decisions/integration-webhooks.md): the event types, which
 * URLs an endpoint may have, the retry schedule, when a delivery is given up.
 */
import ipaddr from 'ipaddr.js';
import type { Violation } from './violation.js';

/**
 * Every event type. `proposition.etat` is emitted by the proposals feature; `webhook.test` only by
 * `POST /v2/webhooks/{id}/test` (it cannot be subscribed to: every endpoint gets its own test).
 */
export const EVENT_TYPES = [
  'dossier.etat',
  'dossier.mise-en-conformite',
  'dossier.engagement',
  'facture.etat',
  'reglement.cree',
  'remboursement.cree',
  'remboursement.etat',
  'proposition.etat',
] as const;
export type EventType = (typeof EVENT_TYPES)[number] | 'webhook.test';

/** How long events and their delivery log are kept (and how far back a replay reaches). */
export const EVENT_RETENTION_DAYS = 30;

/** The longest time a delivery is retried, from its first attempt; the last attempt is at or after it. */
export const RETRY_WINDOW_SECONDS = 24 * 3600;
/** No wait between two attempts is longer than this (before jitter). */
export const MAX_RETRY_DELAY_SECONDS = 6 * 3600;

/**
 * The wait before the next attempt after `attempts` failed ones (1 for the first failure):
 * base × 2^(attempts−1), at most 6 h, times a jitter factor in [0.75, 1.25) (`random` in [0, 1)),
 * never under the base: the first retry comes WEBHOOK_RETRY_BASE_SECONDS after the failure or later.
 */
export function retryDelaySeconds(attempts: number, baseSeconds: number, random: number): number {
  const exponential = Math.min(baseSeconds * 2 ** Math.max(0, attempts - 1), MAX_RETRY_DELAY_SECONDS);
  return Math.max(baseSeconds, Math.round(exponential * (0.75 + random * 0.5)));
}

/**
 * When to try again after a failed attempt, or undefined when the delivery is given up: the last
 * attempt is the first one made once RETRY_WINDOW_SECONDS have passed since the first attempt, so
 * a receiver down for up to 24 h still gets everything.
 */
export function nextAttempt(input: { attempts: number; firstAttemptAt: Date; now: Date; baseSeconds: number; random: number }): Date | undefined {
  if (input.now.getTime() - input.firstAttemptAt.getTime() >= RETRY_WINDOW_SECONDS * 1000) return undefined;
  return new Date(input.now.getTime() + retryDelaySeconds(input.attempts, input.baseSeconds, input.random) * 1000);
}

/** True for an address on the public internet (not private, loopback, link-local, multicast, reserved…). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/**
 * What is wrong with an endpoint URL (empty when acceptable): https only and no literal private
 * address, unless `allowPrivate` (sandbox and tests), which also allows http. Host names are
 * checked again, resolved, at each delivery.
 */
export function urlProblems(text: string, allowPrivate: boolean, champ = '/url'): Violation[] {
  const problem = (description: string): Violation[] => [{ code: 'URL_WEBHOOK_INVALIDE', description, champ, section: 'requete' }];
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return problem('L’URL du webhook n’est pas une URL absolue valide.');
  }
  if (url.username || url.password) return problem('L’URL du webhook ne doit pas contenir d’identifiants.');
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) return problem('L’URL du webhook doit être en https.');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate) {
    if (ipaddr.isValid(host) && !isPublicAddress(host)) return problem('L’URL du webhook désigne une adresse privée, locale ou réservée.');
    if (/^localhost$|\.localhost$|\.local$|\.internal$/i.test(host)) return problem('L’URL du webhook désigne un hôte local.');
  }
  return [];
}
