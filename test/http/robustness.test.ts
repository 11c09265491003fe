/**
 * "Never a 500": arbitrary JSON (fast-check) thrown at every write route and arbitrary query strings
 * at every read route of the route table must get an answer below 500, in the error shape when it
 * is an error (and, in test mode, matching the route's declared responses).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_CFA_SIREN, validCerfaPayload } from '../fixtures/cerfa.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { concretePaths, rolesOf } from '../../src/http/route-table/declaration.js';
import { routeTable } from '../../src/http/routes/index.js';

let t: TestGateway;
let cfa: string;
let opco: string;
let entreprise: string;
let numero: string;

beforeAll(async () => {
  t = await startTestGateway();
  cfa = await t.cfaKey(FIXTURE_CFA_SIREN);
  opco = await t.opcoKey();
  entreprise = await t.entrepriseKey('552100554', 'rh@exemple.fr');
  numero = (await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).send(validCerfaPayload(901))).body.numeroInterne;
});
afterAll(async () => {
  // The inputs must reach the routes' own checks, not stop at authentication.
  expect(seen.get(403) ?? 0).toBeLessThan(200);
  expect((seen.get(400) ?? 0) + (seen.get(404) ?? 0)).toBeGreaterThan(500);
  await t.close();
});

const table = routeTable({ startedAt: 0, shuttingDown: false });

/**
 * Every concrete route of the table, path parameters filled with a real dossier number or a
 * plausible id; `role` is the key sent (the first of the route's roles, `public` when none).
 */
function concreteRoutes(): Array<{ method: string; path: string; role: string; query: string[] }> {
  return table.flatMap((d) => concretePaths(d).map(({ path }) => ({
    method: d.method,
    path: path.replace(/\{([A-Za-z]+)\}/g, (_m, name: string) => (name === 'numeroInterne' ? numero : '123456789012')),
    role: rolesOf(d)[0] ?? 'public',
    query: Object.keys(d.query ?? {}),
  })));
}
const writes = () => concreteRoutes().filter((r) => r.method !== 'get' && r.path !== '/oauth/token');
const reads = () => concreteRoutes().filter((r) => r.method === 'get' && !['/health', '/ready', '/v1/status', '/v2/status'].includes(r.path));
const keyFor = (role: string): string => (role === 'opco' ? opco : role === 'entreprise' ? entreprise : cfa);

const seen = new Map<number, number>();

function expectClientAnswer(status: number, body: { errors?: Array<{ code: string; description: string }> }, context: string): void {
  seen.set(status, (seen.get(status) ?? 0) + 1);
  expect(status, context).toBeLessThan(500);
  if (status >= 400) {
    expect(Array.isArray(body.errors), context).toBe(true);
    expect(body.errors?.[0]?.code, context).toMatch(/^[A-Z0-9_]+$/i);
  }
}

/** JSON values shaped like real payloads: objects with the norm's field names and junk values. */
const junk = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
    fc.constantFrom('2025-09-01', '2025-02-30', '9999-12-31', '-1', '1e309', '12345678901234', 'RNCP35340', 'PEDAGOGIE', 'ENGAGE'),
    fc.array(tie('value'), { maxLength: 3 }),
    tie('object'),
  ),
  object: fc.dictionary(
    fc.constantFrom('cerfa', 'convention', 'facture', 'lignes', 'numeroInterne', 'numeroInterneDossier', 'dateRupture', 'vers', 'commentaire',
      'montant', 'montantTotal', 'dateNaissance', 'dateDebutContrat', 'dateFinContrat', 'employeur', 'apprenti', 'contrat', 'siret', 'siren',
      'referenceVirement', 'dateReglement', 'mode', 'motif', 'initiative', 'typeCertificat', 'echeance', '_files', 'infosFichier', 'numero'),
    tie('value'),
    { maxKeys: 6 },
  ),
}));

describe('no input makes the gateway fail', () => {
  it('arbitrary JSON bodies on every write route', async () => {
    const routes = writes();
    expect(routes.length).toBeGreaterThan(15);
    await fc.assert(fc.asyncProperty(fc.constantFrom(...routes), junk.object, async (r, body) => {
      const res = await t.http[r.method as 'post' | 'put' | 'patch' | 'delete'](r.path).set('X-API-KEY', keyFor(r.role)).send(body);
      expectClientAnswer(res.status, res.body, `${r.method} ${r.path} ${JSON.stringify(body).slice(0, 300)}`);
    }), { numRuns: 1000 });
  }, 120_000);

  it('arbitrary query strings on every read route', async () => {
    const routes = reads();
    expect(routes.length).toBeGreaterThan(15);
    const names = [...new Set(routes.flatMap((r) => r.query)), 'inconnu'];
    const params = fc.dictionary(
      fc.constantFrom(...names),
      fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('0', '-1', '99999999999999999999', '1.5', '1e3', '', '%', 'TRANSMIS', '2025-02-30')),
      { maxKeys: 5 },
    );
    await fc.assert(fc.asyncProperty(fc.constantFrom(...routes), params, async (r, query) => {
      const res = await t.http.get(r.path).query(query).set('X-API-KEY', keyFor(r.role));
      expectClientAnswer(res.status, res.body, `${r.path} ${JSON.stringify(query)}`);
    }), { numRuns: 1000 });
  }, 120_000);

  it('path parameters that are not numbers', async () => {
    for (const bad of ['x', '99999999999999999999', '%27%20or%201%3D1', '-1']) {
      for (const [method, path] of [['get', `/back-office/v1/dossiers/${bad}`], ['get', `/back-office/v1/documents/${bad}`], ['get', `/back-office/v1/factures/${bad}`], ['delete', `/back-office/v1/cles/${bad}`], ['post', `/back-office/v1/dossiers/${bad}/transitions`]] as const) {
        const res = await t.http[method](path).set('X-API-KEY', opco).send({ vers: 'ANNULE', commentaire: 'x' });
        expectClientAnswer(res.status, res.body, `${method} ${path}`);
      }
    }
  });
});
