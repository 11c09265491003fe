/**
 * Sandbox mode (docs/decisions/integration-sandbox.md), end to end: a vendor pushes a dossier (and
 * invoices) with `X-Sandbox-Scenario`, the simulated OPCO moves them through the real back-office
 * use cases, one step per pass. Passes are driven by calling `runSandboxStep` with an instant: never
 * a sleep. SANDBOX_DELAY_SECONDS is 5, so a pass 10 s ahead finds everything due, 1 s ahead nothing.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSandboxSimulator } from '../../src/jobs/sandbox-simulator.js';
import { leaveToBackOffice, runSandboxStep } from '../../src/services/sandbox.js';
import { FIXTURE_CFA_SIREN, validCerfaPayload } from '../fixtures/cerfa.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { facture, jsonBody } from './factures-fixture.js';

let t: TestGateway;
let cfa: string;
beforeAll(async () => {
  t = await startTestGateway({ SANDBOX: 'true', SANDBOX_DELAY_SECONDS: '5' });
  cfa = await t.cfaKey(FIXTURE_CFA_SIREN);
});
afterAll(async () => t.close());

/** One pass of the simulated OPCO, `seconds` after now. */
const step = (seconds = 10) => runSandboxStep(t.db, t.config, new Date(Date.now() + seconds * 1000));

async function push(seed: number, scenario?: string): Promise<string> {
  const req = t.http.post('/v2/dossiers').set('X-API-KEY', cfa);
  if (scenario) req.set('X-Sandbox-Scenario', scenario);
  const res = await req.send(validCerfaPayload(seed));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.numeroInterne as string;
}

async function dossier(numeroInterne: string) {
  const res = await t.http.get('/v2/dossiers').query({ numeroInterne }).set('X-API-KEY', cfa);
  expect(res.status).toBe(200);
  return res.body as { etat: string; commentaire?: string; echeancier?: unknown[]; [k: string]: unknown };
}

const etat = async (numeroInterne: string): Promise<string> =>
  ((await t.db('dossiers').where({ numero_interne: numeroInterne }).first('etat')) as { etat: string }).etat;

/** Passes until the dossier stops moving (at most `max`); the states it went through. */
async function walk(numeroInterne: string, max = 5): Promise<string[]> {
  const seen = [await etat(numeroInterne)];
  for (let i = 0; i < max; i += 1) {
    await step();
    const now = await etat(numeroInterne);
    if (now === seen[seen.length - 1]) break;
    seen.push(now);
  }
  return seen;
}

async function engaged(seed: number, scenario?: string): Promise<{ numeroInterne: string; numeroExterne: string }> {
  const numeroInterne = await push(seed, scenario);
  expect(await walk(numeroInterne)).toEqual(['TRANSMIS', 'EN_COURS_INSTRUCTION', 'ENGAGE']);
  const row = (await t.db('dossiers').where({ numero_interne: numeroInterne }).first('numero_externe')) as { numero_externe: string };
  return { numeroInterne, numeroExterne: row.numero_externe };
}

/** An invoice of one PEDAGOGIE line (A2 onwards require a certificate: the PDF is one). */
async function deposit(numeroExterne: string, scenario?: string, numeroEcheance = 1, montant = 3200): Promise<string> {
  const req = t.http.post('/v1/factures').set('X-API-KEY', cfa);
  if (scenario) req.set('X-Sandbox-Scenario', scenario);
  const lignes = [{ numeroDossier: numeroExterne, numeroEcheance, natureLigne: 'PEDAGOGIE', montant }];
  const res = await req.send(jsonBody(facture(lignes, { estCertificatRealisation: numeroEcheance > 1 })));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.numeroInterneFacture as string;
}

async function factureRow(numeroInterne: string): Promise<{ etat: string; regleCents: number; commentaire: string | null }> {
  const row = (await t.db('factures').where({ numero_interne: numeroInterne }).first('etat', 'montant_regle_centimes', 'commentaire')) as { etat: string; montant_regle_centimes: string | number; commentaire: string | null };
  return { etat: row.etat, regleCents: Number(row.montant_regle_centimes), commentaire: row.commentaire };
}

describe('sandbox mode: the simulated OPCO follows the scenario of the creating request', () => {
  it('engagement (no header): instructed then engaged after the delay, with the échéancier of the real engine and the bundled NPEC', async () => {
    const numero = await push(9001);
    // Not before SANDBOX_DELAY_SECONDS.
    expect(await step(1)).toMatchObject({ dossiers: 0 });
    expect(await etat(numero)).toBe('TRANSMIS');
    expect(await walk(numero)).toEqual(['TRANSMIS', 'EN_COURS_INSTRUCTION', 'ENGAGE']);

    const row = (await t.db('dossiers').where({ numero_interne: numero }).first('id')) as { id: string };
    const engagement = (await t.db('engagements').where({ dossier_id: row.id }).first('engagement_centimes', 'details')) as { engagement_centimes: string; details: { npec: { source: string; npecCents: number } } };
    // NPEC of the bundled sample (sandbox/npec-referentiel.csv: RNCP35340, IDCC 1486, 8 000 €).
    expect(engagement.details.npec).toMatchObject({ source: 'REFERENTIEL', npecCents: 800_000 });
    expect(Number(engagement.engagement_centimes)).toBeGreaterThan(0);
    const echeances = await t.db('echeances').where({ dossier_id: row.id }).orderBy('numero');
    expect(echeances.length).toBeGreaterThan(1);
    expect(echeances.reduce((s, e: { montant_total_centimes: string }) => s + Number(e.montant_total_centimes), 0)).toBe(Number(engagement.engagement_centimes));

    // The CFA sees the OPCO's moves in its history, like any other.
    const history = await t.http.get('/v2/dossiers/historique').query({ numeroInterne: numero }).set('X-API-KEY', cfa);
    expect(history.body.historique.map((h: { etat: string }) => h.etat)).toEqual(['TRANSMIS', 'EN_COURS_INSTRUCTION', 'ENGAGE']);
    // The audit trail names the simulator.
    const audit = await t.db('audit_ecritures').where({ objet_id: numero }).whereLike('id_requete', 'sandbox:%').select('action');
    expect(audit.map((a: { action: string }) => a.action).sort()).toEqual(['DOSSIER_ENGAGE', 'DOSSIER_EN_COURS_INSTRUCTION']);
  });

  it('refus: instructed then refused with a reason', async () => {
    const numero = await push(9002, 'refus');
    expect(await walk(numero)).toEqual(['TRANSMIS', 'EN_COURS_INSTRUCTION', 'REFUSE']);
    const row = (await t.db('dossiers').where({ numero_interne: numero }).first('commentaire_etat')) as { commentaire_etat: string };
    expect(row.commentaire_etat).toMatch(/refus simulé/);
  });

  it('mise-en-conformite: a conformity request, nothing until the CFA corrects, then engaged', async () => {
    const original = validCerfaPayload(9003);
    const res = await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).set('X-Sandbox-Scenario', 'mise-en-conformite').send(original);
    const numero = res.body.numeroInterne as string;
    expect(await walk(numero)).toEqual(['TRANSMIS', 'EN_COURS_INSTRUCTION']);
    const asked = (await t.db('dossiers').where({ numero_interne: numero }).first('mise_en_conformite', 'commentaire_etat')) as { mise_en_conformite: boolean; commentaire_etat: string };
    expect(asked.mise_en_conformite).toBe(true);
    expect(asked.commentaire_etat).toMatch(/mise en conformité simulée/);
    // Waiting for the CFA: passes change nothing.
    await step(60);
    await step(60);
    expect(await etat(numero)).toBe('EN_COURS_INSTRUCTION');

    const corrected = structuredClone(original);
    ((corrected.cerfa.apprenti as Record<string, unknown>).adresse as Record<string, unknown>).commune = 'Villeurbanne';
    const answer = await t.http.post('/v2/dossiers/correction').set('X-API-KEY', cfa).send({ numeroInterne: numero, ...corrected });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(await step(1)).toMatchObject({ dossiers: 0 });
    await step();
    expect(await etat(numero)).toBe('ENGAGE');
  });

  it('rupture: engaged, then broken by the OPCO on the sandbox day, the engagement recomputed', async () => {
    const numero = await push(9004, 'rupture');
    expect(await walk(numero)).toEqual(['TRANSMIS', 'EN_COURS_INSTRUCTION', 'ENGAGE', 'RUPTURE']);
    const row = (await t.db('dossiers').where({ numero_interne: numero }).first('id')) as { id: string };
    const cancelled = await t.db('echeances').where({ dossier_id: row.id, statut: 'ANNULEE' }).count({ n: '*' });
    expect(Number(cancelled[0]?.n)).toBeGreaterThan(0);
    const history = (await t.db('dossiers_historique').where({ dossier_id: row.id, etat: 'RUPTURE' }).first('commentaire')) as { commentaire: string };
    expect(history.commentaire).toMatch(/date de rupture : \d{4}-\d{2}-\d{2}/);
  });

  it('invoices: validated then paid in full by default; half paid with paiement-partiel; rejected with facture-rejetee', async () => {
    const d = await engaged(9005);
    const paid = await deposit(d.numeroExterne, undefined, 1, 3200);
    const partial = await deposit(d.numeroExterne, 'paiement-partiel', 2, 2400);
    const rejected = await deposit(d.numeroExterne, 'facture-rejetee', 3, 1600);
    expect(await step(1)).toMatchObject({ factures: 0 });

    await step();
    expect((await factureRow(paid)).etat).toBe('VALIDEE');
    expect((await factureRow(partial)).etat).toBe('VALIDEE');
    expect(await factureRow(rejected)).toMatchObject({ etat: 'REJETEE', commentaire: expect.stringMatching(/rejet simulé/) });

    await step();
    expect(await factureRow(paid)).toMatchObject({ etat: 'REGLE', regleCents: 320_000 });
    expect(await factureRow(partial)).toMatchObject({ etat: 'REGLE_PARTIELLEMENT', regleCents: 120_000 });
    // Nothing more to do on any of them.
    await step();
    expect((await factureRow(partial)).etat).toBe('REGLE_PARTIELLEMENT');

    // The CFA reads the payments through the norm's routes.
    const etats = await t.http.get('/v1/factures/etats').query({ depuis: '0' }).set('X-API-KEY', cfa);
    expect(etats.status).toBe(200);
    const reglements = await t.db('reglements').whereLike('reference_virement', 'SANDBOX-%').count({ n: '*' });
    expect(Number(reglements[0]?.n)).toBe(2);
  });

  it('a refund: the CFA breaks a paid contract early, declares its transfer, the simulated OPCO receives it', async () => {
    const d = await engaged(9015);
    const n = await deposit(d.numeroExterne, undefined, 1, 3200);
    await step();
    await step();
    expect((await factureRow(n)).etat).toBe('REGLE');
    const rupture = await t.http.post('/v2/dossiers/rupture/employeur').set('X-API-KEY', cfa)
      .send({ numeroInterne: d.numeroInterne, dateRupture: '2025-10-15', motif: 'ACCORD_COMMUN', initiative: 'COMMUN' });
    expect(rupture.status, JSON.stringify(rupture.body)).toBe(200);
    const id = rupture.body.remboursement.idRemboursement as string;
    // Due to the CFA, not yet declared: the OPCO has nothing to receive.
    expect(await step()).toMatchObject({ remboursements: 0 });
    expect((await t.http.post(`/v2/remboursements/${id}/declaration`).set('X-API-KEY', cfa).send({ mode: 'VIREMENT' })).status).toBe(200);
    expect(await step(1)).toMatchObject({ remboursements: 0 });
    expect(await step()).toMatchObject({ remboursements: 1 });
    const list = await t.http.get('/v2/remboursements').set('X-API-KEY', cfa);
    expect(list.body.remboursements.find((r: { idRemboursement: string }) => r.idRemboursement === id)).toMatchObject({ etat: 'RECU' });
  });

  it('an invoice without header follows the invoice scenario of its dossier (facture-rejetee on the push)', async () => {
    const d = await engaged(9006, 'facture-rejetee');
    const n = await deposit(d.numeroExterne);
    await step();
    expect((await factureRow(n)).etat).toBe('REJETEE');
  });

  it('an RNCP absent from the bundled sample is engaged on the amorçage value, as the real engine does', async () => {
    const payload = validCerfaPayload(9007);
    (payload.cerfa.formation as Record<string, unknown>).rncp = 'RNCP99999';
    const res = await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).send(payload);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const numero = res.body.numeroInterne as string;
    expect(await walk(numero)).toEqual(['TRANSMIS', 'EN_COURS_INSTRUCTION', 'ENGAGE']);
    const row = (await t.db('dossiers').where({ numero_interne: numero }).first('id')) as { id: string };
    const engagement = (await t.db('engagements').where({ dossier_id: row.id }).first('details')) as { details: { npec: { source: string } } };
    expect(engagement.details.npec.source).toBe('AMORCAGE');
  });

  it('a dossier or invoice left to the back office (the demo data set) is never touched', async () => {
    const numero = await push(9009);
    const row = (await t.db('dossiers').where({ numero_interne: numero }).first('id')) as { id: string };
    await leaveToBackOffice(t.db, 'DOSSIER', String(row.id));
    await step();
    await step();
    expect(await etat(numero)).toBe('TRANSMIS');
    const d = await engaged(9013, 'paiement-partiel');
    const n = await deposit(d.numeroExterne);
    const f = (await t.db('factures').where({ numero_interne: n }).first('id')) as { id: string };
    await leaveToBackOffice(t.db, 'FACTURE', String(f.id));
    await step();
    expect((await factureRow(n)).etat).toBe('TRANSMIS');
  });

  it('two passes at once (two instances) move an object once', async () => {
    const numero = await push(9008);
    // Untouched for a minute: due now; once moved, not due again until the delay has passed.
    await t.db('dossiers').where({ numero_interne: numero }).update({ mis_a_jour_le: new Date(Date.now() - 60_000) });
    const now = new Date();
    await Promise.all([runSandboxStep(t.db, t.config, now), runSandboxStep(t.db, t.config, now)]);
    expect(await etat(numero)).toBe('EN_COURS_INSTRUCTION');
    const row = (await t.db('dossiers').where({ numero_interne: numero }).first('id')) as { id: string };
    expect(await t.db('dossiers_historique').where({ dossier_id: row.id, etat: 'EN_COURS_INSTRUCTION' })).toHaveLength(1);
  });
});

describe('the simulator loop (JOBS_ENABLED)', () => {
  it('each tick runs a pass; stop waits for the pass under way', async () => {
    const numero = await push(9014);
    await t.db('dossiers').where({ numero_interne: numero }).update({ mis_a_jour_le: new Date(Date.now() - 60_000) });
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const simulator = startSandboxSimulator({ db: t.db, config: t.config, logger: t.gateway.logger, metrics: t.gateway.metrics });
      vi.advanceTimersByTime(1000);
      await simulator.stop();
    } finally {
      vi.useRealTimers();
    }
    expect(await etat(numero)).toBe('EN_COURS_INSTRUCTION');
    expect(t.logs.text).toContain('sandbox : OPCO simulé');
  });
});

describe('X-Sandbox-Scenario', () => {
  it('an unknown value is refused (400, norm shape) with the body errors, and nothing is written', async () => {
    const before = await t.db('dossiers').count({ n: '*' });
    const bad = await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).set('X-Sandbox-Scenario', 'paiement-total').send(validCerfaPayload(9010));
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ code: 'SCENARIO_SANDBOX_INCONNU', champ: 'X-Sandbox-Scenario', description: expect.stringContaining('engagement, refus, mise-en-conformite, facture-rejetee, paiement-partiel, rupture') })]);

    const payload = validCerfaPayload(9011);
    delete (payload.cerfa.employeur as Record<string, unknown>).siret;
    const both = await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).set('X-Sandbox-Scenario', 'nope').send(payload);
    expect(both.status).toBe(400);
    const codes = (both.body.errors as Array<{ code: string }>).map((e) => e.code);
    expect(codes).toContain('SCENARIO_SANDBOX_INCONNU');
    expect(codes.length).toBeGreaterThan(1);
    expect(await t.db('dossiers').count({ n: '*' })).toEqual(before);
  });

  it('no header value or body makes the scenario routes or the clock fail (never a 5xx)', async () => {
    const header = fc.oneof(fc.stringMatching(/^[\x21-\x7e]{0,40}$/), fc.constantFrom(' engagement ', 'ENGAGEMENT', 'rupture,refus', 'paiement-partiel'));
    const body = fc.oneof(fc.constant(validCerfaPayload(9020)), fc.dictionary(fc.constantFrom('cerfa', 'facture', '_files', 'jour'), fc.oneof(fc.string(), fc.integer(), fc.double(), fc.constant(null)), { maxKeys: 3 }));
    // No `jours` member: the shared clock must not move under the other tests of this file.
    const routes = ['/v2/dossiers', '/v1/factures', '/sandbox/v1/horloge'] as const;
    await fc.assert(fc.asyncProperty(fc.constantFrom(...routes), header, body, async (path, value, payload) => {
      const res = await t.http.post(path).set('X-API-KEY', cfa).set('X-Sandbox-Scenario', value).send(payload);
      expect(res.status, `${path} ${value}`).toBeLessThan(500);
      if (res.status >= 400) expect(res.body.errors[0].code).toMatch(/^[A-Z0-9_]+$/);
    }), { numRuns: 60 });
  }, 120_000);

  it('a dossier scenario on an invoice deposit is refused (SCENARIO_SANDBOX_INAPPLICABLE)', async () => {
    const d = await engaged(9012);
    const res = await t.http.post('/v1/factures').set('X-API-KEY', cfa).set('X-Sandbox-Scenario', 'rupture')
      .send(jsonBody(facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 100 }])));
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ code: 'SCENARIO_SANDBOX_INAPPLICABLE' });
    expect(await t.db('factures').whereIn('id', t.db('factures_lignes').join('dossiers', 'dossiers.id', 'factures_lignes.dossier_id').where('dossiers.numero_interne', d.numeroInterne).select('facture_id'))).toHaveLength(0);
  });
});

describe('X-Sandbox and the sandbox routes', () => {
  it('every answer carries X-Sandbox: true, errors and unknown paths included', async () => {
    expect((await t.http.get('/v2/status')).headers['x-sandbox']).toBe('true');
    expect((await t.http.get('/v2/nulle-part')).headers['x-sandbox']).toBe('true');
    expect((await t.http.get('/v2/dossiers').query({ numeroInterne: '1' }).set('X-API-KEY', 'cfa_faux')).headers['x-sandbox']).toBe('true');
  });

  it('the served contract documents the sandbox routes and the scenario header', async () => {
    const doc = (await t.http.get('/openapi.json')).body as { paths: Record<string, unknown>; components: { parameters: Record<string, unknown> } };
    expect(Object.keys(doc.paths)).toContain('/sandbox/v1/horloge');
    expect(doc.components.parameters).toHaveProperty('SandboxScenario');
  });

  it('the clock answers CFA and back-office keys, not employers', async () => {
    const opco = await t.opcoKey();
    expect((await t.http.get('/sandbox/v1/horloge').set('X-API-KEY', opco)).status).toBe(200);
    const res = await t.http.get('/sandbox/v1/horloge').set('X-API-KEY', cfa);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ decalageJours: 0, aujourdHui: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    const ent = await t.entrepriseKey('552100554', 'rh@example.fr');
    expect((await t.http.get('/sandbox/v1/horloge').set('X-API-KEY', ent)).status).toBe(403);
    expect((await t.http.post('/sandbox/v1/horloge').set('X-API-KEY', cfa).send({ jours: -1 })).status).toBe(400);
  });
});
