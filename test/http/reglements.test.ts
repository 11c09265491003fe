/**
 * The invoice life cycle in the back office (correction asked and answered, validation,
 * rejection) and payments: one transfer settling several invoices in part or whole, amounts moved
 * from en cours to réglé line by line, GET /v2/reglements, money conserved at every step.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  depositInvoice, engagedDossier, expectConservation, facture, FIXTURE_CFA_SIRET, FIXTURE_EMPLOYEUR_SIRET, ledger, postFacture, payInvoices, startInvoicing, transition,
  type Harness,
} from './factures-fixture.js';

let h: Harness;

beforeAll(async () => {
  h = await startInvoicing();
});
afterAll(async () => h.t.close());

const pointers = (body: { errors: Array<{ code: string; champ?: string }> }): Array<[string, string | undefined]> => body.errors.map((e) => [e.code, e.champ]);
const etatDe = async (n: string, key = h.cfa): Promise<Record<string, unknown>> =>
  (await h.t.http.get('/v2/factures').query({ numeroInterneFacture: n }).set('X-API-KEY', key)).body as Record<string, unknown>;

describe('back-office invoice transitions', () => {
  it('refused moves answer 409 listing the allowed ones; comments required for correction and rejection', async () => {
    const d = await engagedDossier(h, 101);
    const n = await depositInvoice(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 100 }]));
    const paid = await transition(h, n, { vers: 'REGLE' });
    expect(paid.status).toBe(409);
    expect(paid.body.errors[0].code).toBe('TRANSITION_INTERDITE');
    expect(paid.body.transitionsPossibles.sort()).toEqual(['EN_ATTENTE_MISE_EN_CONFORMITE', 'REJETEE', 'VALIDEE']);
    const noComment = await transition(h, n, { vers: 'EN_ATTENTE_MISE_EN_CONFORMITE' });
    expect(noComment.status).toBe(400);
    expect(noComment.body.errors[0]).toMatchObject({ code: 'COMMENTAIRE_OBLIGATOIRE', champ: '/commentaire' });
    expect((await transition(h, n, { vers: 'REJETEE' })).status).toBe(400);
    expect((await transition(h, n, { vers: 'PAYEE' })).status).toBe(400);
    expect((await transition(h, '000000000000', { vers: 'VALIDEE' })).status).toBe(404);
    const same = await transition(h, n, { vers: 'TRANSMIS' });
    expect(same.status).toBe(409);
    expect(same.body.errors[0].code).toBe('ETAT_INCHANGE');
    expect((await transition(h, n, { vers: 'VALIDEE' })).body.etatFacture).toBe('VALIDEE');
    const reserved = await transition(h, n, { vers: 'REGLE' });
    expect(reserved.status).toBe(409);
    expect(reserved.body.errors[0]).toMatchObject({ code: 'TRANSITION_RESERVEE', champ: '/vers' });
    // A validated invoice may still be rejected (e.g. overtaken by a rupture).
    expect(reserved.body.transitionsPossibles).toEqual(['REJETEE']);
  });

  it('correction: asked with a comment, answered by a corrected invoice (same number, amounts re-checked), then validated', async () => {
    const d = await engagedDossier(h, 102);
    const original = facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 3200 }]);
    const n = await depositInvoice(h, original);
    const asked = await transition(h, n, { vers: 'EN_ATTENTE_MISE_EN_CONFORMITE', commentaire: 'Le montant doit être 3 000 € (absences)' });
    expect(asked.status).toBe(200);
    expect(asked.body).toMatchObject({ etatFacture: 'EN_ATTENTE_MISE_EN_CONFORMITE', commentaire: 'Le montant doit être 3 000 € (absences)' });
    expect(await etatDe(n)).toMatchObject({ etatFacture: 'EN_ATTENTE_MISE_EN_CONFORMITE', commentaire: 'Le montant doit être 3 000 € (absences)' });

    // A correction of an invoice that is not awaiting one is refused, like an unknown one.
    const other = await depositInvoice(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 3, natureLigne: 'PEDAGOGIE', montant: 10 }], { estCertificatRealisation: true }));
    const notAsked = await postFacture(h, { ...original, numero: 'X-1', numeroInterneFactureCorrigee: other });
    expect(pointers(notAsked.body)).toContainEqual(['CORRECTION_NON_DEMANDEE', '/facture/numeroInterneFactureCorrigee']);
    // The corrected content is checked with the invoice's own amounts released (3 200 € would fit again).
    const tooMuch = await postFacture(h, { ...original, lignes: [{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 3200.01 }], montantTotal: 3200.01, numeroInterneFactureCorrigee: n });
    expect(pointers(tooMuch.body)).toEqual([['MONTANT_SUPERIEUR_AU_RESTE', '/facture/lignes/0/montant']]);
    expect((await ledger(h, d.id)).parEcheance[0]).toMatchObject({ enCoursCents: 320_000 });

    const fixed = await postFacture(h, { ...original, lignes: [{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 3000 }], montantTotal: 3000, numeroInterneFactureCorrigee: n });
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(200);
    expect(fixed.body.numeroInterneFacture).toBe(n);
    const after = await etatDe(n);
    expect(after).toMatchObject({ etatFacture: 'TRANSMIS', montantFacture: 3000, commentaire: null, corrections: 1 });
    expect((after.historique as Array<{ evenement: string; etat: string; acteur: string }>).map((x) => `${x.evenement}:${x.etat}`))
      .toEqual(['ETAT:TRANSMIS', 'ETAT:EN_ATTENTE_MISE_EN_CONFORMITE', 'CORRECTION:TRANSMIS']);
    expect((after.historique as Array<{ acteur: string }>)[1]?.acteur).toBe('OPCO');
    const l = await expectConservation(h, d.id);
    expect(l.parEcheance[0]).toMatchObject({ enCoursCents: 300_000 });
    expect((await transition(h, n, { vers: 'VALIDEE' })).status).toBe(200);
    // The back office sees who did what.
    const bo = await h.t.http.get(`/back-office/v1/factures/${n}`).set('X-API-KEY', h.opco);
    expect(bo.body.historique[1].acteur).toBe('opco:instructeur test');
    expect(bo.body.cfaSiren).toBe(FIXTURE_CFA_SIRET.slice(0, 9));
  });

  it('a certificat posted for an invoice awaiting correction is the CFA’s answer: back to TRANSMIS', async () => {
    const d = await engagedDossier(h, 103);
    const n = await depositInvoice(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 2, natureLigne: 'PEDAGOGIE', montant: 2400 }], { estCertificatRealisation: true }));
    await transition(h, n, { vers: 'EN_ATTENTE_MISE_EN_CONFORMITE', commentaire: 'Certificat de réalisation illisible' });
    const cert = await h.t.http.post('/v2/certificats').set('X-API-KEY', h.cfa).send({
      typeCertificat: 'Intermediaire', numeroInterneDossier: d.numeroInterne, numeroInterneFacture: n, employeur: { siret: FIXTURE_EMPLOYEUR_SIRET },
      apprenti: { nom: 'X', prenom: 'Y' }, organismeFormation: { siret: FIXTURE_CFA_SIRET }, echeance: { numero: 2, codification: 'A2' },
    });
    expect(cert.status, JSON.stringify(cert.body)).toBe(200);
    expect(cert.body.numeroInterneDocument).toBeNull();
    expect(await etatDe(n)).toMatchObject({ etatFacture: 'TRANSMIS' });
  });

  it('a rejection releases the amounts en cours', async () => {
    const d = await engagedDossier(h, 104);
    const n = await depositInvoice(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 3200 }]));
    expect((await expectConservation(h, d.id)).enCoursCents).toBe(320_000);
    const res = await transition(h, n, { vers: 'REJETEE', commentaire: 'Facture en double' });
    expect(res.status).toBe(200);
    expect((await expectConservation(h, d.id)).enCoursCents).toBe(0);
    expect((await transition(h, n, { vers: 'VALIDEE' })).body.transitionsPossibles).toEqual([]);
  });
});

describe('règlements', () => {
  it('one transfer settles several invoices in part and whole; amounts move line by line; states follow', async () => {
    const d1 = await engagedDossier(h, 111, { nombreRepasTotaux: 100 });
    const d2 = await engagedDossier(h, 112);
    // Invoice 1: A1 of d1 (3 200 €) + 40 meals (120 €) + A1 of d2 (3 200 €).
    const f1 = await depositInvoice(h, facture([
      { numeroDossier: d1.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 3200 },
      { numeroDossier: d1.numeroExterne, numeroEcheance: 1, natureLigne: 'RESTAURATION', montant: 120, quantite: 40 },
      { numeroDossier: d2.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 3200 },
    ]));
    const f2 = await depositInvoice(h, facture([{ numeroDossier: d1.numeroExterne, numeroEcheance: 2, natureLigne: 'PEDAGOGIE', montant: 2400 }], { estCertificatRealisation: true }));
    expect((await payInvoices(h, { referenceVirement: 'VIR-1', dateReglement: '2026-11-20', lignes: [{ numeroInterneFacture: f1, montant: 100 }] })).body.errors[0])
      .toMatchObject({ code: 'FACTURE_NON_REGLABLE', champ: '/lignes/0/numeroInterneFacture' });
    await transition(h, f1, { vers: 'VALIDEE' });
    await transition(h, f2, { vers: 'VALIDEE' });

    // 3 200 + 120 + 1 000 on f1 (part), 2 400 on f2 (whole).
    const pay = await payInvoices(h, { referenceVirement: 'VIR-2026-0042', dateReglement: '2026-11-20', lignes: [{ numeroInterneFacture: f1, montant: 4320 }, { numeroInterneFacture: f2, montant: '2400.00' }] });
    expect(pay.status, JSON.stringify(pay.body)).toBe(200);
    expect(pay.body).toMatchObject({ referenceVirement: 'VIR-2026-0042', dateReglement: '2026-11-20', montant: 6720 });
    expect(pay.body.idReglement).toMatch(/^\d{12}$/);
    expect(pay.body.etatsFactures).toEqual([
      { numeroInterneFacture: f1, etatFacture: 'REGLE_PARTIELLEMENT', montantFacture: 6520, montantRegle: 4320 },
      { numeroInterneFacture: f2, etatFacture: 'REGLE', montantFacture: 2400, montantRegle: 2400 },
    ]);
    const l1 = await expectConservation(h, d1.id);
    expect(l1.parEcheance.slice(0, 2)).toEqual([
      { numero: 1, totalCents: 320_000, regleCents: 320_000, enCoursCents: 0 },
      { numero: 2, totalCents: 240_000, regleCents: 240_000, enCoursCents: 0 },
    ]);
    const l2 = await expectConservation(h, d2.id);
    expect(l2.parEcheance[0]).toEqual({ numero: 1, totalCents: 320_000, regleCents: 100_000, enCoursCents: 220_000 });

    // The CFA sees it in the norm's feed and in its payments.
    const etats = await h.t.http.get('/v2/factures/etats').set('X-API-KEY', h.cfa);
    const e1 = etats.body.factures.find((f: { numeroInterneFacture: string }) => f.numeroInterneFacture === f1);
    expect(e1).toMatchObject({ etatFacture: 'REGLE_PARTIELLEMENT', referenceVirement: 'VIR-2026-0042', dateReglement: '2026-11-20' });
    expect(e1.dossiers).toEqual([
      { numeroInterneDossier: d1.numeroInterne, numeroExterneDossier: d1.numeroExterne, montant: 3320 },
      { numeroInterneDossier: d2.numeroInterne, numeroExterneDossier: d2.numeroExterne, montant: 3200 },
    ]);
    const reglements = await h.t.http.get('/v2/reglements').set('X-API-KEY', h.cfa);
    expect(reglements.body).toMatchObject({ total: 1, count: 1, page: 1 });
    expect(reglements.body.reglements[0]).toEqual({
      idReglement: pay.body.idReglement,
      referenceVirement: 'VIR-2026-0042',
      dateReglement: '2026-11-20',
      montant: 6720,
      factures: [
        {
          numeroInterneFacture: f1, referenceFactureCFA: expect.any(String), etatFacture: 'REGLE_PARTIELLEMENT', montant: 4320,
          dossiers: [
            { numeroInterneDossier: d1.numeroInterne, numeroExterneDossier: d1.numeroExterne, montant: 3320 },
            { numeroInterneDossier: d2.numeroInterne, numeroExterneDossier: d2.numeroExterne, montant: 1000 },
          ],
        },
        {
          numeroInterneFacture: f2, referenceFactureCFA: expect.any(String), etatFacture: 'REGLE', montant: 2400,
          dossiers: [{ numeroInterneDossier: d1.numeroInterne, numeroExterneDossier: d1.numeroExterne, montant: 2400 }],
        },
      ],
    });
    expect((await h.t.http.get('/v2/reglements').set('X-API-KEY', h.other)).body).toMatchObject({ total: 0, reglements: [] });

    // Refused payments: all reasons at once, nothing written.
    const refused = await payInvoices(h, {
      referenceVirement: 'VIR-2026-0042', dateReglement: '2026-11-21',
      lignes: [{ numeroInterneFacture: f1, montant: 2200.01 }, { numeroInterneFacture: f2, montant: 1 }, { numeroInterneFacture: '000000000000', montant: 1 }, { numeroInterneFacture: f1, montant: 1 }],
    });
    expect(refused.status).toBe(400);
    expect(pointers(refused.body)).toEqual([
      ['MONTANT_SUPERIEUR_AU_RESTE_DU', '/lignes/0/montant'],
      ['FACTURE_NON_REGLABLE', '/lignes/1/numeroInterneFacture'],
      ['FACTURE_INCONNUE', '/lignes/2/numeroInterneFacture'],
      ['FACTURE_EN_DOUBLE', '/lignes/3/numeroInterneFacture'],
      ['REFERENCE_VIREMENT_DEJA_UTILISEE', '/referenceVirement'],
    ]);
    const bad = await payInvoices(h, { referenceVirement: '', dateReglement: 'hier', lignes: [{ numeroInterneFacture: f1, montant: 1.001 }] });
    expect(pointers(bad.body).map(([, c]) => c).sort()).toEqual(['/dateReglement', '/referenceVirement']);
    const cents = await payInvoices(h, { referenceVirement: 'VIR-3', dateReglement: '2026-11-21', lignes: [{ numeroInterneFacture: f1, montant: 1.001 }] });
    expect(pointers(cents.body)).toEqual([['MONTANT_INVALIDE', '/lignes/0/montant']]);

    // The rest of f1: a further partial payment keeps REGLE_PARTIELLEMENT, the last one makes it REGLE.
    expect((await payInvoices(h, { referenceVirement: 'VIR-3', dateReglement: '2026-11-25', lignes: [{ numeroInterneFacture: f1, montant: 200 }] })).body.etatsFactures[0])
      .toMatchObject({ etatFacture: 'REGLE_PARTIELLEMENT', montantRegle: 4520 });
    expect((await payInvoices(h, { referenceVirement: 'VIR-4', dateReglement: '2026-11-26', lignes: [{ numeroInterneFacture: f1, montant: 2000 }] })).body.etatsFactures[0])
      .toMatchObject({ etatFacture: 'REGLE', montantRegle: 6520 });
    const done = await expectConservation(h, d2.id);
    expect(done.parEcheance[0]).toEqual({ numero: 1, totalCents: 320_000, regleCents: 320_000, enCoursCents: 0 });
    const history = (await etatDe(f1)).historique as Array<{ evenement: string; etat: string }>;
    expect(history.map((x) => `${x.evenement}:${x.etat}`)).toEqual(['ETAT:TRANSMIS', 'ETAT:VALIDEE', 'REGLEMENT:REGLE_PARTIELLEMENT', 'REGLEMENT:REGLE_PARTIELLEMENT', 'REGLEMENT:REGLE']);
    // Paid échéances cannot be invoiced again.
    const again = await postFacture(h, facture([{ numeroDossier: d2.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 0.01 }]));
    expect(pointers(again.body)).toEqual([['MONTANT_SUPERIEUR_AU_RESTE', '/facture/lignes/0/montant']]);
  });

  it('a transfer pays a single CFA', async () => {
    const d = await engagedDossier(h, 113);
    const f = await depositInvoice(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 10 }]));
    await transition(h, f, { vers: 'VALIDEE' });
    // A second CFA's validated invoice, planted directly (its CFA has no dossier in the fixtures).
    const foreign = (await h.t.db('factures').where({ numero_interne: f }).first()) as Record<string, unknown>;
    const { id: _id, numero_interne: _n, rang_cfa: _r, ...rest } = foreign;
    const [other] = (await h.t.db('factures').insert({ ...rest, numero_interne: '999999999991', cfa_siren: '123456782', numero: 'AUTRE', rang_cfa: 1 }).returning('numero_interne')) as Array<{ numero_interne: string }>;
    const res = await payInvoices(h, { referenceVirement: 'VIR-MULTI', dateReglement: '2026-11-20', lignes: [{ numeroInterneFacture: f, montant: 10 }, { numeroInterneFacture: other?.numero_interne, montant: 10 }] });
    expect(pointers(res.body)).toEqual([['REGLEMENT_MULTI_CFA', '/lignes/1/numeroInterneFacture']]);
  });

  it('stays exact under concurrent payments of one invoice', async () => {
    const d = await engagedDossier(h, 114);
    const f = await depositInvoice(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 3200 }]));
    await transition(h, f, { vers: 'VALIDEE' });
    const results = await Promise.all([1, 2, 3, 4].map((i) => payInvoices(h, { referenceVirement: `VIR-C${i}`, dateReglement: '2026-11-20', lignes: [{ numeroInterneFacture: f, montant: 1000 }] })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(3);
    const l = await expectConservation(h, d.id);
    expect(l.parEcheance[0]).toEqual({ numero: 1, totalCents: 320_000, regleCents: 300_000, enCoursCents: 20_000 });
  });

  it('back-office listings', async () => {
    const list = await h.t.http.get('/back-office/v1/factures').query({ etat: 'REGLE' }).set('X-API-KEY', h.opco);
    expect(list.status).toBe(200);
    // f1 and f2 of the first payment test are the only invoices paid in full so far.
    const reglees = (await h.t.db('factures').where({ etat: 'REGLE' }).pluck('numero_interne')) as string[];
    expect(reglees).toHaveLength(2);
    expect(list.body.factures).toHaveLength(2);
    expect(list.body.factures.map((f: { numeroInterneFacture: string }) => f.numeroInterneFacture).sort()).toEqual([...reglees].sort());
    expect(list.body.factures.every((f: { etatFacture: string }) => f.etatFacture === 'REGLE')).toBe(true);
    const pays = await h.t.http.get('/back-office/v1/reglements').set('X-API-KEY', h.opco);
    expect(pays.body.total).toBeGreaterThanOrEqual(4);
    expect(pays.body.reglements[0]).toHaveProperty('cfaSiren');
    expect((await h.t.http.get('/back-office/v1/factures/000000000000').set('X-API-KEY', h.opco)).status).toBe(404);
    expect((await h.t.http.get('/back-office/v1/reglements').set('X-API-KEY', h.cfa)).status).toBe(403);
    const d = await engagedDossier(h, 115);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-27T12:00:00+01:00'));
    const solde = await h.t.http.get(`/back-office/v1/dossiers/${d.numeroInterne}/solde`).set('X-API-KEY', h.opco);
    vi.useRealTimers();
    expect(solde.body).toMatchObject({ soldable: false });
    expect(solde.body.motifs[0].code).toBe('FIN_NON_ATTEINTE');
    expect(solde.body.motifs.filter((m: { code: string }) => m.code === 'ECHEANCE_NON_REGLEE').length).toBeGreaterThan(0);
    expect((await h.t.http.get('/back-office/v1/dossiers/000000000000/solde').set('X-API-KEY', h.opco)).status).toBe(404);
  });
});

describe('detailsFacturation: one-off frais annexes paid', () => {
  it('fraisPremierEquipementRegles / fraisMobiliteRegles turn true once the engaged amount is fully paid on the dossier’s lines', async () => {
    const couts = { montantPremierEquipement: 300, mentionMobiliteInternationale: true };
    const d = await engagedDossier(h, 121, couts);
    const voisin = await engagedDossier(h, 122, couts);
    const details = async (numeroInterne: string): Promise<Record<string, unknown>> =>
      (await h.t.http.get('/v2/dossiers').query({ numeroInterne }).set('X-API-KEY', h.cfa)).body as Record<string, unknown>;
    const vue = await details(d.numeroInterne);
    const mobilite = (vue.engagementsFraisAnnexe as Array<{ natureFrais: string; montantTotal: number }>).find((f) => f.natureFrais === 'MOBILITE')?.montantTotal as number;
    expect(mobilite).toBeGreaterThan(0);
    expect(vue.detailsFacturation).toMatchObject({ fraisPremierEquipementRegles: false, fraisMobiliteRegles: false, plafondFraisPremierEquipement: 300, plafondFraisMobilite: mobilite });

    // One invoice, first equipment then mobility: a payment is spread in line order.
    const f = await depositInvoice(h, facture([
      { numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 3200 },
      { numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PREMIEREQUIPEMENT', montant: 300 },
      { numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'MOBILITE', montant: mobilite },
    ]));
    expect((await transition(h, f, { vers: 'VALIDEE' })).status).toBe(200);
    const flags = async (numeroInterne = d.numeroInterne) => {
      const { fraisPremierEquipementRegles, fraisMobiliteRegles } = (await details(numeroInterne)).detailsFacturation as Record<string, unknown>;
      return [fraisPremierEquipementRegles, fraisMobiliteRegles];
    };
    const payFacture = async (reference: string, cents: number) =>
      expect((await payInvoices(h, { referenceVirement: reference, dateReglement: '2026-11-20', lignes: [{ numeroInterneFacture: f, montant: (cents / 100).toFixed(2) }] })).status).toBe(200);

    await payFacture('VIR-FRAIS-1', 320_000 + 29_999); // first equipment one cent short
    expect(await flags()).toEqual([false, false]);
    await payFacture('VIR-FRAIS-2', 1 + 10_000); // first equipment paid, mobility partly
    expect(await flags()).toEqual([true, false]);
    await payFacture('VIR-FRAIS-3', Math.round(mobilite * 100) - 10_000); // everything paid
    expect(await flags()).toEqual([true, true]);
    expect((await h.t.http.get('/v2/factures').query({ numeroInterneFacture: f }).set('X-API-KEY', h.cfa)).body.etatFacture).toBe('REGLE');
    await expectConservation(h, d.id);
    // Per dossier: the other dossier's envelopes are untouched.
    expect(await flags(voisin.numeroInterne)).toEqual([false, false]);
  });
});
