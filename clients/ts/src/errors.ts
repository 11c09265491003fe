/**
 * Typed errors: every answer of status 400 or more becomes a `GatewayError` carrying the norm's
 * `errors[]` (code, French description, JSON pointer `champ`, CERFA `section`), the status and the
 * request id (`X-Request-Id`, repeated as `instance` in the body) to quote to the OPCO's support.
 */
import type { components } from './schema.js';

export type GatewayErrorItem = components['schemas']['Erreur'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorItems(body: unknown): GatewayErrorItem[] {
  if (!isRecord(body) || !Array.isArray(body.errors)) return [];
  const items: GatewayErrorItem[] = [];
  for (const e of body.errors) {
    if (!isRecord(e) || typeof e.code !== 'string' || typeof e.description !== 'string') continue;
    items.push({
      code: e.code,
      description: e.description,
      ...(typeof e.champ === 'string' ? { champ: e.champ } : {}),
      ...(typeof e.section === 'string' ? { section: e.section } : {}),
    });
  }
  return items;
}

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  /** HTTP status (400 or more). */
  readonly status: number;
  /** The norm's errors, every one the gateway found (empty when the body was not the norm's). */
  readonly errors: GatewayErrorItem[];
  /** `X-Request-Id` of the answer (or the body's `instance`). */
  readonly requestId: string | undefined;
  /** Seconds the gateway asked to wait (`Retry-After`), when it did. */
  readonly retryAfterSeconds: number | undefined;
  /** The parsed body as received (e.g. `numeroInterne` of the existing dossier on a 409 duplicate). */
  readonly body: unknown;
  readonly method: string;
  readonly url: string;

  constructor(init: { status: number; body: unknown; requestId?: string | undefined; retryAfterSeconds?: number | undefined; method: string; url: string }) {
    const items = errorItems(init.body);
    const summary = items.length ? items.map((e) => `${e.code}: ${e.description}`).join(' ; ') : `HTTP ${init.status}`;
    super(`${init.method} ${init.url} → ${init.status} ${summary}`);
    this.status = init.status;
    this.errors = items;
    this.body = init.body;
    const instance = isRecord(init.body) && typeof init.body.instance === 'string' ? init.body.instance : undefined;
    this.requestId = init.requestId ?? instance;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.method = init.method;
    this.url = init.url;
  }

  /** The first error's code (`CLE_API_INVALIDE`, `DOSSIER_INTROUVABLE`…). */
  get code(): string | undefined {
    return this.errors[0]?.code;
  }

  /** Whether the gateway reported this code. */
  has(code: string): boolean {
    return this.errors.some((e) => e.code === code);
  }
}

export function isGatewayError(err: unknown): err is GatewayError {
  return err instanceof GatewayError;
}
