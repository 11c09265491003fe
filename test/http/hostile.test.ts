/**
 * Hostile raw HTTP over every route of the route table (generators: test/fuzz/hostile.ts; the long
 * run is `npm run chaos`): every answer is below 500 and, when an error, in the norm's shape.
 * Raw bytes over a real socket (node:http), never supertest: a Buffer body would become JSON.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable } from '../../src/http/routes/index.js';
import { FIXTURE_CFA_SIREN, validCerfaPayload } from '../fixtures/cerfa.js';
import { hostileRequest, hostileRoutes, isErrorShape, sendRaw, type Keys } from '../fuzz/hostile.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let server: Server;
let port: number;
let keys: Keys;
let numeroInterne: string;
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
const statuses = new Map<number, number>();

beforeAll(async () => {
  // Some cases send a wrong key: the per-address limit on failed authentications must not turn the rest into 429s.
  t = await startTestGateway({ AUTH_FAILURES_PER_MINUTE: '0' });
  await t.cfaKey(FIXTURE_CFA_SIREN); // a decoy: key id 1, which the cases' `DELETE /back-office/v1/cles/1` revokes
  keys = { cfa: await t.cfaKey(FIXTURE_CFA_SIREN), opco: await t.opcoKey(), entreprise: await t.entrepriseKey('552100554', 'rh@exemple.fr') };
  numeroInterne = (await t.http.post('/v2/dossiers').set('X-API-KEY', keys.cfa).send(validCerfaPayload(77))).body.numeroInterne;
  server = t.gateway.app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  agent.destroy();
  server?.close();
  await t?.close();
});

describe('hostile raw HTTP on every route', () => {
  it('never answers 5xx; errors are in the norm\'s shape', async () => {
    const routes = hostileRoutes(routeTable({ startedAt: 0, shuttingDown: false }));
    expect(routes.length).toBeGreaterThan(50);
    // Every case is sent (no stop at the first failure): the failures are listed together, one line each.
    const cases = fc.sample(hostileRequest(routes, { numeroInterne }), { numRuns: 300, seed: Number(process.env.HOSTILE_SEED ?? 20_251_127) });
    const failures: string[] = [];
    for (const req of cases) {
      const res = await sendRaw({ host: '127.0.0.1', port, agent }, req, keys);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const shapeOk = res.status < 400 || isErrorShape(res.text);
      if (res.status >= 500 || !shapeOk) {
        failures.push(`${req.method} ${req.path.slice(0, 160)} — ${req.description} → ${res.status} ${res.text.replace(/"instance":"[^"]*"/, '').slice(0, 160)}`);
      }
    }
    expect(failures).toEqual([]);
    // The cases reach past authentication into the routes' own checks.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(60);
  }, 120_000);
});
