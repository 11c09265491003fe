/**
 * Proposals of contract (pré-saisie, issue 12) on the real app and database: the four-field
 * minimum, the per-tab control, every state and every refused move, the employer's accept → modify
 * → transmit path ending in a dossier the CFA reads, refusal, duplication, history, list and feed,
 * prefill, the synthèse against the engine after ENGAGE, tenant isolation for both roles.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_CFA_SIREN, FIXTURE_CFA_SIRET, FIXTURE_CFA_UAI, FIXTURE_EMPLOYEUR_SIRET, siretForSiren, validCerfaPayload } from '../fixtures/cerfa.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const EMPLOYEUR_SIREN = '812345676';
const CONTACT = 'rh@numerisia.example.org';
const OTHER_CFA_SIREN = '732829320';
const OTHER_EMPLOYEUR_SIREN = '412345670'; // Boulangerie Dupont & Fils in the sample register

let t: TestGateway;
let cfa: string;
let otherCfa: string;
let ent: string;
let otherEnt: string;
let opco: string;

function pdf(): Buffer {
  return Buffer.concat([Buffer.from('%PDF-1.7\n1 0 obj << >> endobj\n', 'latin1'), randomBytes(400), Buffer.from('\n%%EOF\n', 'latin1')]);
}

type Body = Record<string, unknown>;
const create = (body: Body, key = cfa) => t.http.post('/v2/propositions').set('X-API-KEY', key).send(body);
const get = (id: string, key = cfa) => t.http.get(`/v2/propositions/${id}`).set('X-API-KEY', key);
const put = (id: string, body: Body, key = cfa) => t.http.put(`/v2/propositions/${id}`).set('X-API-KEY', key).send(body);
const send = (id: string, key = cfa) => t.http.post(`/v2/propositions/${id}/transmission`).set('X-API-KEY', key);
const decide = (id: string, body: Body, key = ent) => t.http.post(`/v2/propositions/${id}/decision`).set('X-API-KEY', key).send(body);
const toOpco = (id: string, key = ent) => t.http.post(`/v2/propositions/${id}/transmission-opco`).set('X-API-KEY', key);
const list = (query: Record<string, string | number>, key = cfa) => t.http.get('/v2/propositions').query(query).set('X-API-KEY', key);
const attachConvention = (id: string, key = cfa) =>
  t.http.post('/v1/documents').set('X-API-KEY', key)
    .field('infosFichier', JSON.stringify({ typeFichier: 'CONVENTION_FORMATION', objets: [{ typeObjet: 'PROPOSITION', idObjet: id }] }))
    .attach('fichier', pdf(), { filename: 'convention.pdf', contentType: 'application/pdf' });

/** A complete, valid CERFA as a proposal, the Attestation left to the employer. */
function fullCerfa(seed: number): Body {
  const { cerfa } = validCerfaPayload(seed);
  const employeur = { ...(cerfa.employeur as Body) };
  delete employeur.attestationPieces;
  const contrat = { ...(cerfa.contrat as Body) };
  delete contrat.lieuSignatureContrat;
  return { ...cerfa, employeur, contrat };
}

const codes = (res: { body: { errors?: Array<{ code: string; champ?: string }> } }) => (res.body.errors ?? []).map((e) => `${e.code} ${e.champ ?? ''}`);
const tab = (res: { body: { controle: { onglets: Array<{ onglet: string; nombreErreurs: number; erreurs: Array<{ code: string; champ: string }> }> } } }, onglet: string) =>
  res.body.controle.onglets.find((o) => o.onglet === onglet);

/** A proposal sent to the employer: created, convention attached, transmitted. */
async function sent(seed: number): Promise<string> {
  const created = await create({ cerfa: fullCerfa(seed) });
  expect(created.status).toBe(200);
  const id = created.body.id as string;
  expect((await attachConvention(id)).status).toBe(200);
  const res = await send(id);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return id;
}

beforeAll(async () => {
  t = await startTestGateway();
  cfa = await t.cfaKey(FIXTURE_CFA_SIREN);
  otherCfa = await t.cfaKey(OTHER_CFA_SIREN);
  ent = await t.entrepriseKey(EMPLOYEUR_SIREN, CONTACT);
  otherEnt = await t.entrepriseKey(OTHER_EMPLOYEUR_SIREN, 'contact@dupont.example.org');
  opco = await t.opcoKey();
  const csv = await readFile(new URL('../fixtures/adherents-sample.csv', import.meta.url), 'utf8');
  const imported = await t.http.post('/back-office/v1/adherents').set('X-API-KEY', opco).set('Content-Type', 'text/csv').send(csv);
  expect(imported.status).toBe(200);
});
afterAll(async () => t.close());

describe('save: the guide’s four fields', () => {
  it('refuses each missing field by name (400, CHAMP_OBLIGATOIRE, per tab), all at once', async () => {
    const none = await create({ cerfa: {} });
    expect(none.status).toBe(400);
    expect(codes(none)).toEqual([
      'CHAMP_OBLIGATOIRE /cerfa/employeur/denomination', 'CHAMP_OBLIGATOIRE /cerfa/employeur/siret',
      'CHAMP_OBLIGATOIRE /cerfa/apprenti/nom', 'CHAMP_OBLIGATOIRE /cerfa/apprenti/prenom',
    ]);
    expect(none.body.erreursParOnglet).toEqual({ employeur: 2, apprenti: 2 });
    const minimal = { employeur: { denomination: 'Numérisia SAS', siret: FIXTURE_EMPLOYEUR_SIRET }, apprenti: { nom: 'Martin', prenom: 'Léa' } };
    const without = (path: [string, string]): Body => {
      const copy = structuredClone(minimal) as Record<string, Record<string, unknown>>;
      delete copy[path[0]]![path[1]];
      return copy;
    };
    expect(codes(await create({ cerfa: without(['apprenti', 'nom']) }))).toEqual(['CHAMP_OBLIGATOIRE /cerfa/apprenti/nom']);
    expect(codes(await create({ cerfa: without(['apprenti', 'prenom']) }))).toEqual(['CHAMP_OBLIGATOIRE /cerfa/apprenti/prenom']);
    expect(codes(await create({ cerfa: without(['employeur', 'siret']) }))).toEqual(['CHAMP_OBLIGATOIRE /cerfa/employeur/siret']);
    // The SIRET alone carries the SIREN: the raison sociale may then be missing.
    expect((await create({ cerfa: without(['employeur', 'denomination']) })).status).toBe(200);
    expect((await create({ cerfa: minimal })).status).toBe(200);
    // Not an object at all: the table's validation.
    expect((await create({ cerfa: 'x' })).status).toBe(400);
  });

  it('saves an incomplete, partly wrong proposal and reports every problem by tab with its count', async () => {
    const res = await create({
      cerfa: {
        employeur: { denomination: 'Numérisia SAS', siret: FIXTURE_EMPLOYEUR_SIRET, naf: 'pas un NAF' },
        apprenti: { nom: 'Martin', prenom: 'Léa', nir: '12' },
        contrat: { dureeTravailHebdoHeures: 'trente-cinq' },
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.etat).toBe('EN_COURS_DE_SAISIE');
    expect(res.body.id).toMatch(/^\d{12}$/);
    const { controle } = res.body;
    expect(controle.complet).toBe(false);
    expect(controle.onglets.map((o: { onglet: string }) => o.onglet)).toEqual([
      'introduction', 'employeur', 'apprenti', 'maitreApprentissage', 'contrat', 'formation', 'synthese', 'documents', 'attestation',
    ]);
    let total = 0;
    for (const o of controle.onglets) {
      expect(o.nombreErreurs).toBe(o.erreurs.length);
      for (const e of o.erreurs) expect(e.onglet).toBe(o.onglet);
      total += o.nombreErreurs;
    }
    expect(controle.nombreErreurs).toBe(total);
    const champs = (onglet: string) => tab(res, onglet)!.erreurs.map((e) => e.champ);
    expect(champs('employeur')).toContain('/cerfa/employeur/naf');
    expect(champs('apprenti')).toContain('/cerfa/apprenti/nir');
    expect(champs('apprenti')).toContain('/cerfa/apprenti/dateNaissance');
    expect(champs('contrat')).toContain('/cerfa/contrat/dureeTravailHebdoHeures');
    expect(champs('maitreApprentissage')).toContain('/cerfa/maitre1');
    expect(champs('formation')).toContain('/cerfa/formation');
    expect(champs('documents')).toEqual(['/documents']);
    expect(champs('attestation').sort()).toEqual(['/cerfa/contrat/lieuSignatureContrat', '/cerfa/employeur/attestationPieces']);
    expect(tab(res, 'synthese')!.nombreErreurs).toBe(0);
    expect(res.body.synthese).toBeNull();
    expect(res.body.remunerationProposee).toBeNull();
    // The values are kept as typed, wrong ones included: a draft.
    expect((await get(res.body.id)).body.cerfa.apprenti.nir).toBe('12');
  });

  it('a complete CERFA lacks only the convention and the Attestation', async () => {
    const res = await create({ cerfa: fullCerfa(2) });
    expect(res.status).toBe(200);
    const withErrors = res.body.controle.onglets.filter((o: { nombreErreurs: number }) => o.nombreErreurs > 0).map((o: { onglet: string }) => o.onglet);
    expect(withErrors).toEqual(['documents', 'attestation']);
    expect((await attachConvention(res.body.id)).status).toBe(200);
    expect(tab(await get(res.body.id), 'documents')!.nombreErreurs).toBe(0);
  });
});

describe('transmission to the employer', () => {
  it('requires the Employeur, Apprenti(e), Formation fields, the convention, a member employer and a known contact — others are warnings', async () => {
    const cerfa = fullCerfa(3);
    const formation = { ...(cerfa.formation as Body) };
    delete formation.dureeFormation;
    const contrat = { ...(cerfa.contrat as Body) };
    delete contrat.dateFinContrat;
    const nonMember = siretForSiren('552100554', 12);
    const employeur = { ...(cerfa.employeur as Body), siret: nonMember, courriel: 'inconnu@example.org' };
    const created = await create({ cerfa: { ...cerfa, formation, contrat, employeur } });
    const res = await send(created.body.id);
    expect(res.status).toBe(400);
    expect(codes(res).sort()).toEqual([
      'CHAMP_OBLIGATOIRE /cerfa/formation/dureeFormation',
      'CONTACT_EMPLOYEUR_INCONNU /cerfa/employeur/courriel',
      'DOCUMENT_OBLIGATOIRE /documents',
      'EMPLOYEUR_NON_ADHERENT /cerfa/employeur/siret',
    ]);
    expect(res.body.erreursParOnglet).toEqual({ formation: 1, employeur: 2, documents: 1 });
    expect(res.body.avertissements.map((a: { champ: string }) => a.champ)).toContain('/cerfa/contrat/dateFinContrat');
    expect((await get(created.body.id)).body.etat).toBe('EN_COURS_DE_SAISIE');
  });

  it('refuses a contact e-mail that is not an employer user, even for a member', async () => {
    const cerfa = fullCerfa(4);
    const created = await create({ cerfa: { ...cerfa, employeur: { ...(cerfa.employeur as Body), courriel: 'quelquun@numerisia.example.org' } } });
    await attachConvention(created.body.id);
    expect(codes(await send(created.body.id))).toEqual(['CONTACT_EMPLOYEUR_INCONNU /cerfa/employeur/courriel']);
  });
});

describe('the employer accepts, completes, transmits: a dossier of the CFA', () => {
  it('goes through every state to TRANSMIS_A_L_OPCO; the CFA reads the dossier, its documents, then its engagement = the synthèse', async () => {
    const id = await sent(10);
    expect((await get(id)).body.etat).toBe('ENVOYE_A_L_ENTREPRISE');
    // The employer sees it, reads it.
    const seen = await list({}, ent);
    expect(seen.body.items.map((i: { id: string }) => i.id)).toContain(id);
    expect((await get(id, ent)).status).toBe(200);
    // Not yet accepted: no modification, no transmission by the employer.
    expect((await put(id, { cerfa: fullCerfa(10) }, ent)).status).toBe(409);
    expect((await toOpco(id)).body.errors[0].code).toBe('ETAT_PROPOSITION_INCOMPATIBLE');
    const accepted = await decide(id, { decision: 'ACCEPTEE' });
    expect(accepted.status).toBe(200);
    expect(accepted.body.etat).toBe('EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE');
    // Decided: the CFA can no longer modify, nor send again; the employer cannot decide twice.
    const late = await put(id, { cerfa: fullCerfa(10) });
    expect(late.status).toBe(409);
    expect(late.body.errors[0].description).toContain('EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE');
    expect(late.body.etat).toBe('EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE');
    expect((await send(id)).status).toBe(409);
    expect((await decide(id, { decision: 'REFUSEE', motif: 'trop tard' })).status).toBe(409);
    // Transmission without the Attestation: refused, by tab.
    const early = await toOpco(id);
    expect(early.status).toBe(400);
    expect(early.body.erreursParOnglet).toEqual({ attestation: 2 });
    // The employer completes the Attestation and changes the working time.
    const cerfa = fullCerfa(10);
    const completed = {
      ...cerfa,
      employeur: { ...(cerfa.employeur as Body), attestationPieces: true },
      contrat: { ...(cerfa.contrat as Body), lieuSignatureContrat: 'Lyon', travailRisque: true },
    };
    // It cannot move the contract to another company.
    const elsewhere = await put(id, { cerfa: { ...completed, employeur: { ...(completed.employeur as Body), siret: siretForSiren('552100554', 12) } } }, ent);
    expect(elsewhere.status).toBe(403);
    const modified = await put(id, { cerfa: completed }, ent);
    expect(modified.status).toBe(200);
    expect(modified.body.controle.complet).toBe(true);
    const transmitted = await toOpco(id);
    expect(transmitted.status, JSON.stringify(transmitted.body)).toBe(200);
    expect(transmitted.body.etat).toBe('TRANSMIS_A_L_OPCO');
    const { numeroInterne, numeroExterne } = transmitted.body.dossier;
    expect(numeroInterne).toMatch(/^\d{12}$/);
    expect(numeroExterne).toMatch(/APP\d{8}$/);
    expect((await toOpco(id)).status).toBe(409);
    expect((await send(id)).status).toBe(409);
    // The CFA reads the dossier; the employer-side changes are in it; the convention followed.
    const dossier = await t.http.get('/v2/dossiers').query({ numeroInterne }).set('X-API-KEY', cfa);
    expect(dossier.status).toBe(200);
    const row = await t.db('dossiers').where({ numero_interne: numeroInterne }).first('etat', 'origine', 'cfa_siren');
    expect(row).toEqual({ etat: 'TRANSMIS', origine: 'ENTREPRISE', cfa_siren: FIXTURE_CFA_SIREN });
    expect(JSON.stringify(dossier.body)).toContain('"travailRisque":true');
    const feed = await t.http.get('/v2/dossiers/etats').query({ depuis: '0', taillePage: 1000 }).set('X-API-KEY', cfa);
    expect(feed.body.EtatDossierResult.map((e: { numeroInterne: string }) => e.numeroInterne)).toContain(numeroInterne);
    const suivi = await t.http.get('/v2/suivi/dossiers').query({ q: numeroExterne }).set('X-API-KEY', cfa);
    expect(suivi.status).toBe(200);
    expect(suivi.body.items.map((i: { numeroInterne: string }) => i.numeroInterne)).toEqual([numeroInterne]);
    const docs = await t.http.get('/v1/documents').query({ idObjet: numeroInterne }).set('X-API-KEY', cfa);
    expect(docs.status).toBe(200);
    expect(docs.body.documents.map((d: { typeFichier: string }) => d.typeFichier)).toEqual(['CONVENTION_FORMATION']);
    // The list row carries the dossier number; the search finds it by it.
    const rows = await list({ q: numeroExterne });
    expect(rows.body.items).toEqual([expect.objectContaining({ id, etat: 'TRANSMIS_A_L_OPCO', numeroDossier: numeroExterne, numeroInterneDossier: numeroInterne })]);
    // History: who, when, what changed.
    const history = await t.http.get(`/v2/propositions/${id}/historique`).set('X-API-KEY', cfa);
    expect(history.body.historique.map((h: { evenement: string; etat: string; acteur: string }) => `${h.evenement} ${h.etat} ${h.acteur}`)).toEqual([
      `CREEE EN_COURS_DE_SAISIE cfa:${FIXTURE_CFA_SIREN}`,
      `DOCUMENT_DEPOSE EN_COURS_DE_SAISIE cfa:${FIXTURE_CFA_SIREN}`,
      `ENVOYEE ENVOYE_A_L_ENTREPRISE cfa:${FIXTURE_CFA_SIREN}`,
      `ACCEPTEE EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE entreprise:${EMPLOYEUR_SIREN}`,
      `MODIFIEE EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE entreprise:${EMPLOYEUR_SIREN}`,
      `TRANSMISE_A_L_OPCO TRANSMIS_A_L_OPCO entreprise:${EMPLOYEUR_SIREN}`,
    ]);
    expect(history.body.historique[1].commentaire).toMatch(/^Document \d{12} \(CONVENTION_FORMATION\)$/);
    expect(history.body.historique[4].champsModifies.sort()).toEqual([
      '/cerfa/contrat/lieuSignatureContrat', '/cerfa/contrat/travailRisque', '/cerfa/employeur/attestationPieces',
    ]);
    expect(history.body.historique[5].commentaire).toContain(numeroExterne);
    // Synthèse: an estimate; once the OPCO engages the dossier, the engagement is the same.
    const synthese = transmitted.body.synthese;
    expect(synthese.estimation).toBe(true);
    expect(synthese.echeances.length).toBeGreaterThan(0);
    for (const vers of ['EN_COURS_INSTRUCTION', 'ENGAGE']) {
      const moved = await t.http.post(`/back-office/v1/dossiers/${numeroInterne}/transitions`).set('X-API-KEY', opco).send({ vers });
      expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    }
    const engaged = await t.http.get('/v2/dossiers').query({ numeroInterne }).set('X-API-KEY', cfa);
    expect(engaged.body.engagement).toBe(synthese.engagement);
    expect(engaged.body.echeances.map((e: { montantTotal: number; dateOuverture: string }) => [e.dateOuverture, e.montantTotal]))
      .toEqual(synthese.echeances.map((e: { montant: number; dateOuverture: string }) => [e.dateOuverture, e.montant]));
    // Personal data stays out of the logs.
    const apprenti = (fullCerfa(10).apprenti as Body).nom as string;
    expect(t.logs.text).not.toContain(apprenti);
    expect(t.logs.text).not.toContain(CONTACT);
  });

  it('a transmission refused by the CERFA rules lists every error by tab', async () => {
    const id = await sent(11);
    await decide(id, { decision: 'ACCEPTEE', motif: null });
    const cerfa = fullCerfa(11);
    const contrat: Body = { ...(cerfa.contrat as Body), lieuSignatureContrat: 'Lyon' };
    delete contrat.dateFinContrat;
    const apprenti = { ...(cerfa.apprenti as Body) };
    delete apprenti.sexe;
    const put1 = await put(id, { cerfa: { ...cerfa, contrat, apprenti, employeur: { ...(cerfa.employeur as Body), attestationPieces: true } } }, ent);
    expect(put1.status).toBe(200);
    const res = await toOpco(id);
    expect(res.status).toBe(400);
    expect(codes(res).sort()).toEqual(['CHAMP_OBLIGATOIRE /cerfa/apprenti/sexe', 'CHAMP_OBLIGATOIRE /cerfa/contrat/dateFinContrat']);
    expect(res.body.erreursParOnglet).toEqual({ apprenti: 1, contrat: 1 });
    expect((await get(id, ent)).body.etat).toBe('EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE');
  });
});

describe('the same contract twice', () => {
  it('a second proposal of a contract already transmitted is refused at the OPCO transmission (409), and stays with the employer', async () => {
    const cerfa = fullCerfa(12);
    const completed = {
      ...cerfa,
      employeur: { ...(cerfa.employeur as Body), attestationPieces: true },
      contrat: { ...(cerfa.contrat as Body), lieuSignatureContrat: 'Lyon' },
    };
    const first = await sent(12);
    await decide(first, { decision: 'ACCEPTEE' });
    expect((await put(first, { cerfa: completed }, ent)).status).toBe(200);
    expect((await toOpco(first)).status).toBe(200);
    const copy = await t.http.post(`/v2/propositions/${first}/duplication`).set('X-API-KEY', cfa);
    await attachConvention(copy.body.id);
    expect((await send(copy.body.id)).status).toBe(200);
    await decide(copy.body.id, { decision: 'ACCEPTEE' });
    const again = await toOpco(copy.body.id);
    expect(again.status).toBe(409);
    expect(again.body.errors[0].code).toBe('CONTRAT_DEJA_TRANSMIS');
    expect((await get(copy.body.id, ent)).body).toMatchObject({ etat: 'EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE', dossier: null });
  });
});

describe('refusal, taking back, duplication', () => {
  it('refusal needs a reason, hides the proposal from the employer, blocks the CFA’s modification; duplication restarts it', async () => {
    const id = await sent(20);
    const noReason = await decide(id, { decision: 'REFUSEE' });
    expect(noReason.status).toBe(400);
    expect(codes(noReason)).toEqual(['CHAMP_OBLIGATOIRE /motif']);
    expect((await decide(id, { decision: 'REFUSEE', motif: '  ' })).status).toBe(400);
    expect((await decide(id, { decision: 'PEUT_ETRE' })).status).toBe(400);
    const refused = await decide(id, { decision: 'REFUSEE', motif: 'Le poste est pourvu' });
    expect(refused.status).toBe(200);
    expect(refused.body.etat).toBe('REFUSE_PAR_L_ENTREPRISE');
    // Gone from the employer's side.
    expect((await get(id, ent)).status).toBe(404);
    expect((await list({}, ent)).body.items.map((i: { id: string }) => i.id)).not.toContain(id);
    expect((await decide(id, { decision: 'ACCEPTEE' })).status).toBe(404);
    // The CFA sees it, with the reason, and cannot modify it any more.
    const read = await get(id);
    expect(read.body).toMatchObject({ etat: 'REFUSE_PAR_L_ENTREPRISE', motifRefus: 'Le poste est pourvu' });
    const late = await put(id, { cerfa: fullCerfa(20) });
    expect(late.status).toBe(409);
    expect(late.body.errors[0].description).toContain('REFUSE_PAR_L_ENTREPRISE');
    expect((await send(id)).status).toBe(409);
    // Dupliquer: a new draft with the same data.
    const copy = await t.http.post(`/v2/propositions/${id}/duplication`).set('X-API-KEY', cfa);
    expect(copy.status).toBe(200);
    expect(copy.body.id).not.toBe(id);
    expect(copy.body.etat).toBe('EN_COURS_DE_SAISIE');
    expect(copy.body.cerfa).toEqual(read.body.cerfa);
    expect(copy.body.motifRefus).toBeNull();
    const history = await t.http.get(`/v2/propositions/${copy.body.id}/historique`).set('X-API-KEY', cfa);
    expect(history.body.historique).toEqual([expect.objectContaining({ evenement: 'CREEE', commentaire: `Copie de la proposition ${id}` })]);
  });

  it('a CFA modification of a sent proposal keeps it sent while it can still be sent: the employer sees the new version', async () => {
    const id = await sent(21);
    const cerfa = fullCerfa(21);
    const res = await put(id, { cerfa: { ...cerfa, contrat: { ...(cerfa.contrat as Body), dureeTravailHebdoHeures: 30 } } });
    expect(res.status).toBe(200);
    expect(res.body.etat).toBe('ENVOYE_A_L_ENTREPRISE');
    const seen = await get(id, ent);
    expect(seen.status).toBe(200);
    expect((seen.body.cerfa.contrat as Body).dureeTravailHebdoHeures).toBe(30);
    const history = await t.http.get(`/v2/propositions/${id}/historique`).set('X-API-KEY', cfa);
    expect(history.body.historique.at(-1)).toMatchObject({ evenement: 'MODIFIEE', etat: 'ENVOYE_A_L_ENTREPRISE', champsModifies: ['/cerfa/contrat/dureeTravailHebdoHeures'] });
    expect((await decide(id, { decision: 'ACCEPTEE' })).status).toBe(200);
  });

  it('a CFA modification that a sending would refuse takes the proposal back (EN_COURS_DE_SAISIE): the employer no longer sees it', async () => {
    const id = await sent(24);
    const cerfa = fullCerfa(24);
    const { codeDiplome: _removed, ...formation } = cerfa.formation as Body;
    const res = await put(id, { cerfa: { ...cerfa, formation } });
    expect(res.status).toBe(200);
    expect(res.body.etat).toBe('EN_COURS_DE_SAISIE');
    expect((await get(id, ent)).status).toBe(404);
    expect((await decide(id, { decision: 'ACCEPTEE' })).status).toBe(404);
    const history = await t.http.get(`/v2/propositions/${id}/historique`).set('X-API-KEY', cfa);
    expect(history.body.historique.at(-1)).toMatchObject({ evenement: 'REPRISE', etat: 'EN_COURS_DE_SAISIE', champsModifies: ['/cerfa/formation/codeDiplome'] });
    // The code diplôme is one of the Formation fields the guide requires to send.
    const refused = await send(id);
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { code: string; champ: string }) => [e.code, e.champ])).toEqual([['CHAMP_OBLIGATOIRE', '/cerfa/formation/codeDiplome']]);
    expect((await put(id, { cerfa })).status).toBe(200);
    expect((await send(id)).status).toBe(200);
  });

  it('a sent proposal the CFA gives to another employer is taken back (REPRISE): neither employer examines it', async () => {
    const id = await sent(26);
    const cerfa = fullCerfa(26);
    const autre = { ...(cerfa.employeur as Body), siret: siretForSiren('552100554', 1) };
    const res = await put(id, { cerfa: { ...cerfa, employeur: autre } });
    expect(res.status).toBe(200);
    expect(res.body.etat).toBe('EN_COURS_DE_SAISIE');
    expect((await get(id, ent)).status).toBe(404);
    const history = await t.http.get(`/v2/propositions/${id}/historique`).set('X-API-KEY', cfa);
    expect(history.body.historique.at(-1)).toMatchObject({ evenement: 'REPRISE', etat: 'EN_COURS_DE_SAISIE' });
  });

  it('a modification in a state that refuses it is a 409 naming the state, whatever the body', async () => {
    const id = await sent(25);
    expect((await decide(id, { decision: 'ACCEPTEE' })).status).toBe(200);
    const res = await put(id, { cerfa: {} });
    expect(res.status).toBe(409);
    expect(res.body.errors[0].description).toContain('EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE');
  });
});

describe('prefill', () => {
  it('fills the Formation tab from the CFA profile and the Employeur tab from the member register, where empty', async () => {
    const profil = {
      siret: FIXTURE_CFA_SIRET, uai: FIXTURE_CFA_UAI, denomination: 'CFA du Numérique Lyon Métropole',
      adresse: { numero: 40, voie: 'quai Paul Sédallian', codePostal: '69009', commune: 'Lyon' },
    };
    expect((await t.http.put('/v2/cfa/profil').set('X-API-KEY', cfa).send(profil)).status).toBe(200);
    const res = await create({ cerfa: { employeur: { siret: FIXTURE_EMPLOYEUR_SIRET, naf: '62.01Z' }, apprenti: { nom: 'Petit', prenom: 'Noé' } } });
    expect(res.status).toBe(200);
    expect(res.body.cerfa.organismeFormation).toEqual({
      siret: FIXTURE_CFA_SIRET, uaiCfa: FIXTURE_CFA_UAI, denomination: 'CFA du Numérique Lyon Métropole',
      adresse: { numero: 40, voie: 'quai Paul Sédallian', codePostal: '69009', commune: 'Lyon' },
    });
    expect(res.body.cerfa.employeur).toEqual({
      siret: FIXTURE_EMPLOYEUR_SIRET, naf: '62.01Z', // typed by the CFA: kept
      denomination: 'Numérisia SAS', codeIdcc: '1486', nombreDeSalaries: 45,
      adresse: { adresse1: '12 rue de la République', codePostal: '69002', commune: 'Lyon' },
    });
    expect(res.body.prerempli).toEqual(expect.arrayContaining(['/cerfa/organismeFormation/uaiCfa', '/cerfa/employeur/denomination', '/cerfa/employeur/codeIdcc']));
    expect(res.body.prerempli).not.toContain('/cerfa/employeur/naf');
    // An organisation of another SIREN is saved (everything but the four fields may be wrong) and
    // listed among the Formation tab's problems; the sending refuses it.
    const foreign = await create({ cerfa: { employeur: { siret: FIXTURE_EMPLOYEUR_SIRET }, apprenti: { nom: 'Wagner', prenom: 'Inès' }, organismeFormation: { siret: siretForSiren(OTHER_CFA_SIREN, 1) } } });
    expect(foreign.status).toBe(200);
    expect(JSON.stringify(foreign.body.controle)).toContain('ORGANISME_FORMATION_NON_AUTORISE');
    const sending = await send(foreign.body.id as string);
    expect(sending.status).toBe(400);
    expect(sending.body.errors.map((e: { code: string }) => e.code)).toContain('ORGANISME_FORMATION_NON_AUTORISE');
  });

  it('offers the simulator’s remuneration in the Contrat tab', async () => {
    const res = await create({ cerfa: fullCerfa(30) });
    const simulation = await t.http.post('/v2/simulations/remuneration').set('X-API-KEY', cfa).send({
      dateNaissance: ((fullCerfa(30).apprenti as Body).dateNaissance as string).slice(0, 10),
      dateDebutContrat: '2025-09-01', dateFinContrat: '2027-08-31', dateConclusion: '2025-08-20',
    });
    expect(simulation.status).toBe(200);
    expect(res.body.remunerationProposee).toEqual(simulation.body.periodes);
  });
});

describe('list and feed', () => {
  it('filters by state, searches apprentice, employer and number, sorts, pages', async () => {
    const a = await create({ cerfa: { employeur: { siret: FIXTURE_EMPLOYEUR_SIRET }, apprenti: { nom: 'Zéphyrin', prenom: 'Aurèle' }, contrat: { dateDebutContrat: '2026-09-01', dateFinContrat: '2028-08-31' } } });
    const b = await create({ cerfa: { employeur: { denomination: 'Électricité Générale du Rhône', siret: '42345678900126' }, apprenti: { nom: 'Abadie', prenom: 'Zoé' } } });
    const byName = await list({ q: 'zephyr' });
    expect(byName.body.items).toEqual([{
      id: a.body.id, etat: 'EN_COURS_DE_SAISIE', nom: 'Zéphyrin', prenom: 'Aurèle', du: '2026-09-01', au: '2028-08-31',
      entreprise: 'Numérisia SAS', siretEmployeur: FIXTURE_EMPLOYEUR_SIRET, numeroDossier: null, numeroInterneDossier: null, misAJourLe: expect.any(String),
    }]);
    expect((await list({ q: 'electricite gen' })).body.items.map((i: { id: string }) => i.id)).toEqual([b.body.id]);
    expect((await list({ q: b.body.id })).body.items.map((i: { id: string }) => i.id)).toEqual([b.body.id]);
    expect((await list({ q: 'introuvable' })).body.total).toBe(0);
    const all = await list({ taillePage: 1000 });
    const sentIds = (await list({ etat: 'ENVOYE_A_L_ENTREPRISE', taillePage: 1000 })).body.items;
    expect(sentIds.every((i: { etat: string }) => i.etat === 'ENVOYE_A_L_ENTREPRISE')).toBe(true);
    expect(all.body.total).toBe(all.body.items.length);
    const sorted = await list({ tri: 'nom', ordre: 'asc', taillePage: 1 });
    expect(sorted.body.items[0].nom).toBe('Abadie');
    expect(sorted.body.total).toBe(all.body.total);
    const page2 = await list({ tri: 'nom', ordre: 'asc', taillePage: 1, numeroPage: 2 });
    expect(page2.body.items[0].id).not.toBe(sorted.body.items[0].id);
    expect((await list({ tri: 'inconnu' })).status).toBe(400);
  });

  it('both sides follow changes with `depuis`, each in its own scope', async () => {
    const start = await list({ depuis: '0', taillePage: 1000 });
    expect(start.status).toBe(200);
    const cursor = start.body.curseurSuivant as string;
    const entStart = await list({ depuis: '0', taillePage: 1000 }, ent);
    const entCursor = entStart.body.curseurSuivant as string;
    // The employer's feed holds only what it may see.
    for (const i of entStart.body.items) expect(['ENVOYE_A_L_ENTREPRISE', 'EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE', 'TRANSMIS_A_L_OPCO']).toContain(i.etat);
    expect((await list({ depuis: cursor })).body.items).toEqual([]);
    const id = await sent(40);
    const next = await list({ depuis: cursor });
    expect(next.body.items.map((i: { id: string; etat: string }) => `${i.id} ${i.etat}`)).toEqual([`${id} ENVOYE_A_L_ENTREPRISE`]);
    expect((await list({ depuis: entCursor }, ent)).body.items.map((i: { id: string }) => i.id)).toEqual([id]);
    await decide(id, { decision: 'ACCEPTEE' });
    const after = await list({ depuis: next.body.curseurSuivant });
    expect(after.body.items.map((i: { etat: string }) => i.etat)).toEqual(['EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE']);
    expect((await list({ depuis: next.body.curseurSuivant, etat: 'ENVOYE_A_L_ENTREPRISE' })).body.items).toEqual([]);
    expect((await list({ depuis: cursor, etat: 'EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE' })).body.items.map((i: { id: string }) => i.id)).toEqual([id]);
    // Nothing of this in another employer's or another CFA's feed.
    expect((await list({ depuis: '0' }, otherEnt)).body.items).toEqual([]);
    expect((await list({ depuis: '0' }, otherCfa)).body.items).toEqual([]);
  });
});

describe('tenant isolation', () => {
  it('another CFA and another employer get 404 on everything; documents cannot name another CFA’s proposal', async () => {
    const id = await sent(50);
    for (const res of [
      await get(id, otherCfa),
      await put(id, { cerfa: fullCerfa(50) }, otherCfa),
      await send(id, otherCfa),
      await t.http.post(`/v2/propositions/${id}/duplication`).set('X-API-KEY', otherCfa),
      await t.http.get(`/v2/propositions/${id}/historique`).set('X-API-KEY', otherCfa),
      await get(id, otherEnt),
      await decide(id, { decision: 'ACCEPTEE' }, otherEnt),
      await toOpco(id, otherEnt),
      await get('999999999999'),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.errors[0].code).toBe('PROPOSITION_INTROUVABLE');
    }
    expect((await attachConvention(id, otherCfa)).status).toBe(404);
    expect((await list({ taillePage: 1000 }, otherCfa)).body.total).toBe(0);
    expect((await list({ taillePage: 1000 }, otherEnt)).body.total).toBe(0);
    // An employer never sees a draft, even addressed to it.
    const draft = await create({ cerfa: fullCerfa(51) });
    expect((await get(draft.body.id, ent)).status).toBe(404);
    // Roles: an employer cannot create, send, duplicate or read the history; a CFA cannot decide.
    expect((await create({ cerfa: fullCerfa(52) }, ent)).status).toBe(403);
    expect((await send(id, ent)).status).toBe(403);
    expect((await t.http.get(`/v2/propositions/${id}/historique`).set('X-API-KEY', ent)).status).toBe(403);
    expect((await decide(id, { decision: 'ACCEPTEE' }, cfa)).status).toBe(403);
    expect((await toOpco(id, cfa)).status).toBe(403);
  });
});

describe('webhooks', () => {
  it('each state change is a proposition.etat event for the CFA and the employer: ids and cursor only', async () => {
    for (const key of [cfa, ent]) {
      expect((await t.http.post('/v2/webhooks').set('X-API-KEY', key).send({ url: 'https://erp.example.org/hooks', evenements: ['proposition.etat'] })).status).toBe(201);
    }
    const id = await sent(461);
    expect((await decide(id, { decision: 'ACCEPTEE' })).status).toBe(200);
    const events = (await t.db('webhooks_evenements').where({ type: 'proposition.etat' }).orderBy('id')) as Array<{ role: string; siren: string; donnees: Record<string, unknown> }>;
    const mine = events.filter((e) => e.donnees.numero === id);
    expect(mine.map((e) => [e.role, e.siren, e.donnees.etat])).toEqual([
      ['cfa', FIXTURE_CFA_SIREN, 'ENVOYE_A_L_ENTREPRISE'], ['entreprise', EMPLOYEUR_SIREN, 'ENVOYE_A_L_ENTREPRISE'],
      ['cfa', FIXTURE_CFA_SIREN, 'EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE'], ['entreprise', EMPLOYEUR_SIREN, 'EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE'],
    ]);
    expect(Object.keys(mine[0]?.donnees ?? {}).sort()).toEqual(['curseur', 'etat', 'numero', 'numeroInterneDossier']);
    expect(String(mine[0]?.donnees.curseur)).toMatch(/^\d+\.\d+$/);
  });
});
