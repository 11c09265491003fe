/**
 * Closing a dossier: SOLDE only once nothing is left to pay (frais-annexes invoices included),
 * no payment on a closed dossier, and no cancellation of a dossier that money already moved on.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { importNpecRows } from '../../src/db/financing.js';
import { newNumeroInterne } from '../../src/db/numeros.js';
import { FIXTURE_CFA_SIREN, FIXTURE_CFA_SIRET, validCerfaPayload } from '../fixtures/cerfa.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let cfa: string;
let opco: string;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');
let invoiceNumber = 0;

beforeAll(async () => {
  t = await startTestGateway();
  cfa = await t.cfaKey(FIXTURE_CFA_SIREN);
  opco = await t.opcoKey();
  await importNpecRows(t.db, [{ rncp: '35340', idcc: '1486', npecCents: 800_000, dateEffet: '2024-07-15' }]);
});
afterAll(async () => t.close());

interface Dossier { n: string; ext: string; id: string }

/** Engaged dossier with 100 meals in its convention, broken on 2025-10-15 (so A1 alone is due). */
async function brokenWithMeals(seed: number): Promise<Dossier & { a1: number }> {
  const created = await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).send(validCerfaPayload(seed));
  const row = await t.db('dossiers').where({ numero_interne: created.body.numeroInterne }).first('id');
  await t.db('conventions').insert({ numero_interne: newNumeroInterne(), dossier_id: row.id, cfa_siren: FIXTURE_CFA_SIREN, contenu: JSON.stringify({ couts: { nombreRepasTotaux: 100 } }) });
  const d = { n: created.body.numeroInterne as string, ext: created.body.numeroExterne as string, id: String(row.id) };
  for (const body of [{ vers: 'EN_COURS_INSTRUCTION' }, { vers: 'ENGAGE' }, { vers: 'RUPTURE', dateRupture: '2025-10-15' }]) {
    expect((await move(d.n, body)).status).toBe(200);
  }
  const a1 = await t.db('echeances').where({ dossier_id: row.id, numero: 1 }).first('montant_total_centimes');
  return { ...d, a1: Number(a1.montant_total_centimes) / 100 };
}

const move = (n: string, body: Record<string, unknown>) => t.http.post(`/back-office/v1/dossiers/${n}/transitions`).set('X-API-KEY', opco).send(body);

async function invoice(lignes: Array<Record<string, unknown>>): Promise<string> {
  const total = lignes.reduce((s, l) => s + Math.round(Number(l.montant) * 100), 0) / 100;
  invoiceNumber += 1;
  const res = await t.http.post('/v1/factures').set('X-API-KEY', cfa).send({
    facture: { numero: `CLOT-${invoiceNumber}`, dateEmission: '2025-10-20', montantTotal: total, ibanEmetteur: 'FR7630006000011234567890189', siretEmetteur: FIXTURE_CFA_SIRET, estCertificatRealisation: true, lignes },
    _files: { facture: PDF.toString('base64') },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.numeroInterneFacture as string;
}

async function validateAndPay(f: string, montant: number, reference: string): Promise<number> {
  expect((await t.http.post(`/back-office/v1/factures/${f}/transitions`).set('X-API-KEY', opco).send({ vers: 'VALIDEE' })).status).toBe(200);
  return (await t.http.post('/back-office/v1/reglements').set('X-API-KEY', opco).send({ referenceVirement: reference, dateReglement: '2025-10-25', lignes: [{ numeroInterneFacture: f, montant }] })).status;
}

describe('closing a dossier', () => {
  // The invoices below arrive ten days after the rupture, within the 4-month balance deadline.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-10-25T10:00:00+02:00'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a pending frais-annexes invoice blocks SOLDE; once paid, the dossier closes', async () => {
    const d = await brokenWithMeals(960);
    const a1 = await invoice([{ numeroDossier: d.ext, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: d.a1 }]);
    expect(await validateAndPay(a1, d.a1, 'VIR-CLOT-1')).toBe(200);
    const meals = await invoice([{ numeroDossier: d.ext, numeroEcheance: 1, natureLigne: 'RESTAURATION', montant: 60, quantite: 20 }]);

    const blocked = await move(d.n, { vers: 'SOLDE' });
    expect(blocked.status).toBe(409);
    expect(blocked.body.errors.map((e: { code: string }) => e.code)).toContain('FACTURE_NON_REGLEE');
    const solde = await t.http.get(`/back-office/v1/dossiers/${d.n}/solde`).set('X-API-KEY', opco);
    expect(solde.body.soldable).toBe(false);

    expect(await validateAndPay(meals, 60, 'VIR-CLOT-2')).toBe(200);
    expect((await move(d.n, { vers: 'SOLDE' })).status).toBe(200);
  });

  it('no payment is booked on a closed dossier', async () => {
    const d = await brokenWithMeals(961);
    const a1 = await invoice([{ numeroDossier: d.ext, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: d.a1 }]);
    expect((await t.http.post(`/back-office/v1/factures/${a1}/transitions`).set('X-API-KEY', opco).send({ vers: 'VALIDEE' })).status).toBe(200);
    // However it got there, a SOLDE dossier takes no more money.
    await t.db('dossiers').where({ id: d.id }).update({ etat: 'SOLDE' });
    const res = await t.http.post('/back-office/v1/reglements').set('X-API-KEY', opco).send({ referenceVirement: 'VIR-CLOT-3', dateReglement: '2025-10-25', lignes: [{ numeroInterneFacture: a1, montant: d.a1 }] });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].code).toBe('DOSSIER_CLOS');
    const [paid] = await t.db('echeances').where({ dossier_id: d.id }).sum<{ s: string }[]>({ s: 'montant_regle_centimes' });
    expect(Number(paid?.s)).toBe(0);
  });

  it('an engaged dossier with money paid or invoiced cannot be cancelled', async () => {
    const created = await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).send(validCerfaPayload(962));
    const n = created.body.numeroInterne as string;
    await move(n, { vers: 'EN_COURS_INSTRUCTION' });
    await move(n, { vers: 'ENGAGE' });
    const f = await invoice([{ numeroDossier: created.body.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 3200 }]);
    const pending = await move(n, { vers: 'ANNULE', commentaire: 'Contrat jamais exécuté' });
    expect(pending.status).toBe(409);
    expect(pending.body.errors.map((e: { code: string }) => e.code)).toEqual(['FACTURE_EN_COURS']);
    expect(await validateAndPay(f, 3200, 'VIR-CLOT-4')).toBe(200);
    const paid = await move(n, { vers: 'ANNULE', commentaire: 'Contrat jamais exécuté' });
    expect(paid.status).toBe(409);
    expect(paid.body.errors.map((e: { code: string }) => e.code)).toEqual(['DOSSIER_DEJA_REGLE']);
    expect((await t.http.get('/v2/dossiers').query({ numeroInterne: n }).set('X-API-KEY', cfa)).body.cerfa.etat).toBe('ENGAGE');
  });
});
