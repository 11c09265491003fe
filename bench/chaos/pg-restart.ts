/**
 * Chaos part 2: PostgreSQL restarted under load. Clients send reads and writes while the cluster
 * is stopped for a few seconds and started again; the gateway is never restarted. Expected during
 * the outage: 503 with Retry-After, no 500, no request hung beyond the timeout, the process alive;
 * after: 200 again by itself.
 */
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { createKey } from '../../src/db/keys.js';
import { FIXTURE_CFA_SIREN } from '../../test/fixtures/cerfa.js';
import { call, DATABASE_URL, distinctCerfa, dropSchema, failureKind, freePort, freshSchema, nonJsonLines, pgCluster, sleep, startGateway, stopGateway, table } from './common.js';

const CLIENTS = Number(process.env.CHAOS_CLIENTS ?? 8);
const OUTAGE_MS = Number(process.env.CHAOS_PG_OUTAGE_MS ?? 5000);
const BASELINE_MS = 3000;
const AFTER_MS = 6000;
const REQUEST_TIMEOUT_MS = 10_000;
const DEADLINE_MS = 120_000;

type Phase = 'before' | 'outage' | 'after';
interface Sample { phase: Phase; kind: string; status: string; retryAfter: boolean; ms: number; startedAt: number }

function pgctl(action: 'stop' | 'start' | 'status', quiet = false): void {
  const [version, name] = pgCluster();
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, action, ...(action === 'stop' ? ['-m', 'fast'] : [])], { stdio: quiet ? 'ignore' : 'inherit' });
}

/** Starts the cluster unless it runs (the suite never leaves PostgreSQL stopped). */
function ensurePostgresRunning(): void {
  try {
    pgctl('status', true);
  } catch {
    pgctl('start');
  }
}

/** Sessions of other databases busy right now: restarting would break someone else's work. */
async function othersBusy(): Promise<number> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>("select count(*) as n from pg_stat_activity where state = 'active' and pid <> pg_backend_pid() and datname is distinct from current_database()");
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

export async function postgresRestartUnderLoad(): Promise<boolean> {
  console.log(`\n## 2. PostgreSQL restart under load (${CLIENTS} clients, cluster stopped ${OUTAGE_MS} ms)\n`);
  const { schema, db } = await freshSchema('chaos_pg');
  const port = await freePort();
  const gateway = await startGateway(schema, port, { DATABASE_POOL_MAX: '10' });
  const base = gateway.base;
  const cfa = (await createKey(db, { role: 'cfa', siren: FIXTURE_CFA_SIREN })).key;
  const opco = (await createKey(db, { role: 'opco', libelle: 'chaos' })).key;
  await db.destroy(); // the script holds no connection across the restart; the gateway's are what is tested
  const numeros: string[] = [];
  for (let i = 0; i < 10; i += 1) {
    const res = await call(`${base}/v2/dossiers`, { method: 'POST', body: distinctCerfa(i, 40_000_000).body, headers: { 'content-type': 'application/json', 'x-api-key': cfa } }, REQUEST_TIMEOUT_MS);
    numeros.push((JSON.parse(res.text) as { numeroInterne: string }).numeroInterne);
  }

  const samples: Sample[] = [];
  let phase: Phase = 'before';
  let stop = false;
  let next = 100;
  let upAt = 0;
  let firstOkAfter = 0;
  const started = Date.now();
  const requests: Array<{ kind: string; make: () => [string, RequestInit] }> = [
    { kind: 'GET /v2/dossiers', make: () => [`${base}/v2/dossiers?numeroInterne=${numeros[next % numeros.length]}`, { headers: { 'x-api-key': cfa } }] },
    { kind: 'GET /v2/dossiers/etats', make: () => [`${base}/v2/dossiers/etats?numeroPage=1`, { headers: { 'x-api-key': cfa } }] },
    { kind: 'GET /back-office/v1/dossiers', make: () => [`${base}/back-office/v1/dossiers?numeroPage=1`, { headers: { 'x-api-key': opco } }] },
    { kind: 'POST /v2/dossiers', make: () => [`${base}/v2/dossiers`, { method: 'POST', body: distinctCerfa(next++, 40_000_000).body, headers: { 'content-type': 'application/json', 'x-api-key': cfa } }] },
    { kind: 'GET /ready', make: () => [`${base}/ready`, {}] },
    { kind: 'GET /health', make: () => [`${base}/health`, {}] },
  ];

  async function client(n: number): Promise<void> {
    let k = n;
    while (!stop && Date.now() - started < DEADLINE_MS) {
      const r = requests[k++ % requests.length];
      if (!r) continue;
      const [url, init] = r.make();
      const at = phase;
      const t0 = Date.now();
      try {
        const res = await call(url, init, REQUEST_TIMEOUT_MS);
        samples.push({ phase: at, kind: r.kind, status: String(res.status), retryAfter: res.retryAfter !== null, ms: res.ms, startedAt: t0 });
        if (at === 'after' && res.status === 200 && r.kind !== 'GET /health' && !firstOkAfter) firstOkAfter = Date.now();
        if (res.status === 500) console.log(`500 on ${r.kind} (${at}): ${res.text.slice(0, 200)}`);
      } catch (err) {
        samples.push({ phase: at, kind: r.kind, status: failureKind(err), retryAfter: false, ms: Date.now() - t0, startedAt: t0 });
      }
      await sleep(20);
    }
  }

  try {
    const clients = Array.from({ length: CLIENTS }, (_, n) => client(n));
    await sleep(BASELINE_MS);
    const busy = await othersBusy();
    if (busy) console.log(`note: ${busy} active session(s) of other databases are cut by this restart`);
    phase = 'outage';
    const stoppedAt = Date.now();
    pgctl('stop');
    await sleep(OUTAGE_MS);
    pgctl('start');
    upAt = Date.now();
    phase = 'after';
    await sleep(AFTER_MS);
    stop = true;
    await Promise.all(clients);

    const rows: Array<Array<string | number>> = [];
    for (const p of ['before', 'outage', 'after'] as const) {
      const inPhase = samples.filter((s) => s.phase === p);
      const by = new Map<string, number>();
      for (const s of inPhase) by.set(s.status, (by.get(s.status) ?? 0) + 1);
      const s503 = inPhase.filter((s) => s.status === '503');
      rows.push([p, inPhase.length, [...by].sort().map(([k, v]) => `${k}×${v}`).join(', '),
        s503.length ? `${s503.filter((s) => s.retryAfter).length}/${s503.length}` : '-',
        Math.max(0, ...inPhase.map((s) => s.ms))]);
    }
    table(['phase', 'answers', 'by status', '503 with Retry-After', 'slowest ms'], rows);
    const afterOk = samples.filter((s) => s.phase === 'after' && s.startedAt > upAt + 2000);
    const fiveHundreds = samples.filter((s) => s.status === '500').length;
    const hung = samples.filter((s) => s.status === 'timeout').length;
    const lastSecond = afterOk.filter((s) => s.startedAt > Date.now() - 3000);
    console.log('');
    table(['figure', 'value'], [
      ['cluster stopped (ms, stop + wait + start)', upAt - stoppedAt],
      ['first 200 after PostgreSQL was back (ms)', firstOkAfter ? firstOkAfter - upAt : 'never'],
      ['answers 2 s or more after restart: 200 / all', `${afterOk.filter((s) => s.status === '200').length}/${afterOk.length}`],
      ['last 3 s: 200 / all', `${lastSecond.filter((s) => s.status === '200').length}/${lastSecond.length}`],
      ['500 answers', fiveHundreds],
      [`requests hung beyond ${REQUEST_TIMEOUT_MS} ms`, hung],
      ['gateway process alive (never restarted)', gateway.alive() ? 'yes' : `NO (exit ${gateway.child.exitCode ?? gateway.child.signalCode})`],
      ['non-JSON lines in the gateway output', nonJsonLines(gateway).length],
    ]);
    const bare503 = new Map<string, number>();
    for (const s of samples) if (s.status === '503' && !s.retryAfter) bare503.set(s.kind, (bare503.get(s.kind) ?? 0) + 1);
    if (bare503.size) console.log(`\n503 without Retry-After, by request: ${[...bare503].map(([k, v]) => `${k} ×${v}`).join(', ')}`);
    for (const line of nonJsonLines(gateway).slice(0, 5)) console.log(`  non-JSON: ${line.slice(0, 200)}`);
    if (!gateway.alive()) console.log(gateway.output.slice(-10).join('\n'));
    const outage503 = samples.filter((s) => s.phase === 'outage' && s.status === '503');
    return fiveHundreds === 0 && hung === 0 && gateway.alive() && Boolean(firstOkAfter) && outage503.every((s) => s.retryAfter || s.kind === 'GET /ready')
      && lastSecond.every((s) => s.status === '200') && nonJsonLines(gateway).length === 0;
  } finally {
    stop = true;
    ensurePostgresRunning();
    await stopGateway(gateway);
    await dropSchema(schema);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  postgresRestartUnderLoad().then((ok) => process.exit(ok ? 0 : 1), (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
