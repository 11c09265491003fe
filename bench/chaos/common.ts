/**
 * Shared pieces of the chaos suite (`npm run chaos`): a PostgreSQL database and schema of its own,
 * the gateway as a child process on loopback, bounded HTTP calls, small tables.
 *
 * Settings: CHAOS_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/chaos, created if
 * missing), CHAOS_PG_CLUSTER (default `<version in /etc/postgresql> main`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Knex } from 'knex';
import { createDatabase } from '../../src/db/connection.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { siretForSiren, validCerfaPayload, withLuhnKey } from '../../test/fixtures/cerfa.js';

/** The repository root: the gateway child runs from there. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const DATABASE_URL = process.env.CHAOS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/chaos';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Creates the database of DATABASE_URL when missing (through the `postgres` database). */
export async function ensureDatabase(): Promise<void> {
  const url = new URL(DATABASE_URL);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!found.rowCount) await client.query(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated schema; `drop()` removes it. */
export async function freshSchema(prefix: string): Promise<{ schema: string; db: Knex; drop(): Promise<void> }> {
  await ensureDatabase();
  const schema = `${prefix}_${process.pid}_${Date.now() % 100_000}`;
  const db = createDatabase({ databaseUrl: DATABASE_URL, dataDir: ':memory:', schema, poolMax: 4 });
  await migrateLatest(db, schema);
  return {
    schema, db,
    async drop() {
      await db.raw('drop schema if exists ?? cascade', [schema]).catch(() => undefined);
      await db.destroy();
    },
  };
}

/** Drops a schema through a connection of its own (the one of freshSchema may be gone). */
export async function dropSchema(schema: string): Promise<void> {
  const db = createDatabase({ databaseUrl: DATABASE_URL, dataDir: ':memory:', schema, poolMax: 1 });
  try {
    await db.raw('drop schema if exists ?? cascade', [schema]);
  } finally {
    await db.destroy();
  }
}

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  return typeof address === 'object' && address ? address.port : 0;
}

const children = new Set<ChildProcess>();
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

export interface GatewayProcess {
  child: ChildProcess;
  base: string;
  port: number;
  /** Lines the gateway wrote (stdout and stderr), for the JSON-lines check. */
  output: string[];
  alive(): boolean;
}

/** Starts `node --import tsx src/main.ts` on 127.0.0.1:`port` (cwd: the repository) and waits for /ready. */
export async function startGateway(schema: string, port: number, env: Record<string, string> = {}): Promise<GatewayProcess> {
  // loopback.ts makes src/main.ts listen on 127.0.0.1 only.
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './bench/chaos/loopback.ts', 'src/main.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL,
      DATABASE_SCHEMA: schema,
      JOBS_ENABLED: 'false',
      RATE_LIMIT_PER_MINUTE: '0',
      // The per-address limit on failed authentications would turn the rest of a run into 429s.
      AUTH_FAILURES_PER_MINUTE: '0',
      LOG_LEVEL: 'warn',
      ...env,
    },
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  const output: string[] = [];
  const collect = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim() && output.length < 100_000) output.push(line);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const base = `http://127.0.0.1:${port}`;
  const gateway = { child, base, port, output, alive: () => child.exitCode === null && child.signalCode === null };
  for (let i = 0; i < 300; i += 1) {
    if (!gateway.alive()) throw new Error(`gateway exited during start: ${output.slice(-5).join(' | ')}`);
    try {
      if ((await fetch(`${base}/ready`, { signal: AbortSignal.timeout(1000) })).ok) return gateway;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${base} never became ready`);
}

export async function stopGateway(gateway: GatewayProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!gateway.alive()) return;
  const exited = once(gateway.child, 'exit');
  gateway.child.kill(signal);
  await Promise.race([exited, sleep(15_000)]);
  if (gateway.alive()) {
    gateway.child.kill('SIGKILL');
    await exited;
  }
}

/** Lines of the gateway's output that are not JSON (logs must be JSON lines only). */
export function nonJsonLines(gateway: GatewayProcess): string[] {
  return gateway.output.filter((line) => {
    try {
      JSON.parse(line);
      return false;
    } catch {
      return true;
    }
  });
}

/**
 * Distinct valid CERFAs, as bench/run.ts makes them: the employer (a Luhn-valid SIREN per index)
 * varies, so no two payloads are the same contract. The same index gives the same bytes.
 */
export function distinctCerfa(i: number, base = 30_000_000): { body: string; siret: string } {
  const payload = validCerfaPayload((i % 600) + 1);
  const siret = siretForSiren(withLuhnKey(String(base + i)), 1);
  (payload.cerfa.employeur as Record<string, unknown>).siret = siret;
  (payload.cerfa.contrat as Record<string, unknown>).lieuSignatureContrat = `Lyon ${i}`;
  return { body: JSON.stringify(payload), siret };
}

export interface Answer {
  status: number;
  retryAfter: string | null;
  text: string;
  ms: number;
}

/** One HTTP call bounded by `timeoutMs`; a network error or timeout is thrown with `kind`. */
export async function call(url: string, init: RequestInit, timeoutMs: number): Promise<Answer> {
  const started = Date.now();
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), text, ms: Date.now() - started };
}

export function failureKind(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout';
  return e?.cause?.code ?? e?.name ?? 'error';
}

/** Prints a markdown table. */
export function table(headers: string[], rows: Array<Array<string | number>>): void {
  console.log(`| ${headers.join(' | ')} |`);
  console.log(`|${headers.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

/** The PostgreSQL cluster to restart: `pg_ctlcluster <version> <name>`. */
export function pgCluster(): [string, string] {
  const configured = process.env.CHAOS_PG_CLUSTER?.split(/\s+/);
  if (configured?.length === 2) return [configured[0] ?? '', configured[1] ?? ''];
  const versions = fs.readdirSync('/etc/postgresql');
  return [versions.sort().at(-1) ?? '15', 'main'];
}
