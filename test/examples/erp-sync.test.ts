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
import { createGatewayClient, ok, type GatewayClient, type Schemas } from '@convergence-gateway/client';
import { journal, JsonStore, type StoreData } from '../../examples/erp-sync/src/store.js';
import { invoiceDossier, invoiceLines, samplePdf } from '../../examples/erp-sync/src/invoice.js';
import { ErpSync } from '../../examples/erp-sync/src/sync.js';
import { webhookReceiver } from '../../examples/erp-sync/src/webhooks.js';
import { importNpecRows } from '../../src/db/financing.js';
import { FIXTURE_CFA_SIREN, FIXTURE_CFA_SIRET } from '../fixtures/cerfa.js';
import { IBAN, OTHER_SIREN } from '../http/factures-fixture.js';
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

  it('push → engaged → invoiced (the invoice command) → paid, the OPCO played by the sandbox', async () => {
    const file = path.join(dir, 'sandbox.json');
    await new JsonStore(file).addContrat(dossierRequest(31).cerfa);
    const logged: string[] = [];
    const job = new ErpSync({ client, store: new JsonStore(file), log: { info: (m) => logged.push(m), error: (m) => logged.push(m) } });
    expect(await job.run()).toMatchObject({ pousses: 1, refuses: 0 });
    const numeroInterne = new JsonStore(file).snapshot().contrats[0]?.numeroInterne ?? '';
    await passesUntil(job, file, (d) => d.dossiers[numeroInterne]?.etat === 'ENGAGE');

    // `npm run invoice -- <numeroInterne>`: what is left on the open échéances, at the sandbox's date,
    // with the sample PDF. The fixture's advances (A1 3 200 €, and A5 3 200 € once open on
    // 2026-09-01) need no certificate; the others do and are left out.
    const { aujourdHui } = await ok(client.GET('/sandbox/v1/horloge'));
    const advances = (await ok(client.GET('/v2/dossiers', { params: { query: { numeroInterne } } }))).echeances
      .filter((e) => e.type === 'AVANCE' && e.dateOuverture <= aujourdHui);
    expect(advances.map((e) => e.codification)).toContain('A1');
    const invoiced = await invoiceDossier(client, { numeroInterne, iban: IBAN });
    const total = 3200 * advances.length;
    expect(invoiced).toMatchObject({
      numeroInterneFacture: expect.stringMatching(/^\d{12}$/), etat: 'TRANSMIS', numero: expect.stringMatching(new RegExp(`^F-${numeroInterne}-${aujourdHui.replaceAll('-', '')}-\\d{6}$`)),
      dateEmission: aujourdHui, montantCents: total * 100,
      lignes: advances.map((e) => ({ numeroInterneDossier: numeroInterne, numeroEcheance: e.numero, codificationEcheance: e.codification, natureLigne: 'PEDAGOGIE', montant: 3200 })),
    });
    expect(invoiced.ecartees.length).toBeGreaterThan(0);
    for (const e of invoiced.ecartees) expect(e.raison).toMatch(/^certificat de réalisation exigé/);
    const n = invoiced.numeroInterneFacture ?? '';
    const detail = await ok(client.GET('/v2/factures', { params: { query: { numeroInterneFacture: n } } }));
    expect(detail).toMatchObject({ referenceFactureCFA: invoiced.numero, montantFacture: total, estCertificatRealisation: false });
    // Run again: A1 is under instruction, nothing is left to invoice, no second invoice.
    const again = await invoiceDossier(client, { numeroInterne, iban: IBAN });
    expect(again).toMatchObject({ lignes: [], montantCents: 0 });
    expect(again.numeroInterneFacture).toBeUndefined();
    await settled(sandbox.t.db);
    expect(await job.run()).toMatchObject({ factures: 1, reglements: 0 });

    await passesUntil(job, file, (d) => d.factures[n]?.etat === 'REGLE' && Object.keys(d.reglements).length === 1);
    const data = new JsonStore(file).snapshot();
    expect(Object.values(data.reglements)).toEqual([expect.objectContaining({ montantCents: total * 100, factures: [{ numeroInterneFacture: n, montantCents: total * 100 }] })]);
    expect(data.journal.filter((l) => l.id === n).map((l) => l.etat)).toEqual(['TRANSMIS', 'VALIDEE', 'REGLE']);
    expectNoChangeTwice(data);
    // What the vendor watches in the job's output: each state of the invoice, then the payment.
    expect(logged).toEqual(expect.arrayContaining([
      `dossier ${numeroInterne} : nouveau → TRANSMIS`,
      expect.stringMatching(new RegExp(`^dossier ${numeroInterne} : .* → ENGAGE$`)),
      `facture ${n} (${invoiced.numero}, ${total} €) : nouvelle → TRANSMIS`,
      `facture ${n} (${invoiced.numero}, ${total} €) : TRANSMIS → VALIDEE`,
      `facture ${n} (${invoiced.numero}, ${total} €) : VALIDEE → REGLE`,
      expect.stringMatching(new RegExp(`^règlement \\S+ reçu : ${total} € le \\d{4}-\\d{2}-\\d{2}, virement \\S+, pour ${n} \\(${total} €\\)$`)),
    ]));
    expect(logged.findIndex((m) => m.startsWith(`facture ${n} `) && m.endsWith('→ REGLE'))).toBeLessThan(logged.findIndex((m) => m.startsWith('règlement ')));
  });

  it('invoices again after a rejection, with its own PDF and number; a refusal carries the gateway\'s errors', async () => {
    const file = path.join(dir, 'sandbox-own-pdf.json');
    await new JsonStore(file).addContrat(dossierRequest(32).cerfa);
    const job = new ErpSync({ client, store: new JsonStore(file) });
    await job.run();
    const numeroInterne = new JsonStore(file).snapshot().contrats[0]?.numeroInterne ?? '';
    await passesUntil(job, file, (d) => d.dossiers[numeroInterne]?.etat === 'ENGAGE');
    // A wrong IBAN: the whole refusal, in French, with the field; nothing deposited.
    await expect(invoiceDossier(client, { numeroInterne, iban: 'FR7630006000011234567890100' })).rejects.toMatchObject({
      status: 400, errors: [expect.objectContaining({ code: 'IBAN_INVALIDE', champ: '/facture/ibanEmetteur', description: expect.stringContaining('IBAN') })],
    });
    // Rejected by the (simulated) OPCO: its amounts are free again, and the same command invoices them anew.
    const rejected = await invoiceDossier(client, { numeroInterne, iban: IBAN, scenario: 'facture-rejetee' });
    const r = rejected.numeroInterneFacture ?? '';
    await passesUntil(job, file, (d) => d.factures[r]?.etat === 'REJETEE');
    const invoiced = await invoiceDossier(client, { numeroInterne, iban: IBAN, numero: 'ERP-2026-0042', pdf: PDF });
    expect(invoiced).toMatchObject({ numero: 'ERP-2026-0042', etat: 'TRANSMIS', lignes: rejected.lignes, montantCents: rejected.montantCents });
    expect(invoiced.lignes).toEqual(expect.arrayContaining([expect.objectContaining({ codificationEcheance: 'A1', montant: 3200 })]));
    // The sandbox's clock moved on to the next échéance's opening: the invoice is dated at the sandbox's
    // date (the real one would be refused as before the opening), and --certificat invoices it.
    const { aujourdHui } = await ok(client.GET('/sandbox/v1/horloge'));
    const next = (await ok(client.GET('/v2/dossiers', { params: { query: { numeroInterne } } }))).echeances.find((e) => e.dateOuverture > aujourdHui);
    if (!next) throw new Error('the fixture contract has no échéance left to open');
    const jours = Math.round((Date.parse(next.dateOuverture) - Date.parse(aujourdHui)) / 86_400_000);
    expect((await ok(client.POST('/sandbox/v1/horloge', { body: { jours } }))).aujourdHui).toBe(next.dateOuverture);
    const later = await invoiceDossier(client, { numeroInterne, iban: IBAN, certificat: true });
    expect(later).toMatchObject({ dateEmission: next.dateOuverture, etat: 'TRANSMIS', ecartees: [] });
    expect(later.lignes.map((l) => l.codificationEcheance)).toContain(next.codification);
    expect(await ok(client.GET('/v2/factures', { params: { query: { numeroInterneFacture: later.numeroInterneFacture ?? '' } } }))).toMatchObject({ dateEmission: next.dateOuverture, estCertificatRealisation: true });
    // Another CFA's dossier answers like a missing one.
    const stranger = createGatewayClient({ baseUrl: sandbox.baseUrl, apiKey: await sandbox.t.cfaKey(OTHER_SIREN) });
    await expect(invoiceDossier(stranger, { numeroInterne, iban: IBAN })).rejects.toMatchObject({ status: 404 });
  });
});

describe('erp-sync invoice lines', () => {
  const echeance = (numero: number, over: Partial<Schemas['EcheanceDossier']> = {}): Schemas['EcheanceDossier'] => ({
    numero, codification: `A${numero}`, type: numero === 1 ? 'AVANCE' : 'INTERMEDIAIRE', dateOuverture: '2026-01-01', montantTotal: 1000.1, dontMontantPedagogie: 900.05,
    dontMajorationRqth: 100.05, montantRegle: 0, montantEnCoursInstruction: 0, dateLimiteFacturation: null, exigeCertificat: numero !== 1, statut: 'PREVUE', ...over,
  });

  it('invoices what is left on the échéances open today, pédagogie then RQTH, in cents', () => {
    const echeances = [
      echeance(1),
      echeance(2, { montantRegle: 500, montantEnCoursInstruction: 0.1 }),
      echeance(3, { dateOuverture: '2026-06-02' }),
      echeance(4, { statut: 'ANNULEE' }),
      echeance(5, { dateLimiteFacturation: '2026-05-31' }),
      echeance(6, { montantRegle: 1000.1 }),
    ];
    expect(invoiceLines('1', echeances, '2026-06-01', true)).toEqual({
      lignes: [
        { numeroInterneDossier: '1', numeroEcheance: 1, codificationEcheance: 'A1', natureLigne: 'PEDAGOGIE', montant: 900.05 },
        { numeroInterneDossier: '1', numeroEcheance: 1, codificationEcheance: 'A1', natureLigne: 'MAJORATION_RQTH', montant: 100.05 },
        { numeroInterneDossier: '1', numeroEcheance: 2, codificationEcheance: 'A2', natureLigne: 'PEDAGOGIE', montant: 500 },
      ],
      ecartees: [{ codification: 'A5', raison: 'délai de facturation dépassé (2026-05-31)' }],
    });
    // Without --certificat, échéances that need a certificate are left out, and said so.
    const sans = invoiceLines('1', echeances, '2026-06-01', false);
    expect(sans.lignes.map((l) => l.codificationEcheance)).toEqual(['A1', 'A1']);
    expect(sans.ecartees.map((e) => e.codification)).toEqual(['A2', 'A5']);
  });

  it('makes a PDF whose cross-reference table points at its objects', () => {
    const pdf = samplePdf('Facture (F-1) \\ é').toString('latin1');
    expect(pdf.startsWith('%PDF-1.4\n') && pdf.endsWith('%%EOF\n')).toBe(true);
    const xref = Number(/startxref\n(\d+)\n/.exec(pdf)?.[1]);
    expect(pdf.slice(xref, xref + 4)).toBe('xref');
    const offsets = [...pdf.slice(xref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(offsets.map((o, i) => pdf.slice(o, o + `${i + 1} 0 obj`.length))).toEqual(['1 0 obj', '2 0 obj', '3 0 obj', '4 0 obj', '5 0 obj']);
    expect(pdf).toContain('(Facture \\(F-1\\) \\\\ ?) Tj');
  });
});
