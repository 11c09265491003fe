/**
 * "Never a 500": arbitrary JSON (fast-check) thrown at every write route and arbitrary query strings
 * at every read route must get an answer below 500, in the error shape when it is an error.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_CFA_SIREN, validCerfaPayload } from '../fixtures/cerfa.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let cfa: string;
let opco: string;
let numero: string;

beforeAll(async () => {
  t = await startTestGateway();
  cfa = await t.cfaKey(FIXTURE_CFA_SIREN);
  opco = await t.opcoKey();
  numero = (await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).send(validCerfaPayload(901))).body.numeroInterne;
});
afterAll(async () => {
  // The inputs must reach the routes' own checks, not stop at authentication.
  expect(seen.get(403) ?? 0).toBeLessThan(200);
  expect((seen.get(400) ?? 0) + (seen.get(404) ?? 0)).toBeGreaterThan(500);
  await t.close();
});

const CFA_WRITES = ['/v2/dossiers', '/v1/conventions', '/v1/documents', '/v1/factures', '/v2/certificats', '/v2/dossiers/rupture/employeur', '/v2/simulations/remuneration', '/v2/remboursements/123456789012/declaration'];
const OPCO_WRITES = () => [`/back-office/v1/dossiers/${numero}/transitions`, `/back-office/v1/dossiers/${numero}/mise-en-conformite`, '/back-office/v1/cles', '/back-office/v1/reglements', '/back-office/v1/factures/123456789012/transitions', '/back-office/v1/remboursements/123456789012/reception'];
const CFA_READS = ['/v2/dossiers', '/v1/dossiers/liste', '/v2/dossiers/etats', '/v1/dossiers/etats', '/v2/dossiers/historique', '/v2/factures/etats', '/v2/factures', '/v2/reglements', '/v2/remboursements', '/v1/documents', '/v2/cfakeyinfo'];
const OPCO_READS = ['/back-office/v1/dossiers', '/back-office/v1/factures', '/back-office/v1/reglements', '/back-office/v1/remboursements', '/back-office/v1/documents', '/back-office/v1/npec'];

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
    await fc.assert(fc.asyncProperty(fc.constantFrom(...CFA_WRITES.map((p) => [p, 'cfa'] as const), ...OPCO_WRITES().map((p) => [p, 'opco'] as const)), junk.object, async ([path, role], body) => {
      const res = await t.http.post(path).set('X-API-KEY', role === 'cfa' ? cfa : opco).send(body);
      expectClientAnswer(res.status, res.body, `${path} ${JSON.stringify(body).slice(0, 300)}`);
    }), { numRuns: 1000 });
  }, 120_000);

  it('arbitrary query strings on every read route', async () => {
    const params = fc.dictionary(
      fc.constantFrom('numeroInterne', 'numerosInternes', 'numeroPage', 'taillePage', 'etat', 'origine', 'depuis', 'idObjet', 'typeObjet', 'siren', 'q', 'rncp', 'recuDepuis', 'recuJusquAu', 'numeroInterneFacture', 'XAPIKEY'),
      fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('0', '-1', '99999999999999999999', '1.5', '', '%', 'TRANSMIS', '2025-02-30')),
      { maxKeys: 5 },
    );
    await fc.assert(fc.asyncProperty(fc.constantFrom(...CFA_READS.map((p) => [p, 'cfa'] as const), ...OPCO_READS.map((p) => [p, 'opco'] as const)), params, async ([path, role], query) => {
      const res = await t.http.get(path).query(query).set('X-API-KEY', role === 'cfa' ? cfa : opco);
      expectClientAnswer(res.status, res.body, `${path} ${JSON.stringify(query)}`);
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
