/**
 * POST /v2/dossiers/solde: the CFA declares it will invoice nothing more. Money effects (the rest of
 * the engagement released, Σ réglé + Σ en cours + Σ reste = engagement with reste 0, frais-annexes
 * envelopes cut down), immediate SOLDE, SOLDE deferred until the last pending invoice is paid or
 * rejected (or the refund received), refusals and tenant isolation.
 *
 * Broken dossiers: the fixture contract broken on 2025-10-15; A1 (partial, certificat required,
 * to invoice by 2026-02-15) carries everything still due; declarations are made on 2025-12-20.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { jobDefinitions } from '../../src/jobs/definitions.js';
import { validCerfaPayload } from '../fixtures/cerfa.js';
import {
  depositInvoice, engagedDossier, expectConservation, facture, ledger, payInvoices, postFacture, startInvoicing, transition,
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

function at(date: string): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(`${date}T12:00:00+01:00`));
}

const declare = (body: Record<string, unknown>, key = h.cfa) => h.t.http.post('/v2/dossiers/solde').set('X-API-KEY', key).send(body);
const codes = (body: { errors?: Array<{ code: string }> }): string[] => (body.errors ?? []).map((e) => e.code);
const euros = (cents: number): number => cents / 100;

async function broken(seed: number, couts?: Record<string, unknown>): Promise<Engaged & { a1Cents: number }> {
  at('2025-10-25');
  const d = await engagedDossier(h, seed, couts);
  const res = await h.t.http.post('/v2/dossiers/rupture/employeur').set('X-API-KEY', h.cfa)
    .send({ numeroInterne: d.numeroInterne, dateRupture: '2025-10-15', motif: 'ACCORD_COMMUN', initiative: 'COMMUN' });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const a1 = (await h.t.db('echeances').where({ dossier_id: d.id, numero: 1 }).first('montant_total_centimes')) as { montant_total_centimes: string };
  return { ...d, a1Cents: Number(a1.montant_total_centimes) };
}

/** An invoice on A1 (pédagogie and/or meals), deposited on 2025-10-25 with its certificat. */
async function invoiceA1(d: Engaged, lignes: { pedagogie?: number; repas?: number }): Promise<string> {
  at('2025-10-25');
  const l = [
    ...(lignes.pedagogie ? [{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: lignes.pedagogie }] : []),
    ...(lignes.repas ? [{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'RESTAURATION', montant: lignes.repas, quantite: lignes.repas / 3 }] : []),
  ];
  return depositInvoice(h, facture(l, { dateEmission: '2025-10-20', estCertificatRealisation: true }));
}

let reference = 0;
async function pay(f: string, montant: number): Promise<void> {
  reference += 1;
  const res = await payInvoices(h, { referenceVirement: `VIR-SOLDE-${reference}`, dateReglement: '2025-12-01', lignes: [{ numeroInterneFacture: f, montant }] });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/** The stored declaration, its amount as a number (bigint: a string on PostgreSQL, a number on PGlite). */
async function declaration(d: Engaged) {
  const row = (await h.t.db('declarations_solde').where({ dossier_id: d.id }).first()) as {
    numero_interne: string; cfa_siren: string; commentaire: string | null; montant_libere_centimes: string | number; etat: string; acteur: string; soldee_le: Date | null;
  } | undefined;
  return row && { ...row, montant_libere_centimes: Number(row.montant_libere_centimes) };
}

async function etatOf(d: Engaged): Promise<string> {
  return ((await h.t.db('dossiers').where({ id: d.id }).first('etat')) as { etat: string }).etat;
}

async function envelope(d: Engaged, nature: string): Promise<{ quantite: number; montant: number }> {
  const row = (await h.t.db('engagements_frais_annexes').where({ dossier_id: d.id, nature }).first('quantite', 'montant_total_centimes')) as { quantite: number; montant_total_centimes: string };
  return { quantite: row.quantite, montant: Number(row.montant_total_centimes) };
}

describe('declaring the solde with nothing pending', () => {
  it('releases the rest (échéances and frais annexes), keeps Σ conservation, closes the dossier at once, and leaves the list', async () => {
    const d = await broken(201, { nombreRepasTotaux: 100 });
    const f = await invoiceA1(d, { pedagogie: 500, repas: 60 });
    expect((await transition(h, f, { vers: 'VALIDEE' })).status).toBe(200);
    await pay(f, 560);
    const before = await expectConservation(h, d.id);
    expect(await envelope(d, 'RESTAURATION')).toEqual({ quantite: 100, montant: 30_000 });
    const job = jobDefinitions.find((j) => j.name === 'dossiers-echus');
    await job?.run(h.t.db, h.t.config, new Date('2025-12-20T12:00:00+01:00'));
    expect(await h.t.db('dossiers_echus').where({ dossier_id: d.id }).first()).toBeDefined();

    at('2025-12-20');
    const res = await declare({ numeroInterne: d.numeroInterne, commentaire: '  Apprenti parti, rien d’autre à facturer  ' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const releasedCents = (d.a1Cents - 50_000) + (30_000 - 6_000);
    expect(res.body).toEqual({
      numeroInterneDeclaration: expect.stringMatching(/^\d{12}$/), numeroInterneDossier: d.numeroInterne, etat: 'SOLDE',
      montantLibere: euros(releasedCents), dossierEtat: 'SOLDE', declareeLe: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/), // the database's clock
    });

    // Money: the engagement went down by what the échéances released; reste 0; nothing raised.
    const after = await expectConservation(h, d.id);
    expect(after).toMatchObject({ engagementCents: before.engagementCents - (d.a1Cents - 50_000), regleCents: 50_000, enCoursCents: 0, resteCents: 0 });
    expect(after.parEcheance[0]).toEqual({ numero: 1, totalCents: 50_000, regleCents: 50_000, enCoursCents: 0 });
    const a1 = await h.t.db('echeances').where({ dossier_id: d.id, numero: 1 }).first('dont_pedagogie_centimes', 'dont_rqth_centimes');
    expect({ p: Number(a1.dont_pedagogie_centimes), r: Number(a1.dont_rqth_centimes) }).toEqual({ p: 50_000, r: 0 });
    expect(await envelope(d, 'RESTAURATION')).toEqual({ quantite: 20, montant: 6_000 });

    expect(await declaration(d)).toMatchObject({
      numero_interne: res.body.numeroInterneDeclaration, cfa_siren: '778899112', commentaire: 'Apprenti parti, rien d’autre à facturer',
      montant_libere_centimes: releasedCents, etat: 'SOLDE', acteur: 'cfa:778899112', soldee_le: expect.any(Date),
    });
    expect(await h.t.db('dossiers_echus').where({ dossier_id: d.id }).first()).toBeUndefined();
    const history = await h.t.http.get('/v2/dossiers/historique').query({ numeroInterne: d.numeroInterne }).set('X-API-KEY', h.cfa);
    expect(history.body.historique.slice(-2)).toMatchObject([
      {
        evenement: 'DECLARATION_SOLDE', libelle: 'Déclaration de solde des dossiers échus', etat: 'RUPTURE', acteur: 'cfa:778899112',
        commentaire: 'Déclaration de solde des dossiers échus — Apprenti parti, rien d’autre à facturer',
      },
      { evenement: 'ETAT', libelle: 'Dossier soldé', etat: 'SOLDE', acteur: 'cfa:778899112' },
    ]);
    expect(await h.t.db('audit_ecritures').where({ action: 'SOLDE_DECLARE', objet_id: d.numeroInterne }).first('id')).toBeDefined();
    // The CFA's view shows the échéancier as it now stands.
    const view = await h.t.http.get('/v2/dossiers').query({ numeroInterne: d.numeroInterne }).set('X-API-KEY', h.cfa);
    expect(view.status).toBe(200);
    expect(view.body.echeances[0]).toMatchObject({ montantTotal: 500, montantRegle: 500 });

    const twice = await declare({ numeroInterne: d.numeroInterne });
    expect(twice.status).toBe(409);
    expect(codes(twice.body)).toEqual(['SOLDE_DEJA_DECLARE']);
  });

  it('nothing invoiced at all: the whole engagement is released', async () => {
    const d = await broken(202);
    at('2025-12-20');
    const res = await declare({ numeroInterne: d.numeroInterne });
    expect(res.body).toMatchObject({ etat: 'SOLDE', dossierEtat: 'SOLDE', montantLibere: euros(d.a1Cents) });
    expect(await expectConservation(h, d.id)).toMatchObject({ engagementCents: 0, totalCents: 0, resteCents: 0 });
    expect((await declaration(d))?.commentaire).toBeNull();
  });
});

describe('declaring the solde while an invoice is pending', () => {
  it('EN_ATTENTE: released at once, no new invoice fits; the dossier closes when the last invoice is paid in full', async () => {
    const d = await broken(211);
    const f = await invoiceA1(d, { pedagogie: 500 });
    at('2025-12-20');
    const res = await declare({ numeroInterne: d.numeroInterne });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ etat: 'EN_ATTENTE', dossierEtat: 'RUPTURE', montantLibere: euros(d.a1Cents - 50_000) });
    expect(await expectConservation(h, d.id)).toMatchObject({ enCoursCents: 50_000, resteCents: 0, engagementCents: 50_000 });
    expect((await declaration(d))?.soldee_le).toBeNull();

    at('2026-01-05');
    const more = await postFacture(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 1 }], { dateEmission: '2026-01-02', estCertificatRealisation: true }));
    expect(codes(more.body)).toContain('MONTANT_SUPERIEUR_AU_RESTE');

    expect((await transition(h, f, { vers: 'VALIDEE' })).status).toBe(200);
    await pay(f, 200);
    expect(await etatOf(d)).toBe('RUPTURE');
    expect((await declaration(d))?.etat).toBe('EN_ATTENTE');
    await pay(f, 300);
    expect(await etatOf(d)).toBe('SOLDE');
    expect(await declaration(d)).toMatchObject({ etat: 'SOLDE', montant_libere_centimes: d.a1Cents - 50_000, soldee_le: expect.any(Date) });
    expect(await expectConservation(h, d.id)).toMatchObject({ regleCents: 50_000, enCoursCents: 0, resteCents: 0, engagementCents: 50_000 });
    const history = await h.t.http.get('/v2/dossiers/historique').query({ numeroInterne: d.numeroInterne }).set('X-API-KEY', h.cfa);
    expect(history.body.historique.at(-1)).toMatchObject({ evenement: 'ETAT', etat: 'SOLDE' });
  });

  it('a rejection gives its amount back, which is released too; the dossier closes when the last pending invoice ends', async () => {
    const d = await broken(212, { nombreRepasTotaux: 100 });
    const pedagogie = await invoiceA1(d, { pedagogie: 500 });
    const repas = await invoiceA1(d, { repas: 60 });
    at('2025-12-20');
    const res = await declare({ numeroInterne: d.numeroInterne, commentaire: 'Fin de formation' });
    // Pédagogie: A1 − 500 €; meals: 300 € − 60 €.
    expect(res.body).toMatchObject({ etat: 'EN_ATTENTE', dossierEtat: 'RUPTURE', montantLibere: euros(d.a1Cents - 50_000 + 24_000) });
    expect(await envelope(d, 'RESTAURATION')).toEqual({ quantite: 20, montant: 6_000 });

    expect((await transition(h, pedagogie, { vers: 'REJETEE', commentaire: 'Montant erroné' })).status).toBe(200);
    // The meals invoice is still pending: released, not closed.
    expect(await etatOf(d)).toBe('RUPTURE');
    expect(await declaration(d)).toMatchObject({ etat: 'EN_ATTENTE', montant_libere_centimes: d.a1Cents + 24_000 });
    expect(await expectConservation(h, d.id)).toMatchObject({ engagementCents: 0, totalCents: 0, enCoursCents: 0, resteCents: 0 });

    expect((await transition(h, repas, { vers: 'REJETEE', commentaire: 'Repas non justifiés' })).status).toBe(200);
    expect(await etatOf(d)).toBe('SOLDE');
    expect(await declaration(d)).toMatchObject({ etat: 'SOLDE', montant_libere_centimes: d.a1Cents + 30_000 });
    expect(await envelope(d, 'RESTAURATION')).toEqual({ quantite: 0, montant: 0 });
    const history = await h.t.http.get(`/back-office/v1/dossiers/${d.numeroInterne}`).set('X-API-KEY', h.opco);
    const lines = history.body.historique as Array<{ evenement: string; etat: string; acteur: string; commentaire: string | null }>;
    expect(lines.filter((l) => l.evenement === 'DECLARATION_SOLDE').map((l) => l.commentaire)).toEqual([
      'Déclaration de solde des dossiers échus — Fin de formation',
      'Déclaration de solde des dossiers échus : 500,00 € rendus par une facture rejetée, libérés',
      'Déclaration de solde des dossiers échus : 60,00 € rendus par une facture rejetée, libérés',
    ]);
    expect(lines.at(-1)).toMatchObject({ evenement: 'ETAT', etat: 'SOLDE', acteur: 'opco:instructeur test' });
  });

  it('a refund still awaited holds the dossier until the OPCO receives it', async () => {
    // A1 (3 200 €) paid, then a rupture after 20 days: trop-perçu, refund due.
    at('2025-10-25');
    const d = await engagedDossier(h, 213);
    const f = await depositInvoice(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 3200 }], { dateEmission: '2025-10-20' }));
    expect((await transition(h, f, { vers: 'VALIDEE' })).status).toBe(200);
    await pay(f, 3200);
    const rupture = await h.t.http.post('/v2/dossiers/rupture/employeur').set('X-API-KEY', h.cfa)
      .send({ numeroInterne: d.numeroInterne, dateRupture: '2025-09-20', motif: 'PERIODE_PROBATOIRE', initiative: 'APPRENTI' });
    expect(rupture.status).toBe(200);
    const id = rupture.body.remboursement.idRemboursement as string;

    at('2025-12-20');
    const res = await declare({ numeroInterne: d.numeroInterne });
    // A1 is overpaid: nothing to release, nothing raised.
    expect(res.body).toMatchObject({ etat: 'EN_ATTENTE', dossierEtat: 'RUPTURE', montantLibere: 0 });
    const l = await ledger(h, d.id);
    expect(l.regleCents - l.tropPercuCents).toBe(l.engagementCents);

    expect((await h.t.http.post(`/v2/remboursements/${id}/declaration`).set('X-API-KEY', h.cfa).send({ mode: 'VIREMENT' })).status).toBe(200);
    expect((await declaration(d))?.etat).toBe('EN_ATTENTE');
    expect((await h.t.http.post(`/back-office/v1/remboursements/${id}/reception`).set('X-API-KEY', h.opco).send({})).status).toBe(200);
    expect(await etatOf(d)).toBe('SOLDE');
    expect((await declaration(d))?.etat).toBe('SOLDE');
  });

  it('an engaged dossier past its end (A8 pending): EN_ATTENTE, no rupture any more, SOLDE once A8 is paid', async () => {
    const d = await engagedDossier(h, 214);
    at('2027-11-15');
    const a8 = await depositInvoice(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 8, natureLigne: 'PEDAGOGIE', montant: 800 }], { dateEmission: '2027-11-10', estCertificatRealisation: true }));
    const res = await declare({ numeroInterne: d.numeroInterne });
    expect(res.body).toMatchObject({ etat: 'EN_ATTENTE', dossierEtat: 'ENGAGE', montantLibere: 15_200 });
    expect(await expectConservation(h, d.id)).toMatchObject({ engagementCents: 80_000, enCoursCents: 80_000, resteCents: 0 });

    const rupture = await h.t.http.post('/v2/dossiers/rupture/employeur').set('X-API-KEY', h.cfa)
      .send({ numeroInterne: d.numeroInterne, dateRupture: '2027-06-30', motif: 'ACCORD_COMMUN', initiative: 'COMMUN' });
    expect(rupture.status).toBe(409);
    expect(codes(rupture.body)).toEqual(['SOLDE_DEJA_DECLARE']);

    expect((await transition(h, a8, { vers: 'VALIDEE' })).status).toBe(200);
    await pay(a8, 800);
    expect(await etatOf(d)).toBe('SOLDE');
    expect(await expectConservation(h, d.id)).toMatchObject({ engagementCents: 80_000, regleCents: 80_000, resteCents: 0 });
  });
});

describe('refusals', () => {
  it('another CFA\'s dossier answers exactly like an unknown one (404)', async () => {
    const d = await broken(221);
    at('2025-12-20');
    const foreign = await declare({ numeroInterne: d.numeroInterne }, h.other);
    const unknown = await declare({ numeroInterne: '000000000000' }, h.other);
    expect([foreign.status, unknown.status]).toEqual([404, 404]);
    expect(codes(foreign.body)).toEqual(['DOSSIER_INTROUVABLE']);
    // Same body but for the number asked and the request id.
    const same = (b: Record<string, unknown>, numero: string) => JSON.parse(JSON.stringify({ ...b, instance: undefined }).replaceAll(numero, 'N'));
    expect(same(foreign.body, d.numeroInterne)).toEqual(same(unknown.body, '000000000000'));
    expect(await declaration(d)).toBeUndefined();
    expect(await etatOf(d)).toBe('RUPTURE');
  });

  it('a billing period still running, a dossier not engaged: 409 with a French reason; invalid bodies: 400; v2 only', async () => {
    const running = await engagedDossier(h, 222);
    const early = await declare({ numeroInterne: running.numeroInterne });
    expect(early.status).toBe(409);
    expect(codes(early.body)).toEqual(['PERIODE_FACTURATION_EN_COURS']);
    expect(early.body.errors[0].description).toContain('31/08/2027');
    expect(await declaration(running)).toBeUndefined();

    const transmis = await h.t.http.post('/v2/dossiers').set('X-API-KEY', h.cfa).send(validCerfaPayload(223));
    const notEngaged = await declare({ numeroInterne: transmis.body.numeroInterne });
    expect(notEngaged.status).toBe(409);
    expect(codes(notEngaged.body)).toEqual(['DOSSIER_NON_SOLDABLE']);

    expect((await declare({})).status).toBe(400);
    expect((await declare({ numeroInterne: running.numeroInterne, commentaire: 'x'.repeat(2001) })).status).toBe(400);
    expect((await h.t.http.post('/v1/dossiers/solde').set('X-API-KEY', h.cfa).send({ numeroInterne: running.numeroInterne })).status).toBe(404);
    expect((await h.t.http.post('/v2/dossiers/solde').set('X-API-KEY', h.opco).send({ numeroInterne: running.numeroInterne })).status).toBe(403);
  });
});
