/**
 * Signed webhooks (issue 13 §2): registration and tenant isolation, Standard Webhooks signatures
 * (the library's verifier and a hand-computed HMAC), delivery to a local receiver that was down,
 * retries with a stable webhook-id, disabling after 24 h of failures and re-enabling, replays, the
 * test event, secret rotation, and the outbox's atomicity. The worker is driven by `deliverDue`
 * with a `now`; nothing sleeps.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { recordDossierChange, lockDossier } from '../../src/db/dossier-changes.js';
import { recordEvent } from '../../src/db/webhooks.js';
import { jobDefinitions } from '../../src/jobs/definitions.js';
import { startWebhookWorker } from '../../src/jobs/webhooks.js';
import { checkedLookup, deliverDue } from '../../src/services/webhook-delivery.js';
import { FIXTURE_CFA_SIREN, validCerfaPayload, withLuhnKey } from '../fixtures/cerfa.js';
import { createTestDatabase, startTestGateway, type TestDatabase, type TestGateway } from '../helpers/gateway.js';
import { handSignature, Receiver } from './webhooks-receiver.js';

let database: TestDatabase;
let t: TestGateway;
let strict: TestGateway;
let cfa: string;
let otherCfa: string;
let entreprise: string;
let opco: string;
const receiver = new Receiver();
const OTHER_SIREN = withLuhnKey('12345678');
const ENTREPRISE_SIREN = '812345676';

beforeAll(async () => {
  database = await createTestDatabase();
  t = await startTestGateway({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }, database);
  // The production rule, on the same database.
  strict = await startTestGateway({ NODE_ENV: 'production' }, database);
  cfa = await t.cfaKey(FIXTURE_CFA_SIREN);
  otherCfa = await t.cfaKey(OTHER_SIREN);
  entreprise = await t.entrepriseKey(ENTREPRISE_SIREN, 'rh@numerisia.example.org');
  opco = await t.opcoKey();
  await receiver.start();
});
afterAll(async () => {
  await receiver.stop();
  await strict.close();
  await t.close();
  await database.drop();
});
afterEach(async () => {
  // Each test starts without endpoints (their deliveries go with them) and with a receiver that answers 200.
  await t.db('webhooks').delete();
  receiver.status = 200;
  receiver.hang = false;
  receiver.received.length = 0;
});

const deps = () => ({ db: t.db, config: t.config, random: () => 0.5 });
const deliver = (now = new Date()) => deliverDue(deps(), now);
const register = (body: Record<string, unknown>, key = cfa, gw = t) => gw.http.post('/v2/webhooks').set('X-API-KEY', key).send(body);
let seed = 700;
const pushDossier = async (): Promise<string> => {
  seed += 1;
  const res = await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).send(validCerfaPayload(seed));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.numeroInterne as string;
};
const hours = (n: number, from = new Date()) => new Date(from.getTime() + n * 3600_000);

describe('registering endpoints', () => {
  it('201 with a whsec_ secret shown once; the list never shows it; audited', async () => {
    const res = await register({ url: receiver.url(), evenements: ['dossier.etat', 'facture.etat'] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^\d+$/), url: receiver.url(), evenements: ['dossier.etat', 'facture.etat'], actif: true, motifDesactivation: null });
    expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const list = await t.http.get('/v2/webhooks').set('X-API-KEY', cfa);
    expect(list.status).toBe(200);
    expect(list.body).toEqual([expect.objectContaining({ id: res.body.id, evenements: ['dossier.etat', 'facture.etat'] })]);
    expect(JSON.stringify(list.body)).not.toContain('whsec_');
    expect(await t.db('audit_ecritures').where({ action: 'WEBHOOK_CREE', objet_id: res.body.id }).first('siren')).toEqual({ siren: FIXTURE_CFA_SIREN });
    // No `evenements`: every event.
    expect((await register({ url: receiver.url('/all') })).body.evenements).toBeNull();
    expect(t.logs.text).not.toContain(res.body.secret);
  });

  it('400 in the norm\'s shape, every error at once: http, private and loopback addresses, unknown event types (production rule)', async () => {
    const res = await register({ url: 'http://erp.example.org/hook', evenements: ['dossier.etat', 'dossier.inconnu'] }, cfa, strict);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { code: string; champ: string }) => [e.code, e.champ])).toEqual([['URL_WEBHOOK_INVALIDE', '/url'], ['EVENEMENT_INCONNU', '/evenements/1']]);
    for (const url of ['https://127.0.0.1/hook', 'https://10.0.0.8/hook', 'https://169.254.169.254/', 'https://[::1]/', 'https://localhost/x', 'pas une url']) {
      const refused = await register({ url }, cfa, strict);
      expect(refused.status, url).toBe(400);
      expect(refused.body.errors[0]).toMatchObject({ code: 'URL_WEBHOOK_INVALIDE', champ: '/url' });
    }
    expect((await register({ url: 'https://erp.example.org/hook' }, cfa, strict)).status).toBe(201);
    expect((await register({ evenements: [] }, cfa, strict)).status).toBe(400);
    // At most 10 endpoints per owner.
    for (let i = 1; i < 10; i += 1) expect((await register({ url: `https://erp.example.org/hook/${i}` }, cfa, strict)).status).toBe(201);
    const eleventh = await register({ url: 'https://erp.example.org/hook/11' }, cfa, strict);
    expect(eleventh.status).toBe(409);
    expect(eleventh.body.errors[0].code).toBe('WEBHOOKS_TROP_NOMBREUX');
    expect((await register({ url: 'https://erp.example.org/hook/11' }, otherCfa, strict)).status).toBe(201);
  });

  it('another CFA\'s endpoint answers exactly like a missing one (404), on every route; lists are per owner; an employer has its own', async () => {
    const mine = (await register({ url: receiver.url() })).body.id as string;
    const theirs = (await register({ url: receiver.url('/other') }, otherCfa)).body.id as string;
    const employer = await register({ url: receiver.url('/ent') }, entreprise);
    expect(employer.status).toBe(201);
    expect((await t.http.get('/v2/webhooks').set('X-API-KEY', cfa)).body.map((w: { id: string }) => w.id)).toEqual([mine]);
    expect((await t.http.get('/v2/webhooks').set('X-API-KEY', otherCfa)).body.map((w: { id: string }) => w.id)).toEqual([theirs]);
    expect((await t.http.get('/v2/webhooks').set('X-API-KEY', entreprise)).body.map((w: { id: string }) => w.id)).toEqual([employer.body.id]);
    for (const id of [theirs, '999999']) {
      const answers = await Promise.all([
        t.http.patch(`/v2/webhooks/${id}`).set('X-API-KEY', cfa).send({ actif: false }),
        t.http.delete(`/v2/webhooks/${id}`).set('X-API-KEY', cfa),
        t.http.post(`/v2/webhooks/${id}/test`).set('X-API-KEY', cfa),
        t.http.post(`/v2/webhooks/${id}/rotation`).set('X-API-KEY', cfa),
        t.http.get(`/v2/webhooks/${id}/livraisons`).set('X-API-KEY', cfa),
        t.http.post(`/v2/webhooks/${id}/rejeu`).set('X-API-KEY', cfa).send({ depuis: '2026-01-01T00:00:00Z' }),
        t.http.post(`/v2/webhooks/${id}/livraisons/1/rejeu`).set('X-API-KEY', cfa),
      ]);
      for (const a of answers) {
        expect(a.status).toBe(404);
        expect(a.body.errors).toEqual([expect.objectContaining({ code: 'WEBHOOK_INTROUVABLE', description: `Aucun webhook ${id} pour cette clé.` })]);
      }
    }
    // The other CFA's endpoint is untouched.
    expect((await t.http.get('/v2/webhooks').set('X-API-KEY', otherCfa)).body[0]).toMatchObject({ id: theirs, actif: true });
    expect((await t.http.get('/v2/webhooks').set('X-API-KEY', opco)).status).toBe(403);
    expect((await t.http.delete(`/v2/webhooks/${mine}`).set('X-API-KEY', cfa)).status).toBe(204);
    expect((await t.http.get('/v2/webhooks').set('X-API-KEY', cfa)).body).toEqual([]);
  });
});

describe('events and signatures', () => {
  it('a pushed dossier reaches the CFA\'s endpoint signed (library verifier and hand-computed HMAC), with ids and the feed cursor only; the other CFA gets nothing', async () => {
    const created = (await register({ url: receiver.url() })).body as { id: string; secret: string };
    await register({ url: receiver.url('/other') }, otherCfa);
    const numeroInterne = await pushDossier();
    const report = await deliver();
    expect(report).toMatchObject({ envoyees: 1, livrees: 1, echecs: 0 });
    const [got] = receiver.on('/hook');
    expect(receiver.on('/other')).toEqual([]);
    if (!got) throw new Error('nothing received');
    expect(got.json).toEqual({ type: 'dossier.etat', timestamp: expect.any(String), data: { numeroInterne, etat: 'TRANSMIS', curseur: expect.stringMatching(/^\d+\.\d+$/) } });
    // The library's own verifier accepts it…
    expect(new Webhook(created.secret).verify(got.body, got.headers)).toEqual(got.json);
    // …and the signature is the HMAC-SHA256 of id.timestamp.body under the secret's bytes.
    expect(got.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(got.headers['webhook-signature']).toBe(handSignature(created.secret, got.headers['webhook-id']!, got.headers['webhook-timestamp']!, got.body));
    expect(Math.abs(Number(got.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    // A tampered body or another secret fails verification.
    expect(() => new Webhook(created.secret).verify(got.body.replace('TRANSMIS', 'ENGAGE'), got.headers)).toThrow();
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(got.body, got.headers)).toThrow();
    // No personal data: not the apprentice's names nor NIR.
    const apprenti = validCerfaPayload(seed).cerfa.apprenti as { nom: string; prenom: string; nir: string };
    for (const personal of [apprenti.nom, apprenti.prenom, apprenti.nir]) expect(got.body).not.toContain(personal);
    // The cursor is the feed's: reading the feed from 0 ends on it.
    // (A change shows in the feed once every older transaction of the server has ended: other test
    // files on the same PostgreSQL may hold it back a moment, so wait for it a little.)
    let end = '';
    for (let attempt = 0; attempt < 50 && end !== got.json.data.curseur; attempt += 1) {
      if (attempt) await new Promise((resolve) => setTimeout(resolve, 200));
      end = (await t.http.get('/v2/dossiers/etats').query({ depuis: '0', taillePage: 1000 }).set('X-API-KEY', cfa)).body.curseurSuivant as string;
    }
    expect(end).toBe(got.json.data.curseur);
    // Delivered once: nothing more is due.
    expect((await deliver(hours(1))).envoyees).toBe(0);
  });

  it('back-office changes emit dossier.etat, dossier.mise-en-conformite; an endpoint only gets the types it subscribed to', async () => {
    await register({ url: receiver.url('/all') });
    await register({ url: receiver.url('/conformite'), evenements: ['dossier.mise-en-conformite'] });
    const numeroInterne = await pushDossier();
    expect((await t.http.post(`/back-office/v1/dossiers/${numeroInterne}/transitions`).set('X-API-KEY', opco).send({ vers: 'EN_COURS_INSTRUCTION' })).status).toBe(200);
    expect((await t.http.post(`/back-office/v1/dossiers/${numeroInterne}/mise-en-conformite`).set('X-API-KEY', opco).send({ commentaire: 'Pièce manquante' })).status).toBe(200);
    expect((await t.http.delete(`/back-office/v1/dossiers/${numeroInterne}/mise-en-conformite`).set('X-API-KEY', opco)).status).toBe(200);
    await deliver();
    const all = receiver.on('/all').map((r) => [r.json.type, r.json.data.etat ?? r.json.data.miseEnConformite]).sort();
    expect(all).toEqual([
      ['dossier.etat', 'EN_COURS_INSTRUCTION'], ['dossier.etat', 'TRANSMIS'],
      ['dossier.mise-en-conformite', false], ['dossier.mise-en-conformite', true],
    ]);
    expect(receiver.on('/conformite').map((r) => r.json.data.miseEnConformite).sort()).toEqual([false, true]);
    // The commentaire (free text) is not in the event.
    expect(receiver.received.map((r) => r.body).join()).not.toContain('Pièce manquante');
  });

  it('the test event goes to that endpoint only, whatever it subscribes to', async () => {
    const a = (await register({ url: receiver.url('/a'), evenements: ['facture.etat'] })).body as { id: string; secret: string };
    await register({ url: receiver.url('/b') });
    const res = await t.http.post(`/v2/webhooks/${a.id}/test`).set('X-API-KEY', cfa);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ evenement: expect.stringMatching(/^\d+$/) });
    await deliver();
    expect(receiver.on('/b')).toEqual([]);
    const [got] = receiver.on('/a');
    expect(got?.json).toMatchObject({ type: 'webhook.test', data: { webhook: a.id } });
    expect(new Webhook(a.secret).verify(got!.body, got!.headers)).toBeTruthy();
    const log = await t.http.get(`/v2/webhooks/${a.id}/livraisons`).set('X-API-KEY', cfa);
    expect(log.body).toMatchObject({ total: 1, page: 1, items: [{ etat: 'LIVREE', tentatives: 1, evenement: { type: 'webhook.test', id: got!.headers['webhook-id'] }, historique: [{ succes: true, codeHttp: 200, erreur: null }] }] });
  });

  it('rotation: a new secret shown once; for 24 h both secrets sign, then only the new one', async () => {
    const created = (await register({ url: receiver.url() })).body as { id: string; secret: string };
    const rotated = await t.http.post(`/v2/webhooks/${created.id}/rotation`).set('X-API-KEY', cfa);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.secret);
    expect(JSON.stringify((await t.http.get('/v2/webhooks').set('X-API-KEY', cfa)).body)).not.toContain('whsec_');
    await t.http.post(`/v2/webhooks/${created.id}/test`).set('X-API-KEY', cfa);
    await deliver();
    const [got] = receiver.received;
    expect(got!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(rotated.body.secret).verify(got!.body, got!.headers)).toBeTruthy();
    expect(new Webhook(created.secret).verify(got!.body, got!.headers)).toBeTruthy();
    // 25 h later the old secret no longer signs.
    await t.http.post(`/v2/webhooks/${created.id}/test`).set('X-API-KEY', cfa);
    await deliver(hours(25));
    const later = receiver.received[1]!;
    expect(later.headers['webhook-signature']!.split(' ')).toEqual([handSignature(rotated.body.secret, later.headers['webhook-id']!, later.headers['webhook-timestamp']!, later.body)]);
  });
});

describe('delivery', () => {
  it('a receiver that was down gets every event once it is back: nothing lost, no duplicate webhook-id; retries keep the webhook-id', async () => {
    const created = (await register({ url: receiver.url() })).body as { id: string };
    await receiver.stop();
    const numeros = [await pushDossier(), await pushDossier(), await pushDossier()];
    const down = await deliver();
    expect(down).toMatchObject({ envoyees: 3, livrees: 0, echecs: 3 });
    // The first retry waits WEBHOOK_RETRY_BASE_SECONDS (30 s with centred jitter): not due before.
    expect((await deliver(new Date(Date.now() + 20_000))).envoyees).toBe(0);
    const pending = await t.db('webhooks_livraisons').where({ webhook_id: created.id });
    expect(pending.map((l: { etat: string; tentatives: number }) => [l.etat, l.tentatives])).toEqual([['EN_ATTENTE', 1], ['EN_ATTENTE', 1], ['EN_ATTENTE', 1]]);
    await receiver.start();
    receiver.status = 503; // up, but failing once more
    expect(await deliver(new Date(Date.now() + 60_000))).toMatchObject({ envoyees: 3, echecs: 3 });
    receiver.status = 200;
    expect(await deliver(new Date(Date.now() + 3600_000))).toMatchObject({ envoyees: 3, livrees: 3 });
    expect((await deliver(hours(30))).envoyees).toBe(0);
    const received = receiver.on('/hook');
    expect(received).toHaveLength(6);
    const ids = received.map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(3); // each event twice (503 then 200), always under its own webhook-id
    const delivered = received.slice(3);
    expect(delivered.map((r) => r.json.data.numeroInterne).sort()).toEqual([...numeros].sort());
    expect(new Set(delivered.map((r) => r.headers['webhook-id'])).size).toBe(3);
    const log = await t.http.get(`/v2/webhooks/${created.id}/livraisons`).set('X-API-KEY', cfa);
    expect(log.body.total).toBe(3);
    for (const item of log.body.items) {
      expect(item).toMatchObject({ etat: 'LIVREE', tentatives: 3, prochaineTentative: null });
      expect(item.historique.map((h: { codeHttp: number | null; erreur: string | null }) => [h.codeHttp, h.erreur])).toEqual([[null, 'ECONNREFUSED'], [503, 'HTTP_503'], [200, null]]);
    }
    expect((await t.http.get(`/v2/webhooks/${created.id}/livraisons`).query({ etat: 'EN_ATTENTE' }).set('X-API-KEY', cfa)).body.total).toBe(0);
  });

  it('after 24 h of failures without a success the endpoint is disabled; events still wait; re-enabled by its owner it gets them; a given-up delivery is replayed with its webhook-id', async () => {
    const created = (await register({ url: receiver.url() })).body as { id: string };
    receiver.status = 500;
    const first = await pushDossier();
    const start = new Date();
    let now = start;
    let attempts = 0;
    for (;;) {
      const report = await deliver(now);
      attempts += report.envoyees;
      const row = (await t.db('webhooks_livraisons').where({ webhook_id: created.id }).first()) as { etat: string; prochaine_tentative: Date | null };
      if (row.etat !== 'EN_ATTENTE') break;
      now = new Date(row.prochaine_tentative!);
      expect(attempts).toBeLessThan(30);
    }
    expect(attempts).toBeGreaterThanOrEqual(10);
    expect(now.getTime() - start.getTime()).toBeGreaterThanOrEqual(24 * 3600_000);
    const [endpoint] = (await t.http.get('/v2/webhooks').set('X-API-KEY', cfa)).body;
    expect(endpoint).toMatchObject({ id: created.id, actif: false, motifDesactivation: 'ECHECS_REPETES', desactiveLe: now.toISOString() });
    const failed = (await t.http.get(`/v2/webhooks/${created.id}/livraisons`).set('X-API-KEY', cfa)).body.items[0];
    expect(failed).toMatchObject({ etat: 'ECHEC', tentatives: attempts, prochaineTentative: null });
    expect(failed.historique).toHaveLength(attempts);

    // While disabled, a new event is kept but not sent.
    receiver.status = 200;
    receiver.received.length = 0;
    const second = await pushDossier();
    expect((await deliver(hours(1, now))).envoyees).toBe(0);
    expect(receiver.received).toEqual([]);
    const waiting = (await t.http.get(`/v2/webhooks/${created.id}/livraisons`).query({ etat: 'EN_ATTENTE' }).set('X-API-KEY', cfa)).body;
    expect(waiting).toMatchObject({ total: 1, items: [{ tentatives: 0, prochaineTentative: null }] }); // not scheduled while disabled

    const enabled = await t.http.patch(`/v2/webhooks/${created.id}`).set('X-API-KEY', cfa).send({ actif: true });
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({ actif: true, motifDesactivation: null, desactiveLe: null });
    await deliver(hours(1, now));
    expect(receiver.on('/hook').map((r) => r.json.data.numeroInterne)).toEqual([second]);

    // The given-up one, replayed: same webhook-id as every earlier attempt.
    const replay = await t.http.post(`/v2/webhooks/${created.id}/livraisons/${failed.id}/rejeu`).set('X-API-KEY', cfa);
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ etat: 'EN_ATTENTE', tentatives: 0 });
    await deliver(hours(2, now));
    const replayed = receiver.on('/hook')[1]!;
    expect(replayed.json.data.numeroInterne).toBe(first);
    expect(replayed.headers['webhook-id']).toBe(failed.evenement.id);
    expect((await t.http.post(`/v2/webhooks/${created.id}/livraisons/999999/rejeu`).set('X-API-KEY', cfa)).body.errors[0].code).toBe('LIVRAISON_INTROUVABLE');
  });

  it('the owner disables and re-enables; a short outage does not disable; replay of every event since a date', async () => {
    const created = (await register({ url: receiver.url(), evenements: ['dossier.etat'] })).body as { id: string };
    const off = await t.http.patch(`/v2/webhooks/${created.id}`).set('X-API-KEY', cfa).send({ actif: false });
    expect(off.body).toMatchObject({ actif: false, motifDesactivation: 'PROPRIETAIRE' });
    const before = new Date(); // events of earlier tests (same CFA) are older
    const numeros = [await pushDossier(), await pushDossier()];
    expect((await deliver()).envoyees).toBe(0);
    await t.http.patch(`/v2/webhooks/${created.id}`).set('X-API-KEY', cfa).send({ actif: true });
    expect(await deliver()).toMatchObject({ envoyees: 2, livrees: 2 });
    const firstIds = receiver.received.map((r) => r.headers['webhook-id']).sort();

    const replay = await t.http.post(`/v2/webhooks/${created.id}/rejeu`).set('X-API-KEY', cfa).send({ depuis: before.toISOString() });
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual({ livraisons: 2 });
    await deliver();
    expect(receiver.received.slice(2).map((r) => r.headers['webhook-id']).sort()).toEqual(firstIds);
    expect(receiver.on('/hook').slice(2).map((r) => r.json.data.numeroInterne).sort()).toEqual([...numeros].sort());
    // Nothing since now; a date in the future or not a date-time is refused.
    expect((await t.http.post(`/v2/webhooks/${created.id}/rejeu`).set('X-API-KEY', cfa).send({ depuis: new Date().toISOString() })).body).toEqual({ livraisons: 0 });
    expect((await t.http.post(`/v2/webhooks/${created.id}/rejeu`).set('X-API-KEY', cfa).send({ depuis: hours(2).toISOString() })).body.errors[0].code).toBe('DATE_FUTURE');
    expect((await t.http.post(`/v2/webhooks/${created.id}/rejeu`).set('X-API-KEY', cfa).send({ depuis: '2026-12-01' })).status).toBe(400);

    // One failure then a success: still active.
    receiver.status = 500;
    await t.http.post(`/v2/webhooks/${created.id}/test`).set('X-API-KEY', cfa);
    await deliver();
    receiver.status = 200;
    await deliver(hours(1));
    expect((await t.http.get('/v2/webhooks').set('X-API-KEY', cfa)).body[0]).toMatchObject({ actif: true, motifDesactivation: null, dernierSuccesLe: expect.any(String) });
  });

  it('a host resolving to a private address is refused at delivery time without WEBHOOK_ALLOW_PRIVATE_URLS', async () => {
    const created = (await register({ url: `http://localhost:${receiver.port}/hook` })).body as { id: string };
    await t.http.post(`/v2/webhooks/${created.id}/test`).set('X-API-KEY', cfa);
    expect(await deliverDue({ db: t.db, config: { ...t.config, webhookAllowPrivateUrls: false }, random: () => 0.5 })).toMatchObject({ envoyees: 1, echecs: 1 });
    expect(receiver.received).toEqual([]);
    const log = (await t.http.get(`/v2/webhooks/${created.id}/livraisons`).set('X-API-KEY', cfa)).body.items[0];
    expect(log.historique[0]).toMatchObject({ succes: false, codeHttp: null, erreur: 'URL_REFUSEE' });
    // The connection's own lookup refuses a name that resolves to a loopback address.
    const resolve = (allowPrivate: boolean) => new Promise<string>((done) => {
      checkedLookup(allowPrivate)('localhost', { all: true }, (err, addresses) => done(err ? String((err as NodeJS.ErrnoException).code) : JSON.stringify(addresses)));
    });
    expect(await resolve(false)).toBe('ADRESSE_PRIVEE');
    expect(await resolve(true)).toContain('"address"');
  });
});

describe('worker', () => {
  it('the server\'s loop (JOBS_ENABLED) sends what is due within about a second, and stops cleanly', async () => {
    await register({ url: receiver.url() });
    const numeroInterne = await pushDossier();
    const worker = startWebhookWorker({ db: t.db, config: t.config, logger: t.gateway.logger, metrics: t.gateway.metrics });
    try {
      for (let i = 0; i < 50 && receiver.received.length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await worker.stop();
    }
    expect(receiver.on('/hook').map((r) => r.json.data.numeroInterne)).toEqual([numeroInterne]);
    expect(await t.gateway.metrics.registry.getSingleMetricAsString('gateway_webhook_attempts_total')).toContain('gateway_webhook_attempts_total{outcome="success"} 1');
  });

  it('a receiver that does not answer in time: DELAI_DEPASSE, retried later', async () => {
    const created = (await register({ url: receiver.url() })).body as { id: string };
    receiver.hang = true;
    await t.http.post(`/v2/webhooks/${created.id}/test`).set('X-API-KEY', cfa);
    expect(await deliverDue({ ...deps(), timeoutMs: 200 })).toMatchObject({ envoyees: 1, echecs: 1 });
    const [item] = (await t.http.get(`/v2/webhooks/${created.id}/livraisons`).set('X-API-KEY', cfa)).body.items;
    expect(item).toMatchObject({ etat: 'EN_ATTENTE', tentatives: 1, historique: [{ succes: false, codeHttp: null, erreur: 'DELAI_DEPASSE' }] });
    expect(item.historique[0].dureeMs).toBeGreaterThanOrEqual(190);
  });

  it('two workers at once send each delivery once (claims skip what the other holds)', async () => {
    await register({ url: receiver.url() });
    for (let i = 0; i < 6; i += 1) await pushDossier();
    const reports = await Promise.all([deliverDue(deps(), new Date(), 4), deliverDue(deps(), new Date(), 4), deliverDue(deps(), new Date(), 4)]);
    expect(reports.reduce((n, r) => n + r.envoyees, 0)).toBe(6);
    expect(receiver.received).toHaveLength(6);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(6);
  });

  it('the purge-webhooks job forgets events after 30 days, except those still waiting', async () => {
    const job = jobDefinitions.find((j) => j.name === 'purge-webhooks');
    if (!job) throw new Error('no purge-webhooks job');
    const created = (await register({ url: receiver.url() })).body as { id: string };
    await pushDossier();
    await deliver();
    receiver.status = 500;
    await pushDossier();
    await deliver();
    const count = async () => Number(((await t.db('webhooks_livraisons').where({ webhook_id: created.id }).count({ n: '*' })) as Array<{ n: string | number }>)[0]!.n);
    expect(await count()).toBe(2);
    expect(await job.run(t.db, t.config, new Date(Date.now() + 29 * 86_400_000))).toEqual({ supprimes: 0 });
    const purged = await job.run(t.db, t.config, new Date(Date.now() + 31 * 86_400_000));
    expect(purged.supprimes).toBeGreaterThanOrEqual(1);
    expect(await count()).toBe(1); // the one still waiting stays
    expect((await t.db('webhooks_livraisons').where({ webhook_id: created.id }).first('etat'))).toEqual({ etat: 'EN_ATTENTE' });
  });
});

describe('outbox atomicity', () => {
  it('a change rolled back emits nothing; the same change committed emits one event', async () => {
    await register({ url: receiver.url() });
    const numeroInterne = await pushDossier();
    await deliver();
    receiver.received.length = 0;
    const events = async () => Number(((await t.db('webhooks_evenements').count({ n: '*' })) as Array<{ n: string | number }>)[0]!.n);
    const before = await events();
    const change = (fail: boolean) => t.db.transaction(async (trx) => {
      const d = await lockDossier(trx, numeroInterne);
      await recordDossierChange(trx, d!, { etat: 'EN_COURS_INSTRUCTION' }, { evenement: 'ETAT', etat: 'EN_COURS_INSTRUCTION', acteur: 'opco:test', commentaire: null });
      await recordEvent(trx, { role: 'cfa', siren: FIXTURE_CFA_SIREN, type: 'proposition.etat', donnees: { numeroInterne: 'P1', etat: 'SIGNEE' } });
      if (fail) throw new Error('rollback');
    });
    await expect(change(true)).rejects.toThrow('rollback');
    expect(await events()).toBe(before);
    expect((await deliver()).envoyees).toBe(0);
    await change(false);
    expect(await events()).toBe(before + 2);
    await deliver();
    expect(receiver.on('/hook').map((r) => r.json.type).sort()).toEqual(['dossier.etat', 'proposition.etat']);
  });

  it('nothing is stored for an owner without endpoints', async () => {
    const before = await t.db('webhooks_evenements').count({ n: '*' });
    await pushDossier();
    expect(await recordEvent(t.db, { role: 'entreprise', siren: ENTREPRISE_SIREN, type: 'proposition.etat', donnees: { numeroInterne: 'P2', etat: 'SIGNEE' } })).toBeUndefined();
    expect(await t.db('webhooks_evenements').count({ n: '*' })).toEqual(before);
  });
});
