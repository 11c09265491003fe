import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/db/clients.js';
import { revokeKey } from '../../src/db/keys.js';
import { createTestDatabase, startTestGateway, type TestDatabase, type TestGateway } from '../helpers/gateway.js';

// A route that exists only behind authentication: 404 ROUTE_INCONNUE proves the key was accepted.
// A declared CFA route with no required input: a valid key gets 200 (an empty list).
const PROTECTED = '/v2/dossiers/etats';

let database: TestDatabase;
let t: TestGateway;
beforeAll(async () => {
  database = await createTestDatabase();
  t = await startTestGateway({}, database);
});
afterAll(async () => {
  await t.close();
  await database.drop();
});

describe('CFA API keys (X-API-KEY)', () => {
  it('missing key: 403 CLE_API_MANQUANTE', async () => {
    const res = await t.http.get(PROTECTED);
    expect(res.status).toBe(403);
    expect(res.body.errors[0].code).toBe('CLE_API_MANQUANTE');
  });

  it('unknown key: 403 CLE_API_INVALIDE', async () => {
    const res = await t.http.get(PROTECTED).set('X-API-KEY', 'cfa_nimportequoi');
    expect(res.status).toBe(403);
    expect(res.body.errors[0].code).toBe('CLE_API_INVALIDE');
  });

  it.each(['X-API-KEY', 'x-api-key', 'X-Api-Key'])('valid key accepted with header spelled %s', async (name) => {
    const key = await t.cfaKey('111111118');
    const res = await t.http.get(PROTECTED).set(name, key);
    expect(res.status).toBe(200);
  });

  it('expired key: 403 CLE_API_EXPIREE', async () => {
    const key = await t.cfaKey('111111118', { expires: '2020-01-31' });
    const res = await t.http.get(PROTECTED).set('X-API-KEY', key);
    expect(res.status).toBe(403);
    expect(res.body.errors[0].code).toBe('CLE_API_EXPIREE');
  });

  it('a key is still valid on its end-of-validity day', async () => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
    const key = await t.cfaKey('111111118', { expires: today });
    expect((await t.http.get(PROTECTED).set('X-API-KEY', key)).status).toBe(200);
  });

  it('revoked key: 403 CLE_API_REVOQUEE', async () => {
    const key = await t.cfaKey('111111118');
    const row = await t.db('cles_api').orderBy('id', 'desc').first('id');
    expect(await revokeKey(t.db, String(row.id))).toBe(true);
    const res = await t.http.get(PROTECTED).set('X-API-KEY', key);
    expect(res.status).toBe(403);
    expect(res.body.errors[0].code).toBe('CLE_API_REVOQUEE');
  });

  it('a CFA key cannot use the back office, an OPCO key cannot use the CFA routes', async () => {
    const cfa = await t.cfaKey('111111118');
    const opco = await t.opcoKey();
    expect((await t.http.get('/back-office/v1/cles').set('X-API-KEY', cfa)).body.errors[0].code).toBe('CLE_API_NON_HABILITEE');
    expect((await t.http.get(PROTECTED).set('X-API-KEY', opco)).body.errors[0].code).toBe('CLE_API_NON_HABILITEE');
  });

  it('keys are stored only as a hash', async () => {
    const key = await t.cfaKey('222222226');
    const rows = await t.db('cles_api').select();
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(key.length).toBeGreaterThanOrEqual(40); // 256 random bits, base64url
  });
});

describe('vendor tokens (OAuth2 client credentials)', () => {
  async function token(clientId: string, secret: string) {
    return t.http.post('/oauth/token').type('form').send({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: 'api.read api.write' });
  }

  it('issues a bearer token that the CFA routes accept', async () => {
    const client = await createClient(t.db, 'ACME ERP');
    const res = await token(client.clientId, client.clientSecret);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const key = await t.cfaKey('111111118');
    const ok = await t.http.get(PROTECTED).set('X-API-KEY', key).set('Authorization', `Bearer ${res.body.access_token}`);
    expect(ok.status).toBe(200);
  });

  it('accepts HTTP Basic client authentication too', async () => {
    const client = await createClient(t.db, 'ACME ERP');
    const res = await t.http.post('/oauth/token').auth(client.clientId, client.clientSecret).type('form').send({ grant_type: 'client_credentials' });
    expect(res.status).toBe(200);
  });

  it('wrong secret: 401 invalid_client', async () => {
    const client = await createClient(t.db, 'ACME ERP');
    const res = await token(client.clientId, 'secret_faux');
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
    expect(res.body.errors[0].code).toBe('INVALID_CLIENT');
  });

  it('malformed Basic credentials: 400, not a crash', async () => {
    const header = `Basic ${Buffer.from('abc%:def').toString('base64')}`;
    const res = await t.http.post('/oauth/token').set('Authorization', header).type('form').send({ grant_type: 'client_credentials' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
  });

  it('wrong grant type: 400 unsupported_grant_type', async () => {
    const res = await t.http.post('/oauth/token').type('form').send({ grant_type: 'password' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('unsupported_grant_type');
  });

  it('invalid or expired bearer: 401', async () => {
    const key = await t.cfaKey('111111118');
    const bad = await t.http.get(PROTECTED).set('X-API-KEY', key).set('Authorization', 'Bearer at_inconnu');
    expect(bad.status).toBe(401);
    expect(bad.headers['www-authenticate']).toMatch(/^Bearer/);

    const client = await createClient(t.db, 'ACME ERP');
    const issued = await token(client.clientId, client.clientSecret);
    await t.db('jetons_acces').update({ expire_le: new Date(Date.now() - 1000) });
    const expired = await t.http.get(PROTECTED).set('X-API-KEY', key).set('Authorization', `Bearer ${issued.body.access_token}`);
    expect(expired.status).toBe(401);
    expect(expired.body.errors[0].code).toBe('JETON_INVALIDE');
  });

  it('mandatory mode: a call without bearer is refused with 401', async () => {
    const strict = await startTestGateway({ REQUIRE_BEARER: 'true' }, database);
    try {
      const key = await strict.cfaKey('111111118');
      const res = await strict.http.get(PROTECTED).set('X-API-KEY', key);
      expect(res.status).toBe(401);
      const client = await createClient(strict.db, 'ACME ERP');
      const issued = await strict.http.post('/oauth/token').type('form').send({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret });
      const ok = await strict.http.get(PROTECTED).set('X-API-KEY', key).set('Authorization', `Bearer ${issued.body.access_token}`);
      expect(ok.status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});

describe('GET /v2/cfakeyinfo', () => {
  it('reports a valid key with its end of validity', async () => {
    const key = await t.cfaKey('333333334', { expires: '2099-12-31' });
    const res = await t.http.get('/v2/cfakeyinfo').query({ siren: '333333334', XAPIKEY: key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'success', dateFinValidite: '2099-12-31', comment: 'Clé valide.' });
  });

  it('reports an error for a key of another SIREN, an expired key, an unknown key', async () => {
    const key = await t.cfaKey('333333334');
    expect((await t.http.get('/v2/cfakeyinfo').query({ siren: '444444442', XAPIKEY: key })).body.status).toBe('error');
    const old = await t.cfaKey('333333334', { expires: '2021-01-01' });
    const expired = await t.http.get('/v2/cfakeyinfo').query({ siren: '333333334', XAPIKEY: old });
    expect(expired.body).toMatchObject({ status: 'error', dateFinValidite: '2021-01-01' });
    expect((await t.http.get('/v2/cfakeyinfo').query({ siren: '333333334', XAPIKEY: 'x' })).body.status).toBe('error');
  });

  it('refuses a forged bearer token with 401, like every other /v2 route', async () => {
    const key = await t.cfaKey('333333334');
    const res = await t.http.get('/v2/cfakeyinfo').query({ siren: '333333334', XAPIKEY: key }).set('Authorization', 'Bearer at_forge');
    expect(res.status).toBe(401);
    expect(res.body.errors[0].code).toBe('JETON_INVALIDE');
    expect((await t.http.get('/v2/cfakeyinfo').query({ siren: '333333334', XAPIKEY: key })).status).toBe(200);
  });

  it('400 on a malformed SIREN', async () => {
    const res = await t.http.get('/v2/cfakeyinfo').query({ siren: '12', XAPIKEY: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ code: 'SIREN_INVALIDE', champ: '/siren' });
  });
});

describe('back-office key management on a running server', () => {
  it('creates a CFA key that works at once, lists it without the secret, revokes it', async () => {
    const opco = await t.opcoKey();
    const created = await t.http.post('/back-office/v1/cles').set('X-API-KEY', opco).send({ siren: '555555556', uai: '0561910X', libelle: 'CFA test' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ role: 'cfa', siren: '555555556', uai: '0561910X' });
    const key = created.body.cle as string;
    expect((await t.http.get(PROTECTED).set('X-API-KEY', key)).status).toBe(200);
    const list = await t.http.get('/back-office/v1/cles').set('X-API-KEY', opco);
    expect(JSON.stringify(list.body)).not.toContain(key);
    expect((await t.http.delete(`/back-office/v1/cles/${created.body.id}`).set('X-API-KEY', opco)).status).toBe(204);
    expect((await t.http.get(PROTECTED).set('X-API-KEY', key)).status).toBe(403);
  });

  it('creates a vendor OAuth client whose tokens work at once, lists it without the secret, revokes it (its tokens stop)', async () => {
    const opco = await t.opcoKey();
    const created = await t.http.post('/back-office/v1/clients').set('X-API-KEY', opco).send({ editeur: ' ERP Exemple ' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ clientId: expect.stringMatching(/^cgw-/), clientSecret: expect.any(String), editeur: 'ERP Exemple' });
    const { clientId, clientSecret } = created.body as { clientId: string; clientSecret: string };
    const issued = await t.http.post('/oauth/token').type('form').send({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
    expect(issued.status).toBe(200);
    const key = await t.cfaKey('111111118');
    const bearer = `Bearer ${issued.body.access_token as string}`;
    expect((await t.http.get(PROTECTED).set('X-API-KEY', key).set('Authorization', bearer)).status).toBe(200);

    const list = await t.http.get('/back-office/v1/clients').set('X-API-KEY', opco);
    expect(list.body).toContainEqual({ clientId, editeur: 'ERP Exemple', creeLe: expect.any(String), revoqueLe: null });
    expect(JSON.stringify(list.body)).not.toContain(clientSecret);
    expect(await t.db('audit_ecritures').where({ action: 'CLIENT_CREE', objet_id: clientId }).first('id')).toBeDefined();

    expect((await t.http.delete(`/back-office/v1/clients/${clientId}`).set('X-API-KEY', opco)).status).toBe(204);
    expect((await t.http.get(PROTECTED).set('X-API-KEY', key).set('Authorization', bearer)).status).toBe(401);
    const again = await t.http.post('/oauth/token').type('form').send({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
    expect(again.status).toBe(401);
    const twice = await t.http.delete(`/back-office/v1/clients/${clientId}`).set('X-API-KEY', opco);
    expect(twice.status).toBe(404);
    expect(twice.body.errors[0].code).toBe('CLIENT_INTROUVABLE');
    // A CFA key cannot manage clients; an empty editor is refused.
    expect((await t.http.get('/back-office/v1/clients').set('X-API-KEY', key)).status).toBe(403);
    expect((await t.http.post('/back-office/v1/clients').set('X-API-KEY', opco).send({ editeur: '  ' })).status).toBe(400);
  });

  it('reports every invalid field at once', async () => {
    const opco = await t.opcoKey();
    const res = await t.http.post('/back-office/v1/cles').set('X-API-KEY', opco).send({ siren: '12', uai: 'XX', dateFinValidite: '2025-02-30' });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { champ: string }) => e.champ)).toEqual(['/siren', '/uai', '/dateFinValidite']);
  });

  it('revoking an id beyond any key is a 404, not a database error', async () => {
    const opco = await t.opcoKey();
    const res = await t.http.delete('/back-office/v1/cles/99999999999999999999').set('X-API-KEY', opco);
    expect(res.status).toBe(404);
  });

  it('415 when the body is not JSON', async () => {
    const opco = await t.opcoKey();
    const res = await t.http.post('/back-office/v1/cles').set('X-API-KEY', opco).set('Content-Type', 'text/plain').send('siren=555555556');
    expect(res.status).toBe(415);
    expect(res.body.errors[0].code).toBe('TYPE_CONTENU_NON_SUPPORTE');
  });
});

describe('rate limiting', () => {
  it('answers 429 with Retry-After past the per-key limit', async () => {
    const limited = await startTestGateway({ RATE_LIMIT_PER_MINUTE: '3' }, database);
    try {
      const key = await limited.cfaKey('111111118');
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await limited.http.get(PROTECTED).set('X-API-KEY', key)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const res = await limited.http.get(PROTECTED).set('X-API-KEY', key);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.body.errors[0].code).toBe('TROP_DE_REQUETES');
      // another key has its own budget
      const other = await limited.cfaKey('222222226');
      expect((await limited.http.get(PROTECTED).set('X-API-KEY', other)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('counts per authenticated key: padding the header with spaces or NBSP does not buy a new budget', async () => {
    const limited = await startTestGateway({ RATE_LIMIT_PER_MINUTE: '3' }, database);
    try {
      const key = await limited.cfaKey('111111118');
      const statuses: number[] = [];
      for (const padding of ['', ' ', '\u00a0', '\u00a0\u00a0', ' \u00a0 ']) {
        statuses.push((await limited.http.get(PROTECTED).set('X-API-KEY', `${key}${padding}`)).status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
    } finally {
      await limited.close();
    }
  });

  it('counts failed authentications per address and refuses with 429 before looking keys up', async () => {
    const limited = await startTestGateway({ AUTH_FAILURES_PER_MINUTE: '5' }, database);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i += 1) statuses.push((await limited.http.get(PROTECTED).set('X-API-KEY', `cfa_faux_${i}`)).status);
      expect(statuses).toEqual([403, 403, 403, 403, 403, 429, 429, 429]);
      const refused = await limited.http.get(PROTECTED).set('X-API-KEY', 'cfa_encore_faux');
      expect(refused.body.errors[0].code).toBe('TROP_DE_REQUETES');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      // Successful calls are not failures: they count only against their own key's budget.
      const fresh = await startTestGateway({ AUTH_FAILURES_PER_MINUTE: '2' }, database);
      try {
        const key = await fresh.cfaKey('111111118');
        for (let i = 0; i < 5; i += 1) expect((await fresh.http.get(PROTECTED).set('X-API-KEY', key)).status).toBe(200);
      } finally {
        await fresh.close();
      }
    } finally {
      await limited.close();
    }
  });

  it('counts failed client authentications on the token endpoint too', async () => {
    const limited = await startTestGateway({ AUTH_FAILURES_PER_MINUTE: '3' }, database);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        statuses.push((await limited.http.post('/oauth/token').type('form').send({ grant_type: 'client_credentials', client_id: `inconnu-${i}`, client_secret: 'x' })).status);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await limited.close();
    }
  });

  it('answers to keys are never cached (personal data), and the back office checks a present bearer', async () => {
    const key = await t.cfaKey('111111118');
    const res = await t.http.get(PROTECTED).set('X-API-KEY', key);
    expect(res.headers['cache-control']).toBe('no-store');
    const opco = await t.opcoKey();
    const forged = await t.http.get('/back-office/v1/dossiers').set('X-API-KEY', opco).set('Authorization', 'Bearer at_forge');
    expect(forged.status).toBe(401);
    expect((await t.http.get('/back-office/v1/dossiers').set('X-API-KEY', opco)).status).toBe(200);
  });
});
