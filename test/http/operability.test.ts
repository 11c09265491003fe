import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { acquireEmbeddedLock, checkEmbeddedLock, EmbeddedDatabaseLockedError } from '../../src/db/embedded-lock.js';
import { createGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/observability/logger.js';
import { LogCapture, startTestGateway, usingPostgres, type TestGateway } from '../helpers/gateway.js';

const run = promisify(execFile);

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ LOG_LEVEL: 'trace' });
});
afterAll(async () => t.close());

const PERSONAL = {
  nir: '106057512345678',
  nom: 'Dupontel',
  prenom: 'Maëlys',
  dateNaissance: '2006-05-14',
  courriel: 'maelys.dupontel@example.org',
  telephone: '0612345678',
  iban: 'FR7630006000011234567890189',
  adresse: { adresse1: '12 rue des Lilas', codePostal: '75012', commune: 'Paris' },
};

describe('log redaction', () => {
  it('no personal value of a CERFA-like request reaches the logs', async () => {
    const key = await t.cfaKey('111111118');
    const body = { cerfa: { apprenti: { ...PERSONAL }, maitre1: { nom: 'Lemaréchal', prenom: 'Joséphine' } } };
    await t.http.post('/v2/dossiers').set('X-API-KEY', key).set('Authorization', 'Bearer at_secret_token_value').send(body);
    // Log the body explicitly too, nested deep, as a careless developer might.
    t.gateway.logger.info({ requete: { body, headers: { 'X-API-KEY': key, authorization: 'Bearer at_secret_token_value' } }, client_secret: 'secret_value_42' }, 'trace');
    const text = t.logs.text;
    expect(text).toContain('requête traitée');
    for (const value of [...Object.values(PERSONAL).filter((v): v is string => typeof v === 'string'), '12 rue des Lilas', 'Lemaréchal', 'Joséphine', key, 'at_secret_token_value', 'secret_value_42']) {
      expect(text).not.toContain(value);
    }
    expect(text).toContain('[MASQUÉ]');
  });

  it('one line per request with method, route, status, duration, request id and SIREN, never the key', async () => {
    const key = await t.cfaKey('999999999');
    const logs = new LogCapture();
    const logger = createLogger('info', logs);
    logger.info({ siren: '999999999', nir: PERSONAL.nir, nested: { deeper: [{ courriel: PERSONAL.courriel }] } }, 'x');
    expect(logs.text).not.toContain(PERSONAL.nir);
    expect(logs.text).not.toContain(PERSONAL.courriel);

    const res = await t.http.get('/v1/dossiers').query({ numeroInterne: '000000000000' }).set('X-API-KEY', key).set('X-Request-Id', 'req-log-1');
    expect(res.status).toBe(404);
    const line = t.logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.requestId === 'req-log-1');
    expect(line).toMatchObject({ method: 'GET', route: '/v1/dossiers', status: 404, siren: '999999999', msg: 'requête traitée' });
    expect(typeof line?.durationMs).toBe('number');
    expect(JSON.stringify(line)).not.toContain(key);
  });
});

describe('readiness', () => {
  it.runIf(usingPostgres)('/ready answers 503 while PostgreSQL does not answer', async () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test', JOBS_ENABLED: 'false', LOG_LEVEL: 'silent' });
    const gateway = await createGateway(config, { skipMigrations: true });
    try {
      const res = await supertest(gateway.app).get('/ready');
      expect(res.status).toBe(503);
      expect((await supertest(gateway.app).get('/v2/status')).body.status).toBe('unhealthy');
    } finally {
      await gateway.close();
    }
  });

  it('/ready answers 503 once the database is gone, and once shutdown began', async () => {
    const local = await startTestGateway();
    expect((await local.http.get('/ready')).status).toBe(200);
    local.gateway.lifecycle.shuttingDown = true;
    expect((await local.http.get('/ready')).status).toBe(503);
    local.gateway.lifecycle.shuttingDown = false;
    await local.db.destroy();
    expect((await local.http.get('/ready')).status).toBe(503);
    await local.gateway.close();
    if (usingPostgres) await t.db.raw('drop schema if exists ?? cascade', [local.config.databaseSchema]);
  });
});

describe('graceful shutdown', () => {
  /** A server on an embedded database in `dir`, started by `command`: its output so far, and its port once it listens. */
  function serve(command: string, args: string[], dir: string) {
    const child = spawn(command, args, {
      env: { ...process.env, PORT: '0', METRICS_PORT: '0', DATA_DIR: dir, DATABASE_URL: '', LOG_LEVEL: 'info', JOBS_ENABLED: 'false', DEMO: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => { text += chunk.toString(); });
    const port = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no port in: ${text}`)), 60_000);
      child.stdout.on('data', () => {
        const m = /"port":(\d+)/.exec(text);
        if (m) { clearTimeout(timer); resolve(Number(m[1])); }
      });
    });
    return { child, port, output: () => text };
  }

  it('on SIGTERM: stops accepting, lets the in-flight request finish, closes the database, exits 0', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cgw-stop-'));
    const { child, port: listening, output } = serve(process.execPath, ['--import', 'tsx', 'src/main.ts'], dir);
    try {
      const port = await listening;
      // A request in flight when the signal arrives (headers sent, body not yet) still gets its answer.
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      let answer = '';
      socket.on('data', (chunk: Buffer) => { answer += chunk.toString(); });
      const body = 'grant_type=client_credentials';
      socket.write(`POST /oauth/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`);
      await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      socket.end(body);
      await once(socket, 'close');
      expect(answer).toMatch(/^HTTP\/1\.1 400/);
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
      expect(output()).toContain('arrêt terminé');
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('npm start: a SIGTERM sent to npm stops the server too (the shell between them does not pass it on)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cgw-npm-'));
    const { child: npm, port: listening, output } = serve('npm', ['start', '--silent'], dir);
    try {
      const port = await listening;
      npm.kill('SIGTERM');
      // The server's own output (its pipe outlives npm) says it stopped; the port is closed.
      for (let i = 0; i < 100 && !output().includes('arrêt terminé'); i += 1) await new Promise((r) => setTimeout(r, 100));
      expect(output()).toContain('parent arrêté');
      expect(output()).toContain('arrêt terminé');
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    } finally {
      if (npm.exitCode === null) npm.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('serves /metrics on METRICS_PORT only, not on the API port', async () => {
    const probe = createServer().listen(0);
    await once(probe, 'listening');
    const metricsPort = (probe.address() as AddressInfo).port;
    probe.close();
    const dir = mkdtempSync(path.join(tmpdir(), 'cgw-metrics-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, PORT: '0', METRICS_PORT: String(metricsPort), DATA_DIR: dir, DATABASE_URL: '', LOG_LEVEL: 'info', JOBS_ENABLED: 'false', DEMO: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ports in: ${output}`)), 60_000);
        child.stdout.on('data', () => {
          const m = /"port":(\d+),"database"/.exec(output);
          if (m && output.includes('métriques à l’écoute')) { clearTimeout(timer); resolve(Number(m[1])); }
        });
      });
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('gateway_http_requests_total{method="GET",route="/health",status_code="200"}');
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('configuration', () => {
  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ LOG_LEVEL: 'bavard' }, 'LOG_LEVEL'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ REQUIRE_BEARER: 'peut-être' }, 'REQUIRE_BEARER'],
    [{ JSON_BODY_LIMIT: 'beaucoup' }, 'JSON_BODY_LIMIT'],
  ])('rejects %o naming the variable', (env, name) => {
    expect(() => loadConfig(env)).toThrow(name);
  });

  it('a bad value stops the server at boot: one line, exit code 1', async () => {
    const result = await run('npx', ['tsx', 'src/main.ts'], { env: { ...process.env, PORT: '99999' } }).catch((e: { code: number; stderr: string }) => e);
    expect('code' in result ? result.code : 0).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('PORT');
  });
});

describe('CLI', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cgw-cli-'));
  const env = usingPostgres
    ? { ...process.env, DATABASE_URL: process.env.TEST_DATABASE_URL, DATABASE_SCHEMA: `cli_${process.pid}` }
    : { ...process.env, DATA_DIR: dir, DATABASE_URL: '' };
  const cli = (...args: string[]) => run('npx', ['tsx', 'src/cli/run.ts', ...args], { env });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    if (usingPostgres) await t.db.raw('drop schema if exists ?? cascade', [`cli_${process.pid}`]);
  });

  it('creates a CFA key printed alone on the last line, lists and revokes it, creates a vendor client', async () => {
    const created = await cli('keys', 'create', '--role', 'cfa', '--siren', '123456789', '--uai', '0561910X', '--label', 'CFA CLI', '--expires', '2099-01-01');
    const key = created.stdout.trim().split('\n').pop() ?? '';
    expect(key).toMatch(/^cfa_[A-Za-z0-9_-]{43}$/);
    const listed = await cli('keys', 'list');
    expect(listed.stdout).toContain('123456789');
    expect(listed.stdout).not.toContain(key);
    const id = listed.stdout.trim().split('\t')[0] ?? '';
    expect((await cli('keys', 'revoke', id)).stdout).toContain('révoquée');
    expect((await cli('keys', 'list')).stdout).toContain('révoquée');
    const opco = await cli('keys', 'create', '--role', 'opco', '--label', 'instruction');
    expect(opco.stdout.trim().split('\n').pop()).toMatch(/^opco_/);
    const client = await cli('clients', 'create', '--editeur', 'ACME');
    expect(client.stdout).toMatch(/client_id=cgw-\S+\nclient_secret=secret_\S+/);
    expect((await cli('migrate')).stdout).toContain('base déjà à jour');
  }, 90_000);

  it('refuses a CFA key without SIREN with exit code 2', async () => {
    const result = await cli('keys', 'create', '--role', 'cfa').catch((e: { code: number; stderr: string }) => e);
    expect('code' in result ? result.code : 0).toBe(2);
    expect(result.stderr).toContain('--siren');
  }, 60_000);
});

describe('embedded database lock (one process at a time on DATA_DIR)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cgw-lock-'));
  const env = { ...process.env, DATA_DIR: dir, DATABASE_URL: '', LOG_LEVEL: 'info', JOBS_ENABLED: 'false', PORT: '0', METRICS_PORT: '0', DEMO: 'false' };
  type Result = { code: number; stdout: string; stderr: string };
  const node = (script: string, ...args: string[]) => run(process.execPath, ['--import', 'tsx', script, ...args], { env })
    .then((r) => ({ code: 0, ...r }), (e: Result) => e);
  const cli = (...args: string[]) => node('src/cli/run.ts', ...args);
  type Server = ChildProcessByStdio<null, Readable, Readable>;
  let server: Server | undefined;

  /** `npm start` on the temp DATA_DIR; resolves once /ready answers 200. */
  async function startServer(): Promise<{ child: Server; port: number }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no port in: ${output}`)), 60_000);
      child.once('exit', () => { clearTimeout(timer); reject(new Error(`server exited: ${output}`)); });
      child.stdout.on('data', () => {
        const m = /"port":(\d+)/.exec(output);
        if (m) { clearTimeout(timer); resolve(Number(m[1])); }
      });
    });
    for (let i = 0; (await fetch(`http://127.0.0.1:${port}/ready`)).status !== 200; i++) {
      if (i > 50) throw new Error('server never ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    return { child, port };
  }

  async function stopServer(child: Server): Promise<number | null> {
    if (child.exitCode !== null) return child.exitCode;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    return ((await exited) as [number | null])[0];
  }

  afterAll(async () => {
    if (server?.exitCode === null) server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(usingPostgres)('while a server runs, the CLI refuses in one line, exit 1, and writes nothing', async () => {
    server = (await startServer()).child;
    const result = await cli('keys', 'create', '--role', 'cfa', '--siren', '123456789');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      `La base embarquée (${dir}) est utilisée par un serveur en marche (pid ${server.pid}) : arrêtez-le, ou créez la clé sur le serveur avec POST /back-office/v1/cles.`,
    ]);
    const listed = await cli('keys', 'list');
    expect(listed.code).toBe(1);
    expect(listed.stderr).toContain('GET /back-office/v1/cles');
    expect(await checkEmbeddedLock(dir)).toMatchObject({ pid: server.pid, role: 'serveur' });
  }, 90_000);

  it.skipIf(usingPostgres)('a second server on the same DATA_DIR refuses to start in one line, exit 1', async () => {
    expect(server?.exitCode).toBeNull();
    const result = await node('src/main.ts');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`démarrage impossible : La base embarquée (${dir}) est utilisée par un serveur en marche (pid ${server?.pid})`);
    expect(lines[0]).toContain('DATABASE_URL');
  }, 60_000);

  it.skipIf(usingPostgres)('once the server stopped (SIGTERM) the CLI works, nothing was written before, and the key works on the next server', async () => {
    expect(await stopServer(server!)).toBe(0);
    expect(await checkEmbeddedLock(dir)).toBeNull();
    const before = await cli('keys', 'list');
    expect(before).toMatchObject({ code: 0, stdout: '' });
    const created = await cli('keys', 'create', '--role', 'cfa', '--siren', '123456789');
    expect(created.code).toBe(0);
    const key = created.stdout.trim().split('\n').pop() ?? '';
    expect(key).toMatch(/^cfa_/);
    const next = await startServer();
    server = next.child;
    const info = await fetch(`http://127.0.0.1:${next.port}/v2/cfakeyinfo?siren=123456789&XAPIKEY=${encodeURIComponent(key)}`);
    expect(info.status).toBe(200);
    expect(await stopServer(next.child)).toBe(0);
  }, 120_000);

  it.skipIf(usingPostgres)('a server does not start while a CLI command holds DATA_DIR', async () => {
    const lock = await acquireEmbeddedLock(dir, { role: 'cli' });
    try {
      const result = await node('src/main.ts');
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(`est utilisée par une commande en cours (pid ${process.pid})`);
      await expect(acquireEmbeddedLock(dir, { role: 'cli' })).rejects.toBeInstanceOf(EmbeddedDatabaseLockedError);
    } finally {
      await lock.release();
    }
    expect(await checkEmbeddedLock(dir)).toBeNull();
    await (await acquireEmbeddedLock(dir, { role: 'cli' })).release();
  }, 60_000);

  it.runIf(usingPostgres)('with DATABASE_URL nothing is locked: two gateways share PostgreSQL', async () => {
    const config = loadConfig({ DATABASE_URL: process.env.TEST_DATABASE_URL, DATA_DIR: dir, JOBS_ENABLED: 'false', LOG_LEVEL: 'silent' });
    const first = await createGateway(config, { skipMigrations: true });
    const second = await createGateway(config, { skipMigrations: true });
    expect(existsSync(path.join(dir, '.gateway.lock'))).toBe(false);
    await first.close();
    await second.close();
  });

  it(':memory: never locks', async () => {
    const a = await acquireEmbeddedLock(':memory:', { role: 'serveur' });
    const b = await acquireEmbeddedLock(':memory:', { role: 'serveur' });
    expect(await checkEmbeddedLock(':memory:')).toBeNull();
    await a.release();
    await b.release();
  });
});
