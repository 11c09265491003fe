/**
 * The typed client (clients/ts) against a live gateway on an ephemeral port: keys and bearer
 * tokens, typed errors, Idempotency-Key on writes, retries on 503/429 honouring Retry-After,
 * feed and page walking, and the Standard Webhooks check for receivers.
 */
import fs from 'node:fs';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createGatewayClient, GatewayError, ok, verifyWebhook, WebhookVerificationError, type GatewayClient } from '../../clients/ts/src/index.js';
import { createClient as createVendorClient } from '../../src/db/clients.js';
import { FIXTURE_CFA_SIREN, validCerfaPayload } from '../fixtures/cerfa.js';
import { closeServer, dossierRequest, listen, settled, startLiveGateway, type LiveGateway } from './live-gateway.js';

let live: LiveGateway;
let cfaKey: string;
let opcoKey: string;
let gw: GatewayClient;

beforeAll(async () => {
  live = await startLiveGateway();
  cfaKey = await live.t.cfaKey(FIXTURE_CFA_SIREN);
  opcoKey = await live.t.opcoKey();
  gw = createGatewayClient({ baseUrl: live.baseUrl, apiKey: cfaKey, software: { editeur: 'ACME', logiciel: 'ACME-CFA', version: '4.2' } });
});

afterAll(async () => {
  await live.close();
});

async function transmit(client: GatewayClient, seed: number): Promise<string> {
  const created = await ok(client.POST('/v2/dossiers', { body: dossierRequest(seed) }));
  return created.numeroInterne;
}

describe('authentication', () => {
  it('sends the key in X-API-KEY', async () => {
    const info = await ok(gw.GET('/v2/dossiers/etats', { params: { query: { numeroPage: 1 } } }));
    expect(info).toMatchObject({ total: 0 });
  });

  it('fetches a bearer token with client credentials, and throws 401 for a bad one', async () => {
    const credentials = await createVendorClient(live.t.db, 'ACME ERP');
    const seen: string[] = [];
    const vendor = createGatewayClient({
      baseUrl: live.baseUrl, apiKey: cfaKey, bearer: credentials,
      fetch: (request) => { seen.push(`${request.method} ${new URL(request.url).pathname} ${request.headers.get('authorization')?.slice(0, 10) ?? '-'}`); return fetch(request); },
    });
    await ok(vendor.GET('/v2/dossiers/etats', { params: { query: { numeroPage: 1 } } }));
    await ok(vendor.GET('/v2/dossiers/etats', { params: { query: { numeroPage: 1 } } }));
    // One token request, then both calls with it.
    expect(seen).toEqual(['POST /oauth/token -', 'GET /v2/dossiers/etats Bearer at_', 'GET /v2/dossiers/etats Bearer at_']);
    // A token the gateway no longer knows: one 401, a new token, the call again.
    await live.t.db('jetons_acces').del();
    seen.length = 0;
    await ok(vendor.GET('/v2/dossiers/etats', { params: { query: { numeroPage: 1 } } }));
    expect(seen).toEqual(['GET /v2/dossiers/etats Bearer at_', 'POST /oauth/token -', 'GET /v2/dossiers/etats Bearer at_']);

    const forged = createGatewayClient({ baseUrl: live.baseUrl, apiKey: cfaKey, bearer: 'at_forged' });
    const err = await forged.GET('/v2/dossiers/etats', { params: { query: { numeroPage: 1 } } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ status: 401 });
  });

  it('turns a refused key into a GatewayError with the code and the request id', async () => {
    const stranger = createGatewayClient({ baseUrl: live.baseUrl, apiKey: 'cfa_unknown' });
    const err = await stranger.GET('/v2/dossiers/etats', { params: { query: { numeroPage: 1 } } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    if (!(err instanceof GatewayError)) return;
    expect(err.status).toBe(403);
    expect(err.code).toBe('CLE_API_INVALIDE');
    expect(err.requestId).toMatch(/.+/);
    expect(err.body).toMatchObject({ instance: err.requestId });
  });
});

describe('typed errors', () => {
  it('carries every error of an invalid CERFA with its pointer', async () => {
    // What a loosely typed ERP sends: through send(), the same pipeline without the contract's types.
    const { cerfa } = validCerfaPayload(2);
    const invalid = { cerfa: { ...cerfa, employeur: { ...(cerfa.employeur as object), siret: '123' }, apprenti: { ...(cerfa.apprenti as object), nir: 'x' } } };
    const err = await gw.send(new Request(`${live.baseUrl}/v2/dossiers`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(invalid) })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    if (!(err instanceof GatewayError)) return;
    expect(err.status).toBe(400);
    expect(err.errors.length).toBeGreaterThanOrEqual(2);
    expect(err.errors.map((e) => e.champ)).toEqual(expect.arrayContaining(['/cerfa/employeur/siret', '/cerfa/apprenti/nir']));
    expect(err.errors[0]?.description).toMatch(/[a-zé]/);
  });

  it('answers 404 for another CFA’s dossier, typed', async () => {
    const err = await gw.GET('/v2/dossiers', { params: { query: { numeroInterne: '000000000000' } } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 404, code: 'DOSSIER_INTROUVABLE' });
  });
});

describe('idempotency', () => {
  it('puts an Idempotency-Key on writes and none on reads', async () => {
    const keys: Array<[string, string | null]> = [];
    const spy = createGatewayClient({ baseUrl: live.baseUrl, apiKey: cfaKey, fetch: (r) => { keys.push([r.method, r.headers.get('idempotency-key')]); return fetch(r); } });
    await transmit(spy, 3);
    await ok(spy.GET('/v2/dossiers/etats', { params: { query: { numeroPage: 1 } } }));
    expect(keys[0]?.[0]).toBe('POST');
    expect(keys[0]?.[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toEqual(['GET', null]);
  });

  it('replays the first answer for the same key, and refuses the key with another body', async () => {
    const fixed = createGatewayClient({ baseUrl: live.baseUrl, apiKey: cfaKey, newIdempotencyKey: () => 'contrat-local-42' });
    const first = await fixed.POST('/v2/dossiers', { body: dossierRequest(4) });
    const again = await fixed.POST('/v2/dossiers', { body: dossierRequest(4) });
    expect(again.response.headers.get('idempotent-replayed')).toBe('true');
    expect(again.data?.numeroInterne).toBe(first.data?.numeroInterne);
    const err = await fixed.POST('/v2/dossiers', { body: dossierRequest(5) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUTILISEE' });
  });
});

describe('retries', () => {
  /** A proxy in front of the live gateway that answers the scripted refusals first, then forwards. */
  async function flakyProxy(script: Array<{ status: number; retryAfter?: string }>) {
    const attempts: Array<{ method: string; key: string | undefined }> = [];
    const { server, url } = await listen(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      attempts.push({ method: req.method ?? '', key: req.headers['idempotency-key'] as string | undefined });
      const refusal = script.shift();
      if (refusal) {
        res.writeHead(refusal.status, { 'Content-Type': 'application/json', ...(refusal.retryAfter ? { 'Retry-After': refusal.retryAfter } : {}), 'X-Request-Id': 'proxy-1' });
        res.end(JSON.stringify({ errors: [{ code: refusal.status === 429 ? 'TROP_DE_REQUETES' : 'SERVICE_INDISPONIBLE', description: 'Réessayez plus tard.' }] }));
        return;
      }
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers.set(k, v);
      const upstream = await fetch(`${live.baseUrl}${req.url ?? '/'}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
      res.writeHead(upstream.status, { 'Content-Type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    });
    return { url, attempts, close: () => closeServer(server) };
  }

  it('waits what Retry-After says on 503 and 429, then succeeds with the same Idempotency-Key', async () => {
    const proxy = await flakyProxy([{ status: 503, retryAfter: '5' }, { status: 429, retryAfter: '2' }]);
    const waits: number[] = [];
    const client = createGatewayClient({ baseUrl: proxy.url, apiKey: cfaKey, retry: { sleep: async (ms) => { waits.push(ms); } } });
    try {
      const numeroInterne = await transmit(client, 6);
      expect(numeroInterne).toMatch(/^\d{12}$/);
      expect(waits).toEqual([5000, 2000]);
      expect(proxy.attempts).toHaveLength(3);
      expect(new Set(proxy.attempts.map((a) => a.key)).size).toBe(1);
      expect(proxy.attempts[0]?.key).toMatch(/.+/);
    } finally {
      await proxy.close();
    }
  });

  it('is bounded: gives up after its retries, and never waits beyond maxDelayMs', async () => {
    const proxy = await flakyProxy([{ status: 503, retryAfter: '1' }, { status: 503, retryAfter: '1' }, { status: 429, retryAfter: '3600' }]);
    const waits: number[] = [];
    const client = createGatewayClient({ baseUrl: proxy.url, apiKey: cfaKey, retry: { retries: 1, sleep: async (ms) => { waits.push(ms); } } });
    try {
      const err = await client.GET('/v2/dossiers/etats', { params: { query: { numeroPage: 1 } } }).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 503, code: 'SERVICE_INDISPONIBLE', retryAfterSeconds: 1, requestId: 'proxy-1' });
      expect(waits).toEqual([1000]);
      const patient = createGatewayClient({ baseUrl: proxy.url, apiKey: cfaKey, retry: { sleep: async (ms) => { waits.push(ms); } } });
      const tooLong = await patient.GET('/v2/dossiers/etats', { params: { query: { numeroPage: 1 } } }).catch((e: unknown) => e);
      expect(tooLong).toMatchObject({ status: 429, retryAfterSeconds: 3600 });
      expect(waits).toEqual([1000]);
    } finally {
      await proxy.close();
    }
  });

  it('backs off with jitter when no Retry-After is given', async () => {
    const proxy = await flakyProxy([{ status: 503 }, { status: 503 }]);
    const waits: number[] = [];
    const client = createGatewayClient({ baseUrl: proxy.url, apiKey: cfaKey, retry: { baseDelayMs: 100, sleep: async (ms) => { waits.push(ms); } } });
    try {
      await ok(client.GET('/v2/dossiers/etats', { params: { query: { numeroPage: 1 } } }));
      expect(waits).toHaveLength(2);
      expect(waits[0]).toBeGreaterThanOrEqual(50);
      expect(waits[0]).toBeLessThanOrEqual(100);
      expect(waits[1]).toBeGreaterThanOrEqual(100);
      expect(waits[1]).toBeLessThanOrEqual(200);
    } finally {
      await proxy.close();
    }
  });
});

describe('walking feeds and pages', () => {
  it('walks the dossier feed batch by batch, then resumes from the saved cursor', async () => {
    const other = createGatewayClient({ baseUrl: live.baseUrl, apiKey: await live.t.cfaKey(FIXTURE_CFA_SIREN) });
    const start = await ok(other.GET('/v2/dossiers/etats', { params: { query: { numeroPage: 1, taillePage: 1 } } }));
    const before = 'total' in start ? start.total : 0;
    const created: string[] = [];
    for (const seed of [11, 12, 13]) created.push(await transmit(other, seed));
    await settled(live.t.db);

    const batches: string[][] = [];
    let cursor = '0';
    for await (const batch of other.dossierChanges('0', 2)) {
      batches.push(batch.items.map((i) => i.numeroInterne));
      cursor = batch.curseurSuivant;
    }
    const all = batches.flat();
    expect(all).toHaveLength(before + 3);
    expect(new Set(all).size).toBe(all.length);
    expect(all.slice(-3)).toEqual(created);
    expect(batches.length).toBe(Math.ceil((before + 3) / 2) + ((before + 3) % 2 === 0 ? 1 : 0));

    // Nothing new: one empty answer. Then one change: exactly that dossier, in its new state.
    const idle: string[] = [];
    for await (const batch of other.dossierChanges(cursor)) idle.push(...batch.items.map((i) => i.numeroInterne));
    expect(idle).toEqual([]);
    const moved = await fetch(`${live.baseUrl}/back-office/v1/dossiers/${created[1]}/transitions`, {
      method: 'POST', headers: { 'X-API-KEY': opcoKey, 'Content-Type': 'application/json' }, body: JSON.stringify({ vers: 'EN_COURS_INSTRUCTION' }),
    });
    expect(moved.status).toBe(200);
    await settled(live.t.db);
    const changes: Array<[string, string]> = [];
    for await (const batch of other.dossierChanges(cursor)) changes.push(...batch.items.map((i): [string, string] => [i.numeroInterne, i.etat]));
    expect(changes).toEqual([[created[1], 'EN_COURS_INSTRUCTION']]);
  });

  it('walks numbered pages until the total', async () => {
    await settled(live.t.db);
    const seen: string[] = [];
    let total = 0;
    let pages = 0;
    for await (const page of gw.pages((numeroPage) => gw.GET('/v2/dossiers/etats', { params: { query: { numeroPage, taillePage: 2 } } }))) {
      pages += 1;
      total = page.total;
      seen.push(...page.EtatDossierResult.map((d) => d.numeroInterne));
    }
    expect(total).toBeGreaterThanOrEqual(5);
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(pages).toBe(Math.ceil(total / 2));
  });

  it('walks the invoice feed (empty for a CFA without invoices)', async () => {
    const batches = [];
    for await (const batch of gw.factureChanges('0')) batches.push(batch);
    expect(batches).toEqual([{ items: [], curseurSuivant: '0', plusDeResultats: false }]);
  });
});

describe('webhook verification', () => {
  // The Standard Webhooks specification's test vector.
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const headers = {
    'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    'webhook-timestamp': '1614265330',
    'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  };
  const body = '{"test": 2432232314}';

  it('accepts the known vector at its time, and refuses a tampered body, a wrong secret, a stale timestamp', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(1614265330 * 1000 + 10_000);
      expect(verifyWebhook(secret, headers, body)).toEqual({ test: 2432232314 });
      expect(verifyWebhook(secret, new Headers(headers), Buffer.from(body))).toEqual({ test: 2432232314 });
      expect(() => verifyWebhook(secret, headers, '{"test": 2432232315}')).toThrow(WebhookVerificationError);
      expect(() => verifyWebhook('whsec_' + Buffer.from('another secret').toString('base64'), headers, body)).toThrow(WebhookVerificationError);
      expect(() => verifyWebhook(secret, { ...headers, 'webhook-signature': undefined }, body)).toThrow(WebhookVerificationError);
      vi.setSystemTime(1614265330 * 1000 + 6 * 60_000);
      expect(() => verifyWebhook(secret, headers, body)).toThrow(WebhookVerificationError);
    } finally {
      vi.useRealTimers();
    }
  });

  it('accepts what the library signs now (Node headers, mixed case)', () => {
    const signer = new Webhook(secret);
    const payload = JSON.stringify({ type: 'dossier.etat', timestamp: new Date().toISOString(), data: { numeroInterne: '123456789012', curseur: '1.1' } });
    const at = new Date();
    const signature = signer.sign('msg_1', at, payload);
    const received = { 'Webhook-Id': 'msg_1', 'Webhook-Timestamp': String(Math.floor(at.getTime() / 1000)), 'Webhook-Signature': signature };
    expect(verifyWebhook(secret, received, payload)).toMatchObject({ type: 'dossier.etat' });
  });
});

describe('generated types', () => {
  it('clients/ts/src/schema.d.ts is the served contract’s (run `npm run generate -w clients/ts`)', async () => {
    const committed = fs.readFileSync(new URL('../../clients/ts/src/schema.d.ts', import.meta.url), 'utf8');
    const [header, ...rest] = committed.split('\n');
    expect(header).toMatch(/^\/\* Generated by openapi-typescript/);
    expect(rest.join('\n')).toBe(astToString(await openapiTS(new URL('../../contracts/openapi.json', import.meta.url))));
  }, 30_000);
});
