/**
 * `npm run cli -- jobs run <name>` and `jobs list` as a child process on the test database — the
 * embedded one in a temporary DATA_DIR, or the test PostgreSQL with this file's schema
 * (DATABASE_SCHEMA): the run marks an échu dossier, is recorded and listed as the job's last run
 * (GET /back-office/v1/jobs); an unknown job exits 2 with one French line and records nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDatabase } from '../../src/db/connection.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { createTestDatabase, startTestGateway, usingPostgres, type TestDatabase, type TestGateway } from '../helpers/gateway.js';
import { engagedDossier, startInvoicing, type Engaged } from './factures-fixture.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'cgw-jobs-cli-'));

/** The embedded database of `dir` (one process at a time: closed before the CLI opens it). */
async function embedded(): Promise<TestDatabase> {
  const db = createDatabase({ dataDir: dir, schema: 'public', poolMax: 1 });
  await migrateLatest(db, 'public');
  return { db, schema: 'public', url: undefined, drop: () => db.destroy() };
}

let database: TestDatabase;
let env: NodeJS.ProcessEnv;
let opco: string;
let cfa: string;
let broken: Engaged;

beforeAll(async () => {
  database = usingPostgres ? await createTestDatabase() : await embedded();
  env = usingPostgres
    ? { ...process.env, DATABASE_URL: process.env.TEST_DATABASE_URL, DATABASE_SCHEMA: database.schema, LOG_LEVEL: 'silent' }
    : { ...process.env, DATA_DIR: dir, DATABASE_URL: '', DATABASE_SCHEMA: '', LOG_LEVEL: 'silent' };
  const h = await startInvoicing({}, database);
  opco = h.opco;
  cfa = h.cfa;
  // Broken on 2025-10-15 (declared on 2025-10-25): échu since 2025-12-15, the certificat missing.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2025-10-25T12:00:00+01:00'));
  try {
    broken = await engagedDossier(h, 501);
    const res = await h.t.http.post('/v2/dossiers/rupture/employeur').set('X-API-KEY', h.cfa)
      .send({ numeroInterne: broken.numeroInterne, dateRupture: '2025-10-15', motif: 'ACCORD_COMMUN', initiative: 'COMMUN' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  } finally {
    vi.useRealTimers();
  }
  await h.t.close();
  if (!usingPostgres) await database.drop();
}, 120_000);

afterAll(async () => {
  if (usingPostgres) await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

interface Outcome { code: number; stdout: string; stderr: string }

async function cli(...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args], { cwd: ROOT, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: unknown; stderr?: unknown };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: String(e.stdout ?? ''), stderr: String(e.stderr ?? '') };
  }
}

/** A gateway on the database the CLI wrote (reopened from DATA_DIR on PGlite). */
async function reopen(): Promise<{ t: TestGateway; close(): Promise<void> }> {
  const db = usingPostgres ? database : await embedded();
  const t = await startTestGateway({}, db);
  return {
    t,
    async close() {
      await t.close();
      if (!usingPostgres) await db.drop();
    },
  };
}

describe('npm run cli -- jobs …', () => {
  it('jobs run dossiers-echus exits 0 and says what it did; jobs list shows that run', async () => {
    const ran = await cli('jobs', 'run', 'dossiers-echus');
    expect(ran, JSON.stringify(ran)).toMatchObject({ code: 0, stderr: '' });
    const [line, ...rest] = ran.stdout.trim().split('\n');
    expect(rest).toEqual([]);
    expect(line?.startsWith('dossiers-echus : success ')).toBe(true);
    expect(JSON.parse(line?.slice('dossiers-echus : success '.length) ?? '{}')).toEqual({ marques: 1, actualises: 0, retires: 0, total: 1 });

    const listed = await cli('jobs', 'list');
    expect(listed.code, listed.stderr).toBe(0);
    const rows = listed.stdout.trim().split('\n').map((l) => l.split('\t'));
    expect(rows.map((r) => r[0])).toEqual(expect.arrayContaining(['dossiers-echus', 'purge-idempotence', 'purge-jetons']));
    const echus = rows.find((r) => r[0] === 'dossiers-echus') ?? [];
    expect(echus[1]).toBe('30 5 * * *');
    const [debut, resultat] = (echus[2] ?? '').split(' ');
    expect(resultat).toBe('success');
    expect(Date.now() - Date.parse(debut ?? '')).toBeLessThan(5 * 60_000);
    expect(rows.find((r) => r[0] === 'purge-jetons')?.[2]).toBe('jamais');
  }, 120_000);

  it('jobs run nope exits 2 (a usage error, as every wrong command line) with one French line', async () => {
    const res = await cli('jobs', 'run', 'nope');
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr.trim().split('\n')).toEqual(['tâche inconnue : nope (voir jobs list)']);
  }, 60_000);

  it('the run is recorded: the back office lists it as the last run, the CFA sees the dossier échu; nope left nothing', async () => {
    const { t, close } = await reopen();
    try {
      const jobs = await t.http.get('/back-office/v1/jobs').set('X-API-KEY', opco);
      expect(jobs.status).toBe(200);
      const taches = jobs.body.taches as Array<{ tache: string; derniereExecution: { debut: string; fin: string | null; resultat: string | null } | null }>;
      const last = taches.find((j) => j.tache === 'dossiers-echus')?.derniereExecution;
      expect(last).toMatchObject({ resultat: 'success' });
      expect(last?.fin).not.toBeNull();
      expect(Date.now() - Date.parse(last?.debut ?? '')).toBeLessThan(5 * 60_000);
      expect(taches.some((j) => j.tache === 'nope')).toBe(false);
      expect(await t.db('executions_taches').where({ tache: 'nope' }).first()).toBeUndefined();

      const list = await t.http.get('/v2/pilotage/dossiers-echus').set('X-API-KEY', cfa);
      expect(list.body).toMatchObject({ total: 1, items: [{ numeroInterne: broken.numeroInterne, finPeriodeFacturation: '2025-10-15', motifs: ['CERTIFICAT_MANQUANT'] }] });
    } finally {
      await close();
    }
  }, 60_000);
});
