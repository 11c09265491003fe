/**
 * Ingestion benchmark (`npm run bench`): POST /v2/dossiers with distinct valid CERFAs on
 * PostgreSQL, next to two ceilings measured in the same run on the same machine:
 *   1. a bare express server that parses and echoes the same JSON (HTTP + JSON ceiling);
 *   2. PostgreSQL's single-row insert rate for the same dossier row (storage ceiling);
 * plus the in-process validation rate (schema + normalisation + business rules).
 * The gateway and the echo server run in child processes; autocannon drives them from here.
 *
 * Settings: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test),
 * BENCH_SECONDS (default 10 per HTTP run), BENCH_CONNECTIONS (default 16).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import autocannon from 'autocannon';
import pg from 'pg';
import { createDatabase } from '../src/db/connection.js';
import { createKey } from '../src/db/keys.js';
import { checkDossierRequest } from '../src/domain/cerfa/validate.js';
import { canonicalHash } from '../src/domain/canonical-json.js';
import { FIXTURE_CFA_SIREN, siretForSiren, validCerfaPayload, withLuhnKey } from '../test/fixtures/cerfa.js';

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SCHEMA = `bench_${process.pid}`;

/** Distinct valid payloads: the employer (a Luhn-valid SIREN per request) varies, so no two are duplicates. */
function payload(i: number): string {
  const body = validCerfaPayload((i % 600) + 1);
  (body.cerfa.employeur as Record<string, unknown>).siret = siretForSiren(withLuhnKey(String(20_000_000 + i)), 1);
  (body.cerfa.contrat as Record<string, unknown>).lieuSignatureContrat = `Lyon ${i}`;
  return JSON.stringify(body);
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0);
  await once(server, 'listening');
  const address = server.address();
  server.close();
  return typeof address === 'object' && address ? address.port : 0;
}

async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never became ready`);
}

const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

function start(args: string[], env: Record<string, string>): ChildProcess {
  return spawnTracked(args, env);
}

function spawnTracked(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), '--import', 'tsx', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return child;
}

interface HttpFigures {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

async function load(url: string, headers: Record<string, string>, makeBody: (i: number) => string): Promise<HttpFigures> {
  let i = 0;
  const result = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { 'content-type': 'application/json', ...headers },
    requests: [{ setupRequest: (req) => ({ ...req, body: makeBody(i++) }) }],
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx };
}

function validationRate(): number {
  const bodies = Array.from({ length: 256 }, (_, i) => JSON.parse(payload(i)) as unknown);
  for (const b of bodies) if (!checkDossierRequest(b, '2025-09-02').ok) throw new Error('bench payloads must be valid');
  let n = 0;
  const t0 = process.hrtime.bigint();
  while (process.hrtime.bigint() - t0 < 3_000_000_000n) {
    for (let k = 0; k < 256; k += 1) checkDossierRequest(bodies[k], '2025-09-02');
    n += 256;
  }
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/** Single-row inserts of the same dossier row, CONNECTIONS at a time, each in its own transaction. */
async function insertRate(): Promise<number> {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: CONNECTIONS, options: `-c search_path=${SCHEMA}` });
  const cerfa = JSON.parse(payload(0)) as { cerfa: unknown };
  const text = `insert into dossiers (numero_interne, numero_externe, cfa_siren, etat, origine, cerfa,
    empreinte_contenu, cle_apprenti, employeur_siret, date_debut_contrat, type_contrat_app)
    values ($1, $2, '999999999', 'TRANSMIS', 'API_CFA', $3, $4, $4, '55210055400013', '2025-09-01', 11)`;
  let next = 10_000_000;
  let done = 0;
  const deadline = Date.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (Date.now() < deadline) {
      const n = next++;
      await pool.query(text, [String(n), `99BCH${n}`, JSON.stringify(cerfa.cerfa), canonicalHash(n)]);
      done += 1;
    }
  }));
  await pool.end();
  return done / SECONDS;
}

async function main(): Promise<void> {
  console.log(`machine: ${process.platform} ${process.arch}, node ${process.version}; ${CONNECTIONS} connections, ${SECONDS} s per HTTP run`);
  const validations = validationRate();
  console.log(`in-process validation (schema + normalisation + rules): ${Math.round(validations)} contracts/s on one core`);

  const db = createDatabase({ databaseUrl: DATABASE_URL, dataDir: ':memory:', schema: SCHEMA, poolMax: 2 });
  const gatewayPort = await freePort();
  const gateway = start(['src/main.ts'], {
    PORT: String(gatewayPort), METRICS_PORT: '0', DATABASE_URL, DATABASE_SCHEMA: SCHEMA, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0', JOBS_ENABLED: 'false', DATABASE_POOL_MAX: String(CONNECTIONS),
  });
  const echoPort = await freePort();
  const echo = start(['bench/echo-server.ts'], { PORT: String(echoPort) });
  try {
    await waitReady(`http://127.0.0.1:${gatewayPort}/ready`);
    await waitReady(`http://127.0.0.1:${echoPort}/health`);
    const { key } = await createKey(db, { role: 'cfa', siren: FIXTURE_CFA_SIREN });

    const echoFigures = await load(`http://127.0.0.1:${echoPort}/v2/dossiers`, {}, payload);
    const inserts = await insertRate();
    let seq = 0;
    const ingest = await load(`http://127.0.0.1:${gatewayPort}/v2/dossiers`, { 'x-api-key': key }, () => payload(100_000 + seq++));
    const created = (await db('dossiers').where({ cfa_siren: FIXTURE_CFA_SIREN }).count<{ n: string }[]>({ n: '*' }))[0]?.n;

    const ceiling = Math.min(echoFigures.rps, inserts);
    console.log('');
    console.log('| measure | per second | p50 ms | p99 ms |');
    console.log('|---|---|---|---|');
    console.log(`| bare express echo of the same JSON | ${Math.round(echoFigures.rps)} | ${echoFigures.p50} | ${echoFigures.p99} |`);
    console.log(`| PostgreSQL single-row insert of the same row | ${Math.round(inserts)} | | |`);
    console.log(`| POST /v2/dossiers (validate + store + history + audit) | ${Math.round(ingest.rps)} | ${ingest.p50} | ${ingest.p99} |`);
    console.log('');
    console.log(`dossiers created: ${created}; non-2xx answers: ${ingest.non2xx}`);
    console.log(`ingestion / echo ceiling: ${(100 * ingest.rps / echoFigures.rps).toFixed(1)} %`);
    console.log(`ingestion / insert ceiling: ${(100 * ingest.rps / inserts).toFixed(1)} %`);
    console.log(`ingestion / lower ceiling: ${(100 * ingest.rps / ceiling).toFixed(1)} % (target ≥ 60 %)`);
  } finally {
    gateway.kill('SIGTERM');
    echo.kill('SIGTERM');
    if (gateway.exitCode === null) await once(gateway, 'exit');
    await db.raw('drop schema if exists ?? cascade', [SCHEMA]);
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
