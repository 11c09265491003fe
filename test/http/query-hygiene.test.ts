/**
 * Query-string and method hygiene, on every route of the table: bad percent-encoding refused,
 * parameter names read liberally (case, `name[]`), unknown names refused under STRICT_INPUT, and a
 * wrong method on an existing path answered 405 with `Allow`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_CFA_SIREN, validCerfaPayload } from '../fixtures/cerfa.js';
import { createTestDatabase, startTestGateway, type TestDatabase, type TestGateway } from '../helpers/gateway.js';

let database: TestDatabase;
let t: TestGateway;
let strict: TestGateway;
let cfa: string;
const numeros: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  t = await startTestGateway({}, database);
  strict = await startTestGateway({ STRICT_INPUT: 'true' }, database);
  cfa = await t.cfaKey(FIXTURE_CFA_SIREN);
  for (const i of [1, 2]) {
    const res = await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).send(validCerfaPayload(i));
    expect(res.status).toBe(200);
    numeros.push(res.body.numeroInterne);
  }
});
afterAll(async () => {
  await strict.close();
  await t.close();
  await database.drop();
});

type Errors = { errors: Array<{ code: string; champ?: string; description: string; section?: string }> };
const codes = (body: Errors): Array<[string, string | undefined]> => body.errors.map((e) => [e.code, e.champ]);

describe('bad percent-encoding in the query string', () => {
  it('a value that is not percent-encoded UTF-8: 400 CHEMIN_INVALIDE naming the parameter', async () => {
    for (const bad of ['%ZZ', '%E0%A4%A', '%C3%28', 'abc%', '%ED%A0%80']) {
      const res = await t.http.get(`/v2/suivi/dossiers?q=${bad}`).set('X-API-KEY', cfa);
      expect(res.status, bad).toBe(400);
      expect(res.body.errors, bad).toEqual([{
        code: 'CHEMIN_INVALIDE', champ: '/q', section: 'requete',
        description: 'Le paramètre q contient un encodage « pourcent » invalide (UTF-8 attendu).',
      }]);
    }
  });

  it('every bad parameter at once, names included, undeclared ones too, before the key is checked', async () => {
    const res = await t.http.get('/v2/suivi/dossiers?q=%ZZ&tri=ok&inconnu=%C3%28&%ZZ=1&q=%E0');
    expect(res.status).toBe(400);
    expect(codes(res.body)).toEqual([['CHEMIN_INVALIDE', '/q'], ['CHEMIN_INVALIDE', '/inconnu'], ['CHEMIN_INVALIDE', '/%ZZ']]);
    expect(res.body.errors[2].description).toBe('Le nom du paramètre %ZZ contient un encodage « pourcent » invalide (UTF-8 attendu).');
  });

  it('on every kind of route: a write before its body is read, a route without parameters', async () => {
    const write = await t.http.post('/v2/dossiers?x=%ZZ').set('X-API-KEY', cfa).send(validCerfaPayload(9));
    expect(write.status).toBe(400);
    expect(codes(write.body)).toEqual([['CHEMIN_INVALIDE', '/x']]);
    const status = await t.http.get('/v2/status?x=abc%');
    expect(status.status).toBe(400);
    expect(codes(status.body)).toEqual([['CHEMIN_INVALIDE', '/x']]);
    // An unknown path stays unknown.
    expect((await t.http.get('/nulle-part?x=%ZZ')).status).toBe(404);
  });

  it('valid encodings are read as before: UTF-8, +, a percent-encoded NUL still CARACTERE_INTERDIT', async () => {
    const accent = await t.http.get('/v2/suivi/dossiers?q=%C3%A9l%C3%A8ve+dupont').set('X-API-KEY', cfa);
    expect(accent.status).toBe(200);
    const nul = await t.http.get('/v2/dossiers?numeroInterne=1%00').set('X-API-KEY', cfa);
    expect(nul.status).toBe(400);
    expect(codes(nul.body)).toEqual([['CARACTERE_INTERDIT', '/numeroInterne']]);
  });
});

describe('parameter names read liberally', () => {
  it('a name in another casing is read as the declared one; the declared spelling wins', async () => {
    const lower = await t.http.get('/v2/dossiers/etats?taillepage=1').set('X-API-KEY', cfa);
    expect(lower.status).toBe(200);
    expect(lower.body.count).toBe(1);
    const both = await t.http.get('/v2/dossiers/etats?TAILLEPAGE=1&taillePage=2').set('X-API-KEY', cfa);
    expect(both.body.count).toBe(2);
    const upper = await t.http.get(`/v2/dossiers?NUMEROINTERNE=${numeros[0]}`).set('X-API-KEY', cfa);
    expect(upper.status).toBe(200);
    expect(upper.body.cerfa.numeroInterne).toBe(numeros[0]);
    // The variant is validated as the parameter it stands for.
    const invalid = await t.http.get('/v2/dossiers/etats?TaillePage=0').set('X-API-KEY', cfa);
    expect(invalid.status).toBe(400);
    expect(codes(invalid.body)).toEqual([['PARAMETRE_INVALIDE', '/taillePage']]);
  });

  it('v1 pages when numeroPage is given in any casing, and streams the whole list otherwise', async () => {
    const paged = await t.http.get('/v1/dossiers/etats?numeropage=1&taillepage=1').set('X-API-KEY', cfa);
    expect(paged.status).toBe(200);
    expect(paged.body).toHaveLength(1);
    const all = await t.http.get('/v1/dossiers/etats?taillepage=1').set('X-API-KEY', cfa);
    expect(all.body).toHaveLength(2);
  });

  it('the array form of a scalar: one value is read, several are refused as given more than once', async () => {
    for (const form of ['numeroInterne[]', 'numeroInterne[0]', 'numerointerne%5B%5D']) {
      const one = await t.http.get(`/v2/dossiers?${form}=${numeros[1]}`).set('X-API-KEY', cfa);
      expect(one.status, form).toBe(200);
      expect(one.body.cerfa.numeroInterne).toBe(numeros[1]);
    }
    const several = await t.http.get(`/v2/dossiers?numeroInterne[]=${numeros[0]}&numeroInterne[]=${numeros[1]}`).set('X-API-KEY', cfa);
    expect(several.status).toBe(400);
    expect(several.body.errors).toEqual([{
      code: 'PARAMETRE_INVALIDE', champ: '/numeroInterne', section: 'requete',
      description: "Le paramètre numeroInterne ne doit être donné qu'une fois, en valeur simple (numeroInterne=<valeur>).",
    }]);
    const repeated = await t.http.get(`/v2/dossiers?numeroInterne=${numeros[0]}&numeroInterne=${numeros[1]}`).set('X-API-KEY', cfa);
    expect(codes(repeated.body)).toEqual([['PARAMETRE_INVALIDE', '/numeroInterne']]);
  });

  it('a NUL in a variant is refused like in the declared name', async () => {
    const res = await t.http.get('/v2/dossiers?NumeroInterne=1%00').set('X-API-KEY', cfa);
    expect(res.status).toBe(400);
    expect(codes(res.body)).toEqual([['CARACTERE_INTERDIT', '/numeroInterne']]);
  });
});

describe('unknown parameters', () => {
  it('are ignored by default', async () => {
    const res = await t.http.get('/v2/dossiers/etats?inconnu=1&_=1700000000000').set('X-API-KEY', cfa);
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(2);
  });

  it('STRICT_INPUT: each unknown or misspelled name is a 400, all at once; the `_` cache-buster stays accepted', async () => {
    const res = await strict.http.get('/v2/dossiers/etats?inconnu=1&taillepage=1&_=1700000000000&numeroPage[]=1&autre=').set('X-API-KEY', cfa);
    expect(res.status).toBe(400);
    expect(codes(res.body)).toEqual([
      ['PARAMETRE_INCONNU', '/inconnu'], ['PARAMETRE_INCONNU', '/taillepage'], ['PARAMETRE_INCONNU', '/numeroPage[]'], ['PARAMETRE_INCONNU', '/autre'],
    ]);
    expect(res.body.errors[0].description).toBe('Le paramètre inconnu est inconnu.');
    expect(res.body.errors[1].description).toBe('Le paramètre taillepage est inconnu : écrivez taillePage=<valeur>, une seule fois.');
    const ok = await strict.http.get('/v2/dossiers/etats?taillePage=1&_=1700000000000').set('X-API-KEY', cfa);
    expect(ok.status).toBe(200);
    expect(ok.body.count).toBe(1);
    // On a route without parameters too.
    const status = await strict.http.get('/v2/status?debug=1');
    expect(status.status).toBe(400);
    expect(codes(status.body)).toEqual([['PARAMETRE_INCONNU', '/debug']]);
  });
});

describe('methods', () => {
  it('a wrong method on an existing path: 405 with Allow from the route table, in the norm’s shape', async () => {
    const res = await t.http.delete('/v2/status');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.errors).toEqual([{ code: 'METHODE_NON_AUTORISEE', description: "La méthode DELETE n'est pas acceptée sur /v2/status : méthodes acceptées GET, HEAD." }]);
    expect(res.body.status).toBe(405);
    const dossiers = await t.http.put('/v2/dossiers/').set('X-API-KEY', cfa).send({});
    expect(dossiers.status).toBe(405);
    expect(dossiers.headers.allow).toBe('GET, HEAD, POST');
    const id = await t.http.patch(`/back-office/v1/dossiers/${numeros[0]}`);
    expect(id.status).toBe(405);
    expect(id.headers.allow).toBe('GET, HEAD');
    const head = await t.http.head('/oauth/token');
    expect(head.status).toBe(405);
    expect(head.headers.allow).toBe('POST');
  });

  it('unknown paths and undeclared versions stay 404; HEAD and OPTIONS still answer', async () => {
    const unknown = await t.http.delete('/nulle-part');
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0].code).toBe('ROUTE_INCONNUE');
    const v1 = await t.http.post('/v1/simulations/remuneration').set('X-API-KEY', cfa).send({});
    expect(v1.status).toBe(404);
    expect((await t.http.head('/v2/status')).status).toBe(200);
    const options = await t.http.options('/v2/dossiers');
    expect(options.status).toBe(200);
    expect(options.headers.allow).toBe('GET, HEAD, POST');
  });
});

describe('mislabelled JSON bodies', () => {
  it('STRICT_INPUT reads no JSON under another label: 415', async () => {
    const key = await strict.cfaKey(FIXTURE_CFA_SIREN);
    const res = await strict.http.post('/v2/dossiers').set('X-API-KEY', key).set('Content-Type', 'application/x-www-form-urlencoded').send(JSON.stringify(validCerfaPayload(3)));
    expect(res.status).toBe(415);
    expect(res.body.errors[0].code).toBe('TYPE_CONTENU_NON_SUPPORTE');
  });
});
