import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importNpecRows } from '../../src/db/financing.js';
import { FIXTURE_CFA_SIREN, validCerfaPayload } from '../fixtures/cerfa.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let cfa: string;
let opco: string;

beforeAll(async () => {
  t = await startTestGateway();
  cfa = await t.cfaKey(FIXTURE_CFA_SIREN);
  opco = await t.opcoKey();
  // The fixture's contract: RNCP35340 (BTS, level 5), IDCC 1486, concluded 2025-08-20, 2025-09-01 → 2027-08-31.
  await importNpecRows(t.db, [
    { rncp: '35340', idcc: '1486', npecCents: 800_000, dateEffet: '2024-07-15' },
    { rncp: '35340', idcc: '9999', npecCents: 700_000, dateEffet: '2024-07-15' },
  ]);
});
afterAll(async () => t.close());

async function newDossier(seed: number): Promise<string> {
  const res = await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).send(validCerfaPayload(seed));
  expect(res.status).toBe(200);
  return res.body.numeroInterne as string;
}

const move = (numero: string, body: Record<string, unknown>) =>
  t.http.post(`/back-office/v1/dossiers/${numero}/transitions`).set('X-API-KEY', opco).send(body);
const cfaView = (numero: string) => t.http.get('/v2/dossiers').query({ numeroInterne: numero }).set('X-API-KEY', cfa);

describe('back-office dossier life cycle', () => {
  it('refuses a move the state machine does not allow, listing the allowed ones (409)', async () => {
    const n = await newDossier(501);
    const res = await move(n, { vers: 'ENGAGE' });
    expect(res.status).toBe(409);
    expect(res.body.errors[0].code).toBe('TRANSITION_INTERDITE');
    expect(res.body.transitionsPossibles.sort()).toEqual(['ANNULE', 'EN_COURS_INSTRUCTION']);
  });

  it('requires a reason to refuse or cancel (400), and a date to record a rupture', async () => {
    const n = await newDossier(502);
    expect((await move(n, { vers: 'ANNULE' })).status).toBe(400);
    expect((await move(n, { vers: 'EN_COURS_INSTRUCTION' })).status).toBe(200);
    const refus = await move(n, { vers: 'REFUSE' });
    expect(refus.status).toBe(400);
    expect(refus.body.errors[0]).toMatchObject({ code: 'COMMENTAIRE_OBLIGATOIRE', champ: '/commentaire' });
    const ok = await move(n, { vers: 'REFUSE', commentaire: 'Employeur hors champ de l’OPCO' });
    expect(ok.status).toBe(200);
    expect((await cfaView(n)).body.cerfa).toMatchObject({ etat: 'REFUSE', commentaireEtat: 'Employeur hors champ de l’OPCO' });
    expect((await move(n, { vers: 'ENGAGE' })).body.transitionsPossibles).toEqual([]);
  });

  it('the same payload sent again after a refusal is a new dossier, not a replay of the refused one', async () => {
    const payload = validCerfaPayload(509);
    const first = await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).send(payload);
    await move(first.body.numeroInterne, { vers: 'EN_COURS_INSTRUCTION' });
    await move(first.body.numeroInterne, { vers: 'REFUSE', commentaire: 'Pièces manquantes' });
    const again = await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).send(payload);
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(again.body.numeroInterne).not.toBe(first.body.numeroInterne);
    expect(again.body.etat).toBe('TRANSMIS');
  });

  it('mise en conformité: a flag with a comment the CFA sees, then cleared', async () => {
    const n = await newDossier(503);
    const early = await t.http.post(`/back-office/v1/dossiers/${n}/mise-en-conformite`).set('X-API-KEY', opco).send({ commentaire: 'x' });
    expect(early.status).toBe(409);
    await move(n, { vers: 'EN_COURS_INSTRUCTION' });
    const noComment = await t.http.post(`/back-office/v1/dossiers/${n}/mise-en-conformite`).set('X-API-KEY', opco).send({});
    expect(noComment.status).toBe(400);
    const asked = await t.http.post(`/back-office/v1/dossiers/${n}/mise-en-conformite`).set('X-API-KEY', opco).send({ commentaire: 'Convention de formation non signée' });
    expect(asked.status).toBe(200);
    const seen = await cfaView(n);
    expect(seen.body.cerfa).toMatchObject({ etat: 'EN_COURS_INSTRUCTION', commentaireEtat: 'Convention de formation non signée', miseEnConformiteDemandee: true });
    expect((await t.http.delete(`/back-office/v1/dossiers/${n}/mise-en-conformite`).set('X-API-KEY', opco)).status).toBe(200);
    expect((await cfaView(n)).body.cerfa).toMatchObject({ commentaireEtat: null, miseEnConformiteDemandee: false });
    expect((await t.http.delete(`/back-office/v1/dossiers/${n}/mise-en-conformite`).set('X-API-KEY', opco)).status).toBe(409);
  });

  it('engaging computes the échéancier the CFA reads through the norm’s GET, exact to the cent', async () => {
    const n = await newDossier(504);
    const before = await cfaView(n);
    expect(before.body.engagement).toBeNull();
    await move(n, { vers: 'EN_COURS_INSTRUCTION' });
    const engaged = await move(n, { vers: 'ENGAGE', commentaire: 'Accord de prise en charge' });
    expect(engaged.status).toBe(200);
    const res = await cfaView(n);
    expect(res.body.cerfa.etat).toBe('ENGAGE');
    // NPEC 8 000 € (référentiel, IDCC 1486), level 5: no employer participation; two full years of 365 days.
    expect(res.body.engagement).toBe(16000);
    const amounts = res.body.echeances.map((e: { montantTotal: number }) => e.montantTotal);
    expect(amounts).toEqual([3200, 2400, 1600, 800, 3200, 2400, 1600, 800]);
    expect(res.body.echeances[0]).toMatchObject({
      numero: 1, codification: 'A1', dateOuverture: '2025-09-01', montantRegle: 0, montantEnCoursInstruction: 0, dontMontantPedagogie: 3200, dontMajorationRqth: 0,
    });
    expect(res.body.echeances[1].dateOuverture).toBe('2026-03-01');
    const cents = res.body.echeances.reduce((s: number, e: { montantTotal: number }) => s + Math.round(e.montantTotal * 100), 0);
    expect(cents).toBe(Math.round(res.body.engagement * 100));
    expect(res.body.detailsFacturation).toMatchObject({ plafondFraisPremierEquipement: 0 });

    const npec = await t.http.get(`/back-office/v1/dossiers/${n}/npec`).set('X-API-KEY', opco);
    expect(npec.body).toMatchObject({ npecAnnuel: 8000, source: 'REFERENTIEL', dateEffet: '2024-07-15' });
  });

  it('a rupture recomputes: the échéance holding the date becomes partial, later ones are cancelled', async () => {
    const n = await newDossier(505);
    await move(n, { vers: 'EN_COURS_INSTRUCTION' });
    await move(n, { vers: 'ENGAGE' });
    const res = await move(n, { vers: 'RUPTURE', dateRupture: '2026-03-15', commentaire: 'Rupture à l’initiative de l’employeur' });
    expect(res.status).toBe(200);
    const view = await cfaView(n);
    expect(view.body.cerfa.etat).toBe('RUPTURE');
    // 196 days of 365 of 8 000 € = 4 295.89 €.
    expect(view.body.engagement).toBe(4295.89);
    const statuts = view.body.echeances.map((e: { statut: string }) => e.statut);
    expect(statuts[0]).toBe('PREVUE');
    expect(statuts[1]).toBe('PARTIELLE');
    expect(statuts).toHaveLength(8);
    expect(statuts.slice(2)).toEqual(Array(6).fill('ANNULEE'));
    const sum = view.body.echeances.reduce((s: number, e: { montantTotal: number }) => s + Math.round(e.montantTotal * 100), 0);
    expect(sum).toBe(429589);
    // Nothing was paid yet: the dossier cannot be closed while money is due.
    const solde = await move(n, { vers: 'SOLDE' });
    expect(solde.status).toBe(409);
    expect(solde.body.errors.length).toBeGreaterThan(0);
    expect((await cfaView(n)).body.cerfa.etat).toBe('RUPTURE');
  });

  it('every move shows in the CFA’s incremental feed and in the history', async () => {
    const n = await newDossier(506);
    const start = await t.http.get('/v2/dossiers/etats').query({ depuis: '0', taillePage: 1000 }).set('X-API-KEY', cfa);
    const cursor = start.body.curseurSuivant as string;
    await move(n, { vers: 'EN_COURS_INSTRUCTION', commentaire: 'Prise en charge par Mme X' });
    const feed = await t.http.get('/v2/dossiers/etats').query({ depuis: cursor }).set('X-API-KEY', cfa);
    expect(feed.body.EtatDossierResult).toEqual([expect.objectContaining({ numeroInterne: n, etat: 'EN_COURS_INSTRUCTION' })]);
    const history = await t.http.get('/v2/dossiers/historique').query({ numeroInterne: n }).set('X-API-KEY', cfa);
    expect(history.body.historique.map((h: { etat: string }) => h.etat)).toEqual(['TRANSMIS', 'EN_COURS_INSTRUCTION']);
    expect(history.body.historique[1]).toMatchObject({ acteur: 'OPCO', commentaire: 'Prise en charge par Mme X' });
    const bo = await t.http.get(`/back-office/v1/dossiers/${n}`).set('X-API-KEY', opco);
    expect(bo.body.historique[1].acteur).toBe('opco:instructeur test');
  });

  it('sets the DECA number, which the CFA then reads', async () => {
    const n = await newDossier(507);
    const bad = await t.http.put(`/back-office/v1/dossiers/${n}/numero-deca`).set('X-API-KEY', opco).send({ numeroDeca: '123' });
    expect(bad.status).toBe(400);
    const ok = await t.http.put(`/back-office/v1/dossiers/${n}/numero-deca`).set('X-API-KEY', opco).send({ numeroDeca: '075202509000123' });
    expect(ok.status).toBe(200);
    expect((await cfaView(n)).body.cerfa.numeroDeca).toBe('075202509000123');
  });

  it('lists and searches dossiers across CFAs', async () => {
    const n = await newDossier(508);
    const all = await t.http.get('/back-office/v1/dossiers').query({ siren: FIXTURE_CFA_SIREN, etat: 'TRANSMIS' }).set('X-API-KEY', opco);
    expect(all.status).toBe(200);
    expect(all.body.dossiers.some((d: { numeroInterne: string }) => d.numeroInterne === n)).toBe(true);
    const byNumber = await t.http.get('/back-office/v1/dossiers').query({ q: n }).set('X-API-KEY', opco);
    expect(byNumber.body.dossiers.map((d: { numeroInterne: string }) => d.numeroInterne)).toEqual([n]);
    const bad = await t.http.get('/back-office/v1/dossiers').query({ siren: 'x', recuDepuis: 'hier' }).set('X-API-KEY', opco);
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toHaveLength(2);
    expect((await t.http.get('/back-office/v1/dossiers/000000000000').set('X-API-KEY', opco)).status).toBe(404);
  });
});

describe('a CERFA received through another channel', () => {
  it('registered by the back office: same checks, TRANSMIS with its origin, in the named CFA\'s feed and reads, and nobody else\'s', async () => {
    const res = await t.http.post('/back-office/v1/dossiers').set('X-API-KEY', opco).send(validCerfaPayload(560));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ etat: 'TRANSMIS', origine: 'SAISIE_OPCO', cfaSiren: FIXTURE_CFA_SIREN });
    const numero = res.body.numeroInterne as string;
    // The named CFA reads it and finds it in its feed, filtered by origin.
    expect((await cfaView(numero)).status).toBe(200);
    const feed = await t.http.get('/v2/dossiers/etats').query({ depuis: '0', origine: 'SAISIE_OPCO' }).set('X-API-KEY', cfa);
    expect(feed.body.EtatDossierResult.map((e: { numeroInterne: string }) => e.numeroInterne)).toContain(numero);
    const history = await t.http.get('/v2/dossiers/historique').query({ numeroInterne: numero }).set('X-API-KEY', cfa);
    expect(history.body.historique[0]).toMatchObject({ etat: 'TRANSMIS', commentaire: 'Saisi par l’OPCO', acteur: 'OPCO' });
    // Another CFA does not see it.
    const other = await t.cfaKey('732829320');
    expect((await t.http.get('/v2/dossiers').query({ numeroInterne: numero }).set('X-API-KEY', other)).status).toBe(404);
    // The same contract again is a resend; the same apprentice and start date through the API is a duplicate.
    const again = await t.http.post('/back-office/v1/dossiers').set('X-API-KEY', opco).send(validCerfaPayload(560));
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.numeroInterne).toBe(numero);
  });

  it('deposited by the employer (origine ENTREPRISE); an invalid CERFA lists every error; a CFA key may not register', async () => {
    const res = await t.http.post('/back-office/v1/dossiers').set('X-API-KEY', opco).send({ ...validCerfaPayload(561), origine: 'ENTREPRISE' });
    expect(res.status).toBe(200);
    expect(res.body.origine).toBe('ENTREPRISE');
    const row = await t.db('dossiers').where({ numero_interne: res.body.numeroInterne }).first('origine', 'cfa_siren');
    expect(row).toEqual({ origine: 'ENTREPRISE', cfa_siren: FIXTURE_CFA_SIREN });

    const invalid = validCerfaPayload(562);
    delete (invalid.cerfa.apprenti as Record<string, unknown>).nom;
    (invalid.cerfa.employeur as Record<string, unknown>).siret = '123';
    const refused = await t.http.post('/back-office/v1/dossiers').set('X-API-KEY', opco).send({ ...invalid, origine: 'ENTREPRISE' });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { champ: string }) => e.champ).sort()).toEqual(['/cerfa/apprenti/nom', '/cerfa/employeur/siret']);
    expect(refused.body.erreursParSection).toEqual({ apprenti: 1, employeur: 1 });
    expect((await t.http.post('/back-office/v1/dossiers').set('X-API-KEY', opco).send({ ...validCerfaPayload(563), origine: 'API_CFA' })).status).toBe(400);
    expect((await t.http.post('/back-office/v1/dossiers').set('X-API-KEY', cfa).send(validCerfaPayload(564))).status).toBe(403);
  });
});
