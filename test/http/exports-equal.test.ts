/**
 * Every list route with `format` (taken from the route table, so a new list fails here until it is
 * described below): on the demo data set, the JSON list read page by page, the csv parsed back and
 * the xlsx read back with exceljs hold the same rows in the same order, with the same key cells —
 * amounts as euros (numbers in xlsx), days and instants as real dates in xlsx — under French
 * headers; the xlsx header is frozen and filtered.
 */
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/cli/demo.js';
import { loadConfig } from '../../src/config/config.js';
import { routeTable } from '../../src/http/routes/index.js';
import { DEMO_CFA } from '../../src/services/demo.js';
import { createTestDatabase, startTestGateway, type TestDatabase, type TestGateway } from '../helpers/gateway.js';

type Obj = Record<string, unknown>;
type Kind = 'texte' | 'entier' | 'euros' | 'date' | 'instant';
type Value = string | number | null;

/** A cell the export must hold, read from the JSON item (or one of its export lines). */
interface KeyCell<Line> {
  header: string;
  kind: Kind;
  value(line: Line): Value;
}

interface ListSpec<Line> {
  /** The export lines of one JSON item (one per item, unless the list says otherwise). */
  lines(item: Obj): Line[];
  keys: ReadonlyArray<KeyCell<Line>>;
}

const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : []);
const val = (v: unknown): Value => (typeof v === 'string' || typeof v === 'number' ? v : null);
const at = (path: string) => (line: Obj): Value => val(path.split('.').reduce<unknown>((o, k) => obj(o)[k], line));
const key = (header: string, kind: Kind, path: string): KeyCell<Obj> => ({ header, kind, value: at(path) });
const oneLine = (item: Obj): Obj[] => [item];

const DOSSIER_KEYS: ReadonlyArray<KeyCell<Obj>> = [
  key('N° dossier', 'texte', 'numeroExterne'),
  key('N° interne', 'texte', 'numeroInterne'),
  key('État', 'texte', 'libelleEtat'),
  key('Type de dossier', 'texte', 'libelleTypeDossier'),
  key('Nom de l’apprenti', 'texte', 'apprenti.nom'),
  key('SIRET employeur', 'texte', 'employeur.siret'),
  key('Du', 'date', 'periode.du'),
  key('Au', 'date', 'periode.au'),
];
const DOSSIERS: ListSpec<Obj> = {
  lines: oneLine,
  keys: [...DOSSIER_KEYS, key('Origine', 'texte', 'libelleOrigine'), key('Reçu le', 'instant', 'recuLe'), key('Mis à jour le', 'instant', 'misAJourLe')],
};
const FACTURES: ListSpec<Obj> = {
  lines: oneLine,
  keys: [
    key('Établissement (SIRET)', 'texte', 'etablissement'),
    key('N° facture', 'texte', 'referenceFactureCFA'),
    key('N° interne', 'texte', 'numeroInterneFacture'),
    key('Type', 'texte', 'libelleType'),
    key('État', 'texte', 'libelleEtat'),
    key('Montant HT', 'euros', 'montantHT'),
    key('Montant TTC', 'euros', 'montantTTC'),
    key('Montant réglé', 'euros', 'montantRegle'),
    key('Date de facture', 'date', 'dateEmission'),
    key('Reçue le', 'instant', 'recueLe'),
    key('Date de validation', 'instant', 'dateValidation'),
    key('Date de règlement', 'date', 'dateReglement'),
    key('Référence de règlement', 'texte', 'referenceReglement'),
  ],
};
const REMBOURSEMENTS: ListSpec<Obj> = {
  lines: oneLine,
  keys: [
    key('Id remboursement', 'texte', 'idRemboursement'),
    key('N° dossier', 'texte', 'numeroExterneDossier'),
    key('Montant', 'euros', 'montant'),
    key('Cause', 'texte', 'cause'),
    key('État', 'texte', 'etat'),
    key('Mode', 'texte', 'mode'),
    key('Référence de l’avoir', 'texte', 'referenceAvoir'),
    key('Créé le', 'instant', 'dateCreation'),
    key('Déclaré le', 'instant', 'dateDeclaration'),
    key('Reçu le', 'instant', 'dateReception'),
  ],
};

/** One export line per invoice a payment settled (a payment without invoice: one line). */
const REGLEMENTS: ListSpec<{ r: Obj; f: Obj | undefined }> = {
  lines: (item) => {
    const factures = arr(item.factures);
    return factures.length ? factures.map((f) => ({ r: item, f })) : [{ r: item, f: undefined }];
  },
  keys: [
    { header: 'Référence du virement', kind: 'texte', value: (l) => val(l.r.referenceVirement) },
    { header: 'Id règlement', kind: 'texte', value: (l) => val(l.r.idReglement) },
    { header: 'Date de règlement', kind: 'date', value: (l) => val(l.r.dateReglement) },
    { header: 'Montant du virement', kind: 'euros', value: (l) => val(l.r.montant) },
    { header: 'N° facture', kind: 'texte', value: (l) => val(l.f?.referenceFactureCFA) },
    { header: 'N° interne facture', kind: 'texte', value: (l) => val(l.f?.numeroInterneFacture) },
    { header: 'Montant réglé sur la facture', kind: 'euros', value: (l) => val(l.f?.montant) },
    { header: 'Dossiers', kind: 'texte', value: (l) => (l.f ? arr(l.f.dossiers).map((d) => String(d.numeroExterneDossier)).join(', ') : null) },
  ],
};

/** One export line per open échéance, the dossier's columns repeated. */
const ECHEANCES: ListSpec<{ d: Obj; e: Obj }> = {
  lines: (item) => arr(item.echeances).map((e) => ({ d: item, e })),
  keys: [
    ...DOSSIER_KEYS.map((k) => ({ ...k, value: (l: { d: Obj }) => k.value(l.d) })),
    { header: 'Échéance', kind: 'texte', value: (l) => val(l.e.codification) },
    { header: 'Type d’échéance', kind: 'texte', value: (l) => val(l.e.type) },
    { header: 'Ouverte le', kind: 'date', value: (l) => val(l.e.dateOuverture) },
    { header: 'Période du', kind: 'date', value: (l) => val(l.e.dateDebut) },
    { header: 'Période au', kind: 'date', value: (l) => val(l.e.dateFin) },
    { header: 'Montant', kind: 'euros', value: (l) => val(l.e.montantTotal) },
    { header: 'Réglé', kind: 'euros', value: (l) => val(l.e.montantRegle) },
    { header: 'En cours d’instruction', kind: 'euros', value: (l) => val(l.e.montantEnCoursInstruction) },
    { header: 'Reste à facturer', kind: 'euros', value: (l) => val(l.e.resteAFacturer) },
    { header: 'Facturer avant le', kind: 'date', value: (l) => val(l.e.dateLimiteFacturation) },
  ],
};

/** A list's spec with its line type erased: each item gives its lines' key cells. */
interface Expected {
  keys: ReadonlyArray<{ header: string; kind: Kind }>;
  lines(item: Obj): Value[][];
}

const FACTURATIONS: ListSpec<Obj> = {
  lines: oneLine,
  keys: [
    key('Facturation', 'texte', 'id'),
    key('État', 'texte', 'etat'),
    key('Étape', 'entier', 'etape'),
    key('Nature', 'texte', 'nature'),
    key('Dossiers', 'entier', 'nombreDossiers'),
    key('Montant', 'euros', 'montantTotal'),
    key('N° facture', 'texte', 'referenceFactureCFA'),
    key('Créée le', 'instant', 'creeeLe'),
    key('Mise à jour le', 'instant', 'miseAJourLe'),
    key('Déposée le', 'instant', 'deposeeLe'),
  ],
};

function expected<Line>(spec: ListSpec<Line>): Expected {
  return { keys: spec.keys, lines: (item) => spec.lines(item).map((l) => spec.keys.map((k) => k.value(l))) };
}

const SPECS: Readonly<Record<string, Expected>> = {
  '/v2/suivi/dossiers': expected(DOSSIERS),
  '/v2/pilotage/dossiers-en-attente-mise-en-conformite': expected(DOSSIERS),
  '/v2/suivi/factures': expected(FACTURES),
  '/v2/pilotage/factures-en-attente-mise-en-conformite': expected(FACTURES),
  '/v2/suivi/reglements': expected(REGLEMENTS),
  '/v2/suivi/remboursements': expected(REMBOURSEMENTS),
  '/v2/pilotage/remboursements-a-emettre': expected(REMBOURSEMENTS),
  '/v2/pilotage/echeances-a-facturer': expected(ECHEANCES),
  '/v2/suivi/facturations': expected(FACTURATIONS),
  '/v2/facturations': expected(FACTURATIONS),
  '/v2/suivi/soldes': expected({
    lines: oneLine,
    keys: [
      ...DOSSIER_KEYS,
      key('Déclaration', 'texte', 'numeroInterneDeclaration'),
      key('État de la déclaration', 'texte', 'etatDeclaration'),
      key('Montant libéré', 'euros', 'montantLibere'),
      key('Déclarée le', 'instant', 'declareeLe'),
      key('Soldé le', 'instant', 'soldeeLe'),
      key('Commentaire', 'texte', 'commentaire'),
    ],
  }),
  '/v2/pilotage/dossiers-echus': expected({
    lines: oneLine,
    keys: [
      ...DOSSIER_KEYS,
      key('Fin de la période de facturation', 'date', 'finPeriodeFacturation'),
      key('Reste à facturer', 'euros', 'resteAFacturer'),
      { header: 'Certificat de réalisation manquant', kind: 'texte', value: (d) => (d.certificatManquant === true ? 'Oui' : 'Non') },
    ],
  }),
};

// ----------------------------------------------------------------------- the lists of the table

interface ListRoute {
  path: string;
  sorts: string[];
  defaultOrder: 'asc' | 'desc';
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

/** The table's GET routes that take `format` (every listRoute). */
const LIST_ROUTES: ListRoute[] = routeTable({ startedAt: 0, shuttingDown: false })
  .filter((r) => r.method === 'get' && r.query?.format !== undefined)
  .map((r) => ({
    path: r.path,
    sorts: strings(r.query?.tri?.schema.enum),
    defaultOrder: r.query?.ordre?.schema.default === 'asc' ? 'asc' : 'desc',
  }));

// ---------------------------------------------------------------------------------- expectations

const PARIS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

/** The Paris wall clock of an ISO instant: its parts, and that time written as UTC (what a spreadsheet holds). */
function paris(isoInstant: string): { csv: string; asUtc: number } {
  const p = Object.fromEntries(PARIS.formatToParts(new Date(isoInstant)).map((x) => [x.type, x.value]));
  return {
    csv: `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`,
    asUtc: Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) + new Date(isoInstant).getUTCMilliseconds(),
  };
}

function csvCell(kind: Kind, v: Value): string {
  if (v === null) return '';
  if (kind === 'euros') return Number(v).toFixed(2).replace('.', ',');
  if (kind === 'date') return String(v).split('-').reverse().join('/');
  if (kind === 'instant') return paris(String(v)).csv;
  // Text a spreadsheet would run as a formula gets a leading apostrophe (CSV injection).
  return /^[=+\-@\t\r]/.test(String(v)) ? `'${String(v)}` : String(v);
}

function expectXlsxCell(kind: Kind, expected: Value, cell: ExcelJS.Cell, where: string): void {
  const actual: unknown = cell.value;
  if (expected === null || expected === '') {
    expect(actual ?? null, where).toBeNull();
    return;
  }
  if (kind === 'texte') return void expect(actual, where).toBe(expected);
  if (kind === 'entier' || kind === 'euros') {
    expect(typeof actual, where).toBe('number');
    expect(actual, where).toBe(expected);
    expect(cell.numFmt, where).toBe(kind === 'euros' ? '#,##0.00 "€"' : '0');
    return;
  }
  expect(actual, where).toBeInstanceOf(Date);
  const time = actual instanceof Date ? actual.getTime() : NaN;
  if (kind === 'date') {
    expect(new Date(time).toISOString(), where).toBe(`${String(expected)}T00:00:00.000Z`);
    expect(cell.numFmt, where).toBe('dd/mm/yyyy');
  } else {
    // An Excel serial number keeps the millisecond only roughly.
    expect(Math.abs(time - paris(String(expected)).asUtc), where).toBeLessThan(5);
    expect(cell.numFmt, where).toBe('dd/mm/yyyy hh:mm');
  }
}

// --------------------------------------------------------------------------------------- set-up

let database: TestDatabase;
let t: TestGateway;
let cfa: string;
let other: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const config = { ...loadConfig({ LOG_LEVEL: 'silent', JOBS_ENABLED: 'false', NODE_ENV: 'development' }), dataDir: ':memory:' };
  await runDemo(database.db, ['--dossiers', '30'], () => undefined, config);
  t = await startTestGateway({}, database);
  cfa = await t.cfaKey(DEMO_CFA.siren);
  other = await t.cfaKey('123456782');
  // One payment settling two invoices: two export lines for one item of the list.
  const [validee] = arr(obj((await get('/v2/suivi/factures', { etat: 'VALIDEE', taillePage: 1 })).body).items);
  const [partielle] = arr(obj((await get('/v2/suivi/factures', { etat: 'REGLE_PARTIELLEMENT', taillePage: 1 })).body).items);
  if (!validee || !partielle) throw new Error('the demo data set has a validated and a partly paid invoice');
  const rest = (f: Obj): number => Math.round((Number(f.montantHT) - Number(f.montantRegle)) * 100) / 100;
  const paid = await t.http.post('/back-office/v1/reglements').set('X-API-KEY', await t.opcoKey()).send({
    referenceVirement: 'VIR-EXPORTS-2', dateReglement: new Date().toISOString().slice(0, 10),
    lignes: [validee, partielle].map((f) => ({ numeroInterneFacture: f.numeroInterneFacture, montant: rest(f) })),
  });
  expect(paid.status, JSON.stringify(paid.body)).toBe(200);
}, 240_000);
afterAll(async () => {
  await t.close();
  await database.drop();
});

const get = (path: string, query: Obj, apiKey = cfa) => t.http.get(path).query(query).set('X-API-KEY', apiKey);

async function download(path: string, query: Obj, apiKey = cfa): Promise<Buffer> {
  const res = await get(path, query, apiKey).buffer(true).parse((r, done) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => done(null, Buffer.concat(chunks)));
  });
  expect(res.status, `${path} ${JSON.stringify(query)}`).toBe(200);
  return res.body as Buffer;
}

/** Every item of the list, page after page (small pages, so the paging is exercised). */
async function wholeList(path: string, query: Obj): Promise<Obj[]> {
  const items: Obj[] = [];
  const size = 4;
  for (let page = 1; ; page += 1) {
    const res = await get(path, { ...query, numeroPage: page, taillePage: size });
    expect(res.status, `${path} page ${page}`).toBe(200);
    const body = obj(res.body);
    items.push(...arr(body.items));
    if (arr(body.items).length < size) {
      expect(items.length, `${path} total`).toBe(body.total);
      return items;
    }
  }
}

async function xlsxOf(path: string, query: Obj): Promise<ExcelJS.Worksheet> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(new Uint8Array(await download(path, { ...query, format: 'xlsx' })).buffer);
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new Error(`${path}: no sheet`);
  return sheet;
}

async function csvOf(path: string, query: Obj, apiKey = cfa): Promise<string[][]> {
  const raw = await download(path, { ...query, format: 'csv' }, apiKey);
  expect([...raw.subarray(0, 3)], 'UTF-8 BOM').toEqual([0xef, 0xbb, 0xbf]);
  const text = raw.toString('utf8');
  // Every record ends with CRLF (French Excel), none with a bare LF outside quotes.
  expect(text.endsWith('\r\n'), 'CRLF').toBe(true);
  return parse(raw, { delimiter: ';', bom: true, record_delimiter: '\r\n', relax_column_count: false }) as string[][];
}

// ------------------------------------------------------------------------------------------ tests

describe('the route table’s lists', () => {
  it('are all described here (a new list must say which cells its export holds)', () => {
    expect(LIST_ROUTES.length).toBeGreaterThanOrEqual(11);
    expect(LIST_ROUTES.map((r) => r.path).filter((p) => !SPECS[p])).toEqual([]);
    expect(Object.keys(SPECS).filter((p) => !LIST_ROUTES.some((r) => r.path === p))).toEqual([]);
  });
});

describe.each(LIST_ROUTES.map((r) => [r.path, r] as const))('%s: csv and xlsx equal the list', (path, list) => {
  const spec = SPECS[path];
  // Default sort, then the last sort key in the other order.
  const last = list.sorts.at(-1) ?? '';
  const orders: Obj[] = [{}, { tri: last, ordre: list.defaultOrder === 'asc' ? 'desc' : 'asc' }];

  it.each(orders.map((q) => [JSON.stringify(q), q] as const))('order %s', async (_label, query) => {
    if (!spec) throw new Error(`${path}: no spec`);
    const items = await wholeList(path, query);
    expect(items.length, `${path}: the demo data set fills every list`).toBeGreaterThan(0);
    const lines = items.flatMap((i) => spec.lines(i));
    expect(lines.length).toBeGreaterThan(0);

    const [csvHeaders = [], ...csvRows] = await csvOf(path, query);
    const sheet = await xlsxOf(path, query);
    const xlsxHeaders = (sheet.getRow(1).values as unknown[]).slice(1);

    // French headers, the same in both files, holding every key cell.
    expect(xlsxHeaders).toEqual(csvHeaders);
    for (const h of csvHeaders) {
      expect(h, 'a French label, not a JSON member').toMatch(/^[A-ZÀ-ÝÉ]/u);
      expect(h).not.toMatch(/^[a-z]+[A-Z]/);
    }
    const columns = spec.keys.map((k, at) => {
      const index = csvHeaders.indexOf(k.header);
      expect(index, `${path}: column « ${k.header} »`).toBeGreaterThanOrEqual(0);
      return { ...k, index, at };
    });

    // Same rows, same order, same key cells.
    expect(csvRows).toHaveLength(lines.length);
    expect(sheet.actualRowCount - 1).toBe(lines.length);
    expect(sheet.rowCount - 1).toBe(lines.length);
    lines.forEach((line, n) => {
      const csvRow = csvRows[n] ?? [];
      expect(csvRow).toHaveLength(csvHeaders.length);
      const xlsxRow = sheet.getRow(n + 2);
      for (const c of columns) {
        const want = line[c.at] ?? null;
        const where = `${path} ligne ${n + 1}, « ${c.header} »`;
        expect(csvRow[c.index], where).toBe(csvCell(c.kind, want));
        expectXlsxCell(c.kind, want, xlsxRow.getCell(c.index + 1), where);
      }
    });

    // Frozen header with a filter over every column.
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.autoFilter).toBeTruthy();
    const filter = JSON.stringify(sheet.autoFilter);
    expect(filter).toMatch(/A1/);
    const lastColumn = sheet.getColumn(csvHeaders.length).letter;
    expect(filter).toContain(`${lastColumn}1`);
  });

  it('another CFA’s export is its header only', async () => {
    const [headers, ...rows] = await csvOf(path, {}, other);
    expect(headers?.length).toBeGreaterThan(0);
    expect(rows).toEqual([]);
  });
});
