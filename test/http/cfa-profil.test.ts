/** The CFA profile (issue 12, prefill of the Formation tab): GET|PUT /v2/cfa/profil and `profileOf`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileOf } from '../../src/services/cfa-profil.js';
import { FIXTURE_CFA_SIREN, FIXTURE_CFA_SIRET, FIXTURE_CFA_UAI, siretForSiren } from '../fixtures/cerfa.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const PROFIL = {
  siret: FIXTURE_CFA_SIRET,
  uai: FIXTURE_CFA_UAI,
  denomination: 'CFA des Métiers du Numérique',
  adresse: { numero: 10, voie: 'rue des Écoles', complement: 'Bâtiment B', codePostal: '69003', commune: 'Lyon' },
  telephone: '04 78 00 00 00',
  courriel: 'contact@cfa-numerique.example.org',
};

let t: TestGateway;
let cfa: string;
beforeAll(async () => {
  t = await startTestGateway();
  cfa = await t.cfaKey(FIXTURE_CFA_SIREN);
});
afterAll(async () => t.close());

const read = (key = cfa) => t.http.get('/v2/cfa/profil').set('X-API-KEY', key);
const save = (body: unknown, key = cfa) => t.http.put('/v2/cfa/profil').set('X-API-KEY', key).send(body as object);

describe('CFA profile', () => {
  it('a profile never saved: 404 PROFIL_INEXISTANT, and profileOf is undefined', async () => {
    const res = await read();
    expect(res.status).toBe(404);
    expect(res.body.errors[0].code).toBe('PROFIL_INEXISTANT');
    expect(await profileOf(t.db, FIXTURE_CFA_SIREN)).toBeUndefined();
  });

  it('saves, reads back, and gives profileOf the same data for the prefill', async () => {
    const saved = await save(PROFIL);
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual({ ...PROFIL, misAJourLe: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
    const res = await read();
    expect(res.status).toBe(200);
    expect(res.body).toEqual(saved.body);
    expect(await profileOf(t.db, FIXTURE_CFA_SIREN)).toEqual(PROFIL);
    const audit = await t.db('audit_ecritures').where({ action: 'PROFIL_CFA_ENREGISTRE' }).first('objet_type', 'objet_id', 'siren');
    expect(audit).toEqual({ objet_type: 'PROFIL_CFA', objet_id: FIXTURE_CFA_SIREN, siren: FIXTURE_CFA_SIREN });
  });

  it('a save replaces the whole profile; empty optionals are dropped, a digit-string numero becomes a number (with the usual warning), the UAI is upper-cased', async () => {
    const res = await save({
      siret: FIXTURE_CFA_SIRET, uai: FIXTURE_CFA_UAI.toLowerCase(), denomination: ' CFA Numérique ',
      adresse: { numero: '12', voie: null, complement: '', codePostal: '69003', commune: 'Lyon' }, telephone: '', courriel: null,
    });
    expect(res.status).toBe(200);
    const expected = { siret: FIXTURE_CFA_SIRET, uai: FIXTURE_CFA_UAI, denomination: 'CFA Numérique', adresse: { numero: 12, codePostal: '69003', commune: 'Lyon' } };
    expect(res.body).toEqual({ ...expected, misAJourLe: expect.any(String), avertissements: [expect.objectContaining({ code: 'VALEUR_CONVERTIE', champ: '/adresse/numero' })] });
    expect(await profileOf(t.db, FIXTURE_CFA_SIREN)).toEqual(expected);
  });

  it('refuses a SIRET outside the key\'s SIREN (403 ORGANISME_FORMATION_NON_AUTORISE)', async () => {
    const res = await save({ ...PROFIL, siret: siretForSiren('812345676', 17) });
    expect(res.status).toBe(403);
    expect(res.body.errors[0]).toMatchObject({ code: 'ORGANISME_FORMATION_NON_AUTORISE', champ: '/siret' });
  });

  it('reports every invalid field at once, and stores nothing', async () => {
    const before = await profileOf(t.db, FIXTURE_CFA_SIREN);
    const res = await save({ siret: '12345678901234', uai: '0693456A', adresse: { numero: 0, codePostal: '6900' }, telephone: '12', courriel: 'x@' });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { champ: string }) => e.champ).sort()).toEqual([
      '/adresse/codePostal', '/adresse/commune', '/adresse/numero', '/courriel', '/denomination', '/siret', '/telephone', '/uai',
    ]);
    expect(await profileOf(t.db, FIXTURE_CFA_SIREN)).toEqual(before);
  });

  it('each CFA has its own: another CFA sees none', async () => {
    const other = await t.cfaKey('552100554');
    expect((await read(other)).status).toBe(404);
  });

  it('is the CFAs\': the back office and an employer are refused', async () => {
    const opco = await t.opcoKey();
    const ent = await t.entrepriseKey('812345676', 'rh@numerisia.example.org');
    for (const key of [opco, ent]) {
      expect((await read(key)).body.errors[0].code).toBe('CLE_API_NON_HABILITEE');
      expect((await save(PROFIL, key)).body.errors[0].code).toBe('CLE_API_NON_HABILITEE');
    }
  });
});
