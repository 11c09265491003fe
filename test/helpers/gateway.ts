/**
 * Test harness: a real database per test file — embedded PGlite in memory by default, or a fresh
 * schema of the PostgreSQL named by TEST_DATABASE_URL — so files run in parallel without sharing
 * data. The gateway is assembled exactly as in production (createGateway).
 */
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import knexPkg, { type Knex } from 'knex';
import supertest from 'supertest';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createDatabase } from '../../src/db/connection.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { createKey } from '../../src/db/keys.js';
import { createGateway, type Gateway } from '../../src/gateway.js';

export const usingPostgres = Boolean(process.env.TEST_DATABASE_URL);

export interface TestDatabase {
  db: Knex;
  schema: string;
  url: string | undefined;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const url = process.env.TEST_DATABASE_URL;
  const schema = url ? `t_${randomBytes(6).toString('hex')}` : 'public';
  const db = createDatabase({ databaseUrl: url, dataDir: ':memory:', schema, poolMax: 20 });
  await migrateLatest(db, schema);
  return {
    db, schema, url,
    async drop() {
      if (url) await db.raw('drop schema if exists ?? cascade', [schema]);
      await db.destroy();
    },
  };
}

export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

export interface TestGateway {
  gateway: Gateway;
  db: Knex;
  http: supertest.Agent;
  logs: LogCapture;
  config: Config;
  cfaKey(siren: string, options?: { uai?: string; expires?: string }): Promise<string>;
  opcoKey(): Promise<string>;
  /** A key of role entreprise (an employer user) for this SIREN and e-mail. */
  entrepriseKey(siren: string, courriel: string, options?: { expires?: string }): Promise<string>;
  close(): Promise<void>;
}

export async function startTestGateway(env: Record<string, string> = {}, database?: TestDatabase): Promise<TestGateway> {
  const testDb = database ?? (await createTestDatabase());
  const config = loadConfig({
    LOG_LEVEL: 'info',
    JOBS_ENABLED: 'false',
    RATE_LIMIT_PER_MINUTE: '0',
    AUTH_FAILURES_PER_MINUTE: '0',
    // Every answer of every HTTP test is checked against the contract.
    VALIDATE_RESPONSES: 'true',
    DATABASE_SCHEMA: testDb.schema,
    ...(testDb.url ? { DATABASE_URL: testDb.url } : { DATA_DIR: ':memory:' }),
    ...env,
  });
  const logs = new LogCapture();
  const gateway = await createGateway(config, { db: testDb.db, logDestination: logs, skipMigrations: true });
  return {
    gateway, db: testDb.db, logs, config,
    http: supertest.agent(gateway.app),
    async cfaKey(siren, options = {}) {
      return (await createKey(testDb.db, { role: 'cfa', siren, uai: options.uai, dateFinValidite: options.expires })).key;
    },
    async opcoKey() {
      return (await createKey(testDb.db, { role: 'opco', libelle: 'instructeur test' })).key;
    },
    async entrepriseKey(siren, courriel, options = {}) {
      return (await createKey(testDb.db, { role: 'entreprise', siren, courriel, dateFinValidite: options.expires })).key;
    },
    async close() {
      await gateway.close();
      if (!database) await testDb.drop();
    },
  };
}

export { knexPkg };
