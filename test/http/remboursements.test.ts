/**
 * Ruptures declared by the CFA (POST /v2/dossiers/rupture/employeur): the dossier goes to RUPTURE
 * through the back office's own transition, the échéancier is recomputed, an overpayment becomes a
 * refund that the CFA declares (transfer or avoir) and the OPCO receives.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { validCerfaPayload } from '../fixtures/cerfa.js';
import {
  depositInvoice, engagedDossier, expectConservation, facture, ledger, postFacture, payInvoices, startInvoicing, transition,
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

const pointers = (body: { errors: Array<{ code: string; champ?: string }> }): Array<[string, string | undefined]> => body.errors.map((e) => [e.code, e.champ]);
const rupture = (body: Record<string, unknown>, key = h.cfa) => h.t.http.post('/v2/dossiers/rupture/employeur').set('X-API-KEY', key).send(body);
const declareRefund = (id: string, body: Record<string, unknown>, key = h.cfa) => h.t.http.post(`/v2/remboursements/${id}/declaration`).set('X-API-KEY', key).send(body);
const receiveRefund = (id: string, body: Record<string, unknown> = {}) => h.t.http.post(`/back-office/v1/remboursements/${id}/reception`).set('X-API-KEY', h.opco).send(body);

/** A1 (3 200 €, invoice FAC-<seed>-A1) and A2 (2 400 €, FAC-<seed>-A2) invoiced, validated and paid; `a1` is A1's internal number. */
async function paidTwice(seed: number): Promise<Engaged & { a1: string }> {
  const d = await engagedDossier(h, seed);
  const a1 = await depositInvoice(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 3200 }], { numero: `FAC-${seed}-A1`, dateEmission: '2026-01-10' }));
  const a2 = await depositInvoice(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 2, natureLigne: 'PEDAGOGIE', montant: 2400 }], { numero: `FAC-${seed}-A2`, dateEmission: '2026-03-10', estCertificatRealisation: true }));
  await transition(h, a1, { vers: 'VALIDEE' });
  await transition(h, a2, { vers: 'VALIDEE' });
  const pay = await payInvoices(h, { referenceVirement: `VIR-${seed}`, dateReglement: '2026-03-12', lignes: [{ numeroInterneFacture: a1, montant: 3200 }, { numeroInterneFacture: a2, montant: 2400 }] });
  expect(pay.status).toBe(200);
  await expectConservation(h, d.id);
  return { ...d, a1 };
}

describe('POST /v2/dossiers/rupture/employeur', () => {
  it('an overpaid dossier: RUPTURE, échéancier recomputed, refund due; the CFA declares, the OPCO receives', async () => {
    const d = await paidTwice(201);
    const res = await rupture({ numeroInterne: d.numeroInterne, dateRupture: '2026-03-15T00:00:00+01:00', motif: 'DEMISSION_APPRENTI', initiative: 'APPRENTI', commentaire: 'Médiateur saisi le 01/03' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // 196 days of 365 of 8 000 € = 4 295.89 € due; 5 600 € paid → 1 304.11 € to refund.
    expect(res.body).toMatchObject({
      numeroInterne: d.numeroInterne, numeroExterne: d.numeroExterne, etat: 'RUPTURE', dateRupture: '2026-03-15', motif: 'DEMISSION_APPRENTI', initiative: 'APPRENTI',
      engagement: 4295.89, tropPercu: 1304.11,
      remboursement: { numeroInterneDossier: d.numeroInterne, numeroExterneDossier: d.numeroExterne, montant: 1304.11, cause: 'TROP_PERCU_RUPTURE', etat: 'A_REGULARISER', mode: null },
    });
    const id = res.body.remboursement.idRemboursement as string;
    expect(id).toMatch(/^\d{12}$/);

    const view = await h.t.http.get('/v2/dossiers').query({ numeroInterne: d.numeroInterne }).set('X-API-KEY', h.cfa);
    expect(view.body.cerfa.etat).toBe('RUPTURE');
    expect(view.body.echeances[1]).toMatchObject({ statut: 'PARTIELLE', montantTotal: 1095.89, montantRegle: 2400, dateLimiteFacturation: '2026-07-15' });
    const history = await h.t.http.get('/v2/dossiers/historique').query({ numeroInterne: d.numeroInterne }).set('X-API-KEY', h.cfa);
    expect(history.body.historique.at(-1)).toMatchObject({ etat: 'RUPTURE', acteur: 'cfa:778899112' });
    expect(history.body.historique.at(-1).commentaire).toContain('DEMISSION_APPRENTI');
    // Money after the rupture: Σ paid − trop-perçu = what is due.
    const l = await ledger(h, d.id);
    expect(l.regleCents - l.tropPercuCents).toBe(l.engagementCents);
    expect(l.totalCents).toBe(l.engagementCents);

    const list = await h.t.http.get('/v2/remboursements').set('X-API-KEY', h.cfa);
    expect(list.body).toMatchObject({ total: 1, count: 1, page: 1 });
    expect(list.body.remboursements[0]).toMatchObject({ idRemboursement: id, montant: 1304.11, etat: 'A_REGULARISER' });
    expect((await h.t.http.get('/v2/remboursements').set('X-API-KEY', h.other)).body).toMatchObject({ total: 0, remboursements: [] });

    expect((await receiveRefund(id)).status).toBe(409);
    expect(pointers((await declareRefund(id, { mode: 'AVOIR_DEDUCTION' })).body)).toEqual([['REFERENCE_AVOIR_OBLIGATOIRE', '/referenceAvoir']]);
    expect(pointers((await declareRefund(id, { mode: 'CHEQUE' })).body)).toEqual([['VALEUR_NON_AUTORISEE', '/mode']]);
    expect((await declareRefund(id, { mode: 'VIREMENT' }, h.other)).status).toBe(404);
    expect((await declareRefund('000000000000', { mode: 'VIREMENT' })).status).toBe(404);
    expect((await declareRefund(id, { mode: 'VIREMENT' })).body).toMatchObject({ etat: 'DECLARE', mode: 'VIREMENT', referenceAvoir: null });
    const avoir = await declareRefund(id, { mode: 'AVOIR_DEDUCTION', referenceAvoir: 'AV-2026-007' });
    expect(avoir.body).toMatchObject({ etat: 'DECLARE', mode: 'AVOIR_DEDUCTION', referenceAvoir: 'AV-2026-007' });
    expect(avoir.body.dateDeclaration).toMatch(/^\d{4}-/);

    const solde = () => h.t.http.get(`/back-office/v1/dossiers/${d.numeroInterne}/solde`).set('X-API-KEY', h.opco);
    expect((await solde()).body).toMatchObject({ etat: 'RUPTURE', soldable: false, motifs: [{ code: 'REMBOURSEMENT_EN_ATTENTE' }] });
    const received = await receiveRefund(id, { commentaire: 'Avoir imputé sur le règlement VIR-2026-0100' });
    expect(received.status).toBe(200);
    expect(received.body).toMatchObject({ etat: 'RECU', acteurReception: 'opco:instructeur test', commentaire: 'Avoir imputé sur le règlement VIR-2026-0100' });
    expect((await receiveRefund(id)).status).toBe(409);
    expect((await solde()).body).toMatchObject({ soldable: true, motifs: [] });
    const late = await declareRefund(id, { mode: 'VIREMENT' });
    expect(late.status).toBe(409);
    expect(late.body.errors[0].code).toBe('REMBOURSEMENT_DEJA_RECU');
    const bo = await h.t.http.get('/back-office/v1/remboursements').query({ etat: 'RECU' }).set('X-API-KEY', h.opco);
    expect(bo.body.remboursements.map((r: { idRemboursement: string }) => r.idRemboursement)).toEqual([id]);
    expect((await h.t.http.post('/back-office/v1/remboursements/000000000000/reception').set('X-API-KEY', h.opco).send({})).status).toBe(404);

    // A second declaration of the same rupture is refused.
    const twice = await rupture({ numeroInterne: d.numeroInterne, dateRupture: '2026-03-15', motif: 'DEMISSION_APPRENTI', initiative: 'APPRENTI' });
    expect(twice.status).toBe(409);
  });

  it('without overpayment: no refund; pending invoices beyond the new amount cannot be paid; the partial échéance is invoiced by its deadline', async () => {
    const d = await engagedDossier(h, 202);
    const a1 = await depositInvoice(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 3200 }], { dateEmission: '2026-01-10' }));
    const a2 = await depositInvoice(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 2, natureLigne: 'PEDAGOGIE', montant: 2400 }], { dateEmission: '2026-03-10', estCertificatRealisation: true }));
    const res = await rupture({ numeroInterne: d.numeroInterne, dateRupture: '2026-03-15', motif: 'ACCORD_COMMUN', initiative: 'COMMUN' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tropPercu: 0, remboursement: null });
    // A2 still holds 2 400 € en cours for 1 095.89 € now due: the back office rejects that invoice.
    expect((await ledger(h, d.id)).parEcheance[1]).toMatchObject({ totalCents: 109_589, enCoursCents: 240_000 });
    expect((await transition(h, a2, { vers: 'REJETEE', commentaire: 'Échéance recalculée après rupture' })).status).toBe(200);
    await expectConservation(h, d.id);

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-07-15T12:00:00+02:00'));
    const tooMuch = await postFacture(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 2, natureLigne: 'PEDAGOGIE', montant: 1095.9 }], { dateEmission: '2026-03-20' }));
    expect(pointers(tooMuch.body)).toEqual([['MONTANT_SUPERIEUR_AU_RESTE', '/facture/lignes/0/montant'], ['CERTIFICAT_REALISATION_MANQUANT', '/facture/lignes/0/numeroEcheance']]);
    const cancelled = await postFacture(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 3, natureLigne: 'PEDAGOGIE', montant: 1 }], { dateEmission: '2026-06-20', estCertificatRealisation: true }));
    expect(pointers(cancelled.body)).toEqual([['ECHEANCE_ANNULEE', '/facture/lignes/0/numeroEcheance']]);
    await depositInvoice(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 2, natureLigne: 'PEDAGOGIE', montant: 1095.89 }], { dateEmission: '2026-03-20', estCertificatRealisation: true }));
    vi.setSystemTime(new Date('2026-07-16T12:00:00+02:00'));
    await transition(h, a1, { vers: 'REJETEE', commentaire: 'test' });
    const late = await postFacture(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 3200 }], { dateEmission: '2026-03-20' }));
    expect(late.status).toBe(200); // A1 has no deadline
    const l = await expectConservation(h, d.id);
    expect(l.resteCents).toBe(0);
    expect(l.enCoursCents).toBe(429_589);
  });

  it('a validated invoice overtaken by a rupture cannot be paid beyond what is now due', async () => {
    const d = await engagedDossier(h, 205);
    const a2 = await depositInvoice(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 2, natureLigne: 'PEDAGOGIE', montant: 2400 }], { dateEmission: '2026-03-10', estCertificatRealisation: true }));
    await transition(h, a2, { vers: 'VALIDEE' });
    expect((await rupture({ numeroInterne: d.numeroInterne, dateRupture: '2026-03-15', motif: 'FORCE_MAJEURE', initiative: 'EMPLOYEUR' })).status).toBe(200);
    const refused = await payInvoices(h, { referenceVirement: 'VIR-R5', dateReglement: '2026-03-20', lignes: [{ numeroInterneFacture: a2, montant: 2400 }] });
    expect(pointers(refused.body)).toEqual([['MONTANT_SUPERIEUR_AU_DU', '/lignes/0/montant']]);
    const due = await payInvoices(h, { referenceVirement: 'VIR-R5', dateReglement: '2026-03-20', lignes: [{ numeroInterneFacture: a2, montant: 1095.89 }] });
    expect(due.status).toBe(200);
    expect((await ledger(h, d.id)).parEcheance[1]).toMatchObject({ totalCents: 109_589, regleCents: 109_589 });
  });

  it('payload: schema, motif/initiative consistency, the caller’s engaged dossier, a date inside the contract', async () => {
    const d = await engagedDossier(h, 203);
    const bad = await rupture({ numeroInterne: d.numeroInterne, dateRupture: '15/03/2026', motif: 'FAILLITE', initiative: 'OPCO' });
    expect(pointers(bad.body).map(([, c]) => c).sort()).toEqual(['/dateRupture', '/initiative', '/motif']);
    expect(pointers((await rupture({ numeroInterne: d.numeroInterne, dateRupture: '2026-03-15', motif: 'FAUTE_GRAVE', initiative: 'APPRENTI' })).body))
      .toEqual([['INITIATIVE_INCOHERENTE', '/initiative']]);
    expect(pointers((await rupture({ numeroInterne: d.numeroInterne, dateRupture: '2026-03-15', motif: 'AUTRE', initiative: 'EMPLOYEUR' })).body))
      .toEqual([['COMMENTAIRE_OBLIGATOIRE', '/commentaire']]);
    const other = await rupture({ numeroInterne: d.numeroInterne, dateRupture: '2026-03-15', motif: 'FAUTE_GRAVE', initiative: 'EMPLOYEUR' }, h.other);
    const unknown = await rupture({ numeroInterne: '000000000000', dateRupture: '2026-03-15', motif: 'FAUTE_GRAVE', initiative: 'EMPLOYEUR' });
    expect(other.status).toBe(404);
    expect(other.body.errors[0].code).toBe(unknown.body.errors[0].code);
    const outside = await rupture({ numeroInterne: d.numeroInterne, dateRupture: '2028-01-01', motif: 'FAUTE_GRAVE', initiative: 'EMPLOYEUR' });
    expect(outside.status).toBe(422);
    expect(outside.body.errors[0].code).toBe('RUPTURE_HORS_CONTRAT');
    const created = await h.t.http.post('/v2/dossiers').set('X-API-KEY', h.cfa).send(validCerfaPayload(204));
    const notEngaged = await rupture({ numeroInterne: created.body.numeroInterne, dateRupture: '2026-03-15', motif: 'FAUTE_GRAVE', initiative: 'EMPLOYEUR' });
    expect(notEngaged.status).toBe(409);
    expect(notEngaged.body.errors[0].code).toBe('TRANSITION_INTERDITE');
    expect((await h.t.db('ruptures').where({ dossier_id: d.id }).first()) ?? null).toBeNull();
    const ok = await rupture({ numeroInterne: d.numeroInterne, dateRupture: '2025-10-01', motif: 'PERIODE_PROBATOIRE', initiative: 'EMPLOYEUR' });
    expect(ok.status).toBe(200);
    expect(await h.t.db('ruptures').where({ dossier_id: d.id }).first()).toMatchObject({ motif: 'PERIODE_PROBATOIRE', initiative: 'EMPLOYEUR', date_rupture: '2025-10-01' });
  });
});

describe('rupture decided by the back office', () => {
  it('also turns an overpayment into a refund the CFA sees', async () => {
    const d = await paidTwice(231);
    const res = await h.t.http.post(`/back-office/v1/dossiers/${d.numeroInterne}/transitions`).set('X-API-KEY', h.opco)
      .send({ vers: 'RUPTURE', dateRupture: '2026-03-15', commentaire: 'Rupture notifiée par l’employeur' });
    expect(res.status).toBe(200);
    const refunds = await h.t.http.get('/v2/remboursements').set('X-API-KEY', h.cfa);
    const mine = (refunds.body.remboursements ?? refunds.body).filter((r: { numeroInterneDossier: string }) => r.numeroInterneDossier === d.numeroInterne);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ montant: 1304.11, cause: 'TROP_PERCU_RUPTURE', etat: 'A_REGULARISER' });
  });
});

describe('états de suivi of the refunds: search q', () => {
  it('an invoice number of the refund’s dossier, or its credit note, finds the refund; the caller’s only', async () => {
    const d = await paidTwice(241);
    expect((await rupture({ numeroInterne: d.numeroInterne, dateRupture: '2026-03-15', motif: 'DEMISSION_APPRENTI', initiative: 'APPRENTI' })).status).toBe(200);
    const refund = (await h.t.db('remboursements as rb').join('dossiers as d', 'd.id', 'rb.dossier_id').where('d.numero_interne', d.numeroInterne).first('rb.numero_interne')) as { numero_interne: string };
    const ids = async (path: string, q: string, key = h.cfa): Promise<string[]> => {
      const res = await h.t.http.get(path).query({ q }).set('X-API-KEY', key);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return (res.body.items as Array<{ idRemboursement: string }>).map((r) => r.idRemboursement);
    };
    for (const q of ['FAC-241-A1', 'FAC-241-A2', d.a1]) {
      expect(await ids('/v2/suivi/remboursements', q), q).toEqual([refund.numero_interne]);
      expect(await ids('/v2/pilotage/remboursements-a-emettre', q), q).toEqual([refund.numero_interne]);
      expect(await ids('/v2/suivi/remboursements', q, h.other), q).toEqual([]);
    }
    // Another dossier's invoice does not find it.
    expect(await ids('/v2/suivi/remboursements', 'FAC-231-A1')).not.toContain(refund.numero_interne);
    expect(await ids('/v2/suivi/remboursements', 'FAC-241')).toEqual([]);
    expect((await declareRefund(refund.numero_interne, { mode: 'AVOIR_DEDUCTION', referenceAvoir: 'AV-241-01' })).status).toBe(200);
    expect(await ids('/v2/suivi/remboursements', 'AV-241-01')).toEqual([refund.numero_interne]);
    expect(await ids('/v2/suivi/remboursements', 'AV-241-01', h.other)).toEqual([]);
  });
});
