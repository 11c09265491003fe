/**
 * The sync example (examples/erp-sync) end to end against a live gateway: a contract pushed from
 * the local store, engaged, invoiced and paid, read back by the job through its feeds — across
 * restarts and simulated crashes, without a change missed or applied twice — and signed webhooks
 * waking it up.
 *
 * The OPCO is played through the back-office routes (`opcoByBackOffice`) for the crash cases, and
 * by the sandbox's simulator (SANDBOX=true gateway) for the vendor's quick-start path.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createGatewayClient, ok, type GatewayClient } from '@convergence-gateway/client';
import { journal, JsonStore, type StoreData } from '../../examples/erp-sync/src/store.js';
import { ErpSync } from '../../examples/erp-sync/src/sync.js';
import { webhookReceiver } from '../../examples/erp-sync/src/webhooks.js';
import { importNpecRows } from '../../src/db/financing.js';
import { FIXTURE_CFA_SIREN, FIXTURE_CFA_SIRET } from '../fixtures/cerfa.js';
import { closeServer, dossierRequest, listen, settled, startLiveGateway, type LiveGateway } from '../client/live-gateway.js';

/** Whoever plays the OPCO: here its back office, by hand; later the sandbox's simulator. */
interface Opco {
  engage(numeroInterne: string): Promise<void>;
  validateAndPay(numeroInterneFacture: string, montantEuros: number): Promise<void>;
}

function opcoByBackOffice(backOffice: GatewayClient): Opco {
  return {
    async engage(numeroInterne) {
      for (const vers of ['EN_COURS_INSTRUCTION', 'ENGAGE']) {
        await ok(backOffice.POST('/back-office/v1/dossiers/{numeroInterne}/transitions', { params: { path: { numeroInterne } }, body: { vers } }));
      }
    },
    async validateAndPay(numeroInterneFacture, montantEuros) {
      await ok(backOffice.POST('/back-office/v1/factures/{numeroInterneFacture}/transitions', { params: { path: { numeroInterneFacture } }, body: { vers: 'VALIDEE' } }));
      await ok(backOffice.POST('/back-office/v1/reglements', { body: { referenceVirement: `VIR-${numeroInterneFacture}`, dateReglement: '2026-11-20', lignes: [{ numeroInterneFacture, montant: montantEuros }] } }));
    },
  };
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');
const SECRET = `whsec_${Buffer.from('erp-sync test secret, 32 bytes!!').toString('base64')}`;

let live: LiveGateway;
let cfa: GatewayClient;
let opco: Opco;
let dir: string;

beforeAll(async () => {
  live = await startLiveGateway();
  await importNpecRows(live.t.db, [{ rncp: '35340', idcc: '1486', npecCents: 800_000, dateEffet: '2024-07-15' }]);
  cfa = createGatewayClient({ baseUrl: live.baseUrl, apiKey: await live.t.cfaKey(FIXTURE_CFA_SIREN) });
  opco = opcoByBackOffice(createGatewayClient({ baseUrl: live.baseUrl, apiKey: await live.t.opcoKey() }));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'erp-sync-'));
});

afterAll(async () => {
  await live.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A store that fails (like a crash) at the first commit `when` matches, and only then. */
function crashingStore(file: string, when: (draft: StoreData) => boolean): JsonStore {
  let crashed = false;
  return new JsonStore(file, {
    beforeCommit(draft) {
      if (!crashed && when(draft)) {
        crashed = true;
        throw new Error('crash simulé');
      }
    },
  });
}

function expectNoChangeTwice(data: StoreData): void {
  const keys = data.journal.map((l) => `${l.objet}:${l.id}:${l.version}`);
  expect(new Set(keys).size).toBe(keys.length);
}

describe('erp-sync example', () => {
  it('push → engaged → invoiced → paid, across restarts and crashes, each change applied once', async () => {
    const file = path.join(dir, 'flow.json');
    const seed = 21;
    const contrat = await new JsonStore(file).addContrat(dossierRequest(seed).cerfa);

    // 1. Pushed — but the process dies after the gateway's answer, before it is saved.
    const crashOnPush = crashingStore(file, (d) => d.contrats.some((c) => c.numeroInterne));
    await expect(new ErpSync({ client: cfa, store: crashOnPush }).run()).rejects.toThrow('crash simulé');
    expect(new JsonStore(file).snapshot().contrats[0]?.numeroInterne).toBeUndefined();
    await settled(live.t.db);
    // After the restart, the same Idempotency-Key gets the same dossier back: one dossier at the gateway.
    const first = await new ErpSync({ client: cfa, store: new JsonStore(file) }).run();
    expect(first).toMatchObject({ pousses: 1, refuses: 0, dossiers: 1 });
    let data = new JsonStore(file).snapshot();
    const numeroInterne = data.contrats[0]?.numeroInterne ?? '';
    expect(numeroInterne).toMatch(/^\d{12}$/);
    expect(data.contrats[0]?.id).toBe(contrat.id);
    expect(data.dossiers[numeroInterne]?.etat).toBe('TRANSMIS');
    const atGateway = await ok(cfa.GET('/v2/dossiers/etats', { params: { query: { numeroPage: 1 } } }));
    expect('total' in atGateway && atGateway.total).toBe(1);

    // 2. Engaged by the OPCO; the run that reads it dies before saving; the next one applies it once.
    await opco.engage(numeroInterne);
    await settled(live.t.db);
    const crashOnPull = crashingStore(file, (d) => d.dossiers[numeroInterne]?.etat === 'ENGAGE');
    await expect(new ErpSync({ client: cfa, store: crashOnPull }).run()).rejects.toThrow('crash simulé');
    expect(new JsonStore(file).snapshot().dossiers[numeroInterne]?.etat).toBe('TRANSMIS');
    const second = await new ErpSync({ client: cfa, store: new JsonStore(file) }).run();
    expect(second).toMatchObject({ pousses: 0, dossiers: 1, factures: 0, reglements: 0 });
    expect(new JsonStore(file).snapshot().dossiers[numeroInterne]?.etat).toBe('ENGAGE');

    // 3. The ERP invoices the first échéance (A1, 3 200 €).
    const deposited = await ok(cfa.POST('/v1/factures', {
      body: {
        facture: {
          numero: 'FAC-ERP-1', dateEmission: '2026-10-01', montantTotal: 3200, ibanEmetteur: 'FR7630006000011234567890189', siretEmetteur: FIXTURE_CFA_SIRET,
          estCertificatRealisation: false, lignes: [{ numeroInterneDossier: numeroInterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 3200 }],
        },
        _files: { facture: PDF.toString('base64') },
      },
    }));
    const n = deposited.numeroInterneFacture;
    await settled(live.t.db);
    const job = new ErpSync({ client: cfa, store: new JsonStore(file) });
    expect(await job.run()).toMatchObject({ factures: 1, reglements: 0 });
    expect(new JsonStore(file).snapshot().factures[n]).toMatchObject({ etat: 'TRANSMIS', montantCents: 320_000, dossiers: [numeroInterne] });

    // 4. Validated and paid; the payment's page is read after a crash in the middle of the run.
    await opco.validateAndPay(n, 3200);
    await settled(live.t.db);
    const crashOnPayment = crashingStore(file, (d) => Object.keys(d.reglements).length > 0);
    await expect(new ErpSync({ client: cfa, store: crashOnPayment }).run()).rejects.toThrow('crash simulé');
    const third = await new ErpSync({ client: cfa, store: new JsonStore(file) }).run();
    expect(third).toMatchObject({ dossiers: 0, factures: 0, reglements: 1 });
    data = new JsonStore(file).snapshot();
    expect(data.factures[n]?.etat).toBe('REGLE');
    expect(Object.values(data.reglements)).toEqual([
      expect.objectContaining({ referenceVirement: `VIR-${n}`, montantCents: 320_000, factures: [{ numeroInterneFacture: n, montantCents: 320_000 }] }),
    ]);

    // 5. Nothing more to read: a new process applies nothing; every change is in the journal once.
    expect(await new ErpSync({ client: cfa, store: new JsonStore(file) }).run()).toEqual({ pousses: 0, refuses: 0, dossiers: 0, factures: 0, reglements: 0 });
    data = new JsonStore(file).snapshot();
    expectNoChangeTwice(data);
    expect(data.journal.map((l) => `${l.objet} ${l.etat}`)).toEqual(['dossier TRANSMIS', 'dossier ENGAGE', 'facture TRANSMIS', 'facture REGLE', 'reglement RECU']);
  });

  it('keeps a refused contract with its errors and does not send it again', async () => {
    const file = path.join(dir, 'refused.json');
    const store = new JsonStore(file);
    const { cerfa } = dossierRequest(22);
    await store.addContrat({ ...cerfa, contrat: { ...cerfa.contrat, dateDebutContrat: '2031-01-01' } });
    const job = new ErpSync({ client: cfa, store });
    expect(await job.run()).toMatchObject({ pousses: 0, refuses: 1 });
    const [kept] = store.snapshot().contrats;
    expect(kept?.numeroInterne).toBeUndefined();
    // Every error the gateway found, with its field: what the ERP shows its user to correct.
    expect(kept?.erreurs?.length).toBeGreaterThan(1);
    for (const e of kept?.erreurs ?? []) expect(e).toMatchObject({ code: expect.stringMatching(/^[A-Z_]+$/), champ: expect.stringMatching(/^\/cerfa\//) });
    expect(await job.run()).toMatchObject({ pousses: 0, refuses: 0 });

    // A revoked or unknown key stops the run; the contract is not marked refused for it.
    const other = await store.addContrat(dossierRequest(23).cerfa);
    const stranger = createGatewayClient({ baseUrl: live.baseUrl, apiKey: 'cfa_unknown' });
    await expect(new ErpSync({ client: stranger, store }).run()).rejects.toMatchObject({ status: 403, code: 'CLE_API_INVALIDE' });
    expect(store.snapshot().contrats.find((c) => c.id === other.id)).not.toHaveProperty('erreurs');
  });

  it('refuses a store file that is not its own, and keeps the last good state when a write fails', async () => {
    const foreign = path.join(dir, 'foreign.json');
    fs.writeFileSync(foreign, JSON.stringify({ contrats: [], curseurs: { dossiers: 5 } }));
    expect(() => new JsonStore(foreign)).toThrow('n’est pas un magasin erp-sync');
    const file = path.join(dir, 'atomic.json');
    const store = crashingStore(file, (d) => d.curseurs.dossiers === '9.9');
    await store.transaction((d) => { d.curseurs.dossiers = '1.1'; });
    await expect(store.transaction((d) => { d.curseurs.dossiers = '9.9'; journal(d, { objet: 'dossier', id: 'x', etat: 'ENGAGE', version: 'v' }); })).rejects.toThrow('crash simulé');
    for (const s of [store.snapshot(), new JsonStore(file).snapshot()]) {
      expect(s.curseurs.dossiers).toBe('1.1');
      expect(s.journal).toEqual([]);
    }
  });

  it('receives signed webhooks: a bad signature is refused, a new event wakes the job, a redelivery does not', async () => {
    const store = new JsonStore(path.join(dir, 'webhooks.json'));
    const woken: string[] = [];
    const { server, url } = await listen(webhookReceiver({ secret: SECRET, store, onEvent: (type) => woken.push(type) }));
    const signer = new Webhook(SECRET);
    const deliver = (id: string, payload: string, signature?: string) => {
      const at = new Date();
      return fetch(`${url}/webhooks`, {
        method: 'POST', body: payload,
        headers: { 'Content-Type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature ?? signer.sign(id, at, payload) },
      });
    };
    try {
      const event = JSON.stringify({ type: 'dossier.etat', timestamp: new Date().toISOString(), data: { numeroInterne: '123456789012', curseur: '1.1' } });
      expect((await deliver('msg_1', event, 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=')).status).toBe(401);
      expect(woken).toEqual([]);
      expect((await deliver('msg_1', event)).status).toBe(204);
      expect((await deliver('msg_1', event)).status).toBe(204);
      expect((await deliver('msg_2', event)).status).toBe(204);
      expect(woken).toEqual(['dossier.etat', 'dossier.etat']);
      expect(new JsonStore(store.file).snapshot().webhooksRecus).toEqual(['msg_1', 'msg_2']);
    } finally {
      await closeServer(server);
    }
  });
});

// The vendor's quick start: the same job against a sandbox gateway, where the simulator plays the
// OPCO (X-Sandbox-Scenario `engagement` by default). `POST /sandbox/v1/horloge {"jours": 0}` makes
// it take one pass at once instead of waiting for its loop.
describe('erp-sync example against a sandbox gateway', () => {
  let sandbox: LiveGateway;
  let client: GatewayClient;
  beforeAll(async () => {
    sandbox = await startLiveGateway({ SANDBOX: 'true', SANDBOX_DELAY_SECONDS: '0' });
    client = createGatewayClient({ baseUrl: sandbox.baseUrl, apiKey: await sandbox.t.cfaKey(FIXTURE_CFA_SIREN) });
  });
  afterAll(async () => sandbox.close());

  /** Simulator passes until the job's store shows what is expected (a few passes: one step each). */
  async function passesUntil(job: ErpSync, file: string, reached: (d: StoreData) => boolean): Promise<void> {
    for (let pass = 0; pass < 6 && !reached(new JsonStore(file).snapshot()); pass += 1) {
      await ok(client.POST('/sandbox/v1/horloge', { body: { jours: 0 } }));
      await settled(sandbox.t.db);
      await job.run();
    }
    expect(reached(new JsonStore(file).snapshot())).toBe(true);
  }

  it('push → engaged → invoiced → paid, the OPCO played by the sandbox', async () => {
    const file = path.join(dir, 'sandbox.json');
    await new JsonStore(file).addContrat(dossierRequest(31).cerfa);
    const job = new ErpSync({ client, store: new JsonStore(file) });
    expect(await job.run()).toMatchObject({ pousses: 1, refuses: 0 });
    const numeroInterne = new JsonStore(file).snapshot().contrats[0]?.numeroInterne ?? '';
    await passesUntil(job, file, (d) => d.dossiers[numeroInterne]?.etat === 'ENGAGE');

    const deposited = await ok(client.POST('/v1/factures', {
      body: {
        facture: {
          numero: 'FAC-SBX-1', dateEmission: '2026-10-01', montantTotal: 3200, ibanEmetteur: 'FR7630006000011234567890189', siretEmetteur: FIXTURE_CFA_SIRET,
          estCertificatRealisation: false, lignes: [{ numeroInterneDossier: numeroInterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 3200 }],
        },
        _files: { facture: PDF.toString('base64') },
      },
    }));
    const n = deposited.numeroInterneFacture;
    await passesUntil(job, file, (d) => d.factures[n]?.etat === 'REGLE' && Object.keys(d.reglements).length === 1);
    const data = new JsonStore(file).snapshot();
    expect(Object.values(data.reglements)).toEqual([expect.objectContaining({ factures: [{ numeroInterneFacture: n, montantCents: 320_000 }] })]);
    expectNoChangeTwice(data);
  });
});
