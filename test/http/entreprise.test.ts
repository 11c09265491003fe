/**
 * The employer side's platform part (issue 12): keys of role `entreprise` (CLI and back office),
 * role checks both ways, routes serving several roles (the mechanism, on a route of its own), the
 * contract they get, and `isEntrepriseContact`.
 */
import express from 'express';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keysCommand } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config/config.js';
import { createKey, revokeKey } from '../../src/db/keys.js';
import { createKeyCache } from '../../src/http/key-cache.js';
import { cfaActor, entrepriseActor } from '../../src/http/context.js';
import { errorHandler } from '../../src/http/middleware/error-handler.js';
import { createRateLimiting } from '../../src/http/middleware/rate-limit.js';
import { route, rolesOf, type RouteDeclaration } from '../../src/http/route-table/declaration.js';
import { buildOpenApi, standardResponses } from '../../src/http/route-table/openapi.js';
import { registerRoutes } from '../../src/http/route-table/register.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { isEntrepriseContact } from '../../src/services/cles.js';
import { hostileRoutes, keyHeader } from '../fuzz/hostile.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const SIREN = '812345676';
const COURRIEL = 'rh@numerisia.example.org';
// A declared CFA route with no required input.
const CFA_ROUTE = '/v2/dossiers/etats';

let t: TestGateway;
let opco: string;
beforeAll(async () => {
  t = await startTestGateway();
  opco = await t.opcoKey();
});
afterAll(async () => t.close());

/** Runs `keys …` of the CLI on the test database; its output lines. */
async function cli(...args: string[]): Promise<string[]> {
  const lines: string[] = [];
  await keysCommand(t.db, args, (l) => lines.push(l));
  return lines;
}

describe('keys of role entreprise', () => {
  it('the CLI creates one (prefix ent_, SIREN and e-mail kept) without printing the e-mail; `keys list` shows it', async () => {
    const out = await cli('create', '--role', 'entreprise', '--siren', SIREN, '--courriel', 'Cli.User@Numerisia.example.org', '--label', 'RH');
    const key = out[out.length - 1] ?? '';
    expect(key).toMatch(/^ent_[A-Za-z0-9_-]{43}$/);
    expect(out[0]).toMatch(/^clé entreprise créée : id=\d+ siren=812345676$/);
    expect(out.join('\n')).not.toContain('Cli.User');
    const row = await t.db('cles_api').orderBy('id', 'desc').first('role', 'siren', 'courriel', 'uai', 'prefixe');
    expect(row).toEqual({ role: 'entreprise', siren: SIREN, courriel: 'Cli.User@Numerisia.example.org', uai: null, prefixe: key.slice(0, 10) });
    const listed = await cli('list');
    expect(listed.some((l) => l.split('\t').slice(1, 5).join(' ') === `entreprise ${SIREN} - Cli.User@Numerisia.example.org`)).toBe(true);
  });

  it('the CLI refuses a missing or malformed e-mail, a missing SIREN, an e-mail on another role and a UAI on an employer key', async () => {
    await expect(cli('create', '--role', 'entreprise', '--siren', SIREN)).rejects.toThrow(/--courriel/);
    await expect(cli('create', '--role', 'entreprise', '--siren', SIREN, '--courriel', 'pas-un-courriel')).rejects.toThrow(/--courriel/);
    await expect(cli('create', '--role', 'entreprise', '--courriel', COURRIEL)).rejects.toThrow(/--siren/);
    await expect(cli('create', '--role', 'cfa', '--siren', SIREN, '--courriel', COURRIEL)).rejects.toThrow(/réservé aux clés entreprise/);
    await expect(cli('create', '--role', 'entreprise', '--siren', SIREN, '--courriel', COURRIEL, '--uai', '0561910X')).rejects.toThrow(/réservé aux clés CFA/);
    await expect(cli('create', '--role', 'employeur', '--siren', SIREN)).rejects.toThrow(/cfa, entreprise ou opco/);
  });

  it('the back office creates one; the list shows role and e-mail; the e-mail is in no log line nor audit row', async () => {
    const created = await t.http.post('/back-office/v1/cles').set('X-API-KEY', opco).send({ role: 'entreprise', siren: SIREN, courriel: COURRIEL, libelle: 'Numérisia RH' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ role: 'entreprise', siren: SIREN, courriel: COURRIEL, uai: null, libelle: 'Numérisia RH' });
    expect(created.body.cle).toMatch(/^ent_/);
    expect(created.body.prefixe).toBe(created.body.cle.slice(0, 10));
    const list = await t.http.get('/back-office/v1/cles').set('X-API-KEY', opco);
    expect(list.body).toContainEqual(expect.objectContaining({ id: created.body.id, role: 'entreprise', siren: SIREN, courriel: COURRIEL }));
    expect(list.body).toContainEqual(expect.objectContaining({ role: 'opco', courriel: null }));
    expect(JSON.stringify(list.body)).not.toContain(created.body.cle);
    // A CFA key still defaults to role cfa, without e-mail.
    const cfa = await t.http.post('/back-office/v1/cles').set('X-API-KEY', opco).send({ siren: '555555556' });
    expect(cfa.body).toMatchObject({ role: 'cfa', courriel: null });
    expect(cfa.body.cle).toMatch(/^cfa_/);
    expect(t.logs.text).not.toContain(COURRIEL);
    const audit = await t.db('audit_ecritures').where({ action: 'CLE_CREEE' }).select();
    expect(JSON.stringify(audit)).not.toContain(COURRIEL);
  });

  it('the back office refuses, all at once: no e-mail or a bad one for an employer key, an e-mail on a CFA key, a UAI on an employer key', async () => {
    const missing = await t.http.post('/back-office/v1/cles').set('X-API-KEY', opco).send({ role: 'entreprise', siren: SIREN, uai: '0561910X' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: { code: string; champ: string }) => `${e.code} ${e.champ}`)).toEqual(['CHAMP_OBLIGATOIRE /courriel', 'CHAMP_NON_ADMIS /uai']);
    const malformed = await t.http.post('/back-office/v1/cles').set('X-API-KEY', opco).send({ role: 'entreprise', siren: '12', courriel: 'rh@' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors.map((e: { champ: string }) => e.champ)).toEqual(['/siren', '/courriel']);
    // The rejected value is never echoed (it may be personal data).
    expect(JSON.stringify(malformed.body)).not.toContain('rh@');
    const onCfa = await t.http.post('/back-office/v1/cles').set('X-API-KEY', opco).send({ siren: '555555556', courriel: COURRIEL });
    expect(onCfa.status).toBe(400);
    expect(onCfa.body.errors[0]).toMatchObject({ code: 'CHAMP_NON_ADMIS', champ: '/courriel' });
    const role = await t.http.post('/back-office/v1/cles').set('X-API-KEY', opco).send({ role: 'opco', siren: SIREN });
    expect(role.status).toBe(400);
    expect(role.body.errors[0].champ).toBe('/role');
  });

  it('the database itself refuses an employer key without e-mail, and an e-mail on another role', async () => {
    await expect(createKey(t.db, { role: 'entreprise', siren: SIREN })).rejects.toThrow(/cles_api_courriel/);
    await expect(t.db('cles_api').insert({ role: 'cfa', siren: SIREN, courriel: COURRIEL, empreinte: 'x'.repeat(64), prefixe: 'cfa_x' })).rejects.toThrow(/cles_api_courriel/);
    await expect(createKey(t.db, { role: 'entreprise', courriel: COURRIEL })).rejects.toThrow(/cles_api_siren/);
  });
});

describe('role checks on the real routes, both ways', () => {
  it('an employer key is refused by CFA routes and by the back office (403 CLE_API_NON_HABILITEE)', async () => {
    const key = await t.entrepriseKey(SIREN, COURRIEL);
    for (const path of [CFA_ROUTE, '/v2/adherents?q=num', '/v2/cfa/profil', '/back-office/v1/cles']) {
      const res = await t.http.get(path).set('X-API-KEY', key);
      expect(res.status, path).toBe(403);
      expect(res.body.errors[0].code, path).toBe('CLE_API_NON_HABILITEE');
    }
  });

  it('an expired or revoked employer key answers like any key', async () => {
    const expired = await t.entrepriseKey(SIREN, COURRIEL, { expires: '2020-01-31' });
    expect((await t.http.get(CFA_ROUTE).set('X-API-KEY', expired)).body.errors[0].code).toBe('CLE_API_EXPIREE');
  });
});

// ------------------------------------------------------------------------------------------------
// Routes of several roles: the mechanism, on a route of its own.

const MULTI: RouteDeclaration = route({
  operationId: 'health', method: 'get', path: '/essai/roles', role: ['cfa', 'entreprise'], tags: ['Système'], summary: 'Essai : route des deux côtés',
  responses: { 200: { description: 'ok' } },
  handler: (_input, { req, caller }) => caller.role === 'entreprise'
    ? { role: caller.role, ...pick(entrepriseActor(req)) }
    : { role: caller.role, ...pick(cfaActor(req)) },
});
const ENTREPRISE_ONLY: RouteDeclaration = route({
  operationId: 'ready', method: 'get', path: '/essai/entreprise', role: 'entreprise', tags: ['Système'], summary: 'Essai : côté entreprise',
  responses: { 200: { description: 'ok' } },
  handler: (_input, { req }) => pick(entrepriseActor(req)),
});
/** What a handler reads of an actor (never the audit author's request id, which changes). */
function pick(actor: { acteur: string; siren: string; courriel?: string }): Record<string, unknown> {
  return { acteur: actor.acteur, siren: actor.siren, ...(actor.courriel ? { courriel: actor.courriel } : {}) };
}

function appOf(env: Record<string, string> = {}): supertest.Agent {
  const app = express();
  app.use((req, _res, next) => {
    req.requestId = 'essai';
    req.editor = { editeur: null, logiciel: null, version: null };
    next();
  });
  const router = express.Router();
  const config = loadConfig({ DATA_DIR: ':memory:', ...env });
  const silent = createLogger('silent');
  registerRoutes(router, [MULTI, ENTREPRISE_ONLY], {
    config, db: t.db, logger: silent, metrics: createMetrics(), keys: createKeyCache(t.db, 0),
    limits: createRateLimiting({ rateLimitPerMinute: 0, authFailuresPerMinute: 0, redisUrl: undefined, databaseSchema: 'public' }, silent),
  });
  app.use(router);
  app.use(errorHandler(silent, 1000));
  return supertest.agent(app);
}

describe('a route serving several roles', () => {
  it('accepts a key of each listed role and tells the handler which (ctx.caller.role, the matching actor)', async () => {
    const http = appOf();
    const cfa = await t.cfaKey('778899112');
    const ent = await t.entrepriseKey(SIREN, COURRIEL);
    expect((await http.get('/essai/roles').set('X-API-KEY', cfa)).body).toEqual({ role: 'cfa', acteur: 'cfa:778899112', siren: '778899112' });
    expect((await http.get('/essai/roles').set('X-API-KEY', ent)).body).toEqual({ role: 'entreprise', acteur: `entreprise:${SIREN}`, siren: SIREN, courriel: COURRIEL });
    expect((await http.get('/essai/entreprise').set('X-API-KEY', ent)).body).toEqual({ acteur: `entreprise:${SIREN}`, siren: SIREN, courriel: COURRIEL });
  });

  it('refuses a key of another role with 403 CLE_API_NON_HABILITEE naming the roles, and the usual codes otherwise', async () => {
    const http = appOf();
    const res = await http.get('/essai/roles').set('X-API-KEY', opco);
    expect(res.status).toBe(403);
    expect(res.body.errors[0]).toMatchObject({ code: 'CLE_API_NON_HABILITEE', description: "Ce point d'accès est réservé aux clés CFA et aux clés entreprise." });
    const cfaOnEntreprise = await http.get('/essai/entreprise').set('X-API-KEY', await t.cfaKey('778899112'));
    expect(cfaOnEntreprise.body.errors[0]).toMatchObject({ code: 'CLE_API_NON_HABILITEE', description: "Ce point d'accès est réservé aux clés entreprise." });
    expect((await http.get('/essai/roles')).body.errors[0].code).toBe('CLE_API_MANQUANTE');
    expect((await http.get('/essai/roles').set('X-API-KEY', 'ent_inconnue')).body.errors[0].code).toBe('CLE_API_INVALIDE');
    const revoked = await createKey(t.db, { role: 'entreprise', siren: SIREN, courriel: COURRIEL });
    await revokeKey(t.db, revoked.row.id);
    expect((await http.get('/essai/roles').set('X-API-KEY', revoked.key)).body.errors[0].code).toBe('CLE_API_REVOQUEE');
  });

  it('REQUIRE_BEARER applies to the CFA caller (its vendor token), not to the employer', async () => {
    const http = appOf({ REQUIRE_BEARER: 'true' });
    expect((await http.get('/essai/roles').set('X-API-KEY', await t.cfaKey('778899112'))).status).toBe(401);
    expect((await http.get('/essai/roles').set('X-API-KEY', await t.entrepriseKey(SIREN, COURRIEL))).status).toBe(200);
  });

  it('the contract follows: security with the vendor token when a CFA may call, x-roles, the 403 naming the roles', () => {
    const doc = buildOpenApi([MULTI, ENTREPRISE_ONLY]) as { paths: Record<string, { get: Record<string, unknown> }> };
    const multi = doc.paths['/essai/roles']?.get;
    expect(multi?.security).toEqual([{ cleApi: [] }, { cleApi: [], jetonEditeur: [] }]);
    expect(multi?.['x-roles']).toEqual(['cfa', 'entreprise']);
    expect(doc.paths['/essai/entreprise']?.get.security).toEqual([{ cleApi: [] }]);
    expect(doc.paths['/essai/entreprise']?.get['x-roles']).toEqual(['entreprise']);
    expect(standardResponses(MULTI)[403]?.description).toMatch(/clés admises : cfa, entreprise/);
    expect(standardResponses(MULTI)[401]).toBeDefined();
    expect(rolesOf(MULTI)).toEqual(['cfa', 'entreprise']);
    expect(rolesOf({ role: 'public' })).toEqual([]);
    // An empty list would make a route public: it is refused when the table is built.
    expect(() => rolesOf({ role: [] as unknown as ['cfa'] })).toThrow(/empty/);
  });

  it('the walkers of every route (hostile, robustness, chaos) send a key of a listed role, and a key of none for other-role', () => {
    const [multi] = hostileRoutes([MULTI]);
    expect(multi?.roles).toEqual(['cfa', 'entreprise']);
    const keys = { cfa: 'k-cfa', opco: 'k-opco', entreprise: 'k-ent' };
    const base = { roles: multi?.roles ?? [] };
    expect(keyHeader({ ...base, auth: 'role', role: 'entreprise' }, keys)).toEqual({ 'X-API-KEY': 'k-ent' });
    expect(keyHeader({ ...base, auth: 'other-role', role: 'cfa' }, keys)).toEqual({ 'X-API-KEY': 'k-opco' });
    expect(keyHeader({ roles: ['opco'], auth: 'other-role', role: 'opco' }, keys)).toEqual({ 'X-API-KEY': 'k-cfa' });
  });
});

describe('isEntrepriseContact', () => {
  it('is true for the e-mail of a valid employer key of that SIREN (case ignored), false otherwise', async () => {
    const siren = '413456783';
    await t.entrepriseKey(siren, 'Paie@Exemple.fr');
    expect(await isEntrepriseContact(t.db, siren, 'paie@exemple.fr')).toBe(true);
    expect(await isEntrepriseContact(t.db, siren, ' PAIE@EXEMPLE.FR ')).toBe(true);
    expect(await isEntrepriseContact(t.db, siren, 'autre@exemple.fr')).toBe(false);
    expect(await isEntrepriseContact(t.db, SIREN, 'paie@exemple.fr')).toBe(false);
    expect(await isEntrepriseContact(t.db, 'x', 'paie@exemple.fr')).toBe(false);
    expect(await isEntrepriseContact(t.db, siren, '')).toBe(false);
  });

  it('does not count revoked or expired keys', async () => {
    const siren = '423456782';
    const revoked = await createKey(t.db, { role: 'entreprise', siren, courriel: 'parti@exemple.fr' });
    await revokeKey(t.db, revoked.row.id);
    await t.entrepriseKey(siren, 'ancien@exemple.fr', { expires: '2020-12-31' });
    expect(await isEntrepriseContact(t.db, siren, 'parti@exemple.fr')).toBe(false);
    expect(await isEntrepriseContact(t.db, siren, 'ancien@exemple.fr')).toBe(false);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
    await t.entrepriseKey(siren, 'dernier-jour@exemple.fr', { expires: today });
    expect(await isEntrepriseContact(t.db, siren, 'dernier-jour@exemple.fr')).toBe(true);
  });
});
