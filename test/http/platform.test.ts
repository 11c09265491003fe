import supertest from 'supertest';
import { createMetricsApp } from '../../src/http/metrics-app.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => t.close());

describe('health and status', () => {
  it('GET /health answers ok without authentication', async () => {
    const res = await t.http.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /ready answers 200 when the database answers', async () => {
    const res = await t.http.get('/ready');
    expect(res.status).toBe(200);
  });

  it.each(['/v1/status', '/v2/status'])('%s follows the norm', async (path) => {
    const res = await t.http.get(path);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('healthy');
    expect(res.body.supportedVersions).toEqual(['1.0', '2.0']);
    expect(Number.isInteger(res.body.uptime)).toBe(true);
  });
});

describe('error shapes', () => {
  it('unknown route: 404 in the norm shape with RFC 9457 members', async () => {
    const res = await t.http.get('/nulle-part').set('X-Request-Id', 'abc-123');
    expect(res.status).toBe(404);
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect(res.body).toMatchObject({
      errors: [{ code: 'ROUTE_INCONNUE', description: expect.stringContaining('GET /nulle-part') }],
      status: 404,
      title: 'Introuvable',
      instance: 'abc-123',
    });
    expect(res.body.type).toMatch(/^https:\/\//);
    // One error: the top-level description is its text (some clients print nothing else).
    expect(res.body.description).toBe(res.body.errors[0].description);
  });

  it('several errors: a top-level description sums them up in French, first one quoted', async () => {
    const key = await t.cfaKey('123456782');
    const res = await t.http.get('/v2/dossiers/etats').query({ numeroPage: 0, taillePage: 5000, etat: 'PERDU' }).set('X-API-KEY', key);
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(3);
    expect(res.body.description).toBe(`3 erreurs : ${res.body.errors[0].description} (…)`);
    expect(res.body.description).toMatch(/^3 erreurs : Le paramètre numeroPage /);
  });

  it('an invalid incoming X-Request-Id is replaced by a fresh one', async () => {
    const res = await t.http.get('/health').set('X-Request-Id', 'bad id with spaces');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('malformed JSON: 400 JSON_MALFORME', async () => {
    const key = await t.opcoKey();
    const res = await t.http.post('/back-office/v1/cles').set('X-API-KEY', key).set('Content-Type', 'application/json').send('{"siren": ');
    expect(res.status).toBe(400);
    expect(res.body.errors[0].code).toBe('JSON_MALFORME');
    expect(res.body.description).toBe(res.body.errors[0].description);
    expect(res.body.errors[0].description).toBe("Le corps de la requête n'est pas un JSON valide : erreur de syntaxe ligne 1, colonne 11.");
  });

  it('malformed JSON says where (line, column); a lone value says an object is expected', async () => {
    const key = await t.opcoKey();
    const send = (text: string) => t.http.post('/back-office/v1/cles').set('X-API-KEY', key).set('Content-Type', 'application/json').send(text);
    const broken = await send('{\n  "siren": "123456789",\n  "libelle": "x",,\n}');
    expect(broken.body.errors[0]).toMatchObject({ code: 'JSON_MALFORME', description: expect.stringContaining('ligne 3, colonne 18') });
    for (const lone of ['null', '42', '"texte"', 'true']) {
      const res = await send(lone);
      expect(res.status, lone).toBe(400);
      expect(res.body.errors[0]).toMatchObject({ code: 'JSON_MALFORME', description: expect.stringContaining('doit être un objet JSON') });
    }
  });

  it('body over the limit: 413', async () => {
    const key = await t.opcoKey();
    const big = JSON.stringify({ siren: '123456789', libelle: 'x'.repeat(1024 * 1024 + 10) });
    const res = await t.http.post('/back-office/v1/cles').set('X-API-KEY', key).set('Content-Type', 'application/json').send(big);
    expect(res.status).toBe(413);
    expect(res.body.errors[0].code).toBe('CORPS_TROP_VOLUMINEUX');
  });

  it('unexpected failure: 500 with a generic description, the request id, and no internals', async () => {
    const key = await t.opcoKey();
    // Break the table the route writes to, so the route meets a genuine SQL error.
    await t.db.schema.renameTable('cles_api', 'cles_api_hors_service');
    try {
      const res = await t.http.get('/back-office/v1/cles').set('X-API-KEY', key);
      // The key lookup itself fails: a database error, reported as 500.
      expect(res.status).toBe(500);
      expect(res.body.errors).toEqual([{ code: 'ERREUR_INTERNE', description: expect.stringContaining('identifiant de la requête') }]);
      expect(res.body.instance).toBe(res.headers['x-request-id']);
      expect(res.body.description).toBe(res.body.errors[0].description);
      const text = JSON.stringify(res.body);
      expect(text).not.toMatch(/cles_api|select|relation|stack|at .*\.ts/i);
    } finally {
      await t.db.schema.renameTable('cles_api_hors_service', 'cles_api');
    }
  });

  it('no x-powered-by, helmet headers present', async () => {
    const res = await t.http.get('/health');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
  });
});

describe('metrics', () => {
  it('exposes request counters by route template, never raw URLs, on the metrics port only', async () => {
    await t.http.get('/v1/status?numeroInterne=SECRET123');
    const key = await t.cfaKey('123456782');
    await t.http.get('/v2/dossiers').query({ numeroInterne: '404404404404' }).set('X-API-KEY', key);
    await t.http.get('/back-office/v1/dossiers/123').set('X-API-KEY', key);
    const res = await supertest(createMetricsApp(t.gateway.metrics)).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('gateway_http_requests_total{method="GET",route="/v1/status",status_code="200"}');
    // Error answers keep the declared template, version prefix included.
    expect(res.text).toContain('gateway_http_requests_total{method="GET",route="/v2/dossiers",status_code="404"}');
    expect(res.text).toContain('route="/back-office/v1/dossiers/{numeroInterne}",status_code="403"');
    expect(res.text).toContain('gateway_http_request_duration_seconds_bucket');
    expect(res.text).not.toContain('SECRET123');
    expect((await t.http.get('/metrics')).status).toBe(404);
  });
});

describe('docs', () => {
  it('serves the OpenAPI document and a local Swagger UI page', async () => {
    const doc = await t.http.get('/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const page = await t.http.get('/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('/docs/assets/swagger-ui-bundle.js');
    expect(page.text).not.toMatch(/https?:\/\/(cdn|unpkg)/);
    const asset = await t.http.get('/docs/assets/swagger-ui-bundle.js');
    expect(asset.status).toBe(200);
  });
});
