/**
 * POST /v1/factures (JSON with base64 `_files` and multipart) checked against the échéancier,
 * GET /v2/factures/etats (pages, incremental feed, ETag), certificats, tenant isolation.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  depositInvoice, engagedDossier, expectConservation, facture, FIXTURE_CFA_SIRET, FIXTURE_EMPLOYEUR_SIRET, IBAN, jsonBody, ledger, PDF, postFacture, startInvoicing, transition,
  type Harness,
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

describe('POST /v1/factures', () => {
  it('each échéance of GET /v2/dossiers carries the CFA\'s SIRET (norme §5.6), the invoice\'s siretEmetteur', async () => {
    const d = await engagedDossier(h, 97);
    const view = await h.t.http.get('/v2/dossiers').query({ numeroInterne: d.numeroInterne }).set('X-API-KEY', h.cfa);
    expect(view.body.echeances.length).toBeGreaterThan(0);
    for (const e of view.body.echeances) expect(e.siretCfa).toBe(FIXTURE_CFA_SIRET);
    const res = await postFacture(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, codificationEcheance: 'A1', natureLigne: 'PEDAGOGIE', montant: 3200, quantite: 1 }], { siretEmetteur: view.body.echeances[0].siretCfa }));
    expect(res.status).toBe(200);
  });

  it('accepts an invoice of the open advance: 200 with the two numbers, amounts moved en cours', async () => {
    const d = await engagedDossier(h, 1);
    const res = await postFacture(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, codificationEcheance: 'A1', natureLigne: 'PEDAGOGIE', montant: 3200, quantite: 1 }]));
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['avertissements', 'numeroInterneDocument', 'numeroInterneFacture']);
    expect(res.body.avertissements).toEqual([]);
    expect(res.body.numeroInterneFacture).toMatch(/^\d{12}$/);
    expect(res.body.numeroInterneDocument).toMatch(/^\d{12}$/);
    const view = await h.t.http.get('/v2/dossiers').query({ numeroInterne: d.numeroInterne }).set('X-API-KEY', h.cfa);
    expect(view.body.echeances[0]).toMatchObject({ montantTotal: 3200, montantRegle: 0, montantEnCoursInstruction: 3200 });
    const l = await expectConservation(h, d.id);
    expect(l.enCoursCents).toBe(320_000);
    // The PDF is stored as a FACTURE document of the invoice.
    const docs = await h.t.http.get('/v2/documents').query({ idObjet: res.body.numeroInterneFacture, typeObjet: 'FACTURE' }).set('X-API-KEY', h.cfa);
    expect(docs.body.documents).toEqual([expect.objectContaining({ numeroInterneDocument: res.body.numeroInterneDocument, typeFichier: 'FACTURE', typeMime: 'application/pdf' })]);
  });

  it('accepts numeroInterne in numeroDossier or numeroInterneDossier, amounts as strings', async () => {
    const d = await engagedDossier(h, 2);
    await depositInvoice(h, facture([{ numeroDossier: d.numeroInterne, numeroEcheance: '1', natureLigne: 'PEDAGOGIE', montant: '1000.50' }]));
    const n = await depositInvoice(h, facture([{ numeroInterneDossier: d.numeroInterne, numeroEcheance: 3, natureLigne: 'PEDAGOGIE', montant: 100 }], { estCertificatRealisation: true }));
    const detail = await h.t.http.get('/v2/factures').query({ numeroInterneFacture: n }).set('X-API-KEY', h.cfa);
    expect(detail.body.lignes).toEqual([expect.objectContaining({ numeroInterneDossier: d.numeroInterne, numeroExterneDossier: d.numeroExterne, codificationEcheance: 'A3', montant: 100 })]);
    expect((await ledger(h, d.id)).enCoursCents).toBe(110_050);
  });

  it('lists every failure at once, each with its pointer, and writes nothing', async () => {
    const d = await engagedDossier(h, 3);
    const before = await ledger(h, d.id);
    const refusee = facture([
      { numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 3200.01 },
      { numeroDossier: d.numeroExterne, numeroEcheance: 6, natureLigne: 'PEDAGOGIE', montant: 10 },
      { numeroDossier: d.numeroExterne, numeroEcheance: 12, natureLigne: 'PEDAGOGIE', montant: 10 },
      { numeroDossier: '25APP99999999', numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 10 },
      { numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'RESTAURATION', montant: 3, quantite: 1 },
      { numeroDossier: d.numeroExterne, numeroEcheance: 2, codificationEcheance: 'A9', natureLigne: 'MAJORATION_RQTH', montant: 10 },
    ], { montantTotal: 1, ibanEmetteur: 'FR7630006000011234567890188' });
    const res = await postFacture(h, refusee);
    expect(res.status).toBe(400);
    expect(pointers(res.body)).toEqual([
      ['MONTANT_SUPERIEUR_AU_RESTE', '/facture/lignes/0/montant'],
      ['ECHEANCE_NON_OUVERTE', '/facture/lignes/1/numeroEcheance'],
      ['CERTIFICAT_REALISATION_MANQUANT', '/facture/lignes/1/numeroEcheance'],
      ['ECHEANCE_INCONNUE', '/facture/lignes/2/numeroEcheance'],
      ['DOSSIER_INCONNU', '/facture/lignes/3/numeroDossier'],
      ['NATURE_NON_ENGAGEE', '/facture/lignes/4/natureLigne'],
      ['CODIFICATION_ECHEANCE_INCOHERENTE', '/facture/lignes/5/codificationEcheance'],
      ['NATURE_NON_ENGAGEE', '/facture/lignes/5/natureLigne'],
      ['MONTANT_TOTAL_INCOHERENT', '/facture/montantTotal'],
      ['IBAN_INVALIDE', '/facture/ibanEmetteur'],
    ]);
    expect(res.body.errors.every((e: { section: string; description: string }) => e.section === 'facture' && e.description.length > 10)).toBe(true);
    expect(await ledger(h, d.id)).toEqual(before);
    expect(await h.t.db('factures').where({ numero: refusee.numero }).first()).toBeUndefined();
    expect(await h.t.db('factures_lignes').where({ dossier_id: d.id }).first()).toBeUndefined();
  });

  it('schema errors come first, all of them, with French descriptions', async () => {
    const res = await h.t.http.post('/v1/factures').set('X-API-KEY', h.cfa).send(jsonBody({
      numero: '', dateEmission: '01/10/2026', montantTotal: 'beaucoup', ibanEmetteur: IBAN, siretEmetteur: '123',
      lignes: [{ numeroEcheance: 1, natureLigne: 'BOISSONS', montant: 3 }],
    }));
    expect(res.status).toBe(400);
    expect(pointers(res.body).map(([, champ]) => champ).sort()).toEqual([
      '/facture/dateEmission', '/facture/lignes/0/natureLigne', '/facture/lignes/0/numeroDossier', '/facture/montantTotal', '/facture/numero', '/facture/siretEmetteur',
    ]);
    const amounts = await h.t.http.post('/v1/factures').set('X-API-KEY', h.cfa).send(jsonBody(facture([{ numeroDossier: 'x', numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 10.123 }], { montantTotal: 10.123 })));
    expect(pointers(amounts.body)).toEqual([['MONTANT_INVALIDE', '/facture/montantTotal'], ['MONTANT_INVALIDE', '/facture/lignes/0/montant']]);
  });

  it('the dossier must be engaged', async () => {
    const created = await h.t.http.post('/v2/dossiers').set('X-API-KEY', h.cfa).send((await import('../fixtures/cerfa.js')).validCerfaPayload(4));
    const res = await postFacture(h, facture([{ numeroDossier: created.body.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 10 }]));
    expect(pointers(res.body)).toEqual([['DOSSIER_NON_FACTURABLE', '/facture/lignes/0/numeroDossier']]);
  });

  it('refuses a second pending invoice for the same échéance and nature, and a reused invoice number', async () => {
    const d = await engagedDossier(h, 5);
    const first = facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 1000 }]);
    const n = await depositInvoice(h, first);
    const second = await postFacture(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 1000 }], { numero: first.numero }));
    expect(pointers(second.body)).toEqual([['FACTURE_DEJA_EN_COURS', '/facture/lignes/0/numeroEcheance'], ['NUMERO_FACTURE_DEJA_UTILISE', '/facture/numero']]);
    expect(second.body.errors[0].description).toContain(n);
    // Once rejected, the échéance can be invoiced again.
    expect((await transition(h, n, { vers: 'REJETEE', commentaire: 'Montant erroné' })).status).toBe(200);
    await depositInvoice(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 3200 }]));
    await expectConservation(h, d.id);
  });

  it('the CFA’s invoice number is unique in the database, even under concurrent posts', async () => {
    const d1 = await engagedDossier(h, 6);
    const d2 = await engagedDossier(h, 7);
    const numero = `CONC-${Date.now()}`;
    const [a, b] = await Promise.all([
      postFacture(h, facture([{ numeroDossier: d1.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 10 }], { numero })),
      postFacture(h, facture([{ numeroDossier: d2.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 10 }], { numero })),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 400]);
    const loser = a.status === 400 ? a : b;
    expect(loser.body.errors[0]).toMatchObject({ code: 'NUMERO_FACTURE_DEJA_UTILISE', champ: '/facture/numero' });
    const [rows] = await h.t.db('factures').where({ numero }).count<{ n: string | number }[]>({ n: '*' });
    expect(Number(rows?.n)).toBe(1);
  });

  it('stays exact under concurrent invoices on one échéance (rows locked)', async () => {
    const d = await engagedDossier(h, 8);
    const results = await Promise.all([1, 2, 3, 4].map((i) => postFacture(h, facture([
      { numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 2000 + i },
    ]))));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expect(r.body.errors[0].code).toMatch(/FACTURE_DEJA_EN_COURS|MONTANT_SUPERIEUR_AU_RESTE/);
    // results[k] posted 2 000 € + (k + 1): exactly the winner's amount is en cours.
    const gagnant = results.findIndex((r) => r.status === 200);
    const montantGagnantCents = (2000 + gagnant + 1) * 100;
    const l = await expectConservation(h, d.id);
    expect(l.enCoursCents).toBe(montantGagnantCents);
    expect(l.parEcheance[0]).toEqual({ numero: 1, totalCents: 320_000, regleCents: 0, enCoursCents: montantGagnantCents });
  });

  it('intermediate échéances need a certificat: flag on the invoice, or POST /v2/certificats first', async () => {
    const d = await engagedDossier(h, 9);
    const line = { numeroDossier: d.numeroExterne, numeroEcheance: 2, natureLigne: 'PEDAGOGIE', montant: 2400 };
    expect(pointers((await postFacture(h, facture([line]))).body)).toEqual([['CERTIFICAT_REALISATION_MANQUANT', '/facture/lignes/0/numeroEcheance']]);
    const cert = await h.t.http.post('/v2/certificats').set('X-API-KEY', h.cfa).send({
      typeCertificat: 'Intermediaire', numeroInterneDossier: d.numeroInterne, employeur: { siret: FIXTURE_EMPLOYEUR_SIRET },
      apprenti: { nom: 'X', prenom: 'Y' }, organismeFormation: { siret: FIXTURE_CFA_SIRET },
      echeance: { numero: 2, codification: 'A2', duree: 300, dateDebut: '2026-03-01', dateFin: '2026-05-31', echeancePartielle: false },
      dateSignature: '2026-06-01', natureAction: 'Formation par apprentissage', attestationConservationPieces: true,
      _files: { certificat: PDF.toString('base64') },
    });
    expect(cert.status, JSON.stringify(cert.body)).toBe(200);
    expect(cert.body.numeroInterneCertificat).toMatch(/^\d{12}$/);
    expect(cert.body.numeroInterneDocument).toMatch(/^\d{12}$/);
    await depositInvoice(h, facture([line]));
  });

  it('certificats: schema, dossier of the caller, échéance, invoice link, employer, CFA SIRET', async () => {
    const d = await engagedDossier(h, 10);
    const base = {
      typeCertificat: 'Final', numeroInterneDossier: d.numeroInterne, employeur: { siret: FIXTURE_EMPLOYEUR_SIRET },
      apprenti: { nom: 'X', prenom: 'Y' }, organismeFormation: { siret: FIXTURE_CFA_SIRET }, echeance: { numero: 8 },
    };
    const post = (body: Record<string, unknown>, key = h.cfa) => h.t.http.post('/v2/certificats').set('X-API-KEY', key).send(body);
    expect((await post({ ...base, typeCertificat: 'Partiel', echeance: {} })).body.errors.map((e: { champ: string }) => e.champ).sort()).toEqual(['/echeance/numero', '/typeCertificat']);
    expect((await post({ ...base, numeroInterneDossier: '000000000000' })).status).toBe(404);
    expect((await post(base, h.other)).status).toBe(404);
    expect(pointers((await post({ ...base, echeance: { numero: 9 } })).body)).toEqual([['ECHEANCE_INCONNUE', '/echeance/numero']]);
    expect(pointers((await post({ ...base, echeance: { numero: 8, codification: 'A7' } })).body)).toEqual([['CODIFICATION_ECHEANCE_INCOHERENTE', '/echeance/codification']]);
    expect(pointers((await post({ ...base, numeroInterneFacture: '999999999999' })).body)).toEqual([['FACTURE_INCONNUE', '/numeroInterneFacture']]);
    expect(pointers((await post({ ...base, employeur: { siret: FIXTURE_CFA_SIRET } })).body)).toEqual([['EMPLOYEUR_INCOHERENT', '/employeur/siret']]);
    const foreign = await post({ ...base, organismeFormation: { siret: FIXTURE_EMPLOYEUR_SIRET } });
    expect(foreign.status).toBe(403);
    expect((await post(base)).status).toBe(200);
  });

  it('certificats: employer, file, échéance and invoice failures are all listed in one 400; nothing written', async () => {
    const d = await engagedDossier(h, 15);
    const base = {
      typeCertificat: 'Intermediaire', numeroInterneDossier: d.numeroInterne, employeur: { siret: FIXTURE_EMPLOYEUR_SIRET },
      apprenti: { nom: 'X', prenom: 'Y' }, organismeFormation: { siret: FIXTURE_CFA_SIRET }, echeance: { numero: 2, codification: 'A2' },
    };
    const post = (body: Record<string, unknown>, key = h.cfa) => h.t.http.post('/v2/certificats').set('X-API-KEY', key).send(body);
    const all = await post({
      ...base, employeur: { siret: FIXTURE_CFA_SIRET }, echeance: { numero: 9 }, numeroInterneFacture: '999999999999', _files: { certificat: '!!! pas du base64 !!!' },
    });
    expect(all.status).toBe(400);
    expect(pointers(all.body)).toEqual([
      ['EMPLOYEUR_INCOHERENT', '/employeur/siret'],
      ['BASE64_INVALIDE', '/_files/certificat'],
      ['ECHEANCE_INCONNUE', '/echeance/numero'],
      ['FACTURE_INCONNUE', '/numeroInterneFacture'],
    ]);
    expect(all.body.errors.every((e: { section: string; description: string }) => e.section === 'requete' && e.description.length > 10)).toBe(true);
    // Employer and codification, and an invoice of this CFA that does not name the dossier.
    const ailleurs = await engagedDossier(h, 16);
    const autre = await depositInvoice(h, facture([{ numeroDossier: ailleurs.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 10 }]));
    const mixed = await post({ ...base, employeur: { siret: FIXTURE_CFA_SIRET }, echeance: { numero: 2, codification: 'A7' }, numeroInterneFacture: autre });
    expect(pointers(mixed.body)).toEqual([
      ['EMPLOYEUR_INCOHERENT', '/employeur/siret'],
      ['CODIFICATION_ECHEANCE_INCOHERENTE', '/echeance/codification'],
      ['FACTURE_SANS_LIEN_AVEC_LE_DOSSIER', '/numeroInterneFacture'],
    ]);
    expect(await h.t.db('certificats').where({ dossier_id: d.id }).first()).toBeUndefined();
    // An unknown or foreign dossier still answers 404 alone, whatever else is wrong.
    for (const res of [
      await post({ ...base, numeroInterneDossier: '000000000000', employeur: { siret: FIXTURE_CFA_SIRET }, echeance: { numero: 9 } }),
      await post({ ...base, employeur: { siret: FIXTURE_CFA_SIRET }, echeance: { numero: 9 } }, h.other),
    ]) {
      expect(res.status).toBe(404);
      expect(pointers(res.body)).toEqual([['DOSSIER_INTROUVABLE', undefined]]);
    }
    expect((await post(base)).status).toBe(200);
  });

  it('the balance: certificate required, refused past its 4-month deadline (reception date)', async () => {
    const d = await engagedDossier(h, 11);
    const solde = (date: string) => facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 8, natureLigne: 'PEDAGOGIE', montant: 800 }], { dateEmission: date, estCertificatRealisation: true });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2028-01-01T10:00:00+01:00'));
    expect(pointers((await postFacture(h, solde('2027-09-15'))).body)).toEqual([['DELAI_FACTURATION_DEPASSE', '/facture/lignes/0/numeroEcheance']]);
    vi.setSystemTime(new Date('2027-12-31T22:00:00+01:00'));
    await depositInvoice(h, solde('2027-09-15'));
    vi.useRealTimers();
    expect(pointers((await postFacture(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 1 }], { dateEmission: '2099-01-01' }))).body))
      .toEqual([['DATE_EMISSION_FUTURE', '/facture/dateEmission']]);
  });

  it('frais annexes: engaged natures only, on their échéances, unit caps and envelopes', async () => {
    const d = await engagedDossier(h, 12, { nombreRepasTotaux: 100, nombreHebergementTotaux: 10, montantPremierEquipement: 300 });
    const view = await h.t.http.get('/v2/dossiers').query({ numeroInterne: d.numeroInterne }).set('X-API-KEY', h.cfa);
    expect(view.body.engagementsFraisAnnexe.map((f: { natureFrais: string }) => f.natureFrais).sort()).toEqual(['HEBERGEMENT', 'PREMIEREQUIPEMENT', 'RESTAURATION']);
    const ligne = (natureLigne: string, montant: number, quantite = 1, numeroEcheance = 1) => ({ numeroDossier: d.numeroExterne, numeroEcheance, natureLigne, montant, quantite });
    const bad = await postFacture(h, facture([
      ligne('RESTAURATION', 121, 40),
      ligne('HEBERGEMENT', 66, 11),
      ligne('PREMIEREQUIPEMENT', 300, 1, 2),
      ligne('MOBILITE', 100),
    ], { estCertificatRealisation: true }));
    expect(pointers(bad.body)).toEqual([
      ['MONTANT_SUPERIEUR_AU_PLAFOND_UNITAIRE', '/facture/lignes/0/montant'],
      ['QUANTITE_SUPERIEURE_A_L_ENGAGEMENT', '/facture/lignes/1/quantite'],
      ['MONTANT_SUPERIEUR_AU_RESTE', '/facture/lignes/1/montant'],
      ['NATURE_NON_PREVUE_SUR_ECHEANCE', '/facture/lignes/2/natureLigne'],
      ['NATURE_NON_ENGAGEE', '/facture/lignes/3/natureLigne'],
    ]);
    // Frais annexes and pédagogie on one invoice; the frais stay out of the échéance amounts.
    await depositInvoice(h, facture([ligne('PEDAGOGIE', 3200), ligne('RESTAURATION', 120, 40), ligne('PREMIEREQUIPEMENT', 300)]));
    const l = await expectConservation(h, d.id);
    expect(l.enCoursCents).toBe(320_000);
    await depositInvoice(h, facture([ligne('RESTAURATION', 180, 60, 2)], { estCertificatRealisation: true }));
    const over = await postFacture(h, facture([ligne('RESTAURATION', 3, 1, 3)], { estCertificatRealisation: true }));
    expect(pointers(over.body)).toEqual([['QUANTITE_SUPERIEURE_A_L_ENGAGEMENT', '/facture/lignes/0/quantite'], ['MONTANT_SUPERIEUR_AU_RESTE', '/facture/lignes/0/montant']]);
  });

  it('403 when the issuing SIRET is not the key’s CFA; 415 when the file is not a PDF; the file is required', async () => {
    const d = await engagedDossier(h, 13);
    const f = facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 10 }], { siretEmetteur: FIXTURE_EMPLOYEUR_SIRET });
    const foreign = await postFacture(h, f);
    expect(foreign.status).toBe(403);
    expect(foreign.body.errors[0]).toMatchObject({ code: 'ORGANISME_FORMATION_NON_AUTORISE', champ: '/facture/siretEmetteur' });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const notPdf = await h.t.http.post('/v1/factures').set('X-API-KEY', h.cfa).send(jsonBody({ ...f, siretEmetteur: FIXTURE_CFA_SIRET }, png));
    expect(notPdf.status).toBe(415);
    expect(notPdf.body.errors[0].champ).toBe('/_files/facture');
    const noFile = await h.t.http.post('/v1/factures').set('X-API-KEY', h.cfa).send({ facture: f });
    expect(noFile.status).toBe(400);
    expect(noFile.body.errors[0]).toMatchObject({ code: 'PARTIE_MANQUANTE', champ: '/_files/facture' });
  });

  it('multipart: part `facture` (JSON) and part `fichier` (PDF), same checks and pointers', async () => {
    const d = await engagedDossier(h, 14);
    const f = facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 500 }]);
    const ok = await h.t.http.post('/v1/factures').set('X-API-KEY', h.cfa)
      .field('facture', JSON.stringify(f))
      .attach('fichier', PDF, { filename: `${String(f.numero)}.pdf`, contentType: 'application/pdf' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const docs = await h.t.http.get('/v2/documents').query({ idObjet: ok.body.numeroInterneFacture }).set('X-API-KEY', h.cfa);
    expect(docs.body.documents[0]).toMatchObject({ nomFichier: `${String(f.numero)}.pdf`, typeFichier: 'FACTURE' });
    const bad = await h.t.http.post('/v1/factures').set('X-API-KEY', h.cfa)
      .field('facture', JSON.stringify({ ...f, numero: `${String(f.numero)}-b`, lignes: [{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 5000 }], montantTotal: 5000 }))
      .attach('fichier', PDF, 'f.pdf');
    expect(bad.status).toBe(400);
    expect(pointers(bad.body)).toEqual([['FACTURE_DEJA_EN_COURS', '/facture/lignes/0/numeroEcheance'], ['MONTANT_SUPERIEUR_AU_RESTE', '/facture/lignes/0/montant']]);
    const missing = await h.t.http.post('/v1/factures').set('X-API-KEY', h.cfa).field('facture', JSON.stringify(f));
    expect(missing.body.errors[0]).toMatchObject({ code: 'PARTIE_MANQUANTE', champ: '/fichier' });
    const text = await h.t.http.post('/v1/factures').set('X-API-KEY', h.cfa).set('Content-Type', 'text/plain').send('facture');
    expect(text.status).toBe(415);
  });
});

describe('codificationEcheance sent as the plain number ("1" for A1)', () => {
  const ligne = (d: { numeroExterne: string }, codificationEcheance: string, montant = 1000, numeroEcheance = 1) => ({ numeroDossier: d.numeroExterne, numeroEcheance, codificationEcheance, natureLigne: 'PEDAGOGIE', montant });
  const convertie = (champ: string, section: string) => ({ code: 'CODIFICATION_CONVERTIE', description: expect.stringMatching(/« \d+ ».*lue comme A\d+/), champ, section });

  it('"1" is matched to A1 with a CODIFICATION_CONVERTIE warning; "A1" gives none', async () => {
    const d = await engagedDossier(h, 60);
    const res = await postFacture(h, facture([ligne(d, 'A1', 500), { ...ligne(d, '2', 100, 2) }], { estCertificatRealisation: true }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.avertissements).toEqual([convertie('/facture/lignes/1/codificationEcheance', 'facture')]);
    expect(res.body.avertissements[0].description).toContain('« 2 »');
    expect(res.body.avertissements[0].description).toContain('A2');
    // Stored under the échéancier's codification.
    const detail = await h.t.http.get('/v2/factures').query({ numeroInterneFacture: res.body.numeroInterneFacture }).set('X-API-KEY', h.cfa);
    expect(detail.body.lignes.map((l: { codificationEcheance: string }) => l.codificationEcheance)).toEqual(['A1', 'A2']);
    const l = await expectConservation(h, d.id);
    expect(l.parEcheance.slice(0, 2).map((e) => e.enCoursCents)).toEqual([50_000, 10_000]);

    const e2 = await engagedDossier(h, 61);
    const plain = await postFacture(h, facture([ligne(e2, 'A1')]));
    expect(plain.status).toBe(200);
    expect(plain.body.avertissements).toEqual([]);
  });

  it('stays an error when ambiguous: "9" (no échéance 9), "2" with numeroEcheance 1; nothing written', async () => {
    const d = await engagedDossier(h, 62);
    const aucune = await postFacture(h, facture([ligne(d, '9')]));
    expect(aucune.status).toBe(400);
    expect(pointers(aucune.body)).toEqual([['CODIFICATION_ECHEANCE_INCOHERENTE', '/facture/lignes/0/codificationEcheance']]);
    expect(aucune.body.errors[0].description).toContain('« 9 » ne correspond à aucune échéance');
    const contredit = await postFacture(h, facture([ligne(d, '2')]));
    expect(contredit.status).toBe(400);
    expect(pointers(contredit.body)).toEqual([['CODIFICATION_ECHEANCE_INCOHERENTE', '/facture/lignes/0/codificationEcheance']]);
    expect(contredit.body.errors[0].description).toMatch(/« 2 » désigne l'échéance A2.*numeroEcheance vaut 1/);
    // A converted line next to a refused one: 400, the warning listed with the errors.
    const mixed = await postFacture(h, facture([ligne(d, '1'), ligne(d, '3', 10, 12)]));
    expect(pointers(mixed.body)).toEqual([['ECHEANCE_INCONNUE', '/facture/lignes/1/numeroEcheance']]);
    expect(mixed.body.avertissements).toEqual([convertie('/facture/lignes/0/codificationEcheance', 'facture')]);
    expect((await ledger(h, d.id)).enCoursCents).toBe(0);
  });

  it('the corrected invoice (numeroInterneFactureCorrigee) reads the codification the same way', async () => {
    const d = await engagedDossier(h, 63);
    const original = facture([ligne(d, 'A1', 3200)]);
    const n = await depositInvoice(h, original);
    expect((await transition(h, n, { vers: 'EN_ATTENTE_MISE_EN_CONFORMITE', commentaire: 'Montant à revoir' })).status).toBe(200);
    const ambigue = await postFacture(h, { ...original, lignes: [ligne(d, '2', 3000)], montantTotal: 3000, numeroInterneFactureCorrigee: n });
    expect(pointers(ambigue.body)).toEqual([['CODIFICATION_ECHEANCE_INCOHERENTE', '/facture/lignes/0/codificationEcheance']]);
    const fixed = await postFacture(h, { ...original, lignes: [ligne(d, '1', 3000)], montantTotal: 3000, numeroInterneFactureCorrigee: n });
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(200);
    expect(fixed.body.numeroInterneFacture).toBe(n);
    expect(fixed.body.avertissements).toEqual([convertie('/facture/lignes/0/codificationEcheance', 'facture')]);
    expect((await expectConservation(h, d.id)).parEcheance[0]).toMatchObject({ enCoursCents: 300_000 });
  });

  it('certificats: echeance.codification "2" is read as A2 with the warning; "3" for échéance 2 stays an error', async () => {
    const d = await engagedDossier(h, 64);
    const base = {
      typeCertificat: 'Intermediaire', numeroInterneDossier: d.numeroInterne, employeur: { siret: FIXTURE_EMPLOYEUR_SIRET },
      apprenti: { nom: 'X', prenom: 'Y' }, organismeFormation: { siret: FIXTURE_CFA_SIRET },
    };
    const post = (echeance: Record<string, unknown>) => h.t.http.post('/v2/certificats').set('X-API-KEY', h.cfa).send({ ...base, echeance });
    const faux = await post({ numero: 2, codification: '3' });
    expect(pointers(faux.body)).toEqual([['CODIFICATION_ECHEANCE_INCOHERENTE', '/echeance/codification']]);
    const exact = await post({ numero: 2, codification: 'A2' });
    expect(exact.status).toBe(200);
    expect(exact.body.avertissements).toEqual([]);
    const lu = await post({ numero: 3, codification: '3' });
    expect(lu.status, JSON.stringify(lu.body)).toBe(200);
    expect(lu.body.avertissements).toEqual([convertie('/echeance/codification', 'requete')]);
    // The certificat counts for échéance 3: an invoice on it needs no flag.
    await depositInvoice(h, facture([ligne(d, 'A3', 100, 3)]));
  });
});

describe('a validated invoice overtaken by a rupture', () => {
  it('is rejected with a reason (VALIDEE → REJETEE), its amount released; a partly paid one cannot be', async () => {
    const d = await engagedDossier(h, 40);
    // A1 validated and partly paid; A2 validated, unpaid.
    const a1 = await depositInvoice(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 3200 }], { dateEmission: '2026-01-10' }));
    const a2 = await depositInvoice(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 2, natureLigne: 'PEDAGOGIE', montant: 2400 }], { dateEmission: '2026-03-10', estCertificatRealisation: true }));
    expect((await transition(h, a1, { vers: 'VALIDEE' })).status).toBe(200);
    expect((await transition(h, a2, { vers: 'VALIDEE' })).status).toBe(200);
    const pay = await h.t.http.post('/back-office/v1/reglements').set('X-API-KEY', h.opco)
      .send({ referenceVirement: 'VIR-RUPT-40', dateReglement: '2026-03-12', lignes: [{ numeroInterneFacture: a1, montant: 1000 }] });
    expect(pay.body.etatsFactures).toEqual([{ numeroInterneFacture: a1, etatFacture: 'REGLE_PARTIELLEMENT', montantFacture: 3200, montantRegle: 1000 }]);
    const rupture = await h.t.http.post('/v2/dossiers/rupture/employeur').set('X-API-KEY', h.cfa)
      .send({ numeroInterne: d.numeroInterne, dateRupture: '2026-03-15', motif: 'FORCE_MAJEURE', initiative: 'EMPLOYEUR' });
    expect(rupture.status, JSON.stringify(rupture.body)).toBe(200);
    // A2 now due 1 095.89 € but 2 400 € en cours on the validated invoice.
    const avant = await ledger(h, d.id);
    expect(avant.parEcheance.slice(0, 2)).toEqual([
      { numero: 1, totalCents: 320_000, regleCents: 100_000, enCoursCents: 220_000 },
      { numero: 2, totalCents: 109_589, regleCents: 0, enCoursCents: 240_000 },
    ]);

    // A reason is required; the partly paid invoice cannot be rejected. Nothing moves.
    const sansMotif = await transition(h, a2, { vers: 'REJETEE', commentaire: ' ' });
    expect(sansMotif.status).toBe(400);
    expect(sansMotif.body.errors[0]).toMatchObject({ code: 'COMMENTAIRE_OBLIGATOIRE', champ: '/commentaire' });
    const partiel = await transition(h, a1, { vers: 'REJETEE', commentaire: 'Échéance recalculée après rupture' });
    expect(partiel.status).toBe(409);
    expect(partiel.body.errors[0].code).toBe('TRANSITION_INTERDITE');
    expect(partiel.body.transitionsPossibles).toEqual([]);
    expect(await ledger(h, d.id)).toEqual(avant);

    const rejet = await transition(h, a2, { vers: 'REJETEE', commentaire: 'Échéance recalculée après rupture' });
    expect(rejet.status, JSON.stringify(rejet.body)).toBe(200);
    expect(rejet.body).toMatchObject({ etatFacture: 'REJETEE', commentaire: 'Échéance recalculée après rupture' });
    const apres = await expectConservation(h, d.id);
    expect(apres.parEcheance.slice(0, 2)).toEqual([
      { numero: 1, totalCents: 320_000, regleCents: 100_000, enCoursCents: 220_000 },
      { numero: 2, totalCents: 109_589, regleCents: 0, enCoursCents: 0 },
    ]);
    const vue = await h.t.http.get('/v2/factures').query({ numeroInterneFacture: a2 }).set('X-API-KEY', h.cfa);
    expect(vue.body).toMatchObject({ etatFacture: 'REJETEE', commentaire: 'Échéance recalculée après rupture', montantRegle: 0 });
    expect(vue.body.historique.map((x: { etat: string }) => x.etat)).toEqual(['TRANSMIS', 'VALIDEE', 'REJETEE']);
    expect(vue.body.historique.at(-1)).toMatchObject({ acteur: 'OPCO', commentaire: 'Échéance recalculée après rupture' });
    expect((await transition(h, a2, { vers: 'VALIDEE' })).body.transitionsPossibles).toEqual([]);

    // The CFA invoices the recomputed A2 again (before its deadline); the rejected invoice no longer blocks it.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-04-01T12:00:00+02:00'));
    await depositInvoice(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 2, natureLigne: 'PEDAGOGIE', montant: 1095.89 }], { dateEmission: '2026-03-20', estCertificatRealisation: true }));
    expect((await expectConservation(h, d.id)).parEcheance[1]).toEqual({ numero: 2, totalCents: 109_589, regleCents: 0, enCoursCents: 109_589 });
  });
});

describe('GET /v2/factures/etats', () => {
  it('pages exactly as norme §5.7, then the incremental feed and ETag', async () => {
    const d = await engagedDossier(h, 20);
    const start = await h.t.http.get('/v2/factures/etats').query({ depuis: '0', taillePage: 1000 }).set('X-API-KEY', h.cfa);
    expect(start.status).toBe(200);
    const cursor = start.body.curseurSuivant as string;
    const n = await depositInvoice(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 3200 }], { numero: 'ETATS-1' }));

    const page = await h.t.http.get('/v2/factures/etats').query({ numeroPage: 1, taillePage: 1000 }).set('X-API-KEY', h.cfa);
    expect(Object.keys(page.body).sort()).toEqual(['count', 'factures', 'page', 'total']);
    expect(page.body.total).toBe(page.body.count);
    const item = page.body.factures.find((f: { numeroInterneFacture: string }) => f.numeroInterneFacture === n);
    expect(item).toEqual({
      numeroInterneFacture: n,
      referenceFactureCFA: 'ETATS-1',
      montantFacture: 3200,
      etatFacture: 'TRANSMIS',
      referenceVirement: null,
      dateReglement: null,
      commentaire: null,
      organismeFormation: { siret: FIXTURE_CFA_SIRET, IBAN },
      dossiers: [{ numeroInterneDossier: d.numeroInterne, numeroExterneDossier: d.numeroExterne, montant: 3200 }],
    });
    const etag = page.headers.etag as string;
    expect(etag).toBeTruthy();
    const again = await h.t.http.get('/v2/factures/etats').query({ numeroPage: 1, taillePage: 1000 }).set('X-API-KEY', h.cfa).set('If-None-Match', etag);
    expect(again.status).toBe(304);

    const feed = await h.t.http.get('/v2/factures/etats').query({ depuis: cursor }).set('X-API-KEY', h.cfa);
    expect(feed.body).toMatchObject({ count: 1, plusDeResultats: false, factures: [expect.objectContaining({ numeroInterneFacture: n, etatFacture: 'TRANSMIS' })] });
    await transition(h, n, { vers: 'EN_ATTENTE_MISE_EN_CONFORMITE', commentaire: 'IBAN illisible sur le PDF' });
    const next = await h.t.http.get('/v2/factures/etats').query({ depuis: feed.body.curseurSuivant }).set('X-API-KEY', h.cfa);
    expect(next.body.factures).toEqual([expect.objectContaining({ numeroInterneFacture: n, etatFacture: 'EN_ATTENTE_MISE_EN_CONFORMITE', commentaire: 'IBAN illisible sur le PDF' })]);
    const empty = await h.t.http.get('/v2/factures/etats').query({ depuis: next.body.curseurSuivant }).set('X-API-KEY', h.cfa);
    expect(empty.body).toMatchObject({ count: 0, factures: [], curseurSuivant: next.body.curseurSuivant });
    const filtered = await h.t.http.get('/v2/factures/etats').query({ etat: 'EN_ATTENTE_MISE_EN_CONFORMITE' }).set('X-API-KEY', h.cfa);
    expect(filtered.body.factures.map((f: { numeroInterneFacture: string }) => f.numeroInterneFacture)).toEqual([n]);
    const bad = await h.t.http.get('/v2/factures/etats').query({ numeroPage: 0, depuis: 'x', etat: 'PAYEE' }).set('X-API-KEY', h.cfa);
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toHaveLength(3);
  });
});

describe('tenant isolation', () => {
  it('another CFA cannot invoice, read, certify or follow this CFA’s dossiers and invoices', async () => {
    const d = await engagedDossier(h, 30);
    const n = await depositInvoice(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 100 }]));
    const { OTHER_SIREN } = await import('./factures-fixture.js');
    const otherSiret = (await import('../fixtures/cerfa.js')).siretForSiren(OTHER_SIREN, 1);
    const theirs = await postFacture(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 100 }], { siretEmetteur: otherSiret }), h.other);
    expect(pointers(theirs.body)).toEqual([['DOSSIER_INCONNU', '/facture/lignes/0/numeroDossier']]);
    const unknown = await postFacture(h, facture([{ numeroDossier: '25APP77777777', numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 100 }], { siretEmetteur: otherSiret }), h.other);
    expect(theirs.body.errors[0].description.replace(d.numeroExterne, 'N')).toBe(unknown.body.errors[0].description.replace('25APP77777777', 'N'));
    const read = await h.t.http.get('/v2/factures').query({ numeroInterneFacture: n }).set('X-API-KEY', h.other);
    const missing = await h.t.http.get('/v2/factures').query({ numeroInterneFacture: '000000000001' }).set('X-API-KEY', h.other);
    expect(read.status).toBe(404);
    expect(read.body.errors[0].code).toBe(missing.body.errors[0].code);
    const feed = await h.t.http.get('/v2/factures/etats').query({ depuis: '0' }).set('X-API-KEY', h.other);
    expect(feed.body.factures).toEqual([]);
    const page = await h.t.http.get('/v2/factures/etats').set('X-API-KEY', h.other);
    expect(page.body).toMatchObject({ total: 0, count: 0, factures: [] });
    const correct = await postFacture(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 100 }], { siretEmetteur: otherSiret, numeroInterneFactureCorrigee: n }), h.other);
    expect(pointers(correct.body)[0]).toEqual(['FACTURE_INCONNUE', '/facture/numeroInterneFactureCorrigee']);
  });
});
