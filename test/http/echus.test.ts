/**
 * Dossiers échus à traiter (job `dossiers-echus`): each of the three conditions and each
 * non-condition, the reasons kept up to date, idempotent runs, the run on demand, and the job's SQL
 * checked against the domain rules (src/domain/invoicing/echus.ts) on every dossier of the file.
 *
 * Broken dossiers: the fixture contract (2025-09-01 → 2027-08-31) broken on 2025-10-15, so A1
 * (2025-09-01 → 2026-02-28) holds the rupture date: partial, certificat required, to invoice by
 * 2026-02-15; A2…A8 are cancelled. Échu from 2025-12-15.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FIXTURE_CFA_SIREN, validCerfaPayload } from '../fixtures/cerfa.js';
import { jobDefinitions } from '../../src/jobs/definitions.js';
import { refreshEchus } from '../../src/db/echus.js';
import { ETATS_FACTURE_EN_ATTENTE, insertCertificat } from '../../src/db/factures.js';
import { usingPostgres } from '../helpers/gateway.js';
import { billingOf } from '../../src/db/soldes.js';
import { conditionsEchu, echuLe } from '../../src/domain/invoicing/index.js';
import {
  FIXTURE_CFA_SIRET, FIXTURE_EMPLOYEUR_SIRET, PDF, depositInvoice, engagedDossier, facture, payInvoices, startInvoicing, transition,
  type Engaged, type Harness,
} from './factures-fixture.js';

let h: Harness;
beforeAll(async () => {
  h = await startInvoicing();
});
afterAll(async () => h.t.close());
afterEach(() => {
  vi.useRealTimers();
});

/** The clock of the requests that follow (Paris noon of that day, or `time`). */
function at(date: string, time = '12:00:00'): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(`${date}T${time}+01:00`));
}

/** Runs the job as the scheduler does, for the Paris date `today`. */
async function runJob(today: string): Promise<Record<string, number>> {
  const job = jobDefinitions.find((j) => j.name === 'dossiers-echus');
  if (!job) throw new Error('job dossiers-echus missing');
  return job.run(h.t.db, h.t.config, new Date(`${today}T12:00:00+01:00`));
}

interface EchuRow { fin_periode: string; reste_a_facturer_centimes: string; certificat_manquant: boolean; cfa_siren: string; marque_le: Date }

async function echu(d: Engaged): Promise<{ finPeriode: string; resteCents: number; certificatManquant: boolean } | undefined> {
  const row = (await h.t.db('dossiers_echus').where({ dossier_id: d.id }).first()) as EchuRow | undefined;
  return row && { finPeriode: row.fin_periode, resteCents: Number(row.reste_a_facturer_centimes), certificatManquant: row.certificat_manquant };
}

/** An engaged dossier broken on 2025-10-15 by the CFA's declaration (clock: 2025-10-25). */
async function broken(seed: number, couts?: Record<string, unknown>): Promise<Engaged & { a1Cents: number }> {
  at('2025-10-25');
  const d = await engagedDossier(h, seed, couts);
  const res = await h.t.http.post('/v2/dossiers/rupture/employeur').set('X-API-KEY', h.cfa)
    .send({ numeroInterne: d.numeroInterne, dateRupture: '2025-10-15', motif: 'ACCORD_COMMUN', initiative: 'COMMUN' });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const a1 = (await h.t.db('echeances').where({ dossier_id: d.id, numero: 1 }).first('montant_total_centimes')) as { montant_total_centimes: string };
  return { ...d, a1Cents: Number(a1.montant_total_centimes) };
}

const euros = (cents: number): number => cents / 100;
const a1Line = (d: Engaged, montant: number) => ({ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant });

async function postCertificat(d: Engaged, numero: number, typeCertificat = 'Intermediaire'): Promise<void> {
  const res = await h.t.http.post('/v2/certificats').set('X-API-KEY', h.cfa).send({
    typeCertificat, numeroInterneDossier: d.numeroInterne, employeur: { siret: FIXTURE_EMPLOYEUR_SIRET },
    apprenti: { nom: 'X', prenom: 'Y' }, organismeFormation: { siret: FIXTURE_CFA_SIRET }, echeance: { numero },
    _files: { certificat: PDF.toString('base64') },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

const created: Engaged[] = [];
const keep = <T extends Engaged>(d: T): T => {
  created.push(d);
  return d;
};

describe('condition 1: the billing period ended at least two months ago', () => {
  it('a broken dossier is échu from its rupture date + 2 months, not the day before', async () => {
    const d = keep(await broken(101));
    await runJob('2025-12-14');
    expect(await echu(d)).toBeUndefined();
    await runJob('2025-12-15');
    expect(await echu(d)).toEqual({ finPeriode: '2025-10-15', resteCents: d.a1Cents, certificatManquant: true });
  });

  it('an engaged dossier ends with its last échéance (A8, 2027-08-31): échu from 2027-10-31; a prescribed balance is not "to invoice"', async () => {
    const d = keep(await engagedDossier(h, 102));
    await runJob('2027-10-30');
    expect(await echu(d)).toBeUndefined();
    await runJob('2027-10-31');
    expect(await echu(d)).toEqual({ finPeriode: '2027-08-31', resteCents: 1_600_000, certificatManquant: true });
    // After A8's deadline (2027-12-31) its 800 € are no longer due.
    await runJob('2028-01-01');
    expect(await echu(d)).toEqual({ finPeriode: '2027-08-31', resteCents: 1_520_000, certificatManquant: true });
  });

  it('a rupture decided by the back office (no CFA declaration) ends the period at its date too', async () => {
    at('2025-10-25');
    const d = keep(await engagedDossier(h, 103));
    const moved = await h.t.http.post(`/back-office/v1/dossiers/${d.numeroInterne}/transitions`).set('X-API-KEY', h.opco).send({ vers: 'RUPTURE', dateRupture: '2025-11-30' });
    expect(moved.status).toBe(200);
    await runJob('2026-01-29');
    expect(await echu(d)).toBeUndefined();
    await runJob('2026-01-30');
    expect(await echu(d)).toMatchObject({ finPeriode: '2025-11-30', certificatManquant: true });
  });
});

describe('condition 2: no invoice of the dossier is being processed', () => {
  it('TRANSMIS, VALIDEE, REGLE_PARTIELLEMENT keep it off the list; once REGLE, what is left makes it échu', async () => {
    const d = keep(await broken(111));
    at('2025-10-25');
    const f = await depositInvoice(h, facture([a1Line(d, 500)], { dateEmission: '2025-10-20', estCertificatRealisation: true }));
    await runJob('2025-12-15');
    expect(await echu(d)).toBeUndefined();
    expect((await transition(h, f, { vers: 'VALIDEE' })).status).toBe(200);
    expect((await payInvoices(h, { referenceVirement: 'VIR-ECHU-1', dateReglement: '2025-10-25', lignes: [{ numeroInterneFacture: f, montant: 200 }] })).status).toBe(200);
    await runJob('2025-12-15');
    expect(await echu(d)).toBeUndefined();
    expect((await payInvoices(h, { referenceVirement: 'VIR-ECHU-2', dateReglement: '2025-10-26', lignes: [{ numeroInterneFacture: f, montant: 300 }] })).status).toBe(200);
    await runJob('2025-12-15');
    // The paid invoice carried the certificat: only the rest of A1 remains.
    expect(await echu(d)).toEqual({ finPeriode: '2025-10-15', resteCents: d.a1Cents - 50_000, certificatManquant: false });
  });

  it('a frais-annexes invoice pending counts too; a rejected invoice neither blocks nor attests', async () => {
    const d = keep(await broken(112, { nombreRepasTotaux: 100 }));
    at('2025-10-25');
    const meals = await depositInvoice(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'RESTAURATION', montant: 60, quantite: 20 }], { dateEmission: '2025-10-20', estCertificatRealisation: true }));
    await runJob('2025-12-15');
    expect(await echu(d)).toBeUndefined();
    expect((await transition(h, meals, { vers: 'REJETEE', commentaire: 'Repas non justifiés' })).status).toBe(200);
    await runJob('2025-12-15');
    expect(await echu(d)).toEqual({ finPeriode: '2025-10-15', resteCents: d.a1Cents, certificatManquant: true });
  });
});

describe('condition 3: something left to invoice and/or the certificat missing', () => {
  it('certificat present, amount left: échu for the amount only', async () => {
    const d = keep(await broken(121));
    await postCertificat(d, 1);
    await runJob('2025-12-15');
    expect(await echu(d)).toEqual({ finPeriode: '2025-10-15', resteCents: d.a1Cents, certificatManquant: false });
  });

  it('nothing left to invoice (deadline passed), certificat missing: échu for the certificat; once posted, off the list', async () => {
    const d = keep(await broken(122));
    await runJob('2026-02-16');
    expect(await echu(d)).toEqual({ finPeriode: '2025-10-15', resteCents: 0, certificatManquant: true });
    at('2026-02-16');
    await postCertificat(d, 1, 'Final');
    // Off at once, without the job; the job agrees.
    expect(await echu(d)).toBeUndefined();
    await runJob('2026-02-16');
    expect(await echu(d)).toBeUndefined();
  });

  it('everything invoiced and paid with its certificat: not échu', async () => {
    const d = keep(await broken(123));
    at('2025-10-25');
    const f = await depositInvoice(h, facture([a1Line(d, euros(d.a1Cents))], { dateEmission: '2025-10-20', estCertificatRealisation: true }));
    expect((await transition(h, f, { vers: 'VALIDEE' })).status).toBe(200);
    expect((await payInvoices(h, { referenceVirement: 'VIR-ECHU-3', dateReglement: '2025-10-25', lignes: [{ numeroInterneFacture: f, montant: euros(d.a1Cents) }] })).status).toBe(200);
    await runJob('2025-12-15');
    expect(await echu(d)).toBeUndefined();
  });
});

describe('never échus', () => {
  it('dossiers not engaged, cancelled or closed', async () => {
    at('2025-10-25');
    const transmis = await h.t.http.post('/v2/dossiers').set('X-API-KEY', h.cfa).send(validCerfaPayload(131));
    expect(transmis.status).toBe(200);
    const annule = keep(await engagedDossier(h, 132));
    expect((await h.t.http.post(`/back-office/v1/dossiers/${annule.numeroInterne}/transitions`).set('X-API-KEY', h.opco).send({ vers: 'ANNULE', commentaire: 'Contrat jamais exécuté' })).status).toBe(200);
    const solde = keep(await broken(133));
    await h.t.db('dossiers').where({ id: solde.id }).update({ etat: 'SOLDE' });
    await runJob('2030-01-01');
    const marked = (await h.t.db('dossiers_echus as e').join('dossiers as d', 'd.id', 'e.dossier_id').whereIn('d.numero_interne', [transmis.body.numeroInterne, annule.numeroInterne, solde.numeroInterne]).select('d.numero_interne')) as unknown[];
    expect(marked).toEqual([]);
  });

  it('a dossier whose solde is declared leaves the list and is never marked again', async () => {
    const d = keep(await broken(134));
    await runJob('2025-12-15');
    expect(await echu(d)).toBeDefined();
    at('2025-12-20');
    const declared = await h.t.http.post('/v2/dossiers/solde').set('X-API-KEY', h.cfa).send({ numeroInterne: d.numeroInterne });
    expect(declared.status, JSON.stringify(declared.body)).toBe(200);
    expect(await echu(d)).toBeUndefined();
    // Still RUPTURE here would be échu (a refund or an invoice could keep it open): the declaration alone excludes it.
    await h.t.db('dossiers').where({ id: d.id }).update({ etat: 'RUPTURE' });
    await runJob('2025-12-20');
    expect(await echu(d)).toBeUndefined();
  });
});

describe('the CFA works the list through to zero: each action refreshes it at once, without the job', () => {
  interface Item { numeroInterne: string; motifs: string[]; resteAFacturer: number; certificatManquant: boolean; finPeriodeFacturation: string; marqueLe: string }
  const list = async (query: Record<string, unknown> = {}): Promise<{ total: number; items: Item[] }> => {
    const res = await h.t.http.get('/v2/pilotage/dossiers-echus').query({ taillePage: 1000, ...query }).set('X-API-KEY', h.cfa);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { total: number; items: Item[] };
  };
  const counter = async (): Promise<number> => {
    const res = await h.t.http.get('/v2/pilotage/actions').set('X-API-KEY', h.cfa);
    return res.body.dossiersEchusATraiter.nombre as number;
  };
  const item = async (d: Engaged): Promise<Item | undefined> => (await list()).items.find((i) => i.numeroInterne === d.numeroInterne);
  /** The job as an operator runs it, on the clock's day (claimed at that instant: not at noon, which another test claims). */
  const runOnDemand = async (): Promise<void> => {
    const ran = await h.t.http.post('/back-office/v1/jobs/dossiers-echus').set('X-API-KEY', h.opco);
    expect(ran.status, JSON.stringify(ran.body)).toBe(200);
  };
  /** The csv export, as [numéro interne, reste, certificat manquant] rows. */
  const csv = async (query: Record<string, unknown> = {}): Promise<string[][]> => {
    const res = await h.t.http.get('/v2/pilotage/dossiers-echus').query({ ...query, format: 'csv' }).set('X-API-KEY', h.cfa).buffer(true);
    expect(res.status).toBe(200);
    const [headers = [], ...rows] = parse(res.text, { delimiter: ';', bom: true }) as string[][];
    const col = (name: string): number => headers.indexOf(name);
    return rows.map((r) => [r[col('N° interne')] ?? '', r[col('Reste à facturer')] ?? '', r[col('Certificat de réalisation manquant')] ?? '']);
  };
  const asCsv = (items: Item[]): string[][] => items.map((i) => [i.numeroInterne, i.resteAFacturer.toFixed(2).replace('.', ','), i.certificatManquant ? 'Oui' : 'Non']);

  it('lists which condition holds, filters on it, exports it; a certificat and invoices for the remainder empty it at once', async () => {
    const both = keep(await broken(201));
    const amountOnly = keep(await broken(202));
    await postCertificat(amountOnly, 1);
    at('2025-12-15', '08:00:00');
    await runOnDemand();

    const marked = await list();
    expect(marked.total).toBe(await counter());
    expect(marked.items.find((i) => i.numeroInterne === both.numeroInterne)).toMatchObject({
      motifs: ['RESTE_A_FACTURER', 'CERTIFICAT_MANQUANT'], resteAFacturer: euros(both.a1Cents), certificatManquant: true, finPeriodeFacturation: '2025-10-15',
    });
    expect(marked.items.find((i) => i.numeroInterne === amountOnly.numeroInterne)).toMatchObject({
      motifs: ['RESTE_A_FACTURER'], resteAFacturer: euros(amountOnly.a1Cents), certificatManquant: false,
    });
    const certificat = await list({ motif: 'CERTIFICAT_MANQUANT' });
    expect(certificat.items.every((i) => i.certificatManquant)).toBe(true);
    expect(certificat.items.map((i) => i.numeroInterne)).toContain(both.numeroInterne);
    expect(certificat.items.map((i) => i.numeroInterne)).not.toContain(amountOnly.numeroInterne);
    const reste = await list({ motif: 'RESTE_A_FACTURER' });
    expect(reste.items.every((i) => i.resteAFacturer > 0)).toBe(true);
    expect(reste.items.map((i) => i.numeroInterne)).toEqual(expect.arrayContaining([both.numeroInterne, amountOnly.numeroInterne]));
    expect(await csv()).toEqual(asCsv(marked.items));
    expect(await csv({ motif: 'CERTIFICAT_MANQUANT' })).toEqual(asCsv(certificat.items));

    // The missing certificat declared: the reason goes at once; marked on the same day still.
    at('2025-12-20');
    await postCertificat(both, 1, 'Final');
    const first = marked.items.find((i) => i.numeroInterne === both.numeroInterne);
    expect(await item(both)).toEqual({ ...first, motifs: ['RESTE_A_FACTURER'], certificatManquant: false });
    expect(await counter()).toBe(marked.total);
    expect((await list({ motif: 'CERTIFICAT_MANQUANT' })).items.map((i) => i.numeroInterne)).not.toContain(both.numeroInterne);
    expect(await csv()).toEqual(asCsv((await list()).items));

    // The remainder invoiced: an invoice being processed, condition 2 fails: off the list and the counter.
    await depositInvoice(h, facture([a1Line(amountOnly, euros(amountOnly.a1Cents))], { dateEmission: '2025-12-18' }));
    expect(await item(amountOnly)).toBeUndefined();
    expect(await counter()).toBe(marked.total - 1);
    await depositInvoice(h, facture([a1Line(both, euros(both.a1Cents))], { dateEmission: '2025-12-18' }));
    expect(await item(both)).toBeUndefined();
    const after = await list();
    expect(after.total).toBe(marked.total - 2);
    expect(await counter()).toBe(after.total);
    expect(await csv()).toEqual(asCsv(after.items));
  });

  it('a certificat-only dossier leaves the list and the counter once its certificat is declared', async () => {
    const d = keep(await broken(203));
    at('2026-02-16', '08:00:00');
    await runOnDemand();
    expect(await item(d)).toMatchObject({ motifs: ['CERTIFICAT_MANQUANT'], resteAFacturer: 0, certificatManquant: true });
    const before = await counter();
    await postCertificat(d, 1);
    expect(await item(d)).toBeUndefined();
    expect(await counter()).toBe(before - 1);
  });

  it('a rupture declared on a listed dossier moves its end of period and its reasons at once, its marking date kept', async () => {
    const d = keep(await engagedDossier(h, 204));
    at('2027-10-31', '08:00:00');
    await runOnDemand();
    const before = await item(d);
    expect(before).toMatchObject({ finPeriodeFacturation: '2027-08-31', certificatManquant: true });
    const res = await h.t.http.post('/v2/dossiers/rupture/employeur').set('X-API-KEY', h.cfa)
      .send({ numeroInterne: d.numeroInterne, dateRupture: '2027-06-30', motif: 'ACCORD_COMMUN', initiative: 'COMMUN' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const after = await item(d);
    expect(after).toMatchObject({ finPeriodeFacturation: '2027-06-30', marqueLe: before?.marqueLe, certificatManquant: true });
    expect(after?.resteAFacturer).toBeLessThan(before?.resteAFacturer ?? 0);
    // What the job would say.
    const run = await runJob('2027-10-31');
    expect(await echu(d)).toMatchObject({ finPeriode: '2027-06-30', resteCents: Math.round((after?.resteAFacturer ?? 0) * 100) });
    expect(run.marques).toBe(0);
  });

  // Two connections: PostgreSQL only (the embedded database has one).
  it.runIf(usingPostgres)('a refresh in flight when the job starts: the job waits for it and sees it (no stale reasons, no deadlock)', async () => {
    const d = keep(await broken(205));
    await runJob('2025-12-15');
    expect(await echu(d)).toMatchObject({ certificatManquant: true });
    const trx = await h.t.db.transaction();
    let job: Promise<Record<string, number>> | undefined;
    try {
      // What POST /v2/certificats does, held open while the job starts.
      await insertCertificat(trx, { cfaSiren: FIXTURE_CFA_SIREN, dossierId: d.id, numeroEcheance: 1, factureId: null, typeCertificat: 'Final', contenu: {} });
      await refreshEchus(trx, [d.id], '2025-12-15');
      // A later day: A1's deadline passed, so the job would rewrite the row from what it reads.
      job = runJob('2026-02-16');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await trx.commit();
    } catch (err) {
      await trx.rollback();
      throw err;
    }
    await job;
    // Nothing left to invoice and the certificat there: not échu. A job that did not wait would
    // have written its stale reading (certificat missing) over the refreshed row.
    expect(await echu(d)).toBeUndefined();
  });
});

describe('the job', () => {
  it('is idempotent: a second run the same day changes nothing; changed reasons are updated, the first marking date kept', async () => {
    const d = keep(await broken(141));
    const first = await runJob('2025-12-16');
    const again = await runJob('2025-12-16');
    expect(again).toEqual({ marques: 0, actualises: 0, retires: 0, total: first.total });
    expect(first.total).toBe(Number((await h.t.db('dossiers_echus').count<{ n: string }[]>({ n: '*' }))[0]?.n));
    const before = (await h.t.db('dossiers_echus').where({ dossier_id: d.id }).first()) as EchuRow;
    expect(before).toMatchObject({ cfa_siren: FIXTURE_CFA_SIREN, certificat_manquant: true });

    // The certificat updates the row at once (src/db/echus.ts refreshEchus): the job then has nothing to do.
    at('2025-12-16');
    await postCertificat(d, 1);
    const refreshed = (await h.t.db('dossiers_echus').where({ dossier_id: d.id }).first()) as EchuRow;
    expect(refreshed.certificat_manquant).toBe(false);
    expect(new Date(refreshed.marque_le).getTime()).toBe(new Date(before.marque_le).getTime());
    expect(await runJob('2025-12-16')).toEqual({ marques: 0, actualises: 0, retires: 0, total: first.total });

    // A change no service refreshes (the certificat removed by hand): the job updates the reasons.
    await h.t.db('certificats').where({ dossier_id: d.id }).delete();
    const updated = await runJob('2025-12-16');
    expect(updated).toMatchObject({ marques: 0, actualises: 1, retires: 0, total: first.total });
    const after = (await h.t.db('dossiers_echus').where({ dossier_id: d.id }).first()) as EchuRow;
    expect(after.certificat_manquant).toBe(true);
    expect(new Date(after.marque_le).getTime()).toBe(new Date(before.marque_le).getTime());
  });

  it('runs on demand for an operator (POST /back-office/v1/jobs/dossiers-echus) with the day\'s date, and is listed', async () => {
    const d = keep(await broken(142));
    at('2025-12-15');
    const ran = await h.t.http.post('/back-office/v1/jobs/dossiers-echus').set('X-API-KEY', h.opco);
    expect(ran.status, JSON.stringify(ran.body)).toBe(200);
    expect(ran.body).toMatchObject({ tache: 'dossiers-echus', resultat: 'success', resume: { marques: expect.any(Number), retires: expect.any(Number), total: expect.any(Number) } });
    expect(await echu(d)).toMatchObject({ finPeriode: '2025-10-15' });
    const total = Number((await h.t.db('dossiers_echus').count<{ n: string }[]>({ n: '*' }))[0]?.n);
    expect(ran.body.resume.total).toBe(total);
    const jobs = await h.t.http.get('/back-office/v1/jobs').set('X-API-KEY', h.opco);
    expect(jobs.body.taches.find((j: { tache: string }) => j.tache === 'dossiers-echus')).toMatchObject({ planification: '30 5 * * *', derniereExecution: { resultat: 'success' } });
  });

  it('marks exactly the dossiers the domain rules call échus, on every dossier of this file and several dates', async () => {
    // PostgreSQL's month arithmetic is the domain's.
    for (const fin of ['2026-09-30', '2026-08-31', '2026-12-31', '2027-12-31', '2025-10-15']) {
      const res = await h.t.db.raw<{ rows: Array<{ d: string }> }>(`select (cast(? as date) + interval '2 months')::date::text as d`, [fin]);
      expect(res.rows[0]?.d, fin).toBe(echuLe(fin));
    }
    const dossiers = (await h.t.db('dossiers').select('id', 'etat')) as Array<{ id: string; etat: string }>;
    for (const today of ['2025-12-14', '2025-12-15', '2026-02-16', '2027-10-31', '2028-01-01']) {
      await runJob(today);
      const marked = new Map(((await h.t.db('dossiers_echus').select('dossier_id', 'fin_periode', 'reste_a_facturer_centimes', 'certificat_manquant')) as Array<{
        dossier_id: string; fin_periode: string; reste_a_facturer_centimes: string; certificat_manquant: boolean;
      }>).map((r) => [String(r.dossier_id), { finPeriode: r.fin_periode, resteAFacturerCents: Number(r.reste_a_facturer_centimes), certificatManquant: r.certificat_manquant }]));
      for (const d of dossiers) {
        const expected = conditionsEchu(await snapshot(String(d.id), d.etat), today);
        expect(marked.get(String(d.id)), `dossier ${d.id} (${d.etat}) on ${today}`).toEqual(expected);
      }
    }
    expect(created.length).toBeGreaterThan(10);
  });
});

/** The domain's view of a dossier, read the plain way (not the job's SQL). */
async function snapshot(id: string, etat: string) {
  const db = h.t.db;
  const billing = await billingOf(db, id);
  const pending = await db('factures_lignes as l').join('factures as f', 'f.id', 'l.facture_id').where('l.dossier_id', id).whereIn('f.etat', ETATS_FACTURE_EN_ATTENTE).first('l.id');
  const certificats = (await db('certificats').where({ dossier_id: id }).select('numero_echeance', 'type_certificat')) as Array<{ numero_echeance: number; type_certificat: string }>;
  const flagged = (await db('factures_lignes as l').join('factures as f', 'f.id', 'l.facture_id').where('l.dossier_id', id)
    .where('f.est_certificat_realisation', true).whereNot('f.etat', 'REJETEE').distinct('l.numero_echeance')) as Array<{ numero_echeance: number }>;
  const engaged = await db('engagements').where({ dossier_id: id }).first('dossier_id');
  return {
    // Without an engagement there is no échéancier: the job's join leaves such dossiers out.
    etat: engaged ? etat : 'TRANSMIS',
    dateRupture: billing.dateRupture,
    echeances: billing.echeances,
    factureEnTraitement: Boolean(pending),
    echeancesCertifiees: [...certificats.map((c) => c.numero_echeance), ...flagged.map((f) => f.numero_echeance)],
    certificatFinal: certificats.some((c) => c.type_certificat === 'Final'),
    soldeDeclare: Boolean(await db('declarations_solde').where({ dossier_id: id }).first('id')),
  };
}
