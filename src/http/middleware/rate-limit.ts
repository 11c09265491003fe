/**
 * Rate limits (express-rate-limit). Two counters:
 * - every request, per authenticated key (its id, so no spelling of the header escapes it), or per
 *   client address on public routes and before a key is known;
 * - failed authentications (401/403) per client address, checked before a presented key costs a
 *   database lookup.
 * The counters live in Redis when REDIS_URL is set, shared by every instance (rate-limit-redis);
 * otherwise in this process. A Redis outage lets requests through (logged): the limiter protects
 * the service, it must not stop it.
 */
import { MemoryStore, rateLimit, type Options, type Store } from 'express-rate-limit';
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import { createClient } from 'redis';
import { errors } from '../errors.js';

const WINDOW_MS = 60_000;

export interface RateLimiting {
  /** Counts every request of a caller. */
  perCaller: RequestHandler;
  /** 429 when the client address has failed authentication too often this minute. */
  refuseAfterFailures(req: Request): Promise<void>;
  /** Counts one failed authentication of the client address. */
  recordFailure(req: Request): Promise<void>;
  close(): Promise<void>;
}

export interface RateLimitSettings {
  rateLimitPerMinute: number;
  authFailuresPerMinute: number;
  redisUrl: string | undefined;
  /** Counters are kept apart per database schema (one gateway's data). */
  databaseSchema: string;
}

const addressOf = (req: Request): string => `ip:${req.ip ?? 'inconnue'}`;

/** Seconds until the counter's window ends (at least 1). */
function secondsUntil(resetTime: Date | undefined): number {
  return Math.max(1, resetTime ? Math.ceil((resetTime.getTime() - Date.now()) / 1000) : 60);
}

export function createRateLimiting(settings: RateLimitSettings, logger: Logger): RateLimiting {
  const redis = settings.redisUrl ? createClient({ url: settings.redisUrl }) : undefined;
  let warned = 0;
  redis?.on('error', (err: unknown) => {
    // One line a minute at most: an outage must not flood the logs.
    if (Date.now() - warned < 60_000) return;
    warned = Date.now();
    logger.warn({ erreur: { type: err instanceof Error ? err.name : typeof err } }, 'compteurs de débit (Redis) injoignables : requêtes laissées passer');
  });
  const connected = redis?.connect().catch(() => undefined);
  const store = (prefix: string): Store => (redis
    ? new RedisStore({
      prefix: `cgw:${settings.databaseSchema}:${prefix}:`,
      sendCommand: async (...args: string[]) => {
        await connected;
        return (await redis.sendCommand(args)) as RedisReply;
      },
    })
    : new MemoryStore());

  const options: Partial<Options> = {
    windowMs: WINDOW_MS,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    passOnStoreError: true,
    validate: { keyGeneratorIpFallback: false },
  };

  const perCaller: RequestHandler = settings.rateLimitPerMinute === 0
    ? (_req, _res, next) => next()
    : rateLimit({
      ...options,
      limit: settings.rateLimitPerMinute,
      store: store('appels'),
      keyGenerator: (req) => (req.caller ? `cle:${req.caller.keyId}` : addressOf(req)),
      handler: (req, _res, next) => {
        const info = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit;
        next(errors.tooManyRequests(secondsUntil(info?.resetTime)));
      },
    });

  const failures = store('echecs');
  failures.init?.({ ...options, windowMs: WINDOW_MS } as Options);

  return {
    perCaller,
    async refuseAfterFailures(req) {
      if (settings.authFailuresPerMinute === 0) return;
      const seen = await Promise.resolve(failures.get?.(addressOf(req))).catch(() => undefined);
      if (seen && seen.totalHits >= settings.authFailuresPerMinute) {
        throw errors.tooManyRequests(secondsUntil(seen.resetTime), 'Trop d’échecs d’authentification depuis cette adresse.');
      }
    },
    async recordFailure(req) {
      if (settings.authFailuresPerMinute === 0) return;
      await Promise.resolve(failures.increment(addressOf(req))).catch(() => undefined);
    },
    async close() {
      if (failures instanceof MemoryStore) failures.shutdown();
      if (redis?.isOpen) await redis.quit().catch(() => undefined);
    },
  };
}
