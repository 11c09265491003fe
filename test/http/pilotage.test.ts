/**
 * "Mes actions à mener" and the états de suivi: each counter equals its list's total, lists are
 * the caller's only (whatever channel brought the dossier), filters / search / sort / paging work,
 * and the xlsx and csv exports, parsed back, say what the list says.
 */
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchesOfListing, pageOfListing } from '../../src/db/listing.js';
import { dossiersListing } from '../../src/db/suivi.js';
import { FIXTURE_CFA_SIREN, siretForSiren, validCerfaPayload } from '../fixtures/cerfa.js';
import {
  depositInvoice, engagedDossier, facture, OTHER_SIREN, payInvoices, postFacture, startInvoicing, transition, type Engaged, type Harness,
} from './factures-fixture.js';

let h: Harness;
/** Engaged, A1 invoiced and paid, A2 invoiced and awaiting correction. */
let busy: Engaged;
/** Engaged, nothing invoiced. */
let idle: Engaged;
/** In instruction, the OPCO asked for a correction. */
let toCorrect: string;
/** Registered by the back office (the employer's deposit), in instruction. */
let fromEmployer: string;
let awaitingInvoice: string;
let paidInvoice: string;
/** Another CFA's engaged dossier. */
let theirs: { numeroInterne: string; numeroExterne: string };

type Obj = Record<string, unknown>;
const get = (path: string, query: Obj = {}, key = h.cfa) => h.t.http.get(path).query(query).set('X-API-KEY', key);

/** The same CERFA for another CFA: its organisme de formation in OTHER_SIREN. */
function otherCfaCerfa(seed: number): Obj {
  const payload = validCerfaPayload(seed) as { cerfa: { organismeFormation: Obj } };
  payload.cerfa.organismeFormation = { ...payload.cerfa.organismeFormation, siret: siretForSiren(OTHER_SIREN, 3) };
  return payload;
}

async function binary(path: string, query: Obj): Promise<{ status: number; type: string; disposition: string; body: Buffer }> {
  const res = await get(path, query).buffer(true).parse((r, done) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => done(null, Buffer.concat(chunks)));
  });
  return { status: res.status, type: String(res.headers['content-type']), disposition: String(res.headers['content-disposition']), body: res.body as Buffer };
}

async function xlsxRows(path: string, query: Obj = {}): Promise<{ headers: unknown[]; rows: unknown[][]; sheet: ExcelJS.Worksheet }> {
  const file = await binary(path, { ...query, format: 'xlsx' });
  expect(file.status).toBe(200);
  expect(file.type).toContain('spreadsheetml');
  expect(file.disposition).toMatch(/attachment; filename=".+\.xlsx"/);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(new Uint8Array(file.body).buffer);
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new Error('no sheet');
  const all: unknown[][] = [];
  sheet.eachRow((row) => all.push((row.values as unknown[]).slice(1)));
  return { headers: all[0] ?? [], rows: all.slice(1), sheet };
}

async function csvRows(path: string, query: Obj = {}): Promise<{ headers: string[]; rows: string[][]; raw: Buffer }> {
  const file = await binary(path, { ...query, format: 'csv' });
  expect(file.status).toBe(200);
  expect(file.type).toContain('text/csv');
  const records = parse(file.body, { delimiter: ';', bom: true }) as string[][];
  return { headers: records[0] ?? [], rows: records.slice(1), raw: file.body };
}

beforeAll(async () => {
  h = await startInvoicing();
  busy = await engagedDossier(h, 301);
  idle = await engagedDossier(h, 302);
  paidInvoice = await depositInvoice(h, facture([{ numeroDossier: busy.numeroExterne, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 3200 }], { numero: 'FAC-301-A1', dateEmission: '2026-01-10' }));
  expect((await transition(h, paidInvoice, { vers: 'VALIDEE' })).status).toBe(200);
  expect((await payInvoices(h, { referenceVirement: 'VIR-OPCO-301', dateReglement: '2026-02-01', lignes: [{ numeroInterneFacture: paidInvoice, montant: 3200 }] })).status).toBe(200);
  awaitingInvoice = await depositInvoice(h, facture([{ numeroDossier: busy.numeroExterne, numeroEcheance: 2, natureLigne: 'PEDAGOGIE', montant: 1000.5 }], { numero: 'FAC-301-A2', dateEmission: '2026-03-10', estCertificatRealisation: true }));
  expect((await transition(h, awaitingInvoice, { vers: 'EN_ATTENTE_MISE_EN_CONFORMITE', commentaire: 'RIB illisible' })).status).toBe(200);

  const created = await h.t.http.post('/v2/dossiers').set('X-API-KEY', h.cfa).send(validCerfaPayload(303));
  toCorrect = created.body.numeroInterne as string;
  await h.t.http.post(`/back-office/v1/dossiers/${toCorrect}/transitions`).set('X-API-KEY', h.opco).send({ vers: 'EN_COURS_INSTRUCTION' });
  expect((await h.t.http.post(`/back-office/v1/dossiers/${toCorrect}/mise-en-conformite`).set('X-API-KEY', h.opco).send({ commentaire: 'Convention non signée' })).status).toBe(200);

  const registered = await h.t.http.post('/back-office/v1/dossiers').set('X-API-KEY', h.opco).send({ ...validCerfaPayload(304), origine: 'ENTREPRISE' });
  expect(registered.status, JSON.stringify(registered.body)).toBe(200);
  fromEmployer = registered.body.numeroInterne as string;

  // Another CFA: an engaged dossier, a correction asked — never in our counters or lists.
  const theirsCreated = await h.t.http.post('/v2/dossiers').set('X-API-KEY', h.other).send(otherCfaCerfa(305));
  expect(theirsCreated.status, JSON.stringify(theirsCreated.body)).toBe(200);
  theirs = { numeroInterne: theirsCreated.body.numeroInterne as string, numeroExterne: theirsCreated.body.numeroExterne as string };
  for (const vers of ['EN_COURS_INSTRUCTION', 'ENGAGE']) {
    await h.t.http.post(`/back-office/v1/dossiers/${theirs.numeroInterne}/transitions`).set('X-API-KEY', h.opco).send({ vers });
  }
  const theirsToCorrect = await h.t.http.post('/v2/dossiers').set('X-API-KEY', h.other).send(otherCfaCerfa(306));
  await h.t.http.post(`/back-office/v1/dossiers/${theirsToCorrect.body.numeroInterne as string}/transitions`).set('X-API-KEY', h.opco).send({ vers: 'EN_COURS_INSTRUCTION' });
  await h.t.http.post(`/back-office/v1/dossiers/${theirsToCorrect.body.numeroInterne as string}/mise-en-conformite`).set('X-API-KEY', h.opco).send({ commentaire: 'x' });
});
afterAll(async () => h.t.close());

describe('GET /v2/pilotage/actions', () => {
  it('gives each counter with its list, and each list’s total is its counter', async () => {
    const res = await get('/v2/pilotage/actions');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      dossiersEnAttenteMiseEnConformite: { nombre: 1, liste: '/v2/pilotage/dossiers-en-attente-mise-en-conformite' },
      facturesEnAttenteMiseEnConformite: { nombre: 1, liste: '/v2/pilotage/factures-en-attente-mise-en-conformite' },
      remboursementsAEmettre: { nombre: 0, liste: '/v2/pilotage/remboursements-a-emettre' },
      dossiersAFacturer: { nombre: 2, liste: '/v2/pilotage/echeances-a-facturer' },
      dossiersEchusATraiter: { liste: '/v2/pilotage/dossiers-echus' },
    });
    for (const counter of Object.values(res.body as Record<string, { nombre: number; liste: string }>)) {
      const list = await get(counter.liste);
      expect(list.status, counter.liste).toBe(200);
      expect(list.body.total, counter.liste).toBe(counter.nombre);
      expect(list.body.items.length, counter.liste).toBe(Math.min(counter.nombre, 50));
    }
  });

  it('another CFA sees only its own', async () => {
    const res = await get('/v2/pilotage/actions', {}, h.other);
    expect(res.body).toMatchObject({ dossiersEnAttenteMiseEnConformite: { nombre: 1 }, facturesEnAttenteMiseEnConformite: { nombre: 0 }, dossiersAFacturer: { nombre: 1 } });
  });
});

describe('action lists', () => {
  it('dossiers en attente de mise en conformité: the dossier and what the OPCO asks', async () => {
    const res = await get('/v2/pilotage/dossiers-en-attente-mise-en-conformite');
    expect(res.body.items).toEqual([expect.objectContaining({ numeroInterne: toCorrect, etat: 'EN_COURS_INSTRUCTION', miseEnConformite: true, commentaireEtat: 'Convention non signée', origine: 'API_CFA' })]);
  });

  it('factures en attente de mise en conformité', async () => {
    const res = await get('/v2/pilotage/factures-en-attente-mise-en-conformite');
    expect(res.body.items).toEqual([expect.objectContaining({ numeroInterneFacture: awaitingInvoice, referenceFactureCFA: 'FAC-301-A2', montantHT: 1000.5, commentaire: 'RIB illisible', type: 'COUT_CONTRAT' })]);
  });

  it('échéances à facturer: one item per dossier with its open échéances and what is left on each', async () => {
    const res = await get('/v2/pilotage/echeances-a-facturer', { tri: 'numero' });
    expect(res.body.total).toBe(2);
    const byNumero = new Map((res.body.items as Array<{ numeroInterne: string; echeances: Array<{ codification: string; resteAFacturer: number }>; resteAFacturer: number }>).map((i) => [i.numeroInterne, i]));
    const idleItem = byNumero.get(idle.numeroInterne);
    const busyItem = byNumero.get(busy.numeroInterne);
    // Today (2026-12) A1…A5 are open: 3 200 + 2 400 + 1 600 + 800 + 3 200.
    expect(idleItem?.echeances.map((e) => e.codification)).toEqual(['A1', 'A2', 'A3', 'A4', 'A5']);
    expect(idleItem?.resteAFacturer).toBe(11200);
    // A1 paid; 1 000.50 € of A2 is being processed.
    expect(busyItem?.echeances.map((e) => [e.codification, e.resteAFacturer])).toEqual([['A2', 1399.5], ['A3', 1600], ['A4', 800], ['A5', 3200]]);
    const onlyOldest = await get('/v2/pilotage/echeances-a-facturer', { ouverteJusquAu: '2026-01-31' });
    expect(onlyOldest.body.total).toBe(1);
    expect(onlyOldest.body.items[0].echeances.map((e: { codification: string }) => e.codification)).toEqual(['A1']);
  });
});

describe('états de suivi', () => {
  it('dossiers enregistrés: every channel, filters, search, sort and paging', async () => {
    const all = await get('/v2/suivi/dossiers');
    expect(all.body.total).toBe(4);
    expect(new Set(all.body.items.map((i: { numeroInterne: string }) => i.numeroInterne))).toEqual(new Set([busy.numeroInterne, idle.numeroInterne, toCorrect, fromEmployer]));
    expect((await get('/v2/suivi/dossiers', { origine: 'ENTREPRISE' })).body.items).toEqual([expect.objectContaining({ numeroInterne: fromEmployer, libelleOrigine: 'Déposé par l’entreprise', typeDossier: 'CONTRAT_INITIAL' })]);
    expect((await get('/v2/suivi/dossiers', { etat: 'ENGAGE' })).body.total).toBe(2);
    const nom = all.body.items.find((i: { numeroInterne: string }) => i.numeroInterne === idle.numeroInterne).apprenti.nom as string;
    const found = await get('/v2/suivi/dossiers', { q: nom.slice(0, 4).toLowerCase() });
    expect(found.body.items.map((i: { numeroInterne: string }) => i.numeroInterne)).toContain(idle.numeroInterne);
    expect((await get('/v2/suivi/dossiers', { q: busy.numeroExterne })).body.items.map((i: { numeroInterne: string }) => i.numeroInterne)).toEqual([busy.numeroInterne]);
    expect((await get('/v2/suivi/dossiers', { q: '100%_' })).body.total).toBe(0);
    const asc = await get('/v2/suivi/dossiers', { tri: 'dateReception', ordre: 'asc', taillePage: 3 });
    expect(asc.body).toMatchObject({ total: 4, page: 1 });
    expect(asc.body.items[0].numeroInterne).toBe(busy.numeroInterne);
    const page2 = await get('/v2/suivi/dossiers', { tri: 'dateReception', ordre: 'asc', taillePage: 3, numeroPage: 2 });
    expect(page2.body.items.map((i: { numeroInterne: string }) => i.numeroInterne)).toEqual([fromEmployer]);
    expect(page2.body.total).toBe(4);
    // Past the end: no row, the total still said.
    expect((await get('/v2/suivi/dossiers', { taillePage: 3, numeroPage: 5 })).body).toMatchObject({ total: 4, items: [] });
    expect((await get('/v2/suivi/dossiers', { tri: 'nimporte' })).status).toBe(400);
    expect((await get('/v2/suivi/dossiers', {}, h.other)).body.total).toBe(2);
  });

  it('factures enregistrées: amounts, dates of validation and payment, sort by amount', async () => {
    const res = await get('/v2/suivi/factures', { tri: 'montant', ordre: 'desc' });
    expect(res.body.total).toBe(2);
    expect(res.body.items[0]).toMatchObject({
      numeroInterneFacture: paidInvoice, referenceFactureCFA: 'FAC-301-A1', etat: 'REGLE', montantHT: 3200, montantTTC: 3200, montantRegle: 3200,
      dateEmission: '2026-01-10', dateReglement: '2026-02-01', referenceReglement: 'VIR-OPCO-301', type: 'COUT_CONTRAT',
    });
    expect(res.body.items[0].dateValidation).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(res.body.items[1]).toMatchObject({ numeroInterneFacture: awaitingInvoice, dateValidation: null, dateReglement: null });
    expect((await get('/v2/suivi/factures', { q: 'FAC-301-A2' })).body.total).toBe(1);
    expect((await get('/v2/suivi/factures', { q: busy.numeroExterne })).body.total).toBe(2);
    expect((await get('/v2/suivi/factures', { type: 'FRAIS_ANNEXES' })).body.total).toBe(0);
    expect((await get('/v2/suivi/factures', { emiseDepuis: '2026-02-01' })).body.total).toBe(1);
    expect((await get('/v2/suivi/factures', {}, h.other)).body.total).toBe(0);
  });

  it('règlements émis: each payment with the invoices and dossiers it settled', async () => {
    const res = await get('/v2/suivi/reglements');
    expect(res.body.total).toBe(1);
    expect(res.body.items[0]).toMatchObject({
      referenceVirement: 'VIR-OPCO-301', dateReglement: '2026-02-01', montant: 3200,
      factures: [{ numeroInterneFacture: paidInvoice, referenceFactureCFA: 'FAC-301-A1', montant: 3200, dossiers: [{ numeroInterneDossier: busy.numeroInterne, montant: 3200 }] }],
    });
    expect((await get('/v2/suivi/reglements', { q: 'FAC-301-A1' })).body.total).toBe(1);
    expect((await get('/v2/suivi/reglements', { q: 'FAC-301-A2' })).body.total).toBe(0);
  });
});

describe('exports', () => {
  it('xlsx of the dossiers: French headers, typed dates, filter row and frozen header, the same rows as the list', async () => {
    const list = await get('/v2/suivi/dossiers', { tri: 'numero', ordre: 'asc' });
    const { headers, rows, sheet } = await xlsxRows('/v2/suivi/dossiers', { tri: 'numero', ordre: 'asc' });
    expect(headers.slice(0, 4)).toEqual(['N° dossier', 'N° interne', 'État', 'Type de dossier']);
    expect(rows.map((r) => r[0])).toEqual(list.body.items.map((i: { numeroExterne: string }) => i.numeroExterne));
    const du = headers.indexOf('Du');
    expect(rows[0]?.[du]).toBeInstanceOf(Date);
    expect((rows[0]?.[du] as Date).toISOString().slice(0, 10)).toBe(list.body.items[0].periode.du);
    expect(sheet.autoFilter).toBeTruthy();
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });

  it('xlsx of the invoices: amounts are numbers with a euro format', async () => {
    const { headers, rows, sheet } = await xlsxRows('/v2/suivi/factures', { tri: 'montant', ordre: 'desc' });
    const ht = headers.indexOf('Montant HT');
    expect(rows.map((r) => r[ht])).toEqual([3200, 1000.5]);
    expect(sheet.getColumn(ht + 1).numFmt).toContain('€');
  });

  it('csv: BOM, semicolons, decimal comma, French dates; the same filter as the list', async () => {
    const { headers, rows, raw } = await csvRows('/v2/suivi/factures', { etat: 'EN_ATTENTE_MISE_EN_CONFORMITE' });
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(headers).toContain('Montant HT');
    expect(rows).toHaveLength(1);
    const row = rows[0] ?? [];
    expect(row[headers.indexOf('N° facture')]).toBe('FAC-301-A2');
    expect(row[headers.indexOf('Montant HT')]).toBe('1000,50');
    expect(row[headers.indexOf('Date de facture')]).toBe('10/03/2026');
  });

  it('règlements: one line per settled invoice; échéances à facturer: one line per open échéance', async () => {
    const reglements = await csvRows('/v2/suivi/reglements');
    expect(reglements.rows).toEqual([expect.arrayContaining(['VIR-OPCO-301', 'FAC-301-A1', '3200,00', busy.numeroExterne])]);
    const echeances = await xlsxRows('/v2/pilotage/echeances-a-facturer');
    expect(echeances.rows).toHaveLength(9);
  });

  it('an export of another CFA holds only its rows', async () => {
    const res = await get('/v2/suivi/factures', { format: 'csv' }, h.other);
    expect(res.status).toBe(200);
    // The header line only.
    expect(parse(res.text, { delimiter: ';', bom: true })).toHaveLength(1);
  });
});

describe('keyset batches', () => {
  it('give every row once, in the order of the pages, ties on the sort key included', async () => {
    const listing = dossiersListing(h.t.db, FIXTURE_CFA_SIREN, {});
    for (const ordre of ['asc', 'desc'] as const) {
      for (const tri of ['etat', 'dateReception', 'apprenti']) {
        const page = await pageOfListing<{ numero_interne: string }>(h.t.db, listing, tri, ordre, 1, 100);
        for (const size of [1, 3]) {
          const seen: string[] = [];
          for await (const batch of batchesOfListing<{ numero_interne: string }>(h.t.db, listing, tri, ordre, size)) seen.push(...batch.map((r) => r.numero_interne));
          expect(seen, `${tri} ${ordre} by ${size}`).toEqual(page.rows.map((r) => r.numero_interne));
        }
      }
    }
  });

  it('pages of every size, read from the start or (second half) from the end, make up the whole list once', async () => {
    const listing = dossiersListing(h.t.db, FIXTURE_CFA_SIREN, {});
    for (const ordre of ['asc', 'desc'] as const) {
      for (const tri of ['etat', 'dateReception', 'apprenti']) {
        const whole = (await pageOfListing<{ numero_interne: string }>(h.t.db, listing, tri, ordre, 1, 100)).rows.map((r) => r.numero_interne);
        expect(whole.length).toBeGreaterThan(3);
        for (const size of [1, 2, 3]) {
          const seen: string[] = [];
          for (let n = 1; n <= Math.ceil(whole.length / size) + 1; n += 1) {
            const page = await pageOfListing<{ numero_interne: string }>(h.t.db, listing, tri, ordre, n, size);
            expect(page.total).toBe(whole.length);
            seen.push(...page.rows.map((r) => r.numero_interne));
          }
          expect(seen, `${tri} ${ordre} by ${size}`).toEqual(whole);
        }
      }
    }
  });
});

describe('facturations, déclarations de solde, dossiers échus', () => {
  it('are lists of the caller’s rows with their exports', async () => {
    const draft = await h.t.http.post('/v2/facturations').set('X-API-KEY', h.cfa).send({ nature: 'COUT_PEDAGOGIQUE', dossiers: [idle.numeroInterne] });
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);
    const list = await get('/v2/suivi/facturations');
    expect(list.body).toMatchObject({ total: 1, items: [{ etat: 'EN_COURS', nombreDossiers: 1 }] });
    expect((await get('/v2/suivi/facturations', {}, h.other)).body.total).toBe(0);
    expect((await csvRows('/v2/suivi/facturations')).rows).toHaveLength(1);
    expect((await get('/v2/suivi/soldes')).body).toMatchObject({ total: 0, items: [] });
    expect((await xlsxRows('/v2/suivi/soldes')).rows).toHaveLength(0);
    const echus = await get('/v2/pilotage/dossiers-echus');
    expect(echus.body.total).toBe((await get('/v2/pilotage/actions')).body.dossiersEchusATraiter.nombre);
  });
});

// Last: it adds a dossier. The list reads échéances that carry their dossier's state (triggers).
describe('dossiers à facturer follow their dossier’s state', () => {
  it('an engaged dossier is listed and counted; once cancelled it leaves both', async () => {
    const late = await engagedDossier(h, 309);
    const listed = async (): Promise<{ total: number; ids: string[]; counter: number }> => {
      const list = await get('/v2/pilotage/echeances-a-facturer', { taillePage: 100 });
      const actions = await get('/v2/pilotage/actions');
      return { total: list.body.total as number, ids: list.body.items.map((i: { numeroInterne: string }) => i.numeroInterne), counter: actions.body.dossiersAFacturer.nombre as number };
    };
    const engaged = await listed();
    expect(engaged.ids).toContain(late.numeroInterne);
    expect(engaged.counter).toBe(engaged.total);
    const cancelled = await h.t.http.post(`/back-office/v1/dossiers/${late.numeroInterne}/transitions`).set('X-API-KEY', h.opco).send({ vers: 'ANNULE', commentaire: 'Contrat non signé' });
    expect(cancelled.status).toBe(200);
    const after = await listed();
    expect(after.ids).not.toContain(late.numeroInterne);
    expect(after).toMatchObject({ total: engaged.total - 1, counter: engaged.total - 1 });
  });
});

// Last: it adds invoices of the other CFA and a dossier.
describe('search q and the diploma filter', () => {
  type Item = { numeroInterne: string; apprenti: { nom: string; prenom: string } };
  const numeros = async (path: string, query: Obj, key = h.cfa): Promise<string[]> => {
    const res = await get(path, query, key);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (res.body.items as Array<{ numeroInterne: string }>).map((i) => i.numeroInterne);
  };

  it('the apprentice’s full name, first name first or last name first', async () => {
    const all = await get('/v2/suivi/dossiers');
    const { nom, prenom } = (all.body.items as Item[]).find((i) => i.numeroInterne === idle.numeroInterne)?.apprenti ?? { nom: '', prenom: '' };
    expect(nom && prenom).toBeTruthy();
    for (const q of [`${prenom} ${nom}`, `${nom} ${prenom}`, `  ${nom.toUpperCase()}   ${prenom.toLowerCase()} `, `${prenom.slice(-2)} ${nom.slice(0, 3)}`]) {
      expect(await numeros('/v2/suivi/dossiers', { q }), q).toEqual([idle.numeroInterne]);
    }
    expect(await numeros('/v2/suivi/dossiers', { q: `${prenom}_${nom}` })).toEqual([]);
    expect(await numeros('/v2/pilotage/echeances-a-facturer', { q: `${nom} ${prenom}` })).toEqual([idle.numeroInterne]);
    expect(await numeros('/v2/suivi/dossiers', { q: `${prenom} ${nom}` }, h.other)).toEqual([]);
  });

  it('an invoice number (the CFA’s or the internal one) finds the dossiers it has lines on, never through another CFA’s invoice', async () => {
    for (const q of ['FAC-301-A1', paidInvoice, 'FAC-301-A2', awaitingInvoice]) {
      expect(await numeros('/v2/suivi/dossiers', { q }), q).toEqual([busy.numeroInterne]);
      expect(await numeros('/v2/pilotage/echeances-a-facturer', { q }), q).toEqual([busy.numeroInterne]);
    }
    // Another CFA's invoices: one numbered like ours, one of its own.
    const theirsFacture = (numero: string, numeroEcheance: number) => facture([{ numeroDossier: theirs.numeroExterne, numeroEcheance, natureLigne: 'PEDAGOGIE', montant: 100 }],
      { numero, dateEmission: '2026-03-10', estCertificatRealisation: true, siretEmetteur: siretForSiren(OTHER_SIREN, 3) });
    const same = await postFacture(h, theirsFacture('FAC-301-A1', 1), h.other);
    expect(same.status, JSON.stringify(same.body)).toBe(200);
    const own = await postFacture(h, theirsFacture('FAC-AUTRE-305', 2), h.other);
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    expect(await numeros('/v2/suivi/dossiers', { q: 'FAC-301-A1' })).toEqual([busy.numeroInterne]);
    expect(await numeros('/v2/suivi/dossiers', { q: 'FAC-301-A1' }, h.other)).toEqual([theirs.numeroInterne]);
    for (const q of ['FAC-AUTRE-305', own.body.numeroInterneFacture as string]) {
      expect(await numeros('/v2/suivi/dossiers', { q }), q).toEqual([]);
      expect(await numeros('/v2/pilotage/echeances-a-facturer', { q }), q).toEqual([]);
      expect(await numeros('/v2/suivi/dossiers', { q }, h.other), q).toEqual([theirs.numeroInterne]);
      expect(await numeros('/v2/pilotage/echeances-a-facturer', { q }, h.other), q).toEqual([theirs.numeroInterne]);
    }
    // Only the exact number: a part of it is not a name either.
    expect(await numeros('/v2/suivi/dossiers', { q: 'FAC-301' })).toEqual([]);
    const filtered = await get('/v2/suivi/dossiers', { q: 'FAC-301-A1', format: 'csv' });
    expect(parse(filtered.text, { delimiter: ';', bom: true })).toHaveLength(2);
  });

  it('a facturation by its dossiers’ apprentice, number or employer', async () => {
    const all = await get('/v2/suivi/dossiers');
    const apprenti = (numero: string) => (all.body.items as Item[]).find((i) => i.numeroInterne === numero)?.apprenti ?? { nom: '?', prenom: '?' };
    const idleName = apprenti(idle.numeroInterne);
    const busyName = apprenti(busy.numeroInterne);
    const total = async (q: string, key = h.cfa): Promise<number> => (await get('/v2/suivi/facturations', { q }, key)).body.total as number;
    expect(await total(`${idleName.prenom} ${idleName.nom}`)).toBe(1);
    expect(await total(idleName.nom.toLowerCase())).toBe(1);
    expect(await total(idle.numeroExterne)).toBe(1);
    expect(await total('numérisia')).toBe(1);
    expect(await total(`${busyName.prenom} ${busyName.nom}`)).toBe(0);
    expect(await total(busy.numeroExterne)).toBe(0);
    expect(await total(idle.numeroExterne, h.other)).toBe(0);
  });

  it('diplome: the exact code diplôme, or a part of the title whatever its case, on every list of dossiers', async () => {
    const payload = validCerfaPayload(310) as { cerfa: { formation: Obj } };
    payload.cerfa.formation = { ...payload.cerfa.formation, codeDiplome: '3203100A', intituleQualification: 'BTS Cybersécurité, informatique et réseaux, électronique' };
    const created = await h.t.http.post('/v2/dossiers').set('X-API-KEY', h.cfa).send(payload);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const cyber = created.body.numeroInterne as string;
    expect(await numeros('/v2/suivi/dossiers', { diplome: '3203100A' })).toEqual([cyber]);
    expect(await numeros('/v2/suivi/dossiers', { diplome: '3203100a' })).toEqual([cyber]);
    expect(await numeros('/v2/suivi/dossiers', { diplome: 'cybersécurité' })).toEqual([cyber]);
    expect(await numeros('/v2/suivi/dossiers', { diplome: '3203100' })).toEqual([]);
    const sio = await get('/v2/suivi/dossiers', { diplome: 'services INFORMATIQUES', taillePage: 100 });
    const everyone = await get('/v2/suivi/dossiers', { taillePage: 100 });
    expect(sio.body.total).toBe(everyone.body.total - 1);
    expect(sio.body.items.map((i: { numeroInterne: string }) => i.numeroInterne)).not.toContain(cyber);
    expect(await numeros('/v2/suivi/dossiers', { diplome: '32032002', etat: 'ENGAGE' })).toEqual(expect.arrayContaining([busy.numeroInterne, idle.numeroInterne]));
    expect(await numeros('/v2/pilotage/dossiers-en-attente-mise-en-conformite', { diplome: '32032002' })).toEqual([toCorrect]);
    expect(await numeros('/v2/pilotage/dossiers-en-attente-mise-en-conformite', { diplome: '3203100A' })).toEqual([]);
    expect(await numeros('/v2/suivi/dossiers', { diplome: 'cybersécurité' }, h.other)).toEqual([]);
    const file = await get('/v2/suivi/dossiers', { diplome: 'Cybersécurité', format: 'csv' });
    expect(parse(file.text, { delimiter: ';', bom: true })).toHaveLength(2);
  });
});

describe('exports: text a spreadsheet would run as a formula', () => {
  const HYPERLINK = '=HYPERLINK("http://evil.example/x";"clic")';

  it('csv cells get a leading apostrophe; the JSON list and the xlsx keep the text as typed, as a string cell', async () => {
    const payload = validCerfaPayload(320) as { cerfa: { employeur: Obj; apprenti: Obj } };
    payload.cerfa.employeur = { ...payload.cerfa.employeur, denomination: HYPERLINK };
    payload.cerfa.apprenti = { ...payload.cerfa.apprenti, prenom: '+Jean' };
    const created = await h.t.http.post('/v2/dossiers').set('X-API-KEY', h.cfa).send(payload);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const query = { q: created.body.numeroExterne as string };

    const list = await get('/v2/suivi/dossiers', query);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ employeur: { denomination: HYPERLINK }, apprenti: { prenom: '+Jean' } });

    const csv = await csvRows('/v2/suivi/dossiers', query);
    expect(csv.rows).toHaveLength(1);
    const row = csv.rows[0] ?? [];
    expect(row[csv.headers.indexOf('Employeur')]).toBe(`'${HYPERLINK}`);
    expect(row[csv.headers.indexOf('Prénom de l’apprenti')]).toBe("'+Jean");
    // Other cells untouched: dates as days, the number as typed.
    expect(row[csv.headers.indexOf('Du')]).toMatch(/^\d{2}\/\d{2}\/\d{4}$/);
    expect(row[csv.headers.indexOf('N° dossier')]).toBe(query.q);

    const { headers, sheet } = await xlsxRows('/v2/suivi/dossiers', query);
    for (const [header, text] of [['Employeur', HYPERLINK], ['Prénom de l’apprenti', '+Jean']] as const) {
      const cell = sheet.getRow(2).getCell(headers.indexOf(header) + 1);
      expect(cell.value, header).toBe(text);
      expect(cell.type, header).toBe(ExcelJS.ValueType.String);
      expect(cell.formula, header).toBeUndefined();
    }
  });
});
