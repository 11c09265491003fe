/**
 * One knex instance for the whole process: a real PostgreSQL when DATABASE_URL is set, otherwise an
 * embedded PostgreSQL (PGlite) stored in DATA_DIR. The same migrations and queries serve both.
 */
import fs from 'node:fs';
import knexPkg, { type Knex } from 'knex';
import { PGlite } from '@electric-sql/pglite';
import ClientPgLite from 'knex-pglite';
import pg from 'pg';

// Return `numeric` and `bigint` as strings (exact), `date` as 'YYYY-MM-DD' text: money and
// calendar dates must never go through a float or a time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v: string) => v);

export interface DatabaseOptions {
  databaseUrl?: string;
  /** PGlite folder; ':memory:' keeps the embedded database in memory (tests). */
  dataDir: string;
  schema: string;
  poolMax: number;
  /**
   * Where knex's own messages go (a pooled connection found dead, deprecations). Knex writes them
   * with console.log as plain text by default; without this option they are written as JSON lines
   * on stdout instead, so that the logs stay JSON lines only.
   */
  log?: KnexLog;
}

/** Knex's logger hooks (`Knex.Config['log']`). */
export interface KnexLog {
  warn(message: unknown): void;
  error(message: unknown): void;
  debug(message: unknown): void;
  deprecate(message: unknown): void;
}

function text(message: unknown): string {
  if (typeof message === 'string') return message;
  if (message instanceof Error) return message.message;
  try {
    return JSON.stringify(message) ?? String(message);
  } catch {
    return String(message);
  }
}

/** pino's level numbers, so the lines read like the gateway's own. */
function jsonLine(level: number): (message: unknown) => void {
  return (message) => {
    process.stdout.write(`${JSON.stringify({ level, time: Date.now(), source: 'knex', msg: text(message) })}\n`);
  };
}

/** Knex's messages as JSON lines on stdout (debug is dropped: it would print every query). */
export const JSON_LINES_KNEX_LOG: KnexLog = { warn: jsonLine(40), error: jsonLine(50), deprecate: jsonLine(40), debug: () => undefined };

export type Db = Knex;

export function createDatabase(options: DatabaseOptions): Db {
  if (options.databaseUrl) {
    return knexPkg.knex({
      client: 'pg',
      connection: options.databaseUrl,
      searchPath: [options.schema],
      pool: {
        min: 0,
        max: options.poolMax,
        // The gateway's queries are short index reads: a parallel plan's start-up costs more than it
        // saves (a parallel count of 300 000 invoices: 55–170 ms on 2 vCPUs, alone 18 ms), and so
        // does compiling one (JIT: ~3 ms on a 17 ms count). Measured by npm run bench:pilotage.
        afterCreate(conn: pg.Client, done: (err: Error | null, conn: pg.Client) => void) {
          conn.query('set max_parallel_workers_per_gather = 0; set jit = off').then(() => done(null, conn), (err: Error) => done(err, conn));
        },
      },
      acquireConnectionTimeout: 5_000,
      log: options.log ?? JSON_LINES_KNEX_LOG,
    });
  }
  // Same type parsing as node-postgres above: dates stay 'YYYY-MM-DD' text.
  const pglite = new PGlite({
    ...(options.dataDir === ':memory:' ? {} : { dataDir: ensureDir(options.dataDir) }),
    parsers: { [pg.types.builtins.DATE]: (v: string) => v },
  });
  return knexPkg.knex({
    client: ClientPgLite,
    dialect: 'postgres',
    connection: { pglite } as unknown as Knex.StaticConnectionConfig,
    acquireConnectionTimeout: 30_000,
    log: options.log ?? JSON_LINES_KNEX_LOG,
  } as Knex.Config);
}

function ensureDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** True when the database answers a trivial query within the delay. */
export async function databaseAnswers(db: Knex, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const probe = db.raw('select 1').then(() => true, () => false);
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// Connection-level failures: refused, reset, server shutting down or starting, too many clients.
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);
const UNAVAILABLE_MESSAGES = /Connection terminated|connection error|Client was closed|PGlite is closed|Unable to acquire a connection/i;

/** True when the error says the database cannot be reached now (503 and retry), not that a query is wrong. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'KnexTimeoutError') return true;
  const code = 'code' in err ? err.code : undefined;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  if (err instanceof AggregateError) return err.errors.some(isDatabaseUnavailable);
  return UNAVAILABLE_MESSAGES.test(err.message);
}
