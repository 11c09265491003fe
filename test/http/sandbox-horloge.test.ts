/**
 * Sandbox mode's clock (docs/decisions/integration-sandbox.md): `POST /sandbox/v1/horloge` moves the
 * shared sandbox day forward; invoice deposits then judge dates against it (an échéance opens), the
 * jobs that depend on today run at the new time (dossiers échus), and the simulated OPCO passes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/domain/dates.js';
import { parisDate } from '../../src/domain/dates.js';
import { jobDefinitions } from '../../src/jobs/definitions.js';
import { runSandboxStep, sandboxNow } from '../../src/services/sandbox.js';
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

const step = (seconds = 10) => runSandboxStep(t.db, t.config, new Date(Date.now() + seconds * 1000));

async function engaged(seed: number): Promise<{ id: string; numeroExterne: string }> {
  const res = await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).send(validCerfaPayload(seed));
  expect(res.status).toBe(200);
  await step();
  await step();
  const row = (await t.db('dossiers').where({ numero_interne: res.body.numeroInterne }).first('id', 'etat', 'numero_externe')) as { id: string; etat: string; numero_externe: string };
  expect(row.etat).toBe('ENGAGE');
  return { id: String(row.id), numeroExterne: row.numero_externe };
}

const horloge = (jours: number) => t.http.post('/sandbox/v1/horloge').set('X-API-KEY', cfa).send({ jours });

describe('the sandbox clock', () => {
  it('moves forward for every caller; an échéance not yet open can be invoiced once the sandbox day has passed its opening', async () => {
    const d = await engaged(9101);
    // The fixture contract's A6 (2 400 €) opens on 2027-03-01: an invoice dated that day is "from the future" today.
    const a6 = await t.db('echeances').where({ dossier_id: d.id, numero: 6 }).first('date_ouverture', 'montant_total_centimes');
    const opens = typeof a6.date_ouverture === 'string' ? a6.date_ouverture : parisDate(new Date(a6.date_ouverture));
    const today = parisDate(new Date());
    expect(opens > today).toBe(true);
    const invoice = () => t.http.post('/v1/factures').set('X-API-KEY', cfa).send(jsonBody(facture(
      [{ numeroDossier: d.numeroExterne, numeroEcheance: 6, natureLigne: 'PEDAGOGIE', montant: Number(a6.montant_total_centimes) / 100 }],
      { dateEmission: opens, estCertificatRealisation: true },
    )));
    const early = await invoice();
    expect(early.status).toBe(400);
    expect(early.body.errors.map((e: { code: string }) => e.code)).toContain('DATE_EMISSION_FUTURE');

    const days = Math.round((Date.parse(opens) - Date.parse(today)) / 86_400_000) + 1;
    const moved = await horloge(days);
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ decalageJours: days, aujourdHui: addDays(today, days) });
    // Another caller (the back office) reads the same clock; so does the server side.
    const read = await t.http.get('/sandbox/v1/horloge').set('X-API-KEY', await t.opcoKey());
    expect(read.body).toMatchObject({ decalageJours: days, aujourdHui: addDays(today, days) });
    expect(parisDate(await sandboxNow(t.db, new Date()))).toBe(addDays(today, days));

    const late = await invoice();
    expect(late.status, JSON.stringify(late.body)).toBe(200);
    // The simulated OPCO then validates it (a pass at the sandbox time).
    await step();
    expect((await t.db('factures').where({ numero_interne: late.body.numeroInterneFacture }).first('etat')).etat).toBe('VALIDEE');
  });

  it('past the contract end, the dossiers-echus job runs at the sandbox time and marks the dossier échu', async () => {
    const d = await engaged(9102);
    expect(await t.db('dossiers_echus').where({ dossier_id: d.id })).toHaveLength(0);
    // 2027-08-31 end + 2 months: well past it after 2 years.
    const moved = await horloge(730);
    expect(moved.status).toBe(200);
    // Every clocked job runs at the new time: the échus (drafts' idleness is judged on the real clock).
    expect(moved.body.taches).toEqual([expect.objectContaining({ tache: 'dossiers-echus', resultat: 'success', resume: expect.objectContaining({ marques: expect.any(Number) }) })]);
    expect(moved.body.taches[0].resume.marques).toBeGreaterThanOrEqual(1);
    expect(await t.db('dossiers_echus').where({ dossier_id: d.id })).toHaveLength(1);
    expect(moved.body.simulateur).toEqual(expect.objectContaining({ dossiers: expect.any(Number), factures: expect.any(Number), remboursements: expect.any(Number), echecs: 0 }));
  });

  it('the scheduled run of a clocked job also takes the sandbox time', async () => {
    const job = jobDefinitions.find((j) => j.name === 'dossiers-echus');
    expect(job?.clocked).toBe(true);
    const run = await t.http.post('/back-office/v1/jobs/dossiers-echus').set('X-API-KEY', await t.opcoKey());
    expect(run.status).toBe(200);
    // Same day as the clock's: nothing new, nothing removed (at the real date every échu would leave the list).
    expect(run.body.resume).toMatchObject({ marques: 0, retires: 0 });
    expect(run.body.resume.total).toBeGreaterThanOrEqual(1);
  });

  it('once the clock has moved, a new dossier still waits SANDBOX_DELAY_SECONDS before each step', async () => {
    expect((await horloge(30)).status).toBe(200);
    const res = await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).send(validCerfaPayload(9103));
    expect(res.status).toBe(200);
    const etat = async () => ((await t.db('dossiers').where({ numero_interne: res.body.numeroInterne }).first('etat')) as { etat: string }).etat;
    await runSandboxStep(t.db, t.config, new Date(Date.now() + 1000));
    expect(await etat()).toBe('TRANSMIS');
    await step(6);
    expect(await etat()).toBe('EN_COURS_INSTRUCTION');
  });

  it('never goes backwards; jours 0 only reruns the jobs and a pass', async () => {
    expect((await horloge(-3)).status).toBe(400);
    expect((await horloge(1.5)).status).toBe(400);
    const before = (await t.http.get('/sandbox/v1/horloge').set('X-API-KEY', cfa)).body.decalageJours as number;
    const same = await horloge(0);
    expect(same.status).toBe(200);
    expect(same.body.decalageJours).toBe(before);
  });
});
