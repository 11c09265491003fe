/**
 * "Remboursements à émettre" with real refunds: the counter of GET /v2/pilotage/actions, the total
 * and items of its list, and the amounts due after each rupture agree; a refund leaves both once
 * declared; another CFA's refunds are never counted nor listed, and its own count is its own.
 *
 * Each overpaid dossier has A1 (3 200 €) and A2 (2 400 €) paid; a rupture on 2026-03-15 leaves
 * 4 295.89 € due (196 days of 365 of 8 000 €), so 1 304.11 € is to refund.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siretForSiren, validCerfaPayload } from '../fixtures/cerfa.js';
import {
  depositInvoice, engagedDossier, facture, jsonBody, OTHER_SIREN, payInvoices, startInvoicing, transition, type Engaged, type Harness,
} from './factures-fixture.js';

type Obj = Record<string, unknown>;
const TROP_PERCU = 1304.11;

let h: Harness;
beforeAll(async () => {
  h = await startInvoicing();
});
afterAll(async () => h.t.close());

const OTHER_SIRET = siretForSiren(OTHER_SIREN, 3);

/** An engaged dossier of the other CFA (its organisme de formation in OTHER_SIREN). */
async function otherEngaged(seed: number): Promise<Engaged> {
  const payload = validCerfaPayload(seed) as { cerfa: { organismeFormation: Obj } };
  payload.cerfa.organismeFormation = { ...payload.cerfa.organismeFormation, siret: OTHER_SIRET };
  const created = await h.t.http.post('/v2/dossiers').set('X-API-KEY', h.other).send(payload);
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const numeroInterne = created.body.numeroInterne as string;
  for (const vers of ['EN_COURS_INSTRUCTION', 'ENGAGE']) {
    expect((await h.t.http.post(`/back-office/v1/dossiers/${numeroInterne}/transitions`).set('X-API-KEY', h.opco).send({ vers })).status).toBe(200);
  }
  const row = (await h.t.db('dossiers').where({ numero_interne: numeroInterne }).first('id')) as { id: string };
  return { id: String(row.id), numeroInterne, numeroExterne: created.body.numeroExterne as string };
}

/** A1 and A2 invoiced by the dossier's CFA, validated and paid. */
async function paidTwice(d: Engaged, mine = true): Promise<void> {
  const emitter = mine ? {} : { siretEmetteur: OTHER_SIRET };
  const deposit = async (f: Obj): Promise<string> => {
    if (mine) return depositInvoice(h, f);
    const res = await h.t.http.post('/v1/factures').set('X-API-KEY', h.other).send(jsonBody(f));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.numeroInterneFacture as string;
  };
  const a1 = await deposit(facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 3200 }], { dateEmission: '2026-01-10', ...emitter }));
  const a2 = await deposit(facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 2, natureLigne: 'PEDAGOGIE', montant: 2400 }], { dateEmission: '2026-03-10', estCertificatRealisation: true, ...emitter }));
  for (const f of [a1, a2]) expect((await transition(h, f, { vers: 'VALIDEE' })).status).toBe(200);
  const pay = await payInvoices(h, { referenceVirement: `VIR-${d.numeroInterne}`, dateReglement: '2026-03-12', lignes: [{ numeroInterneFacture: a1, montant: 3200 }, { numeroInterneFacture: a2, montant: 2400 }] });
  expect(pay.status, JSON.stringify(pay.body)).toBe(200);
}

/** The CFA declares the rupture; answers the refund's id, if one is due. */
async function cfaRupture(d: Engaged, key = h.cfa): Promise<string | undefined> {
  const res = await h.t.http.post('/v2/dossiers/rupture/employeur').set('X-API-KEY', key)
    .send({ numeroInterne: d.numeroInterne, dateRupture: '2026-03-15', motif: 'ACCORD_COMMUN', initiative: 'COMMUN' });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const remboursement = res.body.remboursement as { idRemboursement: string } | null;
  return remboursement?.idRemboursement;
}

interface Seen { nombre: number; total: number; ids: string[]; montants: number[] }

async function aEmettre(key = h.cfa): Promise<Seen> {
  const actions = await h.t.http.get('/v2/pilotage/actions').set('X-API-KEY', key);
  expect(actions.status).toBe(200);
  const counter = actions.body.remboursementsAEmettre as { nombre: number; liste: string };
  expect(counter.liste).toBe('/v2/pilotage/remboursements-a-emettre');
  const list = await h.t.http.get(counter.liste).query({ taillePage: 100, tri: 'dateCreation', ordre: 'asc' }).set('X-API-KEY', key);
  expect(list.status).toBe(200);
  const items = list.body.items as Array<{ idRemboursement: string; montant: number; etat: string }>;
  for (const i of items) expect(i.etat).toBe('A_REGULARISER');
  return { nombre: counter.nombre, total: list.body.total as number, ids: items.map((i) => i.idRemboursement), montants: items.map((i) => i.montant) };
}

describe('remboursements à émettre', () => {
  it('counter = list total = the refunds due, from either rupture path; declared ones and another CFA’s leave both', async () => {
    expect(await aEmettre()).toEqual({ nombre: 0, total: 0, ids: [], montants: [] });

    // Declared by the CFA.
    const byCfa = await engagedDossier(h, 401);
    await paidTwice(byCfa);
    const r1 = await cfaRupture(byCfa);
    // Decided by the back office.
    const byOpco = await engagedDossier(h, 402);
    await paidTwice(byOpco);
    const moved = await h.t.http.post(`/back-office/v1/dossiers/${byOpco.numeroInterne}/transitions`).set('X-API-KEY', h.opco)
      .send({ vers: 'RUPTURE', dateRupture: '2026-03-15', commentaire: 'Rupture notifiée par l’employeur' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const r2 = ((await h.t.db('remboursements').where({ dossier_id: byOpco.id }).first('numero_interne')) as { numero_interne: string } | undefined)?.numero_interne;
    // A rupture with nothing paid: nothing to refund.
    expect(await cfaRupture(await engagedDossier(h, 403))).toBeUndefined();
    // Another CFA's overpaid rupture.
    const theirs = await otherEngaged(404);
    await paidTwice(theirs, false);
    const r3 = await cfaRupture(theirs, h.other);

    expect([r1, r2, r3].every((r) => typeof r === 'string')).toBe(true);
    expect(await aEmettre()).toEqual({ nombre: 2, total: 2, ids: [r1, r2], montants: [TROP_PERCU, TROP_PERCU] });
    expect(await aEmettre(h.other)).toEqual({ nombre: 1, total: 1, ids: [r3], montants: [TROP_PERCU] });
    // The other CFA's refund answers like a missing one.
    expect((await h.t.http.post(`/v2/remboursements/${r3 ?? ''}/declaration`).set('X-API-KEY', h.cfa).send({ mode: 'VIREMENT' })).status).toBe(404);

    // Declared (transfer): no longer to emit, still in the état de suivi.
    const declared = await h.t.http.post(`/v2/remboursements/${r1 ?? ''}/declaration`).set('X-API-KEY', h.cfa).send({ mode: 'VIREMENT' });
    expect(declared.status, JSON.stringify(declared.body)).toBe(200);
    expect(await aEmettre()).toEqual({ nombre: 1, total: 1, ids: [r2], montants: [TROP_PERCU] });
    const suivi = await h.t.http.get('/v2/suivi/remboursements').set('X-API-KEY', h.cfa);
    expect(suivi.body.total).toBe(2);
    expect((await h.t.http.get('/v2/suivi/remboursements').query({ etat: 'A_REGULARISER' }).set('X-API-KEY', h.cfa)).body.total).toBe(1);
    expect(await aEmettre(h.other)).toEqual({ nombre: 1, total: 1, ids: [r3], montants: [TROP_PERCU] });
  });
});
