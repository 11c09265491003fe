import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalHash } from '../../src/domain/canonical-json.js';
import { FIXTURE_CFA_SIREN, siretForSiren, validCerfaPayload } from '../fixtures/cerfa.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const OTHER_SIREN = '732829320';

let t: TestGateway;
let cfa: string;
let other: string;
let opco: string;

beforeAll(async () => {
  t = await startTestGateway();
  cfa = await t.cfaKey(FIXTURE_CFA_SIREN);
  other = await t.cfaKey(OTHER_SIREN);
  opco = await t.opcoKey();
});
afterAll(async () => t.close());

type Raw = Record<string, unknown>;
type Payload = { cerfa: Raw };
const section = (p: Payload, name: string): Raw => p.cerfa[name] as Raw;

const correct = (body: unknown, key = cfa) =>
  t.http.post('/v2/dossiers/correction').set('X-API-KEY', key).set('EDITEUR', 'ACME').set('LOGICIEL', 'ACME-CFA').set('VERSION', '5.0').send(body as object);

const askCorrection = (numero: string) =>
  t.http.post(`/back-office/v1/dossiers/${numero}/mise-en-conformite`).set('X-API-KEY', opco).send({ commentaire: 'Adresse de l’apprenti erronée' });

/** A dossier in instruction, stored from `payload` by the CFA (or the back office), that the OPCO asked to correct. */
async function dossierToCorrect(payload: Payload, via: 'cfa' | 'back-office' = 'cfa'): Promise<string> {
  const sent = via === 'cfa'
    ? await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).send(payload)
    : await t.http.post('/back-office/v1/dossiers').set('X-API-KEY', opco).send(payload);
  expect(sent.status).toBe(200);
  const numero = sent.body.numeroInterne as string;
  expect((await t.http.post(`/back-office/v1/dossiers/${numero}/transitions`).set('X-API-KEY', opco).send({ vers: 'EN_COURS_INSTRUCTION' })).status).toBe(200);
  expect((await askCorrection(numero)).status).toBe(200);
  return numero;
}

/** What a refused correction must leave untouched. */
async function snapshot(numero: string) {
  const row = await t.db('dossiers').where({ numero_interne: numero }).first('id', 'cerfa', 'empreinte_contenu', 'mise_en_conformite', 'xid_modif');
  const [versions, history, audit] = await Promise.all([
    t.db('dossiers_versions').where({ dossier_id: row.id }).count<{ n: string }[]>({ n: '*' }),
    t.db('dossiers_historique').where({ dossier_id: row.id }).count<{ n: string }[]>({ n: '*' }),
    t.db('audit_ecritures').where({ objet_id: numero, action: 'DOSSIER_CORRIGE' }).count<{ n: string }[]>({ n: '*' }),
  ]);
  return { row, versions: Number(versions[0]?.n), history: Number(history[0]?.n), audit: Number(audit[0]?.n) };
}

/**
 * The CFA's feed after `cursor`. A change shows once every older transaction of the PostgreSQL
 * server has ended (docs/decisions.md, Polling): other test files or worktrees on the same server
 * may hold it back a moment, so wait for it a little.
 */
async function feedSince(cursor: string): Promise<unknown[]> {
  for (let attempt = 0; ; attempt += 1) {
    const feed = await t.http.get('/v2/dossiers/etats').query({ depuis: cursor }).set('X-API-KEY', cfa);
    if (feed.body.EtatDossierResult.length > 0 || attempt === 50) return feed.body.EtatDossierResult as unknown[];
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const cfaView = (numero: string) => t.http.get('/v2/dossiers').query({ numeroInterne: numero }).set('X-API-KEY', cfa);

describe('POST /v2/dossiers/correction', () => {
  it('replaces the CERFA and its derived columns, keeps the old one, clears the request, and tells the OPCO what changed (never the values)', async () => {
    const original = validCerfaPayload(701);
    const numero = await dossierToCorrect(original);
    const before = await t.db('dossiers').where({ numero_interne: numero }).first();
    const start = await t.http.get('/v2/dossiers/etats').query({ depuis: '0', taillePage: 1000 }).set('X-API-KEY', cfa);

    const corrected = structuredClone(original);
    (section(corrected, 'apprenti').adresse as Raw).commune = 'Villeurbanne';
    section(corrected, 'contrat').lieuSignatureContrat = 'Villeurbanne';
    const newSiret = siretForSiren('812345676', 18);
    section(corrected, 'employeur').siret = newSiret;
    const res = await correct({ numeroInterne: numero, ...corrected });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ numeroInterne: numero, numeroExterne: before.numero_externe, etat: 'EN_COURS_INSTRUCTION', avertissements: expect.any(Array) });
    expect(res.body.champsModifies).toEqual(['/employeur/siret', '/apprenti/adresse/commune', '/contrat/lieuSignatureContrat']);

    // The row: new CERFA, derived columns recomputed, request answered, same state.
    const after = await t.db('dossiers').where({ numero_interne: numero }).first();
    expect(after).toMatchObject({ etat: 'EN_COURS_INSTRUCTION', mise_en_conformite: false, commentaire_etat: null, employeur_siret: newSiret, origine: 'API_CFA' });
    expect((after.cerfa.apprenti as Raw).adresse).toMatchObject({ commune: 'Villeurbanne' });
    expect(after.empreinte_contenu).toBe(canonicalHash(after.cerfa));
    expect(after.empreinte_contenu).not.toBe(before.empreinte_contenu);
    expect(after.cle_apprenti).toBe(before.cle_apprenti);
    expect(new Date(after.mis_a_jour_le).getTime()).toBeGreaterThanOrEqual(new Date(before.mis_a_jour_le).getTime());
    expect(after.xid_modif).not.toBe(before.xid_modif);

    // The previous CERFA is kept, with who replaced it.
    const versions = await t.db('dossiers_versions').where({ dossier_id: before.id });
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ acteur: `cfa:${FIXTURE_CFA_SIREN}` });
    expect(versions[0].cerfa).toEqual(before.cerfa);

    // One history line: the pointers, not the values; the OPCO sees it too.
    const history = await t.http.get('/v2/dossiers/historique').query({ numeroInterne: numero }).set('X-API-KEY', cfa);
    const last = history.body.historique.at(-1);
    expect(history.body.historique.map((h: { evenement: string }) => h.evenement)).toEqual(['ETAT', 'ETAT', 'MISE_EN_CONFORMITE', 'CORRECTION']);
    expect(last).toEqual(expect.objectContaining({
      evenement: 'CORRECTION', etat: 'EN_COURS_INSTRUCTION', acteur: `cfa:${FIXTURE_CFA_SIREN}`,
      commentaire: 'Dossier corrigé par le CFA : /employeur/siret, /apprenti/adresse/commune, /contrat/lieuSignatureContrat',
    }));
    expect(JSON.stringify(history.body)).not.toContain('Villeurbanne');
    const bo = await t.http.get(`/back-office/v1/dossiers/${numero}`).set('X-API-KEY', opco);
    expect(bo.body.historique.at(-1)).toMatchObject({ evenement: 'CORRECTION', acteur: `cfa:${FIXTURE_CFA_SIREN}` });
    expect(bo.body).toMatchObject({ miseEnConformite: false, employeur: { siret: newSiret } });

    // Audit line with the editor headers.
    const audit = await t.db('audit_ecritures').where({ objet_id: numero, action: 'DOSSIER_CORRIGE' });
    expect(audit).toEqual([expect.objectContaining({ siren: FIXTURE_CFA_SIREN, editeur: 'ACME', logiciel: 'ACME-CFA', version: '5.0', objet_type: 'DOSSIER' })]);

    // The CFA's reads and incremental feed show the new data.
    const view = await cfaView(numero);
    expect(view.body.cerfa).toMatchObject({ miseEnConformiteDemandee: false, commentaireEtat: null, employeur: expect.objectContaining({ siret: newSiret }) });
    expect(view.body.cerfa.apprenti.adresse.commune).toBe('Villeurbanne');
    expect(await feedSince(start.body.curseurSuivant)).toEqual([expect.objectContaining({ numeroInterne: numero, etat: 'EN_COURS_INSTRUCTION' })]);

    // The request is answered: the same correction again has nothing to answer.
    const again = await correct({ numeroInterne: numero, ...corrected });
    expect(again.status).toBe(409);
    expect(again.body.errors[0].code).toBe('MISE_EN_CONFORMITE_NON_DEMANDEE');
  });

  it('a dossier registered by the back office (SAISIE_OPCO) is corrected by the CFA it names; its origin stays', async () => {
    const original = validCerfaPayload(702);
    const numero = await dossierToCorrect(original, 'back-office');
    const corrected = structuredClone(original);
    section(corrected, 'contrat').lieuSignatureContrat = 'Vénissieux';
    const res = await correct({ numeroInterne: numero, ...corrected });
    expect(res.status).toBe(200);
    expect(res.body.champsModifies).toEqual(['/contrat/lieuSignatureContrat']);
    expect(await t.db('dossiers').where({ numero_interne: numero }).first('origine', 'mise_en_conformite')).toEqual({ origine: 'SAISIE_OPCO', mise_en_conformite: false });
  });

  it('another CFA’s dossier answers exactly like an unknown one (404), and nothing is written', async () => {
    const original = validCerfaPayload(703);
    const numero = await dossierToCorrect(original);
    const before = await snapshot(numero);
    const foreign = structuredClone(original);
    section(foreign, 'organismeFormation').siret = siretForSiren(OTHER_SIREN);
    const theirs = await correct({ numeroInterne: numero, ...foreign }, other);
    const unknown = await correct({ numeroInterne: '000000000000', ...foreign }, other);
    expect(theirs.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(theirs.body.errors).toEqual([{ code: 'DOSSIER_INTROUVABLE', description: `Aucun dossier ${numero} pour ce CFA.` }]);
    expect(unknown.body.errors).toEqual([{ code: 'DOSSIER_INTROUVABLE', description: 'Aucun dossier 000000000000 pour ce CFA.' }]);
    // The CFA's other dossier routes answer the same.
    const read = await t.http.get('/v2/dossiers').query({ numeroInterne: numero }).set('X-API-KEY', other);
    expect(read.body.errors).toEqual(theirs.body.errors);
    expect(await snapshot(numero)).toEqual(before);
  });

  it('409 MISE_EN_CONFORMITE_NON_DEMANDEE when the OPCO asked for nothing', async () => {
    const original = validCerfaPayload(704);
    const sent = await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).send(original);
    const numero = sent.body.numeroInterne as string;
    const corrected = structuredClone(original);
    section(corrected, 'contrat').lieuSignatureContrat = 'Bron';
    const before = await snapshot(numero);
    const res = await correct({ numeroInterne: numero, ...corrected });
    expect(res.status).toBe(409);
    expect(res.body.errors[0].code).toBe('MISE_EN_CONFORMITE_NON_DEMANDEE');
    expect(await snapshot(numero)).toEqual(before);
  });

  it('an invalid CERFA gets 400 with every error (schema, then business rules), pointers and sections, and nothing is written', async () => {
    const original = validCerfaPayload(705);
    const numero = await dossierToCorrect(original);
    const before = await snapshot(numero);

    const broken = structuredClone(original);
    section(broken, 'employeur').siret = '12345678901234';
    delete section(broken, 'apprenti').nom;
    section(broken, 'contrat').typeContratApp = 99;
    const schema = await correct({ numeroInterne: numero, ...broken });
    expect(schema.status).toBe(400);
    expect(schema.body.errors.map((e: { champ: string }) => e.champ).sort()).toEqual(['/cerfa/apprenti/nom', '/cerfa/contrat/typeContratApp', '/cerfa/employeur/siret']);
    expect(schema.body.erreursParSection).toEqual({ employeur: 1, apprenti: 1, contrat: 1 });

    const noNumero = await correct({ ...broken });
    expect(noNumero.status).toBe(400);
    expect(noNumero.body.errors).toContainEqual(expect.objectContaining({ code: 'CHAMP_OBLIGATOIRE', champ: '/numeroInterne', section: 'requete' }));
    expect(noNumero.body.errors).toHaveLength(4);

    const tooYoung = structuredClone(original);
    section(tooYoung, 'apprenti').dateNaissance = '2015-01-01';
    delete section(tooYoung, 'apprenti').nir;
    const rules = await correct({ numeroInterne: numero, ...tooYoung });
    expect(rules.status).toBe(400);
    expect(rules.body.errors.some((e: { champ: string }) => e.champ === '/cerfa/apprenti/dateNaissance')).toBe(true);
    expect(rules.body).toHaveProperty('erreursParSection');

    expect(await snapshot(numero)).toEqual(before);
  });

  it("403 when the training organisation's SIRET is not within the key's SIREN, like at transmission", async () => {
    const original = validCerfaPayload(706);
    const numero = await dossierToCorrect(original);
    const before = await snapshot(numero);
    const moved = structuredClone(original);
    section(moved, 'organismeFormation').siret = siretForSiren(OTHER_SIREN);
    const res = await correct({ numeroInterne: numero, ...moved });
    expect(res.status).toBe(403);
    expect(res.body.errors[0]).toMatchObject({ code: 'ORGANISME_FORMATION_NON_AUTORISE', champ: '/cerfa/organismeFormation/siret' });
    expect(await snapshot(numero)).toEqual(before);
  });

  it('409 CORRECTION_SANS_CHANGEMENT for the CERFA already stored', async () => {
    const original = validCerfaPayload(707);
    const numero = await dossierToCorrect(original);
    const before = await snapshot(numero);
    const res = await correct({ numeroInterne: numero, ...original });
    expect(res.status).toBe(409);
    expect(res.body.errors[0].code).toBe('CORRECTION_SANS_CHANGEMENT');
    expect(await snapshot(numero)).toEqual(before);
  });

  it('409 like at transmission when another live dossier holds this CERFA or this contract (unique indexes), nothing written', async () => {
    const first = validCerfaPayload(708);
    const existing = (await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).send(first)).body.numeroInterne as string;
    const numero = await dossierToCorrect(validCerfaPayload(709));
    const before = await snapshot(numero);

    const sameContent = await correct({ numeroInterne: numero, ...first });
    expect(sameContent.status).toBe(409);
    expect(sameContent.body.errors[0].code).toBe('CERFA_DEJA_TRANSMIS');
    expect(sameContent.body.numeroInterne).toBe(existing);

    const sameContract = structuredClone(first);
    section(sameContract, 'contrat').lieuSignatureContrat = 'Ailleurs';
    const res = await correct({ numeroInterne: numero, ...sameContract });
    expect(res.status).toBe(409);
    expect(res.body.errors[0].code).toBe('CONTRAT_DEJA_TRANSMIS');
    expect(res.body.numeroInterne).toBe(existing);
    expect(await snapshot(numero)).toEqual(before);
  });

  it('two corrections at once: one is applied, the other finds the request answered', async () => {
    const original = validCerfaPayload(710);
    const numero = await dossierToCorrect(original);
    const bodies = ['Bron', 'Caluire'].map((lieu) => {
      const c = structuredClone(original);
      section(c, 'contrat').lieuSignatureContrat = lieu;
      return { numeroInterne: numero, ...c };
    });
    const answers = await Promise.all(bodies.map((b) => correct(b)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect((await snapshot(numero)).versions).toBe(1);
  });

  it('an Idempotency-Key retry gets the first answer; a document is attached as before; v1 and OPCO keys are not served', async () => {
    const original = validCerfaPayload(711);
    const numero = await dossierToCorrect(original);
    const corrected = structuredClone(original);
    section(corrected, 'contrat').lieuSignatureContrat = 'Oullins';
    const body = { numeroInterne: numero, ...corrected };
    const first = await correct(body).set('Idempotency-Key', `correction-${numero}`);
    const retry = await correct(body).set('Idempotency-Key', `correction-${numero}`);
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);

    const pdf = Buffer.from('%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n', 'latin1');
    const doc = await t.http.post('/v2/documents').set('X-API-KEY', cfa)
      .send({ typeFichier: 'AUTRE', objets: [{ typeObjet: 'DOSSIER_APPRENTISSAGE', idObjet: numero }], _files: { document: pdf.toString('base64') } });
    expect(doc.status).toBe(200);

    expect((await t.http.post('/v1/dossiers/correction').set('X-API-KEY', cfa).send(body)).status).toBe(404);
    expect((await correct(body, opco)).status).toBe(403);
  });
});
