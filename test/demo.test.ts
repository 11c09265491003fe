/**
 * The demo (issue 13 §5): demo keys on the first start of an empty embedded database (not in
 * production, not with DEMO=false, not on PostgreSQL), `npm run demo`'s data set seen through the
 * API (every state of every list), its refusals, and the CLI's one line while a server holds the
 * embedded database.
 */
import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../src/cli/demo.js';
import { loadConfig, type Config } from '../src/config/config.js';
import { createGateway } from '../src/gateway.js';
import { ETATS_DOSSIER, ETATS_FACTURE } from '../src/domain/lifecycle/index.js';
import { ETATS_REMBOURSEMENT } from '../src/domain/invoicing/remboursement.js';
import { isEntrepriseContact } from '../src/services/cles.js';
import { DEMO_SMALLEST_COMPLETE, demoPlan } from '../src/services/demo-data.js';
import { DEMO_CFA, DEMO_ENTREPRISE } from '../src/services/demo.js';
import { createTestDatabase, startTestGateway, usingPostgres, type TestDatabase, type TestGateway } from './helpers/gateway.js';

const run = promisify(execFile);
const KEY = { cfa: /cfa_[A-Za-z0-9_-]{43}/g, entreprise: /ent_[A-Za-z0-9_-]{43}/g, opco: /opco_[A-Za-z0-9_-]{43}/g };

/** The configuration of a gateway on an in-memory embedded database (fresh at each start), or on a fresh schema of the test PostgreSQL. */
function config(env: Record<string, string>): Config {
  const base = { LOG_LEVEL: 'silent', JOBS_ENABLED: 'false', RATE_LIMIT_PER_MINUTE: '0', AUTH_FAILURES_PER_MINUTE: '0', VALIDATE_RESPONSES: 'true', NODE_ENV: 'development', ...env };
  return { ...loadConfig(base), dataDir: ':memory:' };
}

describe('demo keys at the first start of an empty embedded database', () => {
  it.skipIf(usingPostgres)('creates a CFA, an employer and a back-office key, each working for its role, and the employer in the register', async () => {
    const gateway = await createGateway(config({}));
    try {
      const keys = gateway.demoKeys;
      expect(keys).toBeDefined();
      if (!keys) return;
      const http = supertest(gateway.app);
      // Stored hashed, like every key: the clear keys are nowhere in the database.
      const rows = (await gateway.db('cles_api').orderBy('id').select('role', 'siren', 'uai', 'courriel', 'empreinte')) as Array<Record<string, string | null>>;
      expect(rows.map((r) => [r.role, r.siren, r.uai, r.courriel])).toEqual([
        ['cfa', DEMO_CFA.siren, DEMO_CFA.uai, null],
        ['entreprise', DEMO_ENTREPRISE.siren, null, DEMO_ENTREPRISE.courriel],
        ['opco', null, null, null],
      ]);
      expect(JSON.stringify(rows)).not.toContain(keys.cfa.slice(4));

      const etats = await http.get('/v2/dossiers/etats').query({ numeroPage: 1 }).set('X-API-KEY', keys.cfa);
      expect(etats.status).toBe(200);
      expect(etats.body.total).toBe(0);
      const adherents = await http.get('/v2/adherents').query({ q: DEMO_ENTREPRISE.siren }).set('X-API-KEY', keys.cfa);
      expect(adherents.status).toBe(200);
      expect(adherents.body.adherents).toEqual([expect.objectContaining({ siret: DEMO_ENTREPRISE.siret, raisonSociale: 'Numérisia SAS' })]);

      const cles = await http.get('/back-office/v1/cles').set('X-API-KEY', keys.opco);
      expect(cles.status).toBe(200);
      // The employer key is a valid key of an employer user (a CFA route answers "wrong role", not "unknown key").
      const asEmployer = await http.get('/v2/dossiers/etats').query({ numeroPage: 1 }).set('X-API-KEY', keys.entreprise);
      expect(asEmployer.status).toBe(403);
      expect(asEmployer.body.errors[0].code).toBe('CLE_API_NON_HABILITEE');
      expect(await isEntrepriseContact(gateway.db, DEMO_ENTREPRISE.siren, DEMO_ENTREPRISE.courriel)).toBe(true);
    } finally {
      await gateway.close();
    }
  });

  it.skipIf(usingPostgres)('creates nothing with NODE_ENV=production, nor with DEMO=false', async () => {
    const envs: Array<Record<string, string>> = [{ NODE_ENV: 'production' }, { DEMO: 'false' }];
    for (const env of envs) {
      const gateway = await createGateway(config(env));
      try {
        expect(gateway.demoKeys, JSON.stringify(env)).toBeUndefined();
        expect(Number(((await gateway.db('cles_api').count({ n: '*' }).first()) as { n: string }).n)).toBe(0);
      } finally {
        await gateway.close();
      }
    }
  });

  it.runIf(usingPostgres)('creates nothing on PostgreSQL (DATABASE_URL), even on an empty schema', async () => {
    const schema = `t_demo_${Date.now().toString(36)}`;
    const gateway = await createGateway(config({ DATABASE_URL: process.env.TEST_DATABASE_URL ?? '', DATABASE_SCHEMA: schema }));
    try {
      expect(gateway.demoKeys).toBeUndefined();
      expect(Number(((await gateway.db('cles_api').count({ n: '*' }).first()) as { n: string }).n)).toBe(0);
    } finally {
      await gateway.db.raw('drop schema if exists ?? cascade', [schema]);
      await gateway.close();
    }
  });
});

describe('npm start on a fresh DATA_DIR, then the CLI while it runs, then a second start', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cgw-demo-'));
  const env = { ...process.env, DATA_DIR: dir, DATABASE_URL: '', LOG_LEVEL: 'info', JOBS_ENABLED: 'false', PORT: '0', METRICS_PORT: '0', DEMO: '', NODE_ENV: 'development' };
  type Server = ChildProcessByStdio<null, Readable, Readable>;
  let server: Server | undefined;
  afterAll(() => {
    if (server?.exitCode === null) server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(): Promise<{ child: Server; port: number; output: () => string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no port in: ${output}`)), 90_000);
      child.once('exit', () => { clearTimeout(timer); reject(new Error(`server exited: ${output}`)); });
      child.stdout.on('data', () => {
        const m = /"port":(\d+)/.exec(output);
        if (m) { clearTimeout(timer); resolve(Number(m[1])); }
      });
    });
    return { child, port, output: () => output };
  }

  async function stop(child: Server): Promise<number | null> {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    return ((await exited) as [number | null])[0];
  }

  let cfaKey = '';
  it.skipIf(usingPostgres)('the first start prints the three keys once with a curl line that works', async () => {
    const { child, port, output } = await start();
    const text = output();
    const keys = { cfa: text.match(KEY.cfa) ?? [], entreprise: text.match(KEY.entreprise) ?? [], opco: text.match(KEY.opco) ?? [] };
    // Each key twice at most: on its own line, and the CFA's in the curl line.
    expect(new Set(keys.cfa).size).toBe(1);
    expect(new Set(keys.entreprise).size).toBe(1);
    expect(new Set(keys.opco).size).toBe(1);
    cfaKey = keys.cfa[0] ?? '';
    // Never in a JSON log line.
    for (const line of text.split('\n').filter((l) => l.startsWith('{'))) expect(line).not.toMatch(/(cfa|ent|opco)_[A-Za-z0-9_-]{43}/);
    const curl = text.split('\n').find((l) => l.trim().startsWith('curl ')) ?? '';
    const m = /curl -H "X-API-KEY: (\S+)" "http:\/\/localhost:(\d+)(\/\S+)"/.exec(curl);
    expect(m?.[1]).toBe(cfaKey);
    expect(Number(m?.[2])).toBe(port);
    const res = await fetch(`http://127.0.0.1:${port}${m?.[3] ?? ''}`, { headers: { 'X-API-KEY': cfaKey } });
    expect(res.status).toBe(200);
    // How to fill this very database: its DATA_DIR (not the default one) comes with the command.
    expect(text).toContain(`DATA_DIR=${dir} npm run demo`);

    // The CLI (here `demo`) run against the embedded database the server holds: one clear line, exit 1, nothing written.
    const cli = await run(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', 'demo', '--dossiers', '20'], { env }).then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => e);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toBe('');
    expect(cli.stderr.trim().split('\n')).toEqual([`La base embarquée (${dir}) est utilisée par un serveur en marche (pid ${child.pid}) : arrêtez-le avant de relancer la commande.`]);
    const still = await fetch(`http://127.0.0.1:${port}/v2/dossiers/etats?numeroPage=1`, { headers: { 'X-API-KEY': cfaKey } });
    expect((await still.json() as { total: number }).total).toBe(0);
    expect(await stop(child)).toBe(0);
  }, 150_000);

  it.skipIf(usingPostgres)('the second start creates and prints nothing, and the first keys still work', async () => {
    const { child, port, output } = await start();
    expect(output()).not.toMatch(/(cfa|ent|opco)_[A-Za-z0-9_-]{43}/);
    expect(output()).not.toContain('Démonstration');
    const res = await fetch(`http://127.0.0.1:${port}/v2/dossiers/etats?numeroPage=1`, { headers: { 'X-API-KEY': cfaKey } });
    expect(res.status).toBe(200);
    expect(await stop(child)).toBe(0);
  }, 120_000);

  it('`demo` with NODE_ENV=production is refused in one line before the database is opened', async () => {
    const fresh = path.join(dir, 'production');
    const result = await run(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', 'demo'], { env: { ...env, DATA_DIR: fresh, NODE_ENV: 'production' } })
      .then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => e);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining('NODE_ENV=production')]);
    expect(existsSync(fresh)).toBe(false);
  }, 60_000);
});

describe('npm run demo: the data set, seen through the API', () => {
  let database: TestDatabase;
  let t: TestGateway;
  let out: string[];
  let cfa: string;
  const DOSSIERS = 30;

  beforeAll(async () => {
    database = await createTestDatabase();
    out = [];
    await runDemo(database.db, ['--dossiers', String(DOSSIERS)], (l) => out.push(l), config({}));
    t = await startTestGateway({}, database);
    cfa = out.join('\n').match(KEY.cfa)?.[0] ?? '';
  }, 240_000);
  afterAll(async () => {
    await t.close();
    await database.drop();
  });

  const total = async (route: string, query: Record<string, string> = {}): Promise<number> => {
    const res = await t.http.get(route).query({ taillePage: '1', ...query }).set('X-API-KEY', cfa);
    expect(res.status, `${route} ${JSON.stringify(query)} ${JSON.stringify(res.body)}`).toBe(200);
    return res.body.total as number;
  };

  it('prints what it loaded and the demo keys it created (none existed)', () => {
    expect(out[0]).toMatch(new RegExp(`^jeu de démonstration chargé : ${DOSSIERS} dossier\\(s\\)`));
    expect(cfa).toMatch(/^cfa_/);
    expect(out.join('\n')).toMatch(KEY.opco);
  });

  it('every dossier state shows in the CFA\'s lists, and the dossiers list counts them all', async () => {
    expect(await total('/v2/suivi/dossiers')).toBe(DOSSIERS);
    expect((await t.http.get('/v2/dossiers/etats').query({ numeroPage: 1 }).set('X-API-KEY', cfa)).body.total).toBe(DOSSIERS);
    for (const etat of ETATS_DOSSIER) {
      expect(await total('/v2/suivi/dossiers', { etat }), etat).toBeGreaterThan(0);
      expect((await t.http.get('/v2/dossiers/etats').query({ numeroPage: 1, etat }).set('X-API-KEY', cfa)).body.total, etat).toBeGreaterThan(0);
    }
  });

  it('every invoice state, payments, refunds in each state, drafts, soldes', async () => {
    for (const etat of ETATS_FACTURE) expect(await total('/v2/suivi/factures', { etat }), etat).toBeGreaterThan(0);
    expect(await total('/v2/suivi/reglements')).toBeGreaterThan(0);
    expect((await t.http.get('/v2/reglements').set('X-API-KEY', cfa)).status).toBe(200);
    for (const etat of ETATS_REMBOURSEMENT) expect(await total('/v2/suivi/remboursements', { etat }), etat).toBeGreaterThan(0);
    expect(await total('/v2/suivi/facturations', { etat: 'EN_COURS' })).toBeGreaterThan(0);
    expect(await total('/v2/suivi/soldes', { etat: 'SOLDE' })).toBeGreaterThan(0);
  });

  it('every counter of « mes actions à mener » and each of their lists is populated', async () => {
    const actions = await t.http.get('/v2/pilotage/actions').set('X-API-KEY', cfa);
    expect(actions.status).toBe(200);
    const counters = Object.entries(actions.body as Record<string, { nombre: number; liste: string }>);
    expect(counters).toHaveLength(5);
    for (const [name, { nombre, liste }] of counters) {
      expect(nombre, name).toBeGreaterThan(0);
      expect(await total(liste), name).toBe(nombre);
    }
  });

  it('a second run is refused and adds nothing; the plan is deterministic and shows every path from its smallest size', async () => {
    const before = Number(((await t.db('dossiers').count({ n: '*' }).first()) as { n: string }).n);
    await expect(runDemo(t.db, ['--dossiers', '5'], () => {}, config({}))).rejects.toThrow(/déjà des dossiers/);
    expect(Number(((await t.db('dossiers').count({ n: '*' }).first()) as { n: string }).n)).toBe(before);
    expect(demoPlan(50, 3)).toEqual(demoPlan(50, 3));
    expect(new Set(demoPlan(DEMO_SMALLEST_COMPLETE, 1)).size).toBe(15);
  });

  it('is deterministic: the same seed and size give the same dossiers in the same states on another database', async () => {
    const other = await createTestDatabase();
    try {
      await runDemo(other.db, ['--dossiers', String(DOSSIERS)], () => {}, config({}));
      const picture = async (db: TestDatabase['db']) => ((await db('dossiers').orderBy('id').select('etat', 'mise_en_conformite', 'date_debut_contrat', 'cerfa')) as Array<{ etat: string; mise_en_conformite: boolean; date_debut_contrat: string; cerfa: { apprenti: { nom: string; prenom: string } } }>)
        .map((d) => [d.etat, d.mise_en_conformite, String(d.date_debut_contrat), d.cerfa.apprenti.nom, d.cerfa.apprenti.prenom].join(' '));
      const mine = await picture(t.db);
      expect(mine).toHaveLength(DOSSIERS);
      expect(await picture(other.db)).toEqual(mine);
      const factures = async (db: TestDatabase['db']) => ((await db('factures').orderBy('numero').select('numero', 'etat', 'montant_total_centimes', 'montant_regle_centimes')) as unknown[]);
      expect(await factures(other.db)).toEqual(await factures(t.db));
    } finally {
      await other.drop();
    }
  }, 240_000);

  it('is refused with NODE_ENV=production and writes nothing', async () => {
    const count = async (table: string) => Number(((await t.db(table).count({ n: '*' }).first()) as { n: string }).n);
    const before = [await count('dossiers'), await count('cles_api'), await count('audit_ecritures')];
    await expect(runDemo(t.db, ['--dossiers', '5'], () => {}, config({ NODE_ENV: 'production' }))).rejects.toThrow(/NODE_ENV=production/);
    expect([await count('dossiers'), await count('cles_api'), await count('audit_ecritures')]).toEqual(before);
  });
});
