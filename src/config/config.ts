/**
 * Configuration from environment variables, checked once at boot. A bad value is reported in one
 * line naming the variable, and the process exits with code 1 (see src/main.ts).
 */
import path from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  port: number;
  /** Folder of the embedded PostgreSQL (PGlite), used when databaseUrl is absent. */
  dataDir: string;
  databaseUrl: string | undefined;
  /** PostgreSQL schema (search_path) holding the gateway's tables. */
  databaseSchema: string;
  databasePoolMax: number;
  logLevel: LogLevel;
  /** Maximum size of a JSON body, in bytes. */
  jsonBodyLimitBytes: number;
  /** Maximum size of an uploaded file, in bytes. */
  fileSizeLimitBytes: number;
  /** Requests per minute allowed for one API key (or one IP without key); 0 disables the limiter. */
  rateLimitPerMinute: number;
  /** Failed authentications (401/403) per minute allowed from one client address; 0 disables. */
  authFailuresPerMinute: number;
  /** Redis holding the rate-limit counters shared by every instance; in memory when absent. */
  redisUrl: string | undefined;
  /** Port of the Prometheus /metrics endpoint, apart from the API; 0 serves no metrics. */
  metricsPort: number;
  /** How long one request may take before the server gives up on it (also the Idempotency-Key lease). */
  requestTimeoutMs: number;
  /** When true, every /v1 and /v2 call needs `Authorization: Bearer` besides X-API-KEY. */
  requireBearer: boolean;
  tokenTtlSeconds: number;
  /** How long a checked API key is remembered in memory (revocations elsewhere take this long). */
  authCacheSeconds: number;
  /** How long an Idempotency-Key and its stored answer are kept. */
  idempotencyTtlHours: number;
  shutdownTimeoutMs: number;
  /** Scheduled jobs run in this instance (they never run twice across instances anyway). */
  jobsEnabled: boolean;
  /** Recette: refuse what would otherwise be converted, renamed or ignored (docs/compatibilite.md). */
  strictInput: boolean;
  /** Development and tests: every JSON answer is checked against the route's declared responses (500 REPONSE_HORS_CONTRAT on a drift). */
  validateResponses: boolean;
  /** Flat amount of the international-mobility fee engaged by the OPCO, in cents. */
  forfaitMobiliteCents: number;
  /** Signed webhooks: wait before the first retry, in seconds (then doubling, with jitter, for at least 24 h). */
  webhookRetryBaseSeconds: number;
  /** Signed webhooks: allow http and private, loopback or link-local endpoints (sandbox and tests only). */
  webhookAllowPrivateUrls: boolean;
  /** Hops of trusted reverse proxies in front of the gateway (express `trust proxy`). */
  trustProxy: number;
  /** Sandbox mode (docs/decisions/integration-sandbox.md): a simulator plays the OPCO, `X-Sandbox: true` on every answer. */
  sandbox: boolean;
  /** Sandbox: seconds the simulated OPCO waits before each step of a dossier or an invoice. */
  sandboxDelaySeconds: number;
  /** NODE_ENV=production (the Dockerfile sets it): no demo keys, no demo data set. */
  production: boolean;
  /** DEMO (default true): the first start of an empty embedded database creates demo keys (docs/decisions/integration-demo.md). */
  demo: boolean;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

/** Sizes like `1mb`, `512kb` or a number of bytes. */
function size(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const m = /^(\d+)\s*(b|kb|mb)?$/i.exec(raw.trim());
  if (!m) throw new ConfigError(`${name} must be a size such as 1mb, 512kb or 2048, got "${raw}"`);
  const unit = (m[2] ?? 'b').toLowerCase();
  const factor = unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1;
  return Number(m[1]) * factor;
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Env = process.env): Config {
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must start with postgres:// or postgresql://`);
  }
  const logLevel = (env.LOG_LEVEL || 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  const redisUrl = env.REDIS_URL || undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) throw new ConfigError('REDIS_URL must start with redis:// or rediss://');
  const databaseSchema = env.DATABASE_SCHEMA || 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema)) {
    throw new ConfigError(`DATABASE_SCHEMA must be a lower-case SQL identifier, got "${databaseSchema}"`);
  }
  return {
    port: integer(env, 'PORT', 8080, 0, 65535),
    dataDir: path.resolve(env.DATA_DIR || './data'),
    databaseUrl,
    databaseSchema,
    databasePoolMax: integer(env, 'DATABASE_POOL_MAX', 10, 1, 200),
    logLevel: logLevel as LogLevel,
    jsonBodyLimitBytes: size(env, 'JSON_BODY_LIMIT', 1024 * 1024),
    fileSizeLimitBytes: size(env, 'FILE_SIZE_LIMIT', 10 * 1024 * 1024),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 1200, 0, 10_000_000),
    authFailuresPerMinute: integer(env, 'AUTH_FAILURES_PER_MINUTE', 30, 0, 1_000_000),
    redisUrl,
    metricsPort: integer(env, 'METRICS_PORT', 9464, 0, 65535),
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', 30_000, 1000, 600_000),
    requireBearer: bool(env, 'REQUIRE_BEARER', false),
    tokenTtlSeconds: integer(env, 'TOKEN_TTL_SECONDS', 3600, 60, 86_400),
    authCacheSeconds: integer(env, 'AUTH_CACHE_SECONDS', 10, 0, 3600),
    idempotencyTtlHours: integer(env, 'IDEMPOTENCY_TTL_HOURS', 24, 24, 24 * 365),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    jobsEnabled: bool(env, 'JOBS_ENABLED', true),
    validateResponses: bool(env, 'VALIDATE_RESPONSES', false),
    strictInput: bool(env, 'STRICT_INPUT', false),
    forfaitMobiliteCents: integer(env, 'FORFAIT_MOBILITE_CENTS', 168_000, 0, 10_000_000),
    trustProxy: integer(env, 'TRUST_PROXY', 0, 0, 10),
    webhookRetryBaseSeconds: integer(env, 'WEBHOOK_RETRY_BASE_SECONDS', 30, 1, 3600),
    // https and public addresses are the rule in production; a sandbox, tests and a developer's
    // machine deliver to a receiver on that machine or its LAN (http, loopback, private addresses).
    webhookAllowPrivateUrls: bool(env, 'WEBHOOK_ALLOW_PRIVATE_URLS', bool(env, 'SANDBOX', false) || env.NODE_ENV !== 'production'),
    sandbox: bool(env, 'SANDBOX', false),
    sandboxDelaySeconds: integer(env, 'SANDBOX_DELAY_SECONDS', 5, 0, 86_400),
    production: env.NODE_ENV === 'production',
    demo: bool(env, 'DEMO', true),
  };
}
