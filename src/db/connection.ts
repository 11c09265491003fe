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
}

export type Db = Knex;

export function createDatabase(options: DatabaseOptions): Db {
  if (options.databaseUrl) {
    return knexPkg.knex({
      client: 'pg',
      connection: options.databaseUrl,
      searchPath: [options.schema],
      pool: { min: 0, max: options.poolMax },
      acquireConnectionTimeout: 5_000,
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
