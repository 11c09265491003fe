/**
 * Two gateway instances on one PostgreSQL (each with its own connection pool) behave as one:
 * identical contracts split across both make one dossier, the same invoice line is accepted once,
 * the rate limit is shared (Redis), a revocation is seen by both within a second, a scheduled job
 * runs once. PostgreSQL only: the embedded database is single-process by design.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/db/connection.js';
import { importNpecRows } from '../../src/db/financing.js';
import { revokeKey } from '../../src/db/keys.js';
import { FIXTURE_CFA_SIREN, validCerfaPayload } from '../fixtures/cerfa.js';
import { createTestDatabase, startTestGateway, usingPostgres, type TestDatabase, type TestGateway } from '../helpers/gateway.js';
import { facture, jsonBody } from './factures-fixture.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A second view of the same database through its own pool, as another instance would have. */
function secondPool(database: TestDatabase): TestDatabase {
  const db = createDatabase({ databaseUrl: database.url, dataDir: ':memory:', schema: database.schema, poolMax: 10 });
  return { ...database, db, drop: () => db.destroy() };
}

async function waitUntil(check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < withinMs) {
    if (await check()) return Date.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`not within ${withinMs} ms`);
}

describe.runIf(usingPostgres)('two instances on one PostgreSQL', () => {
  let database: TestDatabase;
  let other: TestDatabase;
  let a: TestGateway;
  let b: TestGateway;
  let cfa: string;
  let opco: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    other = secondPool(database);
    // A long key cache: only the revocation notice can make an instance forget a key in time.
    const env = { AUTH_CACHE_SECONDS: '600', REDIS_URL };
    a = await startTestGateway(env, database);
    b = await startTestGateway(env, other);
    cfa = await a.cfaKey(FIXTURE_CFA_SIREN);
    opco = await a.opcoKey();
    await importNpecRows(a.db, [{ rncp: '35340', idcc: '1486', npecCents: 800_000, dateEffet: '2024-07-15' }]);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await other.drop();
    await database.drop();
  });

  it('identical contracts split across both instances make one dossier', async () => {
    const payload = validCerfaPayload(501);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).http.post('/v2/dossiers').set('X-API-KEY', cfa).send(payload)));
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(new Set(answers.map((r) => r.body.numeroInterne)).size).toBe(1);
    const rows = await a.db('dossiers').where({ numero_interne: answers[0]?.body.numeroInterne }).count({ n: '*' });
    expect(Number(rows[0]?.n)).toBe(1);
  });

  it('the same invoice line sent to both instances is accepted once', async () => {
    const created = await a.http.post('/v2/dossiers').set('X-API-KEY', cfa).send(validCerfaPayload(502));
    for (const vers of ['EN_COURS_INSTRUCTION', 'ENGAGE']) {
      expect((await b.http.post(`/back-office/v1/dossiers/${created.body.numeroInterne}/transitions`).set('X-API-KEY', opco).send({ vers })).status).toBe(200);
    }
    const ligne = { numeroDossier: created.body.numeroExterne, numeroEcheance: 1, codificationEcheance: 'A1', natureLigne: 'PEDAGOGIE', montant: 3200, quantite: 1 };
    const answers = await Promise.all([a, b, a, b].map((g, i) => g.http.post('/v1/factures').set('X-API-KEY', cfa).send(jsonBody(facture([ligne], { numero: `FAC-2I-${i}` })))));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    expect(answers.filter((r) => r.status === 400)).toHaveLength(3);
    const enCours = await a.db('echeances as e').join('dossiers as d', 'd.id', 'e.dossier_id')
      .where({ 'd.numero_interne': created.body.numeroInterne, 'e.numero': 1 }).first('e.montant_en_cours_centimes');
    expect(Number(enCours?.montant_en_cours_centimes)).toBe(320_000);
  });

  it('a revocation through one instance, or the CLI, is seen by both within a second', async () => {
    for (const revoke of ['route', 'cli'] as const) {
      const key = await a.cfaKey(FIXTURE_CFA_SIREN);
      // Both instances have the key in their cache.
      for (const g of [a, b]) expect((await g.http.get('/v2/dossiers/etats').set('X-API-KEY', key)).status).toBe(200);
      const id = String((await a.db('cles_api').orderBy('id', 'desc').first('id')).id);
      if (revoke === 'route') expect((await a.http.delete(`/back-office/v1/cles/${id}`).set('X-API-KEY', opco)).status).toBe(204);
      else expect(await revokeKey(a.db, id)).toBe(true);
      for (const g of [a, b]) {
        const took = await waitUntil(async () => (await g.http.get('/v2/dossiers/etats').set('X-API-KEY', key)).status === 403, 1000);
        expect(took).toBeLessThan(1000);
      }
    }
  });

  it('a scheduled job runs once whichever instance fires it', async () => {
    const minute = new Date('2031-03-04T05:06:00Z');
    const ran = await Promise.all([a.gateway.jobs.runNow('purge-idempotence', minute), b.gateway.jobs.runNow('purge-idempotence', minute)]);
    expect(ran.filter(Boolean)).toHaveLength(1);
  });
});

describe.runIf(usingPostgres)('a rate limit shared through Redis', () => {
  let database: TestDatabase;
  let other: TestDatabase;
  let a: TestGateway;
  let b: TestGateway;

  beforeAll(async () => {
    database = await createTestDatabase();
    other = secondPool(database);
    a = await startTestGateway({ RATE_LIMIT_PER_MINUTE: '6', REDIS_URL }, database);
    b = await startTestGateway({ RATE_LIMIT_PER_MINUTE: '6', REDIS_URL }, other);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await other.drop();
    await database.drop();
  });

  it('counts one budget per key across both instances', async () => {
    const key = await a.cfaKey(FIXTURE_CFA_SIREN);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) statuses.push((await (i % 2 ? a : b).http.get('/v2/dossiers/etats').set('X-API-KEY', key)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
  });
});
