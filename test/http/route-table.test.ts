/**
 * Invariants of the route table: what express registers, what the contract documents and what the
 * table declares are the same set; operationIds are unique; every route has a role; the served
 * document is self-contained and valid OpenAPI 3.1; and the test-mode contract check catches a
 * drifting answer.
 */
import express from 'express';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { KEY_ROLES } from '../../src/db/keys.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { concretePaths, operationIdFor, route, type RouteDeclaration } from '../../src/http/route-table/declaration.js';
import { buildOpenApi } from '../../src/http/route-table/openapi.js';
import { expressPath, registerRoutes } from '../../src/http/route-table/register.js';
import { responseCheck } from '../../src/http/route-table/response-check.js';
import { routeTable } from '../../src/http/routes/index.js';
import { errorHandler } from '../../src/http/middleware/error-handler.js';
import { createKeyCache } from '../../src/http/key-cache.js';
import { createLogger } from '../../src/observability/logger.js';
import { createRateLimiting } from '../../src/http/middleware/rate-limit.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import supertest from 'supertest';

const table = routeTable({ startedAt: 0, shuttingDown: false });
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => t.close());

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** `method path` of every route layer express holds, routers mounted at the root included. */
function registered(stack: Layer[]): string[] {
  const out: string[] = [];
  for (const layer of stack) {
    if (layer.handle?.stack) out.push(...registered(layer.handle.stack));
    const r = layer.route;
    if (!r) continue;
    for (const m of Object.keys(r.methods)) if (r.methods[m]) out.push(`${m} ${r.path}`);
  }
  return out.sort();
}

/** Served beside the API: its description and the documentation page. */
const DOCUMENTATION = ['get /openapi.json', 'get /docs,/docs/', 'get /docs/init.js'];

describe('the route table', () => {
  it('every registered route is documented and every documented route is registered', async () => {
    // The running gateway's own router: anything registered outside the table shows up here.
    const app = t.gateway.app as unknown as { router: { stack: Layer[] } };
    const doc = (await t.http.get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).filter((m) => (METHODS as readonly string[]).includes(m)).map((m) => `${m} ${expressPath(path)}`)).sort();
    expect(registered(app.router.stack).filter((r) => !DOCUMENTATION.includes(r))).toEqual(documented);
    expect(documented.length).toBe(table.reduce((n, d) => n + concretePaths(d).length, 0));
  });

  it('operationIds are unique and every route has a role, tags and a summary', () => {
    const ids = table.flatMap((d) => concretePaths(d).map(({ version }) => operationIdFor(d, version)));
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of table) {
      if (typeof d.role === 'string') expect(['cfa', 'opco', 'entreprise', 'public'], d.operationId).toContain(d.role);
      else {
        // Several key roles: at least two, each a key role, none twice.
        expect(d.role.length, d.operationId).toBeGreaterThan(1);
        expect(new Set(d.role).size, d.operationId).toBe(d.role.length);
        for (const r of d.role) expect(KEY_ROLES, d.operationId).toContain(r);
      }
      expect(d.tags.length, d.operationId).toBeGreaterThan(0);
      expect(d.summary, d.operationId).not.toBe('');
      if (d.path.includes('{version}')) expect(d.versions?.length, d.operationId).toBeGreaterThan(0);
    }
  });

  it('the served document is valid OpenAPI 3.1 and self-contained (every $ref internal and resolvable)', async () => {
    const doc = (await t.http.get('/openapi.json')).body as Record<string, unknown>;
    const result = await new Validator().validate(doc);
    expect(result.errors ?? [], String(JSON.stringify(result.errors)).slice(0, 2000)).toEqual([]);
    expect(result.valid).toBe(true);
    const schemas = (doc.components as { schemas: Record<string, unknown> }).schemas;
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const r of refs) {
      const target = r.slice(8, -1);
      expect(target.startsWith('#/components/'), target).toBe(true);
      if (target.startsWith('#/components/schemas/')) expect(schemas[target.split('/')[3] ?? ''], target).toBeDefined();
    }
    expect(doc).toEqual(buildOpenApi(table));
  });

  it('a prefix serves only the versions its routes declare', async () => {
    const key = await t.cfaKey('123456782');
    const v1 = await t.http.post('/v1/simulations/remuneration').set('X-API-KEY', key).send({});
    expect(v1.status).toBe(404);
    expect(v1.body.errors[0].code).toBe('ROUTE_INCONNUE');
  });
});

describe('the contract check of test mode', () => {
  /** A one-route app whose handler answers what the test says, behind the contract check. */
  function appAnswering(body: unknown, status = 200): supertest.Agent {
    const declared = [route({
      operationId: 'health', method: 'get', path: '/health', role: 'public', tags: ['Système'], summary: 'Vivacité',
      responses: { 200: { description: 'ok', schema: { type: 'object', required: ['status'], properties: { status: { const: 'ok' } } } } },
      handler: (_i, { res }) => {
        res.status(status);
        return body;
      },
    })] as RouteDeclaration[];
    const app = express();
    app.use((req, _res, next) => {
      req.requestId = 'test';
      next();
    });
    app.use(responseCheck(declared));
    const router = express.Router();
    const config = loadConfig({ DATA_DIR: ':memory:' });
    registerRoutes(router, declared, { config, db: t.db, logger: createLogger('silent'), metrics: createMetrics(), keys: createKeyCache(t.db, 0), limits: createRateLimiting({ rateLimitPerMinute: 0, authFailuresPerMinute: 0, redisUrl: undefined, databaseSchema: 'public' }, createLogger('silent')) });
    app.use(router);
    app.use(errorHandler(createLogger('silent'), 1000));
    return supertest.agent(app);
  }

  it('lets a conforming answer through', async () => {
    const res = await appAnswering({ status: 'ok' }).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('turns a body off its schema into 500 REPONSE_HORS_CONTRAT naming the difference', async () => {
    const res = await appAnswering({ statut: 'ok' }).get('/health');
    expect(res.status).toBe(500);
    expect(res.body.errors[0].code).toBe('REPONSE_HORS_CONTRAT');
    expect(res.body.errors[0].description).toContain('status');
  });

  it('turns an undeclared status into 500 REPONSE_HORS_CONTRAT', async () => {
    const res = await appAnswering({ status: 'ok' }, 202).get('/health');
    expect(res.status).toBe(500);
    expect(res.body.errors[0].description).toContain('202');
  });
});
