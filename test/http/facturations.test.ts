/**
 * "Facturation à l'OPCO": a draft through its three steps and its resumption, the draft's rules
 * (dossiers of the caller, échéances open, amounts within what is left, frais quantities), double
 * invoicing through two drafts refused, and a deposit that is refused leaving the draft as it was.
 * The clock is fixed on 2026-11-15: A1 to A5 of the fixture are open, A6 to A8 are not.
 */
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it, vi } from 'vitest';
import { validCerfaPayload } from '../fixtures/cerfa.js';
import { jobDefinitions } from '../../src/jobs/definitions.js';
import {
  engagedDossier, expectConservation, facture, FIXTURE_CFA_SIRET, IBAN, ledger, PDF, postFacture, startInvoicing, type Engaged, type Harness,
} from './factures-fixture.js';

let h: Harness;

beforeAll(async () => {
  h = await startInvoicing();
});
afterAll(async () => h.t.close());
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-11-15T12:00:00+01:00'));
});
afterEach(() => {
  vi.useRealTimers();
});

type Body = Record<string, unknown>;
const pointers = (body: { errors: Array<{ code: string; champ?: string }> }): Array<[string, string | undefined]> => body.errors.map((e) => [e.code, e.champ]);

const create = (body: Body, key = h.cfa) => h.t.http.post('/v2/facturations').set('X-API-KEY', key).send(body);
const read = (id: string, key = h.cfa) => h.t.http.get(`/v2/facturations/${id}`).set('X-API-KEY', key);
const change = (id: string, body: Body, key = h.cfa) => h.t.http.patch(`/v2/facturations/${id}`).set('X-API-KEY', key).send(body);

let numero = 0;
function depot(partial: Body = {}): Body {
  numero += 1;
  return { numero: `FACT-BROUILLON-${Date.now().toString(36)}-${numero}`, dateEmission: '2026-11-01', ibanEmetteur: IBAN, siretEmetteur: FIXTURE_CFA_SIRET, ...partial };
}
const deposit = (id: string, d: Body, key = h.cfa, pdf: Buffer = PDF) =>
  h.t.http.post(`/v2/facturations/${id}/depot`).set('X-API-KEY', key).send({ depot: d, _files: { depot: pdf.toString('base64') } });

async function draft(nature: string, dossiers: Engaged[]): Promise<string> {
  const res = await create({ nature, dossiers: dossiers.map((d) => d.numeroInterne) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

async function withLines(id: string, lignes: Body[]): Promise<Body> {
  const res = await change(id, { lignes });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Body;
}

const linesOf = (body: Body) => (body.lignes as Body[]).map((l) => [l.numeroInterneDossier, l.codification, l.nature, l.quantite, l.montant]);
const openOf = (body: Body, i = 0) => ((body.dossiers as Body[])[i]?.echeancesOuvertes as Body[]).map((e) => e.codification);

describe('a facturation through its three steps', () => {
  it('step 1 dossiers, step 2 échéances, step 3 deposit: one invoice with the draft’s lines, amounts en cours, conservation', async () => {
    const d1 = await engagedDossier(h, 201);
    const d2 = await engagedDossier(h, 202);
    const created = await create({ nature: 'COUT_PEDAGOGIQUE', dossiers: [d1.numeroInterne, d2.numeroInterne] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ etat: 'EN_COURS', etape: 1, nature: 'COUT_PEDAGOGIQUE', lignes: [], nombreDossiers: 2, montantTotal: 0, numeroInterneFacture: null, deposeeLe: null });
    expect(created.body.id).toMatch(/^\d{12}$/);
    const id = created.body.id as string;
    expect(created.body.dossiers[0]).toMatchObject({ numeroInterne: d1.numeroInterne, numeroExterne: d1.numeroExterne, apprenti: { nom: expect.any(String), prenom: expect.any(String) } });
    expect(openOf(created.body)).toEqual(['A1', 'A2', 'A3', 'A4', 'A5']);
    expect(created.body.dossiers[0].echeancesOuvertes[0]).toEqual({ numeroEcheance: 1, codification: 'A1', reste: 3200, certificatRequis: false });
    expect(created.body.pourDeposer).toMatchObject({ pret: false, certificatRealisationRequis: false });

    const step2 = await withLines(id, [
      { numeroInterneDossier: d1.numeroInterne, numeroEcheance: 1 },
      { numeroInterneDossier: d2.numeroInterne, numeroEcheance: '1', natureLigne: 'PEDAGOGIE', montant: '1000.50' },
      { numeroInterneDossier: d1.numeroInterne, numeroEcheance: 2 },
    ]);
    expect(step2).toMatchObject({ etat: 'EN_COURS', etape: 2, montantTotal: 6600.5, pourDeposer: { pret: true, motifs: [], certificatRealisationRequis: true } });
    expect(linesOf(step2)).toEqual([
      [d1.numeroInterne, 'A1', 'PEDAGOGIE', 1, 3200],
      [d2.numeroInterne, 'A1', 'PEDAGOGIE', 1, 1000.5],
      [d1.numeroInterne, 'A2', 'PEDAGOGIE', 1, 2400],
    ]);
    // A draft moves no money.
    expect((await ledger(h, d1.id)).enCoursCents).toBe(0);

    const res = await deposit(id, depot({ estCertificatRealisation: true }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ etat: 'DEPOSEE', etape: 3, avertissements: [], pourDeposer: { pret: false } });
    expect(res.body.numeroInterneFacture).toMatch(/^\d{12}$/);
    expect(res.body.numeroInterneDocument).toMatch(/^\d{12}$/);
    expect(res.body.deposeeLe).toEqual(expect.any(String));

    const invoice = await h.t.http.get('/v2/factures').query({ numeroInterneFacture: res.body.numeroInterneFacture }).set('X-API-KEY', h.cfa);
    expect(invoice.status).toBe(200);
    expect(invoice.body).toMatchObject({ etatFacture: 'TRANSMIS', montantFacture: 6600.5, estCertificatRealisation: true });
    expect(invoice.body.lignes.map((l: Body) => [l.numeroInterneDossier, l.codificationEcheance, l.natureLigne, l.quantite, l.montant])).toEqual(linesOf(step2));
    expect(invoice.body.dossiers.map((d: Body) => d.numeroInterneDossier)).toEqual([d1.numeroInterne, d2.numeroInterne]);
    expect((await expectConservation(h, d1.id)).parEcheance.slice(0, 2).map((e) => e.enCoursCents)).toEqual([320_000, 240_000]);
    expect((await expectConservation(h, d2.id)).enCoursCents).toBe(100_050);

    // Closed: the view keeps its lines and its invoice; nothing more may change.
    const after = await read(id);
    expect(after.body).toMatchObject({ etat: 'DEPOSEE', numeroInterneFacture: res.body.numeroInterneFacture, montantTotal: 6600.5 });
    expect(linesOf(after.body)).toEqual(linesOf(step2));
    const again = await deposit(id, depot({ estCertificatRealisation: true }));
    expect(again.status).toBe(409);
    expect(again.body.errors[0].code).toBe('FACTURATION_NON_MODIFIABLE');
    expect((await change(id, { etat: 'ABANDONNEE' })).status).toBe(409);
    // The invoiced échéances are no longer open to a new draft (an invoice holds them).
    const next = await create({ nature: 'COUT_PEDAGOGIQUE', dossiers: [d1.numeroInterne] });
    expect(openOf(next.body)).toEqual(['A3', 'A4', 'A5']);
  });

  it('resumption: every save is read back; step 1 again drops the lines of a removed dossier; multipart deposit', async () => {
    const d3 = await engagedDossier(h, 203);
    const d4 = await engagedDossier(h, 204);
    const id = await draft('COUT_PEDAGOGIQUE', [d3]);
    const added = await change(id, { dossiers: [d3.numeroInterne, d4.numeroInterne] });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ etape: 1, nombreDossiers: 2 });
    await withLines(id, [{ numeroInterneDossier: d3.numeroInterne, numeroEcheance: 1 }, { numeroInterneDossier: d4.numeroInterne, numeroEcheance: 5 }]);
    const resumed = await read(id);
    expect(resumed.body).toMatchObject({ etat: 'EN_COURS', etape: 2, montantTotal: 6400 });
    expect(linesOf(resumed.body)).toEqual([[d3.numeroInterne, 'A1', 'PEDAGOGIE', 1, 3200], [d4.numeroInterne, 'A5', 'PEDAGOGIE', 1, 3200]]);

    const dropped = await change(id, { dossiers: [d4.numeroInterne] });
    expect(dropped.body).toMatchObject({ etape: 1, nombreDossiers: 1, montantTotal: 3200 });
    expect(linesOf(dropped.body)).toEqual([[d4.numeroInterne, 'A5', 'PEDAGOGIE', 1, 3200]]);

    // Another kind the dossier cannot take: refused, nothing changed.
    const refused = await change(id, { nature: 'RESTAURATION' });
    expect(refused.status).toBe(409);
    expect(pointers(refused.body)).toEqual([['RIEN_A_FACTURER', '/dossiers/0']]);
    const unchanged = await read(id);
    expect(unchanged.body).toMatchObject({ nature: 'COUT_PEDAGOGIQUE', etape: 1, montantTotal: 3200 });
    expect(unchanged.body.miseAJourLe).toBe(dropped.body.miseAJourLe);

    const res = await h.t.http.post(`/v2/facturations/${id}/depot`).set('X-API-KEY', h.cfa)
      .field('depot', JSON.stringify(depot()))
      .attach('fichier', PDF, { filename: 'facture.pdf', contentType: 'application/pdf' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.etat).toBe('DEPOSEE');
    expect((await expectConservation(h, d4.id)).enCoursCents).toBe(320_000);
  });

  it('a refused deposit leaves the draft EN_COURS and writes nothing; pointers name the draft’s lines and the deposit', async () => {
    const d = await engagedDossier(h, 205);
    const id = await draft('COUT_PEDAGOGIQUE', [d]);
    await withLines(id, [{ numeroInterneDossier: d.numeroInterne, numeroEcheance: 1 }, { numeroInterneDossier: d.numeroInterne, numeroEcheance: 2 }]);
    const before = await read(id);
    const ledgerBefore = await ledger(h, d.id);
    const documents = await h.t.db('documents').count<{ n: string | number }[]>({ n: '*' });

    const refused = depot({ ibanEmetteur: 'FR7630006000011234567890188' });
    const res = await deposit(id, refused);
    expect(res.status).toBe(400);
    expect(pointers(res.body)).toEqual([['CERTIFICAT_REALISATION_MANQUANT', '/lignes/1/numeroEcheance'], ['IBAN_INVALIDE', '/depot/ibanEmetteur']]);
    const notPdf = await deposit(id, depot({ estCertificatRealisation: true }), h.cfa, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1]));
    expect(notPdf.status).toBe(415);
    expect(notPdf.body.errors[0].champ).toBe('/_files/depot');
    const foreignSiret = await deposit(id, depot({ siretEmetteur: '81234567600173' }));
    expect(foreignSiret.status).toBe(403);
    expect(foreignSiret.body.errors[0].champ).toBe('/depot/siretEmetteur');
    const noFile = await h.t.http.post(`/v2/facturations/${id}/depot`).set('X-API-KEY', h.cfa).send({ depot: depot() });
    expect(pointers(noFile.body)).toEqual([['PARTIE_MANQUANTE', '/_files/depot']]);

    expect((await read(id)).body).toEqual(before.body);
    expect(await ledger(h, d.id)).toEqual(ledgerBefore);
    expect(await h.t.db('factures').where({ numero: refused.numero }).first()).toBeUndefined();
    expect(await h.t.db('documents').count<{ n: string | number }[]>({ n: '*' })).toEqual(documents);

    // An invoice posted meanwhile through POST /v1/factures: the deposit meets the same check.
    expect((await postFacture(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 2, natureLigne: 'PEDAGOGIE', montant: 100 }], { estCertificatRealisation: true }))).status).toBe(200);
    const taken = await deposit(id, depot({ estCertificatRealisation: true }));
    expect(pointers(taken.body)).toEqual([['FACTURE_DEJA_EN_COURS', '/lignes/1/numeroEcheance'], ['MONTANT_SUPERIEUR_AU_RESTE', '/lignes/1/montant']]);
    expect((await read(id)).body.etat).toBe('EN_COURS');
    // The draft drops that échéance and goes through.
    await withLines(id, [{ numeroInterneDossier: d.numeroInterne, numeroEcheance: 1 }]);
    const used = await deposit(id, depot({ numero: refused.numero }));
    expect(used.status).toBe(200);
    await expectConservation(h, d.id);
  });
});

describe('two drafts never hold the same échéance', () => {
  it('the second draft gets 409 naming the first; abandoning the first frees the échéance', async () => {
    const d = await engagedDossier(h, 206);
    const a = await draft('COUT_PEDAGOGIQUE', [d]);
    await withLines(a, [{ numeroInterneDossier: d.numeroInterne, numeroEcheance: 1 }]);
    const b = await draft('COUT_PEDAGOGIQUE', [d]);
    expect(openOf((await read(b)).body)).toEqual(['A2', 'A3', 'A4', 'A5']);

    const clash = await change(b, { lignes: [{ numeroInterneDossier: d.numeroInterne, numeroEcheance: 3 }, { numeroInterneDossier: d.numeroInterne, numeroEcheance: 1 }] });
    expect(clash.status).toBe(409);
    expect(pointers(clash.body)).toEqual([['FACTURATION_CONCURRENTE', '/lignes/1']]);
    expect(clash.body.errors[0].description).toContain(a);
    expect((await read(b)).body.lignes).toEqual([]);

    const abandoned = await change(a, { etat: 'ABANDONNEE' });
    expect(abandoned.status).toBe(200);
    expect(abandoned.body).toMatchObject({ etat: 'ABANDONNEE', etape: 2 });
    expect(abandoned.body.dossiers[0].echeancesOuvertes).toEqual([]);
    expect((await change(a, { lignes: [] })).status).toBe(409);
    expect((await deposit(a, depot())).status).toBe(409);

    const taken = await withLines(b, [{ numeroInterneDossier: d.numeroInterne, numeroEcheance: 1 }, { numeroInterneDossier: d.numeroInterne, numeroEcheance: 3 }]);
    expect(linesOf(taken).map((l) => l[1])).toEqual(['A1', 'A3']);
  });

  it('a draft idle for 90 days is abandoned by the job abandon-facturations, and its échéance freed', async () => {
    const d = await engagedDossier(h, 216);
    const idle = await draft('COUT_PEDAGOGIQUE', [d]);
    await withLines(idle, [{ numeroInterneDossier: d.numeroInterne, numeroEcheance: 1 }]);
    const saved = new Date((await read(idle)).body.miseAJourLe as string);
    const job = jobDefinitions.find((j) => j.name === 'abandon-facturations');
    if (!job) throw new Error('job abandon-facturations missing');
    const day = 86_400_000;

    // 89 days on: kept, still holding A1 (a save starts the delay again).
    expect(await job.run(h.t.db, h.t.config, new Date(saved.getTime() + 89 * day))).toEqual({ abandonnees: 0 });
    expect((await read(idle)).body.etat).toBe('EN_COURS');
    const other = await draft('COUT_PEDAGOGIQUE', [d]);
    expect((await change(other, { lignes: [{ numeroInterneDossier: d.numeroInterne, numeroEcheance: 1 }] })).status).toBe(409);

    // 91 days on: both drafts abandoned (and this file's other drafts, saved earlier); A1 is free.
    const after = await job.run(h.t.db, h.t.config, new Date(saved.getTime() + 91 * day));
    expect(after.abandonnees).toBeGreaterThanOrEqual(2);
    expect((await read(idle)).body.etat).toBe('ABANDONNEE');
    expect((await read(other)).body.etat).toBe('ABANDONNEE');
    expect(await job.run(h.t.db, h.t.config, new Date(saved.getTime() + 92 * day))).toEqual({ abandonnees: 0 });
    const taken = await withLines(await draft('COUT_PEDAGOGIQUE', [d]), [{ numeroInterneDossier: d.numeroInterne, numeroEcheance: 1 }]);
    expect(linesOf(taken).map((l) => l[1])).toEqual(['A1']);
  });

  it('concurrent saves of two drafts on one échéance: exactly one holds it', async () => {
    const d = await engagedDossier(h, 207);
    const drafts = await Promise.all([1, 2, 3].map(() => draft('COUT_PEDAGOGIQUE', [d])));
    const results = await Promise.all(drafts.map((id) => change(id, { lignes: [{ numeroInterneDossier: d.numeroInterne, numeroEcheance: 1 }] })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.errors[0].code).toBe('FACTURATION_CONCURRENTE');
    const [held] = await h.t.db('facturations_lignes').where({ dossier_id: d.id, numero_echeance: 1, active: true }).count<{ n: string | number }[]>({ n: '*' });
    expect(Number(held?.n)).toBe(1);
  });

  it('frais annexes: another draft’s meals count against the envelope', async () => {
    const d = await engagedDossier(h, 208, { nombreRepasTotaux: 100, nombreHebergementTotaux: 10, montantPremierEquipement: 300 });
    const a = await draft('RESTAURATION', [d]);
    await withLines(a, [{ numeroInterneDossier: d.numeroInterne, numeroEcheance: 1, quantite: 60 }]);
    const b = await draft('RESTAURATION', [d]);
    const view = await read(b);
    expect(view.body.dossiers[0].echeancesOuvertes[0]).toEqual({ numeroEcheance: 2, codification: 'A2', reste: 120, quantiteDisponible: 40, certificatRequis: false });
    const over = await change(b, { lignes: [{ numeroInterneDossier: d.numeroInterne, numeroEcheance: 2, quantite: 41 }] });
    expect(pointers(over.body)).toEqual([['QUANTITE_SUPERIEURE_A_L_ENGAGEMENT', '/lignes/0/quantite']]);
    const dearer = await change(b, { lignes: [{ numeroInterneDossier: d.numeroInterne, numeroEcheance: 2, quantite: 40, montant: 121 }] });
    expect(pointers(dearer.body)).toEqual([['MONTANT_SUPERIEUR_AU_PLAFOND_UNITAIRE', '/lignes/0/montant'], ['MONTANT_SUPERIEUR_AU_RESTE', '/lignes/0/montant']]);
    await withLines(b, [{ numeroInterneDossier: d.numeroInterne, numeroEcheance: 2, quantite: 40 }]);
  });
});

describe('the draft’s rules', () => {
  it('frais annexes: quantities × unit price, lower amounts, forfaits by default; deposited without moving the échéances', async () => {
    const d = await engagedDossier(h, 209, { nombreRepasTotaux: 100, nombreHebergementTotaux: 10, montantPremierEquipement: 300 });
    const id = await draft('RESTAURATION', [d]);
    const created = await read(id);
    expect(created.body.dossiers[0].echeancesOuvertes.map((e: Body) => [e.codification, e.reste, e.quantiteDisponible])).toEqual([['A1', 300, 100], ['A2', 300, 100], ['A3', 300, 100], ['A4', 300, 100], ['A5', 300, 100]]);
    const ligne = (numeroEcheance: number, extra: Body = {}) => ({ numeroInterneDossier: d.numeroInterne, numeroEcheance, ...extra });

    const missing = await change(id, { lignes: [ligne(1)] });
    expect(pointers(missing.body)).toEqual([['QUANTITE_REQUISE', '/lignes/0/quantite']]);
    const bad = await change(id, { lignes: [ligne(1, { quantite: 40, montant: 121 }), ligne(2, { quantite: 70 }), ligne(3, { quantite: 1, natureLigne: 'HEBERGEMENT' })] });
    expect(pointers(bad.body)).toEqual([
      ['MONTANT_SUPERIEUR_AU_PLAFOND_UNITAIRE', '/lignes/0/montant'],
      ['QUANTITE_SUPERIEURE_A_L_ENGAGEMENT', '/lignes/1/quantite'],
      ['NATURE_HORS_FACTURATION', '/lignes/2/natureLigne'],
    ]);
    const saved = await withLines(id, [ligne(1, { quantite: 40 }), ligne(2, { quantite: 20, montant: 50 })]);
    expect(linesOf(saved)).toEqual([[d.numeroInterne, 'A1', 'RESTAURATION', 40, 120], [d.numeroInterne, 'A2', 'RESTAURATION', 20, 50]]);
    expect(saved).toMatchObject({ montantTotal: 170, pourDeposer: { pret: true, certificatRealisationRequis: false } });

    const res = await deposit(id, depot());
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const invoice = await h.t.http.get('/v2/factures').query({ numeroInterneFacture: res.body.numeroInterneFacture }).set('X-API-KEY', h.cfa);
    expect(invoice.body.lignes.map((l: Body) => [l.natureLigne, l.quantite, l.montant])).toEqual([['RESTAURATION', 40, 120], ['RESTAURATION', 20, 50]]);
    expect((await expectConservation(h, d.id)).enCoursCents).toBe(0);

    const equipement = await draft('PREMIEREQUIPEMENT', [d]);
    expect((await read(equipement)).body.dossiers[0].echeancesOuvertes.map((e: Body) => [e.codification, e.reste])).toEqual([['A1', 300]]);
    const elsewhere = await change(equipement, { lignes: [ligne(2)] });
    expect(pointers(elsewhere.body)).toEqual([['NATURE_NON_PREVUE_SUR_ECHEANCE', '/lignes/0/natureLigne']]);
    expect(linesOf(await withLines(equipement, [ligne(1)]))).toEqual([[d.numeroInterne, 'A1', 'PREMIEREQUIPEMENT', 1, 300]]);
  });

  it('step 2 runs the invoice checks of a facture dated today, against the entries', async () => {
    const d = await engagedDossier(h, 210);
    const other = await engagedDossier(h, 211);
    const id = await draft('COUT_PEDAGOGIQUE', [d]);
    const ligne = (numeroEcheance: number | string, extra: Body = {}) => ({ numeroInterneDossier: d.numeroInterne, numeroEcheance, ...extra });
    const res = await change(id, { lignes: [
      ligne(1, { natureLigne: 'PEDAGOGIE', montant: 3200.01 }),
      ligne(1, { montant: 10 }),
      ligne(6),
      ligne(12),
      { numeroInterneDossier: other.numeroInterne, numeroEcheance: 1 },
      ligne(2, { natureLigne: 'MAJORATION_RQTH' }),
      ligne(3, { natureLigne: 'PEDAGOGIE', montant: 10.001 }),
    ] });
    expect(res.status).toBe(400);
    expect(pointers(res.body)).toEqual([
      ['MONTANT_SUPERIEUR_AU_RESTE', '/lignes/0/montant'],
      ['NATURE_LIGNE_REQUISE', '/lignes/1/natureLigne'],
      ['ECHEANCE_NON_OUVERTE', '/lignes/2/numeroEcheance'],
      ['ECHEANCE_INCONNUE', '/lignes/3/numeroEcheance'],
      ['DOSSIER_HORS_FACTURATION', '/lignes/4/numeroInterneDossier'],
      ['NATURE_NON_ENGAGEE', '/lignes/5/natureLigne'],
      ['MONTANT_INVALIDE', '/lignes/6/montant'],
    ]);
    expect(res.body.errors.every((e: { section: string }) => e.section === 'requete')).toBe(true);
    expect((await read(id)).body).toMatchObject({ etape: 1, lignes: [] });

    expect(pointers((await change(id, {})).body)).toEqual([['MODIFICATION_VIDE', '']]);
    expect(pointers((await change(id, { etat: 'ABANDONNEE', lignes: [] })).body)).toEqual([['ABANDON_EXCLUSIF', '/etat']]);
    expect((await change(id, { etat: 'DEPOSEE' })).status).toBe(400);
    const empty = await deposit(id, depot());
    expect(empty.status).toBe(409);
    expect(empty.body.errors[0].code).toBe('FACTURATION_SANS_LIGNE');
    // An échéance with nothing left is said so.
    await withLines(id, [ligne(1)]);
    const second = await draft('COUT_PEDAGOGIQUE', [d]);
    expect((await postFacture(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 5, natureLigne: 'PEDAGOGIE', montant: 3200 }]))).status).toBe(200);
    const nothing = await change(second, { lignes: [{ numeroInterneDossier: d.numeroInterne, numeroEcheance: 5 }] });
    expect(pointers(nothing.body)).toEqual([['FACTURE_DEJA_EN_COURS', '/lignes/0/numeroEcheance']]);
  });

  it('step 1: dossiers of the caller (404 naming all), invoiceable in that kind (409 listing all)', async () => {
    const d = await engagedDossier(h, 212);
    const pending = await h.t.http.post('/v2/dossiers').set('X-API-KEY', h.cfa).send(validCerfaPayload(213));
    expect(pending.status).toBe(200);
    const unknown = await create({ nature: 'COUT_PEDAGOGIQUE', dossiers: ['999999999999', d.numeroInterne, '25APP99999999'] });
    expect(unknown.status).toBe(404);
    expect(pointers(unknown.body)).toEqual([['DOSSIER_INTROUVABLE', '/dossiers/0'], ['DOSSIER_INTROUVABLE', '/dossiers/2']]);
    expect(unknown.body.errors[0].description).toBe('Aucun dossier 999999999999 pour ce CFA.');
    // Another CFA's dossier is unknown to it.
    const foreign = await create({ nature: 'COUT_PEDAGOGIQUE', dossiers: [d.numeroInterne] }, h.other);
    expect(pointers(foreign.body)).toEqual([['DOSSIER_INTROUVABLE', '/dossiers/0']]);

    const conflicts = await create({ nature: 'RESTAURATION', dossiers: [pending.body.numeroInterne, d.numeroInterne] });
    expect(conflicts.status).toBe(409);
    expect(pointers(conflicts.body)).toEqual([['DOSSIER_NON_FACTURABLE', '/dossiers/0'], ['RIEN_A_FACTURER', '/dossiers/1']]);
    expect((await create({ nature: 'CAFE', dossiers: [d.numeroInterne] })).status).toBe(400);
    expect((await create({ nature: 'COUT_PEDAGOGIQUE', dossiers: [] })).status).toBe(400);
    expect(await h.t.db('facturations').whereIn('id', h.t.db('facturations_dossiers').select('facturation_id').where({ dossier_id: d.id })).first()).toBeUndefined();
  });

  it('another CFA’s facturation answers 404 like an unknown one', async () => {
    const d = await engagedDossier(h, 214);
    const id = await draft('COUT_PEDAGOGIQUE', [d]);
    await withLines(id, [{ numeroInterneDossier: d.numeroInterne, numeroEcheance: 1 }]);
    for (const res of [await read(id, h.other), await change(id, { etat: 'ABANDONNEE' }, h.other), await deposit(id, depot(), h.other), await read('123456789012')]) {
      expect(res.status).toBe(404);
      expect(res.body.errors[0].code).toBe('FACTURATION_INTROUVABLE');
    }
    expect((await read(id)).body.etat).toBe('EN_COURS');
    // The collection lists the caller's drafts only, as the état de suivi does.
    const mine = await h.t.http.get('/v2/facturations').query({ etat: 'EN_COURS', taillePage: 1000 }).set('X-API-KEY', h.cfa);
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((f: Body) => f.id)).toContain(id);
    expect(mine.body.items.every((f: Body) => f.etat === 'EN_COURS')).toBe(true);
    const suivi = await h.t.http.get('/v2/suivi/facturations').query({ etat: 'EN_COURS', taillePage: 1000 }).set('X-API-KEY', h.cfa);
    expect(mine.body).toEqual(suivi.body);
    const theirs = await h.t.http.get('/v2/facturations').set('X-API-KEY', h.other);
    expect(theirs.body.items.map((f: Body) => f.id)).not.toContain(id);
  });

  it('an Idempotency-Key makes a retried creation return the same draft', async () => {
    const d = await engagedDossier(h, 215);
    const body = { nature: 'COUT_PEDAGOGIQUE', dossiers: [d.numeroInterne] };
    const first = await h.t.http.post('/v2/facturations').set('X-API-KEY', h.cfa).set('Idempotency-Key', 'brouillon-215').send(body);
    const retry = await h.t.http.post('/v2/facturations').set('X-API-KEY', h.cfa).set('Idempotency-Key', 'brouillon-215').send(body);
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.body.id).toBe(first.body.id);
  });
});
