/**
 * Pilotage at scale (`npm run bench:pilotage`, PostgreSQL only): one CFA with 100 000 dossiers and
 * 300 000 invoices among 1 000 000 dossiers (bench/bulk-pilotage.ts), then, through the running
 * app on a real socket:
 * - the nightly job dossiers-echus over the whole base, once (its duration);
 * - the counters (GET /v2/pilotage/actions) and the first and last pages (taillePage 50) of the
 *   dossiers, invoices, échéances-à-facturer and dossiers-échus lists: p50 / p99 over repeated requests;
 * - the xlsx export of the CFA's 100 000 REGLE invoices, from the production build (dist/, built if
 *   missing) run as a process of its own as deployed: rows/s, and that process's RSS before and at
 *   its peak (sampled every 20 ms, and VmHWM).
 * Targets (issue 11 §7): counters and pages p99 ≤ 50 ms; export ≥ 20 000 rows/s, peak RSS ≤ 200 MB.
 * It prints figures; it asserts nothing but the answers' status and sizes.
 *
 * Settings: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test; the database is
 * created if missing), BENCH_SAMPLES (200; 100 for deep pages), BENCH_WARMUP (30),
 * BENCH_CASE_SECONDS (60: a slow case stops sampling after that long, with 20 samples at least, and
 * warms up for a sixth of it at most), BENCH_EXPORT_RUNS (3),
 * BENCH_KEEP=1 (keep the schema), BENCH_SCHEMA=<name> (reuse a kept, loaded schema: no load;
 * pending migrations are applied), BENCH_EXPLAIN=1 (EXPLAIN (ANALYZE, BUFFERS) of every query a
 * case runs, once; `only`: the plans without the timings), BENCH_ONLY=<substring> (only the cases
 * whose label contains it; `export` for the export alone).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import pg from 'pg';
import { loadConfig } from '../src/config/config.js';
import { markDossiersEchus } from '../src/db/echus.js';
import { createKey } from '../src/db/keys.js';
import { parisDate } from '../src/domain/dates.js';
import { createGateway } from '../src/gateway.js';
import { DEFAULT_DATA_SET, LOADED_TABLES, loadPilotage } from './bulk-pilotage.js';

const env = process.env;
const DATABASE_URL = env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REUSE = env.BENCH_SCHEMA;
const SCHEMA = REUSE ?? `bench_pilotage_${process.pid}`;
const KEEP = env.BENCH_KEEP === '1' || REUSE !== undefined;
const SAMPLES = Number(env.BENCH_SAMPLES ?? 200);
const DEEP_SAMPLES = Number(env.BENCH_DEEP_SAMPLES ?? Math.ceil(SAMPLES / 2));
const WARMUP = Number(env.BENCH_WARMUP ?? 30);
const CASE_MS = Number(env.BENCH_CASE_SECONDS ?? 60) * 1000;
const EXPORT_RUNS = Number(env.BENCH_EXPORT_RUNS ?? 3);
const EXPLAIN = env.BENCH_EXPLAIN === '1' || env.BENCH_EXPLAIN === 'only';
const TIME = env.BENCH_EXPLAIN !== 'only';
const ONLY = env.BENCH_ONLY;
const SET = DEFAULT_DATA_SET;
const PAGE = 50;
const MB = 1024 * 1024;
const TARGET_MS = 50;
const TARGET_ROWS_PER_S = 20_000;
const TARGET_RSS_MB = 200;

type Query = Record<string, string | number>;


/** Creates the benchmark's database when it does not exist (through the `postgres` database). */
async function ensureDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!name) return;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!found.rowCount) {
      await client.query(`create database "${name.replace(/"/g, '""')}"`);
      console.log(`database ${name} created`);
    }
  } finally {
    await client.end();
  }
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

const fmt = (ms: number): string => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

interface Answer {
  status: number;
  body: string;
}

/** One GET over the keep-alive connection; the whole body is read. */
function get(port: number, key: string, route: string, query: Query, agent: http.Agent): Promise<Answer> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
  return new Promise((resolve, reject) => {
    const req = http.get({ port, host: '127.0.0.1', path: qs ? `${route}?${qs}` : route, headers: { 'X-API-KEY': key }, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

interface Case {
  label: string;
  route: string;
  query: Query;
  samples: number;
  /** The target applies (the rest is for information). */
  target: boolean;
  /** What the answer must hold. */
  check(body: unknown): string | undefined;
}

interface Timing {
  label: string;
  n: number;
  p50: number;
  p99: number;
  max: number;
  target: boolean;
}

/** The queries one request sends, through knex's `query` event, each with its plan. */
async function explain(db: Knex, run: () => Promise<unknown>, limit = 6): Promise<void> {
  const seen = new Map<string, unknown[]>();
  const listener = (q: { sql: string; bindings?: unknown[] }): void => {
    if (!seen.has(q.sql) && seen.size < limit) seen.set(q.sql, q.bindings ?? []);
  };
  db.on('query', listener);
  try {
    await run();
  } finally {
    db.off('query', listener);
  }
  // knex's `query` event gives the driver's text ($1, $2…): run it on a pooled connection.
  const client = db.client as { acquireConnection(): Promise<pg.PoolClient>; releaseConnection(c: pg.PoolClient): Promise<void> };
  const conn = await client.acquireConnection();
  try {
    for (const [sql, bindings] of seen) {
      if (!/^\s*(select|with)/i.test(sql) || /cles_api|revocation/.test(sql)) continue;
      const res = await conn.query(`explain (analyze, buffers) ${sql}`, bindings);
      console.log(`\n  -- ${sql.slice(0, 2000)}\n  -- bindings ${JSON.stringify(bindings)}`);
      for (const r of res.rows as Array<{ 'QUERY PLAN': string }>) console.log(`  ${r['QUERY PLAN']}`);
    }
  } finally {
    await client.releaseConnection(conn);
  }
}

async function timeCase(port: number, key: string, c: Case, agent: http.Agent): Promise<Timing> {
  const once = async (): Promise<number> => {
    const start = process.hrtime.bigint();
    const res = await get(port, key, c.route, c.query, agent);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (res.status !== 200) throw new Error(`${c.label}: ${res.status} ${res.body.slice(0, 300)}`);
    const wrong = c.check(JSON.parse(res.body));
    if (wrong) throw new Error(`${c.label}: ${wrong}`);
    return ms;
  };
  const w0 = Date.now();
  for (let i = 0; i < WARMUP && (i < 2 || Date.now() - w0 < CASE_MS / 6); i += 1) await once();
  const times: number[] = [];
  const t0 = Date.now();
  while (times.length < c.samples && (times.length < 20 || Date.now() - t0 < CASE_MS)) times.push(await once());
  times.sort((a, b) => a - b);
  return { label: c.label, n: times.length, p50: percentile(times, 0.5), p99: percentile(times, 0.99), max: times[times.length - 1] ?? NaN, target: c.target };
}

interface Download {
  ms: number;
  bytes: number;
  status: number;
  type: string | undefined;
}

/** Streams an answer to a file as fast as the socket gives it. */
function download(port: number, key: string, route: string, query: Query, file: string): Promise<Download> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = http.get({ port, host: '127.0.0.1', path: `${route}?${qs}`, headers: { 'X-API-KEY': key } }, (res) => {
      let bytes = 0;
      const out = fs.createWriteStream(file);
      res.on('data', (c: Buffer) => { bytes += c.length; });
      res.pipe(out);
      out.on('finish', () => resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, bytes, status: res.statusCode ?? 0, type: res.headers['content-type'] }));
      res.on('error', reject);
      out.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** The production build of the gateway in its own process, on the bench's schema (its RSS is the export's). */
interface ServerProcess {
  child: ChildProcess;
  port: number;
}

async function startServerProcess(): Promise<ServerProcess> {
  if (!fs.existsSync('dist/src/main.js')) execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
  // The heap limit of the Dockerfile's CMD.
  const child = spawn(process.execPath, ['--max-old-space-size=256', 'dist/src/main.js'], {
    env: { ...process.env, DATABASE_URL, DATABASE_SCHEMA: SCHEMA, PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'info', DEMO: 'false', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      for (const line of buffered.split('\n')) {
        const m = /"port":(\d+),"database"/.exec(line);
        if (m?.[1]) resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`gateway process exited (${code})`)));
  });
  child.stdout?.resume();
  return { child, port };
}

/** Resident memory of a process, from /proc (Linux): now and its peak (VmHWM). */
function rssOf(pid: number): { rss: number; hwm: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Runs the work while sampling the process's RSS every 20 ms; peak = max(samples, VmHWM growth). */
async function withPeakRss<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = rssOf(pid).rss;
  const timer = setInterval(() => { peak = Math.max(peak, rssOf(pid).rss); }, 20);
  try {
    const result = await work();
    return { result, peak: Math.max(peak, rssOf(pid).rss, rssOf(pid).hwm) };
  } finally {
    clearInterval(timer);
  }
}

/** Data rows of the first sheet of an xlsx file, read back with exceljs's streaming reader. */
async function xlsxDataRows(file: string): Promise<number> {
  let rows = 0;
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, { worksheets: 'emit', sharedStrings: 'cache', styles: 'ignore', hyperlinks: 'ignore' });
  for await (const sheet of reader) {
    for await (const row of sheet as AsyncIterable<unknown>) { void row; rows += 1; }
    break;
  }
  return rows - 1; // the header
}

const totalOf = (body: unknown): number => (body as { total: number }).total;
const itemsOf = (body: unknown): unknown[] => (body as { items: unknown[] }).items;
const expectItems = (n: number) => (body: unknown): string | undefined => (itemsOf(body).length === n ? undefined : `${itemsOf(body).length} items, expected ${n}`);

async function main(): Promise<void> {
  await ensureDatabase(DATABASE_URL);
  const config = loadConfig({ DATABASE_URL, DATABASE_SCHEMA: SCHEMA, LOG_LEVEL: 'warn', JOBS_ENABLED: 'false', RATE_LIMIT_PER_MINUTE: '0' });
  const gateway = await createGateway(config);
  const { db } = gateway;
  const server = http.createServer(gateway.app);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const file = path.join(os.tmpdir(), `bench-pilotage-${process.pid}.xlsx`);
  try {
    const [counted] = (await db('dossiers').count({ n: '*' })) as Array<{ n: string }>;
    const existing = Number(counted?.n ?? 0);
    if (existing === 0) {
      const t0 = Date.now();
      const timings = await loadPilotage(db, SET);
      console.log(`loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${Object.entries(timings).map(([k, s]) => `${k} ${s.toFixed(1)} s`).join(', ')}`);
      const t1 = Date.now();
      // What autovacuum does after such a load (visibility map for index-only scans, statistics).
      await db.raw(`vacuum analyze ${LOADED_TABLES.join(', ')}`);
      console.log(`vacuum analyze in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    } else {
      console.log(`schema ${SCHEMA} reused (${existing} dossiers)`);
      await db.raw(`analyze ${LOADED_TABLES.join(', ')}`);
    }
    const sizes = (await db.raw(`select c.relname as t, c.reltuples::bigint as n, pg_size_pretty(pg_total_relation_size(c.oid)) as size
      from pg_class c where c.relnamespace = ?::regnamespace and c.relkind = 'r' and c.reltuples > 1000 order by pg_total_relation_size(c.oid) desc`, [SCHEMA])).rows as Array<{ t: string; n: string; size: string }>;
    console.log(`tables: ${sizes.map((s) => `${s.t} ${Number(s.n).toLocaleString('en')} rows ${s.size}`).join(', ')}`);

    // The nightly job, as it runs over the whole base: how long the refreshes of single dossiers
    // (a certificat, an invoice) may wait on it, and a real "dossiers échus" counter and list.
    const t2 = Date.now();
    const echus = await markDossiersEchus(db, parisDate());
    console.log(`job dossiers-echus in ${((Date.now() - t2) / 1000).toFixed(1)} s: ${JSON.stringify(echus)}`);

    const { key } = await createKey(db, { role: 'cfa', siren: SET.siren });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const json = async (route: string, query: Query = {}): Promise<unknown> => {
      const res = await get(port, key, route, query, agent);
      if (res.status !== 200) throw new Error(`${route}: ${res.status} ${res.body.slice(0, 300)}`);
      return JSON.parse(res.body) as unknown;
    };

    const actions = (await json('/v2/pilotage/actions')) as Record<string, { nombre: number }>;
    console.log(`counters: ${Object.entries(actions).map(([k, v]) => `${k} ${v.nombre}`).join(', ')}`);
    const lists = [
      { name: 'dossiers', route: '/v2/suivi/dossiers', query: {} as Query },
      { name: 'factures', route: '/v2/suivi/factures', query: {} as Query },
      { name: 'factures tri=montant', route: '/v2/suivi/factures', query: { tri: 'montant' } as Query },
      { name: 'échéances à facturer', route: '/v2/pilotage/echeances-a-facturer', query: {} as Query },
      { name: 'dossiers échus', route: '/v2/pilotage/dossiers-echus', query: {} as Query },
    ];
    const cases: Case[] = [{
      label: 'counters GET /v2/pilotage/actions', route: '/v2/pilotage/actions', query: {}, samples: SAMPLES, target: true,
      check: (b) => ((b as Record<string, { nombre: number }>).dossiersAFacturer?.nombre === actions.dossiersAFacturer?.nombre ? undefined : 'counter changed'),
    }];
    for (const l of lists) {
      const total = totalOf(await json(l.route, { ...l.query, taillePage: PAGE }));
      const last = Math.max(1, Math.ceil(total / PAGE));
      cases.push(
        { label: `${l.name}: page 1`, route: l.route, query: { ...l.query, numeroPage: 1, taillePage: PAGE }, samples: SAMPLES, target: true, check: expectItems(Math.min(PAGE, total)) },
        { label: `${l.name}: page ${last} (last)`, route: l.route, query: { ...l.query, numeroPage: last, taillePage: PAGE }, samples: DEEP_SAMPLES, target: true, check: expectItems(total - (last - 1) * PAGE) },
      );
      console.log(`${l.route}${l.query.tri ? `?tri=${l.query.tri}` : ''}: total ${total}, last page ${last}`);
    }

    const selected = cases.filter((c) => !ONLY || c.label.includes(ONLY));
    if (EXPLAIN) {
      for (const c of selected) {
        console.log(`\n== EXPLAIN ${c.label}`);
        await explain(db, () => get(port, key, c.route, c.query, agent));
      }
    }
    const timings: Timing[] = [];
    for (const c of selected.filter(() => TIME)) {
      const t = await timeCase(port, key, c, agent);
      timings.push(t);
      console.log(`  ${t.label.padEnd(44)} n=${String(t.n).padStart(3)}  p50 ${fmt(t.p50).padStart(7)} ms  p99 ${fmt(t.p99).padStart(7)} ms  max ${fmt(t.max).padStart(7)} ms`);
    }

    // The export: the measured CFA's REGLE invoices (100 000 by construction).
    const exportQuery: Query = { etat: 'REGLE' };
    const rows = totalOf(await json('/v2/suivi/factures', { ...exportQuery, taillePage: 1 }));
    const runs: Array<{ ms: number; bytes: number; rowsPerS: number; before: number; peak: number }> = [];
    const doExport = !ONLY || 'export'.includes(ONLY);
    if (doExport) {
      if (EXPLAIN) {
        console.log('\n== EXPLAIN export batches');
        await explain(db, () => download(port, key, '/v2/suivi/factures', { ...exportQuery, format: 'xlsx' }, file), 3);
      }
      // The export runs on the production build in a process of its own, as deployed: its RSS is
      // the gateway's, not this bench's (tsx, the loader's data, the timings above).
      const server2 = TIME ? await startServerProcess() : undefined;
      try {
        for (let i = 0; server2 && i < EXPORT_RUNS; i += 1) {
          await sleep(500);
          const before = rssOf(server2.child.pid ?? 0).rss;
          const { result, peak } = await withPeakRss(server2.child.pid ?? 0, () => download(server2.port, key, '/v2/suivi/factures', { ...exportQuery, format: 'xlsx' }, file));
          if (result.status !== 200 || !result.type?.includes('spreadsheetml')) throw new Error(`export: ${result.status} ${result.type}`);
          const run = { ms: result.ms, bytes: result.bytes, rowsPerS: rows / (result.ms / 1000), before, peak };
          runs.push(run);
          console.log(`  xlsx export of ${rows} invoices: ${(run.ms / 1000).toFixed(2)} s, ${(run.bytes / MB).toFixed(1)} MB, ${Math.round(run.rowsPerS)} rows/s, ` +
            `gateway process RSS ${(before / MB).toFixed(0)} → peak ${(peak / MB).toFixed(0)} MB (+${((peak - before) / MB).toFixed(0)})`);
        }
      } finally {
        server2?.child.kill('SIGTERM');
      }
      const read = TIME ? await xlsxDataRows(file) : rows;
      if (read !== rows) throw new Error(`export: ${read} data rows in the file, expected ${rows}`);
      console.log(`  (file read back: ${read} data rows)`);
    }

    // Summary.
    const setting = async (name: string): Promise<string> => ((await db.raw(`select current_setting(?) as v`, [name])).rows as Array<{ v: string }>)[0]?.v ?? '?';
    console.log(`\nmachine: ${os.cpus()[0]?.model ?? '?'}, nproc ${os.availableParallelism()}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GB RAM, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; node ${process.version}; PostgreSQL ${await setting('server_version')} (shared_buffers ${await setting('shared_buffers')}, work_mem ${await setting('work_mem')})`);
    console.log(`${'case'.padEnd(46)}${'n'.padStart(5)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}`);
    for (const t of timings) console.log(`${t.label.padEnd(46)}${String(t.n).padStart(5)}${fmt(t.p50).padStart(10)}${fmt(t.p99).padStart(10)}${t.target ? (t.p99 <= TARGET_MS ? '' : '  > 50') : ''}`);
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    if (runs.length) {
      const peak = Math.max(...runs.map((r) => r.peak));
      console.log(`xlsx export ${rows} rows: median ${Math.round(median(runs.map((r) => r.rowsPerS)))} rows/s (${runs.map((r) => Math.round(r.rowsPerS)).join(', ')}); RSS before ${(median(runs.map((r) => r.before)) / MB).toFixed(0)} MB, peak ${(peak / MB).toFixed(0)} MB`);
    }
    const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
    const counters = timings.filter((t) => t.label.startsWith('counters'));
    const pages = timings.filter((t) => t.target && !t.label.startsWith('counters'));
    if (counters.length) console.log(`target counters p99 ≤ ${TARGET_MS} ms: ${verdict(counters.every((t) => t.p99 <= TARGET_MS))}`);
    if (pages.length) {
      const missed = pages.filter((t) => t.p99 > TARGET_MS);
      console.log(`target pages p99 ≤ ${TARGET_MS} ms: ${verdict(missed.length === 0)}${missed.length ? ` (${missed.map((t) => t.label).join('; ')})` : ''}`);
    }
    if (runs.length) {
      console.log(`target export ≥ ${TARGET_ROWS_PER_S} rows/s: ${verdict(median(runs.map((r) => r.rowsPerS)) >= TARGET_ROWS_PER_S)}`);
      console.log(`target export peak RSS ≤ ${TARGET_RSS_MB} MB: ${verdict(Math.max(...runs.map((r) => r.peak)) <= TARGET_RSS_MB * MB)}`);
    }
  } finally {
    agent.destroy();
    server.close();
    fs.rmSync(file, { force: true });
    if (KEEP) console.log(`schema ${SCHEMA} kept (BENCH_SCHEMA=${SCHEMA} reuses it; drop schema ${SCHEMA} cascade when done)`);
    else await db.raw('drop schema if exists ?? cascade', [SCHEMA]);
    await gateway.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
