/**
 * Receiving the gateway's webhooks: the Standard Webhooks signature (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature`, HMAC-SHA256 with the `whsec_…` secret shown once at
 * registration) checked by the `standardwebhooks` library, timestamps older or newer than 5 minutes
 * refused (replays). Verify the raw body, as received, before parsing it.
 */
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

export { WebhookVerificationError };

/** Node's `IncomingHttpHeaders`, a fetch `Headers`, or a plain record. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

const NAMES = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    return Array.isArray(value) ? value.join(', ') : value;
  }
  return undefined;
}

/**
 * Checks a delivery's signature and returns its parsed JSON payload; throws
 * `WebhookVerificationError` when a header is missing, the signature does not match or the
 * timestamp is out of tolerance.
 */
export function verifyWebhook(secret: string, headers: WebhookHeaders, body: string | Buffer): unknown {
  const wanted: Record<string, string> = {};
  for (const name of NAMES) {
    const value = header(headers, name);
    if (!value) throw new WebhookVerificationError(`Missing required header ${name}`);
    wanted[name] = value;
  }
  return new Webhook(secret).verify(body, wanted);
}

/** The envelope of a Standard Webhooks event: `type`, `timestamp`, and `data` (ids and the feed cursor, never personal data). */
export interface WebhookEvent {
  type: string;
  timestamp?: string;
  data: Record<string, unknown>;
}

export function isWebhookEvent(payload: unknown): payload is WebhookEvent {
  if (typeof payload !== 'object' || payload === null || !('type' in payload) || !('data' in payload)) return false;
  return typeof payload.type === 'string' && typeof payload.data === 'object' && payload.data !== null && !Array.isArray(payload.data);
}

/** The webhook id of a delivery (the same on every retry of one event: use it to drop duplicates). */
export function webhookId(headers: WebhookHeaders): string | undefined {
  return header(headers, 'webhook-id');
}
