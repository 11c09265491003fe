/**
 * Signed webhooks: every change the feeds show becomes an event, from the triggers of migration
 * 20261203_02_webhooks whatever the write path — push, instruction, engagement, invoice, validation,
 * payment, rupture with its recomputed engagement, refund declared then received. Each carries ids
 * (and, for dossiers and invoices, the feed cursor), never personal data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { deliverDue } from '../../src/services/webhook-delivery.js';
import { validCerfaPayload } from '../fixtures/cerfa.js';
import { depositInvoice, engagedDossier, facture, IBAN, payInvoices, startInvoicing, transition, type Harness } from './factures-fixture.js';
import { Receiver } from './webhooks-receiver.js';

let h: Harness;
const receiver = new Receiver();

beforeAll(async () => {
  h = await startInvoicing({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
  await receiver.start();
});
afterAll(async () => {
  await receiver.stop();
  await h.t.close();
});

describe('events of the life cycle', () => {
  it('dossier, engagement, invoice, payment, rupture and refund: each change once, signed, in the CFA\'s feed order for each object', async () => {
    const registered = await h.t.http.post('/v2/webhooks').set('X-API-KEY', h.cfa).send({ url: receiver.url() });
    expect(registered.status).toBe(201);
    const other = await h.t.http.post('/v2/webhooks').set('X-API-KEY', h.other).send({ url: receiver.url('/other') });
    expect(other.status).toBe(201);
    const secret = registered.body.secret as string;

    const d = await engagedDossier(h, 801);
    const a1 = await depositInvoice(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 3200 }], { dateEmission: '2026-01-10' }));
    const a2 = await depositInvoice(h, facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 2, natureLigne: 'PEDAGOGIE', montant: 2400 }], { dateEmission: '2026-03-10', estCertificatRealisation: true }));
    expect((await transition(h, a1, { vers: 'VALIDEE' })).status).toBe(200);
    expect((await transition(h, a2, { vers: 'VALIDEE' })).status).toBe(200);
    const pay = await payInvoices(h, { referenceVirement: 'VIR-801', dateReglement: '2026-03-12', lignes: [{ numeroInterneFacture: a1, montant: 3200 }, { numeroInterneFacture: a2, montant: 2400 }] });
    expect(pay.status).toBe(200);
    const rupture = await h.t.http.post('/v2/dossiers/rupture/employeur').set('X-API-KEY', h.cfa)
      .send({ numeroInterne: d.numeroInterne, dateRupture: '2026-03-15', motif: 'DEMISSION_APPRENTI', initiative: 'APPRENTI' });
    expect(rupture.status, JSON.stringify(rupture.body)).toBe(200);
    const refund = rupture.body.remboursement.idRemboursement as string;
    expect((await h.t.http.post(`/v2/remboursements/${refund}/declaration`).set('X-API-KEY', h.cfa).send({ mode: 'VIREMENT' })).status).toBe(200);
    expect((await h.t.http.post(`/back-office/v1/remboursements/${refund}/reception`).set('X-API-KEY', h.opco).send({})).status).toBe(200);

    for (let round = 0; round < 5 && (await deliverDue({ db: h.t.db, config: h.t.config })).envoyees > 0; round += 1);
    const got = receiver.on('/hook');
    expect(receiver.on('/other')).toEqual([]);
    for (const r of got) expect(new Webhook(secret).verify(r.body, r.headers)).toEqual(r.json);
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(got.length);

    // Deliveries of one round go out in parallel: order by the feed cursor (transaction, row).
    const position = (curseur: unknown): [bigint, bigint] => {
      const [xid, id] = String(curseur).split('.');
      return [BigInt(xid ?? 0), BigInt(id ?? 0)];
    };
    const byCursor = (x: (typeof got)[number], y: (typeof got)[number]): number => {
      const [a, b] = [position(x.json.data.curseur), position(y.json.data.curseur)];
      return a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] === b[1] ? 0 : a[1] < b[1] ? -1 : 1;
    };
    const of = (numero: string) => got.filter((r) => r.json.data.numeroInterne === numero).sort(byCursor).map((r) => [r.json.type, r.json.data.etat ?? null]);
    const dossierEvents = of(d.numeroInterne);
    expect(dossierEvents.filter(([type]) => type === 'dossier.etat').map(([, etat]) => etat)).toEqual(['TRANSMIS', 'EN_COURS_INSTRUCTION', 'ENGAGE', 'RUPTURE']);
    expect(dossierEvents.filter(([type]) => type === 'dossier.engagement')).toHaveLength(2); // computed at ENGAGE, recomputed at the rupture
    expect(of(a1).map(([, etat]) => etat)).toEqual(['TRANSMIS', 'VALIDEE', 'REGLE']);
    expect(of(a2).map(([, etat]) => etat)).toEqual(['TRANSMIS', 'VALIDEE', 'REGLE']);
    const reglements = got.filter((r) => r.json.type === 'reglement.cree');
    expect(reglements.map((r) => r.json.data)).toEqual([{ idReglement: pay.body.idReglement }]);
    // Refund events come from three transactions: ordered by the time each was recorded.
    expect(got.filter((r) => r.json.data.idRemboursement === refund).sort((x, y) => x.json.timestamp.localeCompare(y.json.timestamp)).map((r) => [r.json.type, r.json.data.etat, r.json.data.numeroInterneDossier]))
      .toEqual([['remboursement.cree', 'A_REGULARISER', d.numeroInterne], ['remboursement.etat', 'DECLARE', d.numeroInterne], ['remboursement.etat', 'RECU', d.numeroInterne]]);
    // Invoice cursors are the invoice feed's: reading it from 0 ends on the latest one.
    // (Other test files on the same PostgreSQL may hold the feed back a moment: wait for it a little.)
    const invoiceCursors = got.filter((r) => r.json.type === 'facture.etat').map((r) => String(r.json.data.curseur));
    let end = '';
    for (let attempt = 0; attempt < 50 && !invoiceCursors.includes(end); attempt += 1) {
      if (attempt) await new Promise((resolve) => setTimeout(resolve, 200));
      end = (await h.t.http.get('/v2/factures/etats').query({ depuis: '0', taillePage: 1000 }).set('X-API-KEY', h.cfa)).body.curseurSuivant as string;
    }
    expect(invoiceCursors).toContain(end);
    // No personal data anywhere: not the apprentice, not the IBAN.
    const apprenti = validCerfaPayload(801).cerfa.apprenti as { nom: string; prenom: string; nir: string };
    const all = got.map((r) => r.body).join('\n');
    for (const personal of [apprenti.nom, apprenti.prenom, apprenti.nir, IBAN]) expect(all).not.toContain(personal);
  });
});
