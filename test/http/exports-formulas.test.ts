/**
 * The csv writer against CSV injection (OWASP): a text cell starting with `=`, `+`, `-`, `@`, a tab
 * or a carriage return gets a leading `'`; numbers (a negative amount too) and dates keep their
 * values; the xlsx writes the same text as string cells, never formulas.
 */
import express from 'express';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { sendExport, type ExportColumn, type ExportFormat } from '../../src/http/exports.js';

interface Row { texte: string; euros: number; entier: number; date: string }

const COLUMNS: ReadonlyArray<ExportColumn<Row>> = [
  { header: 'Texte', kind: 'texte', value: (r) => r.texte },
  { header: 'Montant', kind: 'euros', value: (r) => r.euros },
  { header: 'Nombre', kind: 'entier', value: (r) => r.entier },
  { header: 'Date', kind: 'date', value: (r) => r.date },
];

const TEXTS = ['=1+1', '+Jean', '-2', '@SUM(A1)', '\tcmd', '\rx', 'Dupont', "'déjà", 'a=b', ' =1'];
const NEUTRALISED = ["'=1+1", "'+Jean", "'-2", "'@SUM(A1)", "'\tcmd", "'\rx", 'Dupont', "'déjà", 'a=b', ' =1'];
const ROWS: Row[] = TEXTS.map((texte, i) => ({ texte, euros: -12.5 - i, entier: -i, date: '2026-03-10' }));

async function* batches(): AsyncGenerator<Row[]> {
  yield ROWS;
}

const app = express();
app.get('/export/:format', (req, res, next) => {
  const format: ExportFormat = req.params.format === 'xlsx' ? 'xlsx' : 'csv';
  sendExport(res, format, { name: 'essai', title: 'Essai' }, COLUMNS, batches()).catch(next);
});

async function download(format: ExportFormat): Promise<Buffer> {
  const res = await supertest(app).get(`/export/${format}`).buffer(true).parse((r, done) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => done(null, Buffer.concat(chunks)));
  });
  expect(res.status).toBe(200);
  return res.body as Buffer;
}

describe('exports and spreadsheet formulas', () => {
  it('csv: text starting like a formula gets a leading apostrophe, numbers and dates do not', async () => {
    const [headers, ...rows] = parse(await download('csv'), { delimiter: ';', bom: true, record_delimiter: '\r\n' }) as string[][];
    expect(headers).toEqual(['Texte', 'Montant', 'Nombre', 'Date']);
    expect(rows.map((r) => r[0])).toEqual(NEUTRALISED);
    expect(rows.map((r) => r[1])).toEqual(ROWS.map((r) => r.euros.toFixed(2).replace('.', ',')));
    expect(rows[1]?.[1]).toBe('-13,50');
    expect(rows.map((r) => r[2])).toEqual(ROWS.map((r) => String(r.entier)));
    expect(rows[2]?.[2]).toBe('-2');
    expect(rows.every((r) => r[3] === '10/03/2026')).toBe(true);
  });

  it('xlsx: the text as typed in string cells, never formulas; negative amounts stay numbers', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(new Uint8Array(await download('xlsx')).buffer);
    const sheet = workbook.worksheets[0];
    if (!sheet) throw new Error('no sheet');
    ROWS.forEach((row, n) => {
      const line = sheet.getRow(n + 2);
      const text = line.getCell(1);
      // XML reads a bare carriage return as a line feed (XML 1.0 end-of-line handling).
      expect(text.value, row.texte).toBe(row.texte.replace('\r', '\n'));
      expect(text.type, row.texte).toBe(ExcelJS.ValueType.String);
      expect(text.formula, row.texte).toBeUndefined();
      expect(line.getCell(2).value).toBe(row.euros);
      expect(line.getCell(2).type).toBe(ExcelJS.ValueType.Number);
    });
  });
});
