import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importNpecRows } from '../../src/db/financing.js';
import { FIXTURE_CFA_SIREN, FIXTURE_CFA_SIRET, FIXTURE_CFA_UAI, FIXTURE_EMPLOYEUR_SIRET, siretForSiren, validCerfaPayload } from '../fixtures/cerfa.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const OTHER_SIREN = '732829320';

let t: TestGateway;
let cfa: string;
let other: string;
let opco: string;
let seed = 700;

beforeAll(async () => {
  t = await startTestGateway();
  cfa = await t.cfaKey(FIXTURE_CFA_SIREN);
  other = await t.cfaKey(OTHER_SIREN);
  opco = await t.opcoKey();
  // The fixture's contract: RNCP35340 (BTS, level 5), IDCC 1486, 2025-09-01 → 2027-08-31: 8 000 € a year.
  await importNpecRows(t.db, [{ rncp: '35340', idcc: '1486', npecCents: 800_000, dateEffet: '2024-07-15' }]);
});
afterAll(async () => t.close());

function pdfBytes(n: number): Buffer {
  return Buffer.concat([Buffer.from(`%PDF-1.7\n1 0 obj << /Convention ${n} >> endobj\n`, 'latin1'), randomBytes(400), Buffer.from('\n%%EOF\n', 'latin1')]);
}

type Obj = Record<string, unknown>;

async function newDossier(change?: (cerfa: Obj) => void): Promise<{ numero: string; apprenti: Obj }> {
  seed += 1;
  const payload = validCerfaPayload(seed);
  change?.(payload.cerfa);
  const res = await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).send(payload);
  expect(res.status).toBe(200);
  return { numero: res.body.numeroInterne as string, apprenti: payload.cerfa.apprenti as Obj };
}

function convention(numero: string, apprenti: Obj, couts: Obj = {}): Obj {
  return {
    numeroInterneDossier: numero,
    employeur: { siret: FIXTURE_EMPLOYEUR_SIRET },
    apprenti: { nom: apprenti.nom, prenom: apprenti.prenom, nomUsage: null },
    contrat: { dateDebutContrat: '2025-09-01T00:00:00+02:00', dateFinContrat: '2027-08-31' },
    organismeFormation: { siret: FIXTURE_CFA_SIRET, uaiCfa: FIXTURE_CFA_UAI },
    formation: { dateDebutFormation: '2025-09-08', dateFinFormation: '2027-07-02', dureeFormation: 1350, rncp: 'RNCP35340', intituleQualification: 'BTS SIO' },
    couts: {
      coutTotalPedagogieCFA: 16000, montantRQTHAnnee1: null, montantRQTHAnnee2: null, montantRQTHAnnee3: null, montantRQTHAnnee4: null,
      nombreRepasTotaux: 0, nombreHebergementTotaux: 0, montantPremierEquipement: 0, mentionMobiliteInternationale: false, accompagnementDROM: false,
      ...couts,
    },
    mandatEmployeur: true,
    dateSignature: '2025-08-25',
    attestationConventionSigneeEntreprise: true,
    attestationConventionSigneeCFA: true,
    attestationConventionSignatureProbante: true,
    attestationConventionConformeJSON: true,
  };
}

const send = (body: Obj, file: Buffer, key = cfa, version = 'v1') =>
  t.http.post(`/${version}/conventions`).set('X-API-KEY', key).set('EDITEUR', 'ACME')
    .field('convention', JSON.stringify(body))
    .attach('fichier', file, { filename: 'convention-signee.pdf', contentType: 'application/pdf' });

const move = (numero: string, vers: string) => t.http.post(`/back-office/v1/dossiers/${numero}/transitions`).set('X-API-KEY', opco).send({ vers });
const cfaView = (numero: string) => t.http.get('/v2/dossiers').query({ numeroInterne: numero }).set('X-API-KEY', cfa);

describe('POST /v{1,2}/conventions', () => {
  it('stores the convention and its signed file as a CONVENTION_FORMATION document of the dossier, in one go (audited)', async () => {
    const { numero, apprenti } = await newDossier();
    const file = pdfBytes(1);
    const res = await send(convention(numero, apprenti), file);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ numeroInterneConvention: expect.stringMatching(/^\d{12}$/), numeroInterneDocument: expect.stringMatching(/^\d{12}$/), avertissements: [] });
    const row = await t.db('conventions').where({ numero_interne: res.body.numeroInterneConvention }).first();
    expect(row.cfa_siren).toBe(FIXTURE_CFA_SIREN);
    expect(row.contenu).toMatchObject({ numeroInterneDossier: numero, couts: { coutTotalPedagogieCFA: 16000 } });
    const documents = await t.http.get('/v1/documents').query({ idObjet: numero }).set('X-API-KEY', cfa);
    expect(documents.body.documents).toEqual([expect.objectContaining({
      numeroInterneDocument: res.body.numeroInterneDocument, typeFichier: 'CONVENTION_FORMATION', typeMime: 'application/pdf',
      sha256: createHash('sha256').update(file).digest('hex'), nomFichier: 'convention-signee.pdf', objets: [{ typeObjet: 'DOSSIER_APPRENTISSAGE', idObjet: numero }],
    })]);
    const audit = await t.db('audit_ecritures').where({ objet_id: res.body.numeroInterneConvention }).first();
    expect(audit).toMatchObject({ action: 'CONVENTION_DEPOSEE', objet_type: 'CONVENTION', editeur: 'ACME', siren: FIXTURE_CFA_SIREN });
  });

  it('accepts the JSON transport with the file in base64 (_files.convention), on v2 too', async () => {
    const { numero, apprenti } = await newDossier();
    const res = await t.http.post('/v2/conventions').set('X-API-KEY', cfa)
      .send({ ...convention(numero, apprenti), _files: { convention: pdfBytes(2).toString('base64') } });
    expect(res.status).toBe(200);
    const row = await t.db('conventions').where({ numero_interne: res.body.numeroInterneConvention }).first();
    expect(row.contenu._files).toBeUndefined();
  });

  it('normalises the accented key mentionMobilitéInternationale to the norm’s ASCII name', async () => {
    const { numero, apprenti } = await newDossier();
    const body = convention(numero, apprenti);
    const couts = body.couts as Obj;
    delete couts.mentionMobiliteInternationale;
    couts['mentionMobilitéInternationale'] = true;
    const res = await send(body, pdfBytes(3));
    expect(res.status).toBe(200);
    const row = await t.db('conventions').where({ numero_interne: res.body.numeroInterneConvention }).first();
    expect(row.contenu.couts.mentionMobiliteInternationale).toBe(true);
    expect(Object.keys(row.contenu.couts)).not.toContain('mentionMobilitéInternationale');
  });

  it('lists every schema error at once, with pointers into the convention part and section convention', async () => {
    const { numero, apprenti } = await newDossier();
    const body = convention(numero, apprenti, { nombreRepasTotaux: -3, montantRQTHAnnee1: 'mille' });
    (body.employeur as Obj).siret = '12345678901234';
    delete (body.apprenti as Obj).nom;
    (body.contrat as Obj).dateFinContrat = '31/08/2027';
    const res = await send(body, pdfBytes(4));
    expect(res.status).toBe(400);
    const champs = res.body.errors.map((e: { champ: string }) => e.champ).sort();
    expect(champs).toEqual([
      '/convention/apprenti/nom', '/convention/contrat/dateFinContrat', '/convention/couts/montantRQTHAnnee1',
      '/convention/couts/nombreRepasTotaux', '/convention/employeur/siret',
    ]);
    expect(res.body.errors.every((e: { section: string }) => e.section === 'convention')).toBe(true);
    expect(res.body.errors.find((e: { champ: string }) => e.champ === '/convention/couts/nombreRepasTotaux')).toMatchObject({ code: 'VALEUR_HORS_LIMITES' });

    // In the JSON transport the convention is the body: pointers start at the root.
    const flat = await t.http.post('/v1/conventions').set('X-API-KEY', cfa).send({ ...body, _files: { convention: pdfBytes(4).toString('base64') } });
    expect(flat.body.errors.map((e: { champ: string }) => e.champ)).toContain('/couts/nombreRepasTotaux');

    const cents = await send(convention(numero, apprenti, { coutTotalPedagogieCFA: 100.005 }), pdfBytes(4));
    expect(cents.status).toBe(400);
    expect(cents.body.errors).toEqual([expect.objectContaining({ code: 'MONTANT_INVALIDE', champ: '/convention/couts/coutTotalPedagogieCFA' })]);
    const malformed = await t.http.post('/v1/conventions').set('X-API-KEY', cfa).field('convention', '{pas du json').attach('fichier', pdfBytes(4), 'c.pdf');
    expect(malformed.body.errors[0]).toMatchObject({ code: 'JSON_MALFORME', champ: '/convention', section: 'convention' });
  });

  it('another CFA’s dossier answers 404 exactly like an unknown one; a foreign CFA SIRET 403', async () => {
    const { numero, apprenti } = await newDossier();
    const foreignBody = convention(numero, apprenti);
    (foreignBody.organismeFormation as Obj) = { siret: siretForSiren(OTHER_SIREN, 1) };
    const foreign = await send(foreignBody, pdfBytes(5), other);
    expect(foreign.status).toBe(404);
    const unknown = await send(convention('000000000000', apprenti), pdfBytes(5));
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0].code).toBe('DOSSIER_INTROUVABLE');
    expect(foreign.body.errors[0].code).toBe('DOSSIER_INTROUVABLE');
    const wrongSiret = await send(foreignBody, pdfBytes(5));
    expect(wrongSiret.status).toBe(403);
    expect(wrongSiret.body.errors[0]).toMatchObject({ code: 'ORGANISME_FORMATION_NON_AUTORISE', champ: '/convention/organismeFormation/siret' });
    expect(await t.db('conventions').join('dossiers', 'dossiers.id', 'conventions.dossier_id').where('dossiers.numero_interne', numero).first()).toBeUndefined();
  });

  it('refuses a file that is not a PDF, JPEG or PNG (415) and stores nothing', async () => {
    const { numero, apprenti } = await newDossier();
    const res = await t.http.post('/v1/conventions').set('X-API-KEY', cfa).field('convention', JSON.stringify(convention(numero, apprenti)))
      .attach('fichier', Buffer.from('<html>convention</html>'), { filename: 'convention.pdf', contentType: 'application/pdf' });
    expect(res.status).toBe(415);
    expect(res.body.errors[0]).toMatchObject({ code: 'TYPE_FICHIER_NON_SUPPORTE', champ: '/fichier', section: 'convention' });
    expect(await t.db('conventions').join('dossiers', 'dossiers.id', 'conventions.dossier_id').where('dossiers.numero_interne', numero).first()).toBeUndefined();
    const missing = await t.http.post('/v1/conventions').set('X-API-KEY', cfa).field('convention', JSON.stringify(convention(numero, apprenti)));
    expect(missing.body.errors).toEqual([expect.objectContaining({ code: 'PARTIE_MANQUANTE', champ: '/fichier' })]);
  });

  it('a retry (same JSON, same file) answers the same numbers; a corrected JSON with the same file reuses the document', async () => {
    const { numero, apprenti } = await newDossier();
    const file = pdfBytes(6);
    const first = await send(convention(numero, apprenti, { nombreRepasTotaux: 10 }), file);
    const retry = await send(convention(numero, apprenti, { nombreRepasTotaux: 10 }), file);
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toMatchObject({ numeroInterneConvention: first.body.numeroInterneConvention, numeroInterneDocument: first.body.numeroInterneDocument });
    const corrected = await send(convention(numero, apprenti, { nombreRepasTotaux: 12 }), file);
    expect(corrected.status).toBe(200);
    expect(corrected.body.numeroInterneConvention).not.toBe(first.body.numeroInterneConvention);
    expect(corrected.body.numeroInterneDocument).toBe(first.body.numeroInterneDocument);
    const docs = await t.http.get('/v1/documents').query({ idObjet: numero }).set('X-API-KEY', cfa);
    expect(docs.body.count).toBe(1);
  });

  it('its costs feed the engagement: meals, nights and RQTH of the LATEST convention, as the CFA then reads them', async () => {
    const { numero, apprenti } = await newDossier((cerfa) => { (cerfa.apprenti as Obj).handicap = true; });
    const older = await send(convention(numero, apprenti, { nombreRepasTotaux: 50 }), pdfBytes(7));
    expect(older.status).toBe(200);
    const latest = await send(convention(numero, apprenti, {
      nombreRepasTotaux: 240, nombreHebergementTotaux: 20, montantRQTHAnnee1: 1000, montantRQTHAnnee2: 500, montantPremierEquipement: 300,
    }), pdfBytes(8));
    expect(latest.status).toBe(200);

    expect((await move(numero, 'EN_COURS_INSTRUCTION')).status).toBe(200);
    const engaged = await move(numero, 'ENGAGE');
    expect(engaged.status).toBe(200);
    const view = await cfaView(numero);
    expect(view.body.engagementsFraisAnnexe).toEqual(expect.arrayContaining([
      { natureFrais: 'RESTAURATION', quantite: 240, prixUnitaire: 3, montantTotal: 720 },
      { natureFrais: 'HEBERGEMENT', quantite: 20, prixUnitaire: 6, montantTotal: 120 },
      { natureFrais: 'PREMIEREQUIPEMENT', quantite: 1, prixUnitaire: 300, montantTotal: 300 },
    ]));
    // 2 × 8 000 € of NPEC plus the RQTH majoration of both years (full years: not prorated).
    expect(view.body.engagement).toBe(17500);
    const rqth = view.body.echeances.reduce((s: number, e: { dontMajorationRqth: number }) => s + Math.round(e.dontMajorationRqth * 100), 0);
    expect(rqth).toBe(150_000);
    expect(view.body.detailsFacturation.plafondFraisPremierEquipement).toBe(300);

    // A convention arriving after the engagement is kept, with a warning: it changes nothing engaged.
    const late = await send(convention(numero, apprenti, { nombreRepasTotaux: 999 }), pdfBytes(9));
    expect(late.status).toBe(200);
    expect(late.body.avertissements).toEqual([expect.objectContaining({ code: 'DOSSIER_DEJA_INSTRUIT' })]);
    expect((await cfaView(numero)).body.engagementsFraisAnnexe[0]).toMatchObject({ natureFrais: 'RESTAURATION', quantite: 240 });
  });

  it('warns (without refusing) when the convention’s employer or dates differ from the dossier', async () => {
    const { numero, apprenti } = await newDossier();
    const body = convention(numero, apprenti);
    (body.employeur as Obj).siret = siretForSiren('812345676', 18);
    (body.contrat as Obj).dateDebutContrat = '2025-09-02';
    const res = await send(body, pdfBytes(10));
    expect(res.status).toBe(200);
    expect(res.body.avertissements.map((a: { code: string; champ: string }) => `${a.code} ${a.champ}`)).toEqual([
      'EMPLOYEUR_DIFFERENT_DU_DOSSIER /convention/employeur/siret',
      'DATE_DIFFERENTE_DU_DOSSIER /convention/contrat/dateDebutContrat',
    ]);
  });
});
