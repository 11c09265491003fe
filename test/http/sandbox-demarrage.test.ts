/**
 * Sandbox mode kept apart from real data (docs/decisions/integration-sandbox.md): SANDBOX=true is
 * refused on a database holding dossiers or invoices written outside it; a database started in
 * sandbox mode is marked and refused to a normal start. Outside sandbox mode the sandbox routes,
 * the X-Sandbox header and the scenario header do not exist.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createDatabase } from '../../src/db/connection.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { markSandbox } from '../../src/db/sandbox.js';
import { SandboxStartError } from '../../src/services/sandbox.js';
import { FIXTURE_CFA_SIREN, validCerfaPayload } from '../fixtures/cerfa.js';
import { createTestDatabase, startTestGateway, usingPostgres, type TestGateway } from '../helpers/gateway.js';

const run = promisify(execFile);

describe('SANDBOX_* settings', () => {
  it('default off, delay 5 s; bad values name the variable', () => {
    expect(loadConfig({})).toMatchObject({ sandbox: false, sandboxDelaySeconds: 5 });
    expect(loadConfig({ SANDBOX: 'true', SANDBOX_DELAY_SECONDS: '0' })).toMatchObject({ sandbox: true, sandboxDelaySeconds: 0 });
    expect(() => loadConfig({ SANDBOX: 'peut-être' })).toThrow(/^SANDBOX must be true or false/);
    expect(() => loadConfig({ SANDBOX_DELAY_SECONDS: '-1' })).toThrow(/^SANDBOX_DELAY_SECONDS must be an integer/);
  });
});

describe('refusal at start', () => {
  it('SANDBOX=true on a database holding a dossier written outside sandbox mode: refused in one line, nothing marked', async () => {
    const database = await createTestDatabase();
    try {
      const normal = await startTestGateway({}, database);
      const key = await normal.cfaKey(FIXTURE_CFA_SIREN);
      expect((await normal.http.post('/v2/dossiers').set('X-API-KEY', key).send(validCerfaPayload(9201))).status).toBe(200);
      await normal.close();

      const refused = startTestGateway({ SANDBOX: 'true' }, database);
      await expect(refused).rejects.toThrow(SandboxStartError);
      await expect(refused).rejects.toThrow(/^SANDBOX=true refusé : la base contient des dossiers ou des factures écrits hors mode sandbox/);
      expect(await database.db('sandbox')).toHaveLength(0);
      // The normal start still works.
      await (await startTestGateway({}, database)).close();
    } finally {
      await database.drop();
    }
  });

  it('an empty database is marked on the first sandbox start and loaded with the NPEC sample; a normal start is then refused', async () => {
    const database = await createTestDatabase();
    try {
      // Keys alone are not production data (a demo key may precede the sandbox).
      const first = await startTestGateway({}, database);
      await first.cfaKey(FIXTURE_CFA_SIREN);
      await first.close();

      const sandbox = await startTestGateway({ SANDBOX: 'true' }, database);
      expect(await database.db('sandbox')).toHaveLength(1);
      const npec = await database.db('npec_referentiel').where({ rncp: '35340' });
      expect(npec.length).toBeGreaterThan(0);
      await sandbox.close();
      // Restarting in sandbox mode is fine.
      await (await startTestGateway({ SANDBOX: 'true' }, database)).close();

      await expect(startTestGateway({}, database)).rejects.toThrow(/^cette base est une base sandbox/);
    } finally {
      await database.drop();
    }
  });
});

describe('the server itself (npm start)', () => {
  it('on a sandbox database without SANDBOX=true: one line on stderr, exit code 1', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cgw-sandbox-'));
    // A sandbox database: the test's PostgreSQL schema, or an embedded one on disk.
    const database = usingPostgres ? await createTestDatabase() : undefined;
    const db = database?.db ?? createDatabase({ databaseUrl: undefined, dataDir: dir, schema: 'public', poolMax: 1 });
    try {
      if (!database) await migrateLatest(db, 'public');
      await markSandbox(db);
      if (!database) await db.destroy();
      const env = {
        ...process.env, PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'silent', SANDBOX: 'false',
        ...(database ? { DATABASE_URL: database.url, DATABASE_SCHEMA: database.schema } : { DATA_DIR: dir, DATABASE_URL: '' }),
      };
      const result = await run(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, timeout: 60_000 }).then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^démarrage impossible : cette base est une base sandbox/)]);
    } finally {
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('outside sandbox mode', () => {
  let t: TestGateway;
  let cfa: string;
  beforeAll(async () => {
    t = await startTestGateway();
    cfa = await t.cfaKey(FIXTURE_CFA_SIREN);
  });
  afterAll(async () => t.close());

  it('the sandbox routes do not exist (404 ROUTE_INCONNUE), are not documented, and no answer carries X-Sandbox', async () => {
    for (const req of [t.http.get('/sandbox/v1/horloge'), t.http.post('/sandbox/v1/horloge').send({ jours: 1 })]) {
      const res = await req.set('X-API-KEY', cfa);
      expect(res.status).toBe(404);
      expect(res.body.errors[0].code).toBe('ROUTE_INCONNUE');
      expect(res.headers['x-sandbox']).toBeUndefined();
    }
    const doc = (await t.http.get('/openapi.json')).body as { paths: Record<string, unknown>; components: { parameters: Record<string, unknown> }; tags: Array<{ name: string }> };
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/sandbox'))).toEqual([]);
    expect(doc.components.parameters).not.toHaveProperty('SandboxScenario');
    expect(doc.tags.map((x) => x.name)).not.toContain('Sandbox');
  });

  it('X-Sandbox-Scenario is ignored and nothing plays the OPCO', async () => {
    const res = await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).set('X-Sandbox-Scenario', 'inconnu').send(validCerfaPayload(9202));
    expect(res.status).toBe(200);
    expect(res.headers['x-sandbox']).toBeUndefined();
    expect(await t.db('sandbox_scenarios')).toHaveLength(0);
    const { runSandboxStep } = await import('../../src/services/sandbox.js');
    expect(await runSandboxStep(t.db, t.config, new Date(Date.now() + 3_600_000))).toEqual({ dossiers: 0, factures: 0, remboursements: 0, echecs: 0 });
    expect((await t.db('dossiers').where({ numero_interne: res.body.numeroInterne }).first('etat')).etat).toBe('TRANSMIS');
  });
});
