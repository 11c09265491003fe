/**
 * Exports of the CFA's lists, streamed batch by batch so memory does not grow with the row count:
 * - xlsx through exceljs's streaming writer: French headers, real dates and numbers with their
 *   formats, a filter on the header row, the header frozen; rows are committed as they come;
 * - csv through csv-stringify, as French Excel opens it: UTF-8 with BOM, `;` separator, decimal
 *   comma, dates dd/mm/yyyy; a text cell starting like a formula gets a leading `'`.
 * Once the first bytes are sent a failure can only cut the connection (a truncated file, never a
 * silently shorter one).
 */
import type { Response } from 'express';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify';

export type Cell = string | number | Date | null;

/** How a cell is typed and shown: dates are `YYYY-MM-DD`, instants are Dates, money is euros. */
export type ColumnKind = 'texte' | 'entier' | 'euros' | 'date' | 'instant';

export interface ExportColumn<Row> {
  header: string;
  kind: ColumnKind;
  value(row: Row): Cell;
  /** Width in characters (xlsx). */
  width?: number;
}

export const EXPORT_FORMATS = ['xlsx', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const MEDIA_TYPES: Readonly<Record<ExportFormat, string>> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};
export const EXPORT_MEDIA_TYPES: readonly string[] = Object.values(MEDIA_TYPES);

const NUMBER_FORMATS: Readonly<Record<ColumnKind, string | undefined>> = {
  texte: undefined,
  entier: '0',
  euros: '#,##0.00 "€"',
  date: 'dd/mm/yyyy',
  instant: 'dd/mm/yyyy hh:mm',
};

const PARIS = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

const HOUR_MS = 3_600_000;
/** Paris's offset from UTC by UTC hour: it only changes on an hour (at 01:00 UTC), so one `Intl` call per hour. */
const parisOffsets = new Map<number, number>();

function parisOffsetMs(instant: Date): number {
  const hour = Math.floor(instant.getTime() / HOUR_MS);
  let offset = parisOffsets.get(hour);
  if (offset === undefined) {
    const start = new Date(hour * HOUR_MS);
    const p = Object.fromEntries(PARIS.formatToParts(start).map((x) => [x.type, x.value]));
    offset = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - start.getTime();
    if (parisOffsets.size > 100_000) parisOffsets.clear();
    parisOffsets.set(hour, offset);
  }
  return offset;
}

/** The Paris wall-clock time of an instant, as the UTC Date spreadsheets expect (they have no time zones). */
function parisWallClock(instant: Date): Date {
  return new Date(instant.getTime() + parisOffsetMs(instant));
}

/** A `YYYY-MM-DD` day as the UTC midnight spreadsheets read as that day. */
function dayOf(iso: string): Date {
  return new Date(`${iso.slice(0, 10)}T00:00:00Z`);
}

function xlsxValue(kind: ColumnKind, value: Cell): ExcelJS.CellValue {
  if (value === null || value === '') return null;
  if (kind === 'date' && typeof value === 'string') return dayOf(value);
  if (kind === 'instant' && value instanceof Date) return parisWallClock(value);
  return value;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** What a spreadsheet opening a csv takes for the start of a formula (OWASP, CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell that a spreadsheet would run as a formula, prefixed with `'` so it shows as typed:
 * names come from employers and CFAs (free text). Numbers and dates never pass here.
 */
function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function csvValue(kind: ColumnKind, value: Cell): string {
  if (value === null) return '';
  if (kind === 'date' && typeof value === 'string') return value.slice(0, 10).split('-').reverse().join('/');
  if (value instanceof Date) {
    const d = parisWallClock(value);
    return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  }
  if (typeof value === 'number') return kind === 'euros' ? value.toFixed(2).replace('.', ',') : String(value);
  return kind === 'texte' ? neutraliseFormula(value) : value;
}

function startDownload(res: Response, format: ExportFormat, fileName: string): void {
  res.status(200);
  res.setHeader('Content-Type', MEDIA_TYPES[format]);
  res.setHeader('Content-Disposition', `attachment; filename="${fileName}.${format}"`);
  // Personal data (apprentices' names): never kept by a shared cache.
  res.setHeader('Cache-Control', 'private, no-store');
}

async function sendXlsx<Row>(res: Response, title: string, columns: ReadonlyArray<ExportColumn<Row>>, batches: AsyncIterable<Row[]>): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: res, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(title.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  // One style object per column, given to every cell: exceljs finds a style it has seen by identity
  // (a fresh copy per cell would be serialised again for each cell).
  const styles: Array<Partial<ExcelJS.Style>> = columns.map((c) => {
    const numFmt = NUMBER_FORMATS[c.kind];
    return numFmt ? { numFmt } : {};
  });
  sheet.columns = columns.map((c, i) => ({ header: c.header, width: c.width ?? Math.max(12, c.header.length + 2), style: styles[i] ?? {} }));
  sheet.getRow(1).font = { bold: true };
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  sheet.getRow(1).commit();
  for await (const batch of readAhead(batches)) {
    for (const row of batch) {
      const line = sheet.addRow(columns.map((c) => xlsxValue(c.kind, c.value(row))));
      styles.forEach((style, i) => { line.getCell(i + 1).style = style; });
      line.commit();
    }
    // Let the client catch up before going on.
    if (res.writableNeedDrain) await once(res, 'drain');
  }
  sheet.commit();
  await workbook.commit();
}

/** The batches, the next one read from the database while the current one is written. */
async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  let finished = false;
  try {
    for (;;) {
      const current = await next;
      if (current.done) {
        finished = true;
        return;
      }
      next = iterator.next();
      yield current.value;
    }
  } finally {
    if (!finished) {
      // The consumer stopped (client gone, write error): settle the read in flight, close the source.
      next.catch(() => undefined);
      await iterator.return?.(undefined);
    }
  }
}

async function sendCsv<Row>(res: Response, columns: ReadonlyArray<ExportColumn<Row>>, batches: AsyncIterable<Row[]>): Promise<void> {
  async function* records(): AsyncGenerator<string[]> {
    for await (const batch of readAhead(batches)) for (const row of batch) yield columns.map((c) => csvValue(c.kind, c.value(row)));
  }
  const csv = stringify({ delimiter: ';', bom: true, header: true, columns: columns.map((c) => c.header), record_delimiter: 'windows' });
  await pipeline(Readable.from(records()), csv, res);
}

/** Streams the list as a file; a client that leaves stops the reading. */
export async function sendExport<Row>(
  res: Response,
  format: ExportFormat,
  file: { name: string; title: string },
  columns: ReadonlyArray<ExportColumn<Row>>,
  batches: AsyncIterable<Row[]>,
): Promise<void> {
  startDownload(res, format, file.name);
  try {
    if (format === 'xlsx') await sendXlsx(res, file.title, columns, batches);
    else await sendCsv(res, columns, batches);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE' || res.destroyed) return;
    // Headers are gone: cut the connection so the client sees a broken download, not a short one.
    res.destroy(err instanceof Error ? err : undefined);
    throw err;
  }
}
