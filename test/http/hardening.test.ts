/**
 * Hostile input at the edge: text PostgreSQL cannot store, bad percent-encoding, undecodable
 * compression, deep nesting — each answered 4xx in the norm's error shape before any query; and a
 * database out of reach answered 503 with Retry-After.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createDatabase } from '../../src/db/connection.js';
import { createGateway } from '../../src/gateway.js';
import { FIXTURE_CFA_SIREN, validCerfaPayload } from '../fixtures/cerfa.js';
import { LogCapture, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import supertest from 'supertest';

let t: TestGateway;
let cfa: string;
let opco: string;

beforeAll(async () => {
  t = await startTestGateway();
  cfa = await t.cfaKey(FIXTURE_CFA_SIREN);
  opco = await t.opcoKey();
});
afterAll(async () => t.close());

const codes = (body: { errors: Array<{ code: string; champ?: string }> }): Array<[string, string | undefined]> => body.errors.map((e) => [e.code, e.champ]);

describe('text PostgreSQL cannot store', () => {
  it('a NUL in a CERFA field: 400 CARACTERE_INTERDIT naming the field, nothing stored', async () => {
    const body = validCerfaPayload(1);
    (body.cerfa.employeur as Record<string, unknown>).denomination = 'SARL\u0000';
    (body.cerfa.apprenti as Record<string, unknown>).nom = 'Dupont\uD800';
    const res = await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).send(body);
    expect(res.status).toBe(400);
    expect(codes(res.body)).toEqual([['CARACTERE_INTERDIT', '/cerfa/apprenti/nom'], ['CARACTERE_INTERDIT', '/cerfa/employeur/denomination']]);
    expect(await t.db('dossiers').count({ n: '*' }).first()).toMatchObject({ n: expect.anything() });
    expect(Number((await t.db('dossiers').count({ n: '*' }).first())?.n)).toBe(0);
  });

  it('a NUL or a lone surrogate in a query parameter, a member name or a back-office comment', async () => {
    const query = await t.http.get('/v2/dossiers?numeroInterne=1%00').set('X-API-KEY', cfa);
    expect(query.status).toBe(400);
    expect(codes(query.body)).toEqual([['CARACTERE_INTERDIT', '/numeroInterne']]);
    // An encoded surrogate is not valid UTF-8: refused as bad percent-encoding (test/http/query-hygiene.test.ts).
    const invalidUtf8 = await t.http.get('/v2/dossiers?numeroInterne=%ED%A0%80').set('X-API-KEY', cfa);
    expect(invalidUtf8.status).toBe(400);
    expect(codes(invalidUtf8.body)).toEqual([['CHEMIN_INVALIDE', '/numeroInterne']]);
    const surrogate = await t.http.get(`/v2/dossiers?numeroInterne=${encodeURIComponent('1')}%00`).set('X-API-KEY', cfa);
    expect(surrogate.status).toBe(400);
    const created = await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).send(validCerfaPayload(2));
    expect(created.status).toBe(200);
    const comment = await t.http.post(`/back-office/v1/dossiers/${created.body.numeroInterne}/transitions`).set('X-API-KEY', opco).send({ vers: 'ANNULE', commentaire: 'x\uDC00y' });
    expect(comment.status).toBe(400);
    expect(codes(comment.body)).toEqual([['CARACTERE_INTERDIT', '/commentaire']]);
    const member = await t.http.post('/v2/simulations/remuneration').set('X-API-KEY', cfa).send({ 'a\u0000b': 1 });
    expect(member.status).toBe(400);
    expect(member.body.errors[0].code).toBe('CARACTERE_INTERDIT');
  });

  it('a NUL in HTTP Basic credentials of the token endpoint', async () => {
    for (const credentials of ['a\u0000:b', 'a:b\u0000', 'a%00:b']) {
      const res = await t.http.post('/oauth/token').type('form').set('Authorization', `Basic ${Buffer.from(credentials).toString('base64')}`).send('grant_type=client_credentials');
      expect(res.status, credentials).toBeLessThan(500);
      if (!credentials.includes('%')) expect(res.body.errors[0]).toMatchObject({ code: 'CARACTERE_INTERDIT', champ: '/Authorization' });
    }
  });

  it('a NUL in the OAuth client_id', async () => {
    const res = await t.http.post('/oauth/token').type('form').send('grant_type=client_credentials&client_id=a%00&client_secret=b');
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ code: 'CARACTERE_INTERDIT', champ: '/client_id' });
  });
});

describe('malformed requests', () => {
  it('bad percent-encoding in a path id: 400', async () => {
    for (const path of ['/back-office/v1/dossiers/%C3%28', '/back-office/v1/factures/%E0%A4%A', '/v2/remboursements/%C3%28/declaration']) {
      const res = path.startsWith('/v2') ? await t.http.post(path).set('X-API-KEY', cfa).send({ mode: 'VIREMENT' }) : await t.http.get(path).set('X-API-KEY', opco);
      expect(res.status, path).toBe(400);
      expect(res.body.errors[0].code, path).toBe('CHEMIN_INVALIDE');
    }
  });

  it('an undecodable compressed body: 400; an unsupported encoding: 415', async () => {
    // Raw bytes over a real socket: supertest would serialise a Buffer as JSON.
    const server = t.gateway.app.listen(0);
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const post = (encoding: string, body: Buffer) => fetch(`http://127.0.0.1:${port}/v2/dossiers`, {
      method: "POST", body: new Uint8Array(body), headers: { 'X-API-KEY': cfa, 'Content-Type': 'application/json', 'Content-Encoding': encoding },
    });
    try {
      const gzip = await post('gzip', Buffer.from('\x1f\x8b\x08\x00garbage', 'latin1'));
      expect(gzip.status).toBe(400);
      expect(((await gzip.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe('CORPS_ILLISIBLE');
      expect((await post('br', Buffer.from('{"cerfa":{}}'))).status).toBe(400);
      expect((await post('deflate', Buffer.from('zz'))).status).toBe(400);
      expect((await post('compress', Buffer.from('{}'))).status).toBe(415);
      // A well-formed gzip body is read as usual.
      expect((await post('gzip', gzipSync(JSON.stringify(validCerfaPayload(3))))).status).toBe(200);
    } finally {
      server.close();
    }
  });

  it('a number beyond the double range with an Idempotency-Key: 400 NOMBRE_HORS_LIMITES', async () => {
    for (const number of ['1e309', '-1e309', '9'.repeat(400)]) {
      const res = await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).set('Idempotency-Key', `grand-${number.length}-${number[0]}`).set('Content-Type', 'application/json').send(`{"cerfa":{"contrat":{"salaireEmbauche":${number}}}}`);
      expect(res.status, number).toBe(400);
      expect(codes(res.body)).toEqual([['NOMBRE_HORS_LIMITES', '/cerfa/contrat/salaireEmbauche']]);
    }
  });

  it('undeclared query parameters are ignored, even hostile ones', async () => {
    expect((await t.http.get('/health?q=%00')).status).toBe(200);
    expect((await t.http.get('/v2/dossiers/etats?inconnu=%00').set('X-API-KEY', cfa)).status).toBe(200);
  });

  it('deeply nested JSON with an Idempotency-Key: 400 PROFONDEUR_EXCESSIVE', async () => {
    for (const depth of [100, 3000, 10_000]) {
      const body = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      const res = await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).set('Idempotency-Key', `deep-${depth}`).set('Content-Type', 'application/json').send(body);
      expect(res.status, String(depth)).toBe(400);
      expect(res.body.errors[0].code).toBe('PROFONDEUR_EXCESSIVE');
    }
  });
});

describe('the database out of reach', () => {
  it('answers 503 in the norm\'s shape with Retry-After, and logs JSON lines only', async () => {
    const logs = new LogCapture();
    // Nothing listens on port 1: every connection is refused.
    const config = loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/absente', JOBS_ENABLED: 'false', RATE_LIMIT_PER_MINUTE: '0', VALIDATE_RESPONSES: 'true' });
    const db = createDatabase({ databaseUrl: config.databaseUrl, dataDir: ':memory:', schema: 'public', poolMax: 2 });
    const gateway = await createGateway(config, { db, logDestination: logs, skipMigrations: true });
    try {
      const http = supertest(gateway.app);
      const res = await http.get('/v2/dossiers/etats').set('X-API-KEY', 'cfa_quelconque');
      expect(res.status).toBe(503);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.body.errors[0].code).toBe('SERVICE_INDISPONIBLE');
      expect((await http.get('/v2/status')).status).toBe(503);
      for (const line of logs.lines) expect(() => JSON.parse(line)).not.toThrow();
    } finally {
      await gateway.close();
      await db.destroy();
    }
  }, 30_000);
});
