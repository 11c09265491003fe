import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_CFA_SIREN, siretForSiren, validCerfaPayload } from '../fixtures/cerfa.js';
import { createKey } from '../../src/db/keys.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let key: string;
let otherKey: string;
const OTHER_SIREN = '732829320';

beforeAll(async () => {
  t = await startTestGateway();
  key = await t.cfaKey(FIXTURE_CFA_SIREN);
  otherKey = await t.cfaKey(OTHER_SIREN);
});
afterAll(async () => t.close());

type Payload = { cerfa: Record<string, unknown> };
const clone = (p: Payload): Payload => structuredClone(p);
function section(p: Payload, name: string): Record<string, unknown> {
  return p.cerfa[name] as Record<string, unknown>;
}

async function countOf(siren: string): Promise<number> {
  const [row] = await t.db('dossiers').where({ cfa_siren: siren }).count<{ n: string }[]>({ n: '*' });
  return Number(row?.n);
}

const post = (body: unknown, k = key, version = 'v2') =>
  t.http.post(`/${version}/dossiers`).set('X-API-KEY', k).set('EDITEUR', 'ACME').set('LOGICIEL', 'ACME-CFA').set('VERSION', '4.2.1').send(body as object);

describe('POST /v{1,2}/dossiers', () => {
  it.each(['v1', 'v2'])('%s stores a valid CERFA as TRANSMIS, origin API_CFA, with editor headers and history', async (version) => {
    const seed = version === 'v1' ? 101 : 102;
    const res = await post(validCerfaPayload(seed), key, version);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ etat: 'TRANSMIS', avertissements: expect.any(Array) });
    expect(res.body.numeroExterne).toMatch(/^\d{2}APP\d{8}$/);
    expect(res.body.numeroInterne).toMatch(/^\d{12}$/);
    const row = await t.db('dossiers').where({ numero_interne: res.body.numeroInterne }).first();
    expect(row).toMatchObject({ etat: 'TRANSMIS', origine: 'API_CFA', cfa_siren: FIXTURE_CFA_SIREN, editeur: 'ACME', logiciel: 'ACME-CFA', version_logiciel: '4.2.1' });
    const audit = await t.db('audit_ecritures').where({ objet_id: res.body.numeroInterne }).first();
    expect(audit).toMatchObject({ action: 'DOSSIER_TRANSMIS', editeur: 'ACME', siren: FIXTURE_CFA_SIREN });
    const history = await t.http.get(`/${version}/dossiers/historique`).query({ numeroInterne: res.body.numeroInterne }).set('X-API-KEY', key);
    expect(history.body.historique).toEqual([expect.objectContaining({ etat: 'TRANSMIS', commentaire: 'Transmis par API CFA', acteur: `cfa:${FIXTURE_CFA_SIREN}` })]);
  });

  it('the README\'s sample (docs/examples/cerfa.json, also the served docs\' example) is a valid contract of the demo CFA', async () => {
    const sample: unknown = JSON.parse(fs.readFileSync(new URL('../../docs/examples/cerfa.json', import.meta.url), 'utf8'));
    const res = await post(sample, key);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.etat).toBe('TRANSMIS');
    const docs = await t.http.get('/openapi.json');
    expect(docs.body.paths['/v2/dossiers'].post.requestBody.content['application/json'].example).toEqual(sample);
  });

  it('numéros externes are unique and follow YYAPP########', async () => {
    const a = await post(validCerfaPayload(103));
    const b = await post(validCerfaPayload(104));
    expect(a.body.numeroExterne).not.toBe(b.body.numeroExterne);
    const yy = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', year: '2-digit' }).format(new Date());
    expect(a.body.numeroExterne.startsWith(`${yy}APP`)).toBe(true);
  });

  it('an invalid CERFA gets 400 with every error, its JSON pointer, its section and the count per section', async () => {
    const before = await countOf(FIXTURE_CFA_SIREN);
    const p = clone(validCerfaPayload(105));
    section(p, 'employeur').siret = '12345678901234';
    delete section(p, 'apprenti').nom;
    section(p, 'contrat').typeContratApp = 99;
    section(p, 'organismeFormation').uaiCfa = '0000000B';
    const res = await post(p);
    expect(res.status).toBe(400);
    const champs = res.body.errors.map((e: { champ: string }) => e.champ);
    expect(champs).toEqual(expect.arrayContaining([
      '/cerfa/employeur/siret', '/cerfa/apprenti/nom', '/cerfa/contrat/typeContratApp', '/cerfa/organismeFormation/uaiCfa',
    ]));
    for (const e of res.body.errors) {
      expect(e.code).toMatch(/^[A-Z0-9_]+$/);
      expect(e.description.length).toBeGreaterThan(10);
      expect(e.section).toBeDefined();
    }
    expect(res.body.erreursParSection).toMatchObject({ employeur: 1, apprenti: 1, contrat: 1, organismeFormation: 1 });
    expect(await countOf(FIXTURE_CFA_SIREN)).toBe(before);
  });

  it('a business-rule failure is reported with its field (apprentice too young)', async () => {
    const p = clone(validCerfaPayload(106));
    const apprenti = section(p, 'apprenti');
    apprenti.dateNaissance = '2015-01-01';
    delete apprenti.nir;
    const res = await post(p);
    expect(res.status).toBe(400);
    expect(res.body.errors.some((e: { champ: string }) => e.champ === '/cerfa/apprenti/dateNaissance')).toBe(true);
  });

  it('body must be {"cerfa": …}', async () => {
    const res = await post({ autre: 1 });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].champ).toBe('/cerfa');
  });

  it("403 when the training organisation's SIRET is not within the key's SIREN", async () => {
    const res = await post(validCerfaPayload(107), otherKey);
    expect(res.status).toBe(403);
    expect(res.body.errors[0]).toMatchObject({ code: 'ORGANISME_FORMATION_NON_AUTORISE', champ: '/cerfa/organismeFormation/siret' });
  });

  it('415 for a non-JSON body', async () => {
    const res = await t.http.post('/v2/dossiers').set('X-API-KEY', key).set('Content-Type', 'text/xml').send('<cerfa/>');
    expect(res.status).toBe(415);
  });

  it('a JSON body sent as a form (curl -d) or without Content-Type is read as JSON, and the answer says so', async () => {
    const text = JSON.stringify(validCerfaPayload(105));
    const asForm = await t.http.post('/v2/dossiers').set('X-API-KEY', key).set('Content-Type', 'application/x-www-form-urlencoded').send(text);
    expect(asForm.status, JSON.stringify(asForm.body)).toBe(200);
    expect(asForm.body.avertissements).toContainEqual(expect.objectContaining({ code: 'TYPE_CONTENU_CORRIGE' }));
    const unlabelled = await t.http.post('/v2/dossiers').set('X-API-KEY', key).unset('Content-Type').send(Buffer.from(JSON.stringify(validCerfaPayload(106))));
    expect(unlabelled.status, JSON.stringify(unlabelled.body)).toBe(200);
    expect(unlabelled.body.avertissements).toContainEqual(expect.objectContaining({ code: 'TYPE_CONTENU_CORRIGE' }));
    // A real form, or broken JSON under that label: 415, 400 JSON_MALFORME.
    const form = await t.http.post('/v2/dossiers').set('X-API-KEY', key).type('form').send({ cerfa: 'x' });
    expect(form.status).toBe(415);
    const broken = await t.http.post('/v2/dossiers').set('X-API-KEY', key).set('Content-Type', 'application/x-www-form-urlencoded').send('{"cerfa": ');
    expect(broken.status).toBe(400);
    expect(broken.body.errors[0].code).toBe('JSON_MALFORME');
  });
});

describe('no duplicates', () => {
  it('an exact resend returns the existing dossier with Idempotent-Replayed', async () => {
    const p = validCerfaPayload(201);
    const first = await post(p);
    const again = await post(p);
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.numeroInterne).toBe(first.body.numeroInterne);
    expect(again.body.numeroExterne).toBe(first.body.numeroExterne);
    const row = await t.db('dossiers').where({ numero_interne: first.body.numeroInterne }).first('empreinte_contenu');
    const [same] = await t.db('dossiers').where({ cfa_siren: FIXTURE_CFA_SIREN, empreinte_contenu: row.empreinte_contenu }).count<{ n: string }[]>({ n: '*' });
    expect(Number(same?.n)).toBe(1);
  });

  it('another contract for the same apprentice, employer and start date: 409 with the existing numeroInterne', async () => {
    const p = validCerfaPayload(202);
    const first = await post(p);
    const changed = clone(p);
    section(changed, 'contrat').lieuSignatureContrat = 'Ailleurs';
    const res = await post(changed);
    expect(res.status).toBe(409);
    expect(res.body.errors[0].code).toBe('CONTRAT_DEJA_TRANSMIS');
    expect(res.body.numeroInterne).toBe(first.body.numeroInterne);
  });

  it('the database itself refuses a second live contract (unique index), not only the code', async () => {
    const res = await post(validCerfaPayload(203));
    const row = await t.db('dossiers').where({ numero_interne: res.body.numeroInterne }).first();
    const copy = { ...row, id: undefined, numero_interne: '999999999999', numero_externe: '99APP99999999', empreinte_contenu: 'autre', rang_cfa: 999999 };
    delete copy.id;
    await expect(t.db('dossiers').insert(copy)).rejects.toThrow(/dossiers_contrat_unique/);
  });

  it('50 concurrent identical posts create exactly one dossier', async () => {
    const p = validCerfaPayload(204);
    const responses = await Promise.all(Array.from({ length: 50 }, () => post(p)));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(new Set(responses.map((r) => r.body.numeroInterne)).size).toBe(1);
    const stored = await t.db('dossiers').where({ numero_interne: responses[0]?.body.numeroInterne }).first('cle_apprenti');
    const [sameApprentice] = await t.db('dossiers').where({ cfa_siren: FIXTURE_CFA_SIREN, cle_apprenti: stored.cle_apprenti }).count<{ n: string }[]>({ n: '*' });
    expect(Number(sameApprentice?.n)).toBe(1);
  });

  it('50 concurrent posts with the same Idempotency-Key create exactly one dossier', async () => {
    const p = validCerfaPayload(205);
    const responses = await Promise.all(Array.from({ length: 50 }, () => post(p).set('Idempotency-Key', 'lot-205')));
    const ok = responses.filter((r) => r.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(responses.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    expect(new Set(ok.map((r) => r.body.numeroInterne)).size).toBe(1);
  });
});

describe('Idempotency-Key', () => {
  it('same key and body: the stored answer again, with Idempotent-Replayed', async () => {
    const p = validCerfaPayload(301);
    const first = await post(p).set('Idempotency-Key', 'cle-301');
    const second = await post(p).set('Idempotency-Key', 'cle-301');
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
  });

  it('same key, different body: 422', async () => {
    await post(validCerfaPayload(302)).set('Idempotency-Key', 'cle-302');
    const res = await post(validCerfaPayload(303)).set('Idempotency-Key', 'cle-302');
    expect(res.status).toBe(422);
    expect(res.body.errors[0].code).toBe('IDEMPOTENCY_KEY_REUTILISEE');
  });

  it('same key still in flight: 409 with Retry-After until the lease (REQUEST_TIMEOUT_MS) ends; then retaken', async () => {
    const p = validCerfaPayload(304);
    const first = await post(p).set('Idempotency-Key', 'cle-304');
    // Put the record back in flight, as if the first request were still running.
    await t.db('idempotence').where({ cle: 'cle-304' }).update({ etat: 'EN_COURS', creee_le: new Date() });
    const res = await post(p).set('Idempotency-Key', 'cle-304');
    expect(first.status).toBe(200);
    expect(res.status).toBe(409);
    expect(res.body.errors[0].code).toBe('IDEMPOTENCY_KEY_EN_COURS');
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(t.config.requestTimeoutMs / 1000);
    // A crashed instance's lease, older than the request timeout, is taken over by the retry.
    await t.db('idempotence').where({ cle: 'cle-304' }).update({ creee_le: new Date(Date.now() - t.config.requestTimeoutMs - 1000) });
    const retaken = await post(p).set('Idempotency-Key', 'cle-304');
    expect(retaken.status).toBe(200);
    expect(retaken.body.numeroInterne).toBe(first.body.numeroInterne);
  });

  it('keys are scoped per CFA', async () => {
    await post(validCerfaPayload(305)).set('Idempotency-Key', 'partagee');
    const other = await post({ cerfa: {} }, otherKey).set('Idempotency-Key', 'partagee');
    expect(other.status).toBe(400); // evaluated on its own, not replayed, not 422
  });

  it('rejects an over-long key', async () => {
    const res = await post(validCerfaPayload(306)).set('Idempotency-Key', 'x'.repeat(256));
    expect(res.status).toBe(400);
  });

  it('the purge job removes records older than the retention, and only those', async () => {
    await post(validCerfaPayload(307)).set('Idempotency-Key', 'cle-307');
    await t.db('idempotence').where({ cle: 'cle-307' }).update({ creee_le: new Date(Date.now() - 25 * 3_600_000) });
    const ran = await t.gateway.jobs.runNow('purge-idempotence', new Date('2030-01-01T00:07:00Z'));
    expect(ran).toBe(true);
    expect(await t.db('idempotence').where({ cle: 'cle-307' }).first()).toBeUndefined();
    expect(await t.db('idempotence').where({ cle: 'cle-301' }).first()).toBeDefined();
    // A second instance firing for the same tick does not run it again.
    expect(await t.gateway.jobs.runNow('purge-idempotence', new Date('2030-01-01T00:07:30Z'))).toBe(false);
  });
});

describe('polling', () => {
  let mine: string;
  let theirs: string;
  beforeAll(async () => {
    mine = (await post(validCerfaPayload(401))).body.numeroInterne;
    const p = clone(validCerfaPayload(402));
    section(p, 'organismeFormation').siret = siretForSiren(OTHER_SIREN, '00012');
    theirs = (await post(p, otherKey)).body.numeroInterne;
    expect(theirs).toMatch(/^\d{12}$/);
  });

  it.each(['v1', 'v2'])('GET /%s/dossiers returns the CERFA as stored plus the numbers and state', async (version) => {
    const res = await t.http.get(`/${version}/dossiers`).query({ numeroInterne: mine }).set('X-API-KEY', key);
    expect(res.status).toBe(200);
    const sent = validCerfaPayload(401).cerfa;
    // Stored as read: the code sent as text ("1") is kept in the form its list gives (docs/compatibilite.md).
    const apprenti = { ...(sent.apprenti as Record<string, unknown>), nationalite: 1 };
    expect(res.body.cerfa).toMatchObject({ ...sent, apprenti, numeroInterne: mine, etat: 'TRANSMIS', numeroDeca: null, commentaireEtat: null });
    expect(res.body.cerfa.numeroExterne).toMatch(/APP/);
    expect(res.body).toMatchObject({ engagement: null, echeances: [], detailsFacturation: null, engagementsFraisAnnexe: [] });
  });

  it("another CFA's dossier is a 404, like an unknown one, on every read route", async () => {
    for (const path of ['/v2/dossiers', '/v1/dossiers', '/v2/dossiers/historique']) {
      const foreign = await t.http.get(path).query({ numeroInterne: theirs }).set('X-API-KEY', key);
      const unknown = await t.http.get(path).query({ numeroInterne: '000000000000' }).set('X-API-KEY', key);
      expect(foreign.status).toBe(404);
      expect(unknown.status).toBe(404);
      expect(foreign.body.errors[0].code).toBe(unknown.body.errors[0].code);
    }
    const list = await t.http.get('/v1/dossiers/liste').query({ numerosInternes: `${mine},${theirs}` }).set('X-API-KEY', key);
    expect(list.body.map((d: { cerfa: { numeroInterne: string } }) => d.cerfa.numeroInterne)).toEqual([mine]);
    const states = await t.http.get('/v2/dossiers/etats').query({ taillePage: 1000 }).set('X-API-KEY', otherKey);
    expect(states.body.EtatDossierResult.map((e: { numeroInterne: string }) => e.numeroInterne)).toEqual([theirs]);
  });

  it('400 when numeroInterne is missing', async () => {
    const res = await t.http.get('/v2/dossiers').set('X-API-KEY', key);
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ code: 'PARAMETRE_OBLIGATOIRE', champ: '/numeroInterne' });
  });

  it('pages the states in a stable order, with total, count and page', async () => {
    const all = await t.http.get('/v2/dossiers/etats').query({ taillePage: 1000 }).set('X-API-KEY', key);
    const total = all.body.total as number;
    expect(all.body.count).toBe(total);
    expect(total).toBeGreaterThanOrEqual(5);
    const pages: string[] = [];
    for (let page = 1; page <= Math.ceil(total / 2); page += 1) {
      const res = await t.http.get('/v2/dossiers/etats').query({ numeroPage: page, taillePage: 2 }).set('X-API-KEY', key);
      expect(res.body).toMatchObject({ total, page });
      pages.push(...res.body.EtatDossierResult.map((e: { numeroInterne: string }) => e.numeroInterne));
    }
    expect(pages).toEqual(all.body.EtatDossierResult.map((e: { numeroInterne: string }) => e.numeroInterne));
    const past = await t.http.get('/v2/dossiers/etats').query({ numeroPage: 999, taillePage: 2 }).set('X-API-KEY', key);
    expect(past.body).toMatchObject({ total, count: 0, EtatDossierResult: [] });
    const item = all.body.EtatDossierResult[0];
    expect(Object.keys(item).sort()).toEqual(['dateMiseAJour', 'etat', 'numeroDeca', 'numeroExterne', 'numeroInterne']);
  });

  it('v1 returns the same items as a bare array; filters by état', async () => {
    const v1 = await t.http.get('/v1/dossiers/etats').query({ taillePage: 1000 }).set('X-API-KEY', key);
    const v2 = await t.http.get('/v2/dossiers/etats').query({ taillePage: 1000 }).set('X-API-KEY', key);
    expect(v1.body).toEqual(v2.body.EtatDossierResult);
    const filtered = await t.http.get('/v2/dossiers/etats').query({ etat: 'ENGAGE' }).set('X-API-KEY', key);
    expect(filtered.body).toMatchObject({ total: 0, count: 0 });
    const transmis = await t.http.get('/v2/dossiers/etats').query({ etat: 'TRANSMIS', origine: 'API_CFA', taillePage: 1000 }).set('X-API-KEY', key);
    expect(transmis.body.total).toBe(v2.body.total);
  });

  it('a cursor this gateway could not have given is a 400, never a database error', async () => {
    for (const depuis of ['99999999999999999999.1', '1.99999999999999999999', 'abc', '-1', '1.']) {
      const res = await t.http.get('/v2/dossiers/etats').query({ depuis }).set('X-API-KEY', key);
      expect(res.status, depuis).toBe(400);
      expect(res.body.errors[0].champ).toBe('/depuis');
    }
  });

  it('a well-formed cursor of a transaction this database has not reached (another gateway, a reset sandbox) says to start again from 0', async () => {
    for (const path of ['/v2/dossiers/etats', '/v2/factures/etats', '/v2/propositions']) {
      const res = await t.http.get(path).query({ depuis: '99999999.1' }).set('X-API-KEY', key);
      expect(res.status, path).toBe(400);
      expect(res.body.errors[0]).toMatchObject({ code: 'CURSEUR_INCONNU', champ: '/depuis', description: expect.stringContaining('depuis=0') });
    }
  });

  it('the minute job hands out ranks to settled new dossiers, so reads find no backlog', async () => {
    const created = await post(validCerfaPayload(404));
    const before = await t.db('dossiers').where({ numero_interne: created.body.numeroInterne }).first('rang_cfa');
    expect(before.rang_cfa).toBeNull();
    expect(await t.gateway.jobs.runNow('attribuer-rangs', new Date('2031-01-01T00:00:00Z'))).toBe(true);
    const after = await t.db('dossiers').where({ numero_interne: created.body.numeroInterne }).first('rang_cfa');
    expect(Number(after.rang_cfa)).toBeGreaterThan(0);
    const [highest] = await t.db('dossiers').where({ cfa_siren: FIXTURE_CFA_SIREN }).max<{ m: string }[]>({ m: 'rang_cfa' });
    expect(Number(after.rang_cfa)).toBe(Number(highest?.m));
  });

  it('rejects bad paging parameters, all at once', async () => {
    const res = await t.http.get('/v2/dossiers/etats').query({ numeroPage: 0, taillePage: 5000, etat: 'PERDU' }).set('X-API-KEY', key);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { champ: string }) => e.champ)).toEqual(['/numeroPage', '/taillePage', '/etat']);
  });

  it('the incremental feed returns what changed after the cursor, then nothing', async () => {
    const all = await t.http.get('/v2/dossiers/etats').query({ depuis: '0', taillePage: 1000 }).set('X-API-KEY', key);
    expect(all.status).toBe(200);
    expect(all.body.count).toBeGreaterThanOrEqual(5);
    const cursor = all.body.curseurSuivant as string;
    const none = await t.http.get('/v2/dossiers/etats').query({ depuis: cursor }).set('X-API-KEY', key);
    expect(none.body).toMatchObject({ count: 0, EtatDossierResult: [], curseurSuivant: cursor, plusDeResultats: false });
    const created = await post(validCerfaPayload(403));
    const next = await t.http.get('/v2/dossiers/etats').query({ depuis: cursor }).set('X-API-KEY', key);
    expect(next.body.EtatDossierResult.map((e: { numeroInterne: string }) => e.numeroInterne)).toEqual([created.body.numeroInterne]);
    // small pages walk the whole feed
    let walked = 0;
    let c = '0';
    for (;;) {
      const page = await t.http.get('/v2/dossiers/etats').query({ depuis: c, taillePage: 2 }).set('X-API-KEY', key);
      walked += page.body.count as number;
      c = page.body.curseurSuivant;
      if (!page.body.plusDeResultats) break;
    }
    expect(walked).toBe(all.body.count + 1);
  });

  it('v1 clients follow the feed through the Curseur-Suivant header', async () => {
    const v1 = await t.http.get('/v1/dossiers/etats').query({ depuis: '0', taillePage: 2 }).set('X-API-KEY', key);
    expect(Array.isArray(v1.body)).toBe(true);
    expect(v1.body).toHaveLength(2);
    expect(v1.headers['plus-de-resultats']).toBe('true');
    const next = await t.http.get('/v1/dossiers/etats').query({ depuis: v1.headers['curseur-suivant'], taillePage: 2 }).set('X-API-KEY', key);
    expect(next.body.map((e: { numeroInterne: string }) => e.numeroInterne)).not.toContain(v1.body[0].numeroInterne);
    expect(next.body).toHaveLength(2);
  });

  it('ETag on the GETs, 304 on If-None-Match', async () => {
    for (const [path, query] of [['/v2/dossiers/etats', {}], ['/v2/dossiers', { numeroInterne: mine }]] as const) {
      const first = await t.http.get(path).query(query).set('X-API-KEY', key);
      expect(first.headers.etag).toBeDefined();
      const again = await t.http.get(path).query(query).set('X-API-KEY', key).set('If-None-Match', String(first.headers.etag));
      expect(again.status).toBe(304);
    }
  });
});

describe('v1 full list of states (streamed)', () => {
  const SIREN = '552100554';
  let bulkKey: string;
  let newest: string;
  const md5Like = (s: string): string => s.padEnd(32, '0');
  beforeAll(async () => {
    bulkKey = await t.cfaKey(SIREN);
    // 999 dossiers in one statement (every third one ENGAGE), then the newest in a later one.
    await t.db.raw(`insert into dossiers (numero_interne, cfa_siren, etat, origine, cerfa, empreinte_contenu, cle_apprenti, employeur_siret, date_debut_contrat, type_contrat_app)
      select '7' || lpad(g::text, 11, '0'), ?, case when g % 3 = 0 then 'ENGAGE' else 'TRANSMIS' end, 'API_CFA', '{}'::jsonb, md5('v1-' || g), md5('v1a-' || g), '55210055400013', '2025-09-01', 11
      from generate_series(1, 999) as g`, [SIREN]);
    newest = '780000000000';
    await t.db('dossiers').insert({
      numero_interne: newest, cfa_siren: SIREN, etat: 'TRANSMIS', origine: 'API_CFA', cerfa: '{}', empreinte_contenu: md5Like('newest'),
      cle_apprenti: md5Like('newest-a'), employeur_siret: '55210055400013', date_debut_contrat: '2025-09-01', type_contrat_app: 11,
    });
  });
  const numeros = (body: Array<{ numeroInterne: string }>): string[] => body.map((e) => e.numeroInterne);

  it('GET /v1/dossiers/etats without numeroPage streams every dossier once, in arrival order, the newest last', async () => {
    const res = await t.http.get('/v1/dossiers/etats').set('X-API-KEY', bulkKey);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['transfer-encoding']).toBe('chunked'); // written batch by batch, not buffered
    expect(Array.isArray(res.body)).toBe(true);
    const all = numeros(res.body);
    expect(all).toHaveLength(1000);
    expect(new Set(all).size).toBe(1000);
    expect(all[999]).toBe(newest);
    expect(all.slice(0, 3)).toEqual(['700000000001', '700000000002', '700000000003']);
    expect(Object.keys(res.body[0]).sort()).toEqual(['dateMiseAJour', 'etat', 'numeroDeca', 'numeroExterne', 'numeroInterne']);
    // The same items as the v2 pages.
    const v2 = await t.http.get('/v2/dossiers/etats').query({ taillePage: 1000 }).set('X-API-KEY', bulkKey);
    expect(v2.body.total).toBe(1000);
    expect(res.body).toEqual(v2.body.EtatDossierResult);
    // taillePage alone does not page v1: still the whole list.
    const sized = await t.http.get('/v1/dossiers/etats').query({ taillePage: 300 }).set('X-API-KEY', bulkKey);
    expect(numeros(sized.body)).toEqual(all);
  });

  it('with numeroPage it still pages; filters apply to the full list', async () => {
    const all = numeros((await t.http.get('/v1/dossiers/etats').set('X-API-KEY', bulkKey)).body);
    const page2 = await t.http.get('/v1/dossiers/etats').query({ numeroPage: 2, taillePage: 300 }).set('X-API-KEY', bulkKey);
    expect(page2.status).toBe(200);
    expect(numeros(page2.body)).toEqual(all.slice(300, 600));
    const engage = await t.http.get('/v1/dossiers/etats').query({ etat: 'ENGAGE' }).set('X-API-KEY', bulkKey);
    expect(engage.body).toHaveLength(333);
    expect(engage.body.every((e: { etat: string }) => e.etat === 'ENGAGE')).toBe(true);
    const none = await t.http.get('/v1/dossiers/etats').query({ origine: 'SAISIE_OPCO' }).set('X-API-KEY', bulkKey);
    expect(none.body).toEqual([]);
    // Another CFA sees none of them.
    const other = await t.http.get('/v1/dossiers/etats').set('X-API-KEY', otherKey);
    expect(numeros(other.body).filter((n) => all.includes(n))).toEqual([]);
  });
});

describe('a body on a GET or DELETE is ignored', () => {
  let numero: string;
  beforeAll(async () => {
    numero = (await post(validCerfaPayload(501))).body.numeroInterne;
  });
  const bodies: Array<[string, string, string]> = [
    ['JSON', 'application/json', '{"grant_type":"client_credentials","numeroInterne":"000000000000"}'],
    ['malformed JSON', 'application/json', '{"grant_type":'],
    ['form', 'application/x-www-form-urlencoded', 'grant_type=client_credentials&client_id=x'],
    ['form labelled JSON', 'application/json', 'grant_type=client_credentials&client_id=x'],
  ];

  it.each(bodies)('GET /v1/dossiers and GET /v2/dossiers/etats with a %s body answer as without', async (_label, type, body) => {
    for (const [path, query] of [['/v1/dossiers', { numeroInterne: numero }], ['/v2/dossiers/etats', {}]] as const) {
      const plain = await t.http.get(path).query(query).set('X-API-KEY', key);
      const withBody = await t.http.get(path).query(query).set('X-API-KEY', key).set('Content-Type', type).send(body);
      expect(plain.status, path).toBe(200);
      expect(withBody.status, path).toBe(200);
      expect(withBody.body, path).toEqual(plain.body);
    }
  });

  it('DELETE /back-office/v1/cles/{id} with a body revokes the key', async () => {
    const opco = await t.opcoKey();
    for (const [, type, body] of bodies) {
      const { row } = await createKey(t.db, { role: 'cfa', siren: OTHER_SIREN });
      const res = await t.http.delete(`/back-office/v1/cles/${row.id}`).set('X-API-KEY', opco).set('Content-Type', type).send(body);
      expect(res.status, body).toBe(204);
      expect((await t.db('cles_api').where({ id: row.id }).first('revoquee_le')).revoquee_le, body).not.toBeNull();
    }
  });
});
