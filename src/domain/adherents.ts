/**
 * The OPCO's register of member companies (adhérents): reading the back office's CSV (header
 * `siret,raison_sociale,adresse,code_postal,commune,naf,idcc,effectif`, `,` or `;`, optional BOM),
 * the checks of each row, and the search key of a company name. Pure: no I/O.
 * Choices: docs/decisions/presaisie.md, "Adherents".
 */
import { parse } from 'csv-parse/sync';
import { isCodePostal, isIdcc, isNaf, isSiret, sirenOfSiret } from './formats.js';

export const ADHERENT_COLUMNS = ['siret', 'raison_sociale', 'adresse', 'code_postal', 'commune', 'naf', 'idcc', 'effectif'] as const;
export type AdherentColumn = (typeof ADHERENT_COLUMNS)[number];

/** One member company (one establishment: a SIRET). */
export interface Adherent {
  siret: string;
  siren: string;
  raisonSociale: string;
  adresse: string | null;
  codePostal: string | null;
  commune: string | null;
  /** NAF rév. 2, written `62.02A`. */
  naf: string | null;
  /** 4 digits. */
  idcc: string | null;
  effectif: number | null;
}

/** A problem of the file: the line (1 = the header) where the row starts, the column when one is at fault. */
export interface AdherentCsvError {
  ligne: number;
  colonne?: AdherentColumn;
  message: string;
}

export interface AdherentsReading {
  rows: Adherent[];
  errors: AdherentCsvError[];
}

const MAX_LENGTH: Partial<Record<AdherentColumn, number>> = { raison_sociale: 255, adresse: 255, commune: 80 };

/** A value quoted in a message: the data is the OPCO's register (companies), kept short. */
const quoted = (value: string): string => `« ${value.length > 40 ? `${value.slice(0, 40)}…` : value} »`;

/** `6202a`, `62.02A` → `62.02A`. */
function normalizeNaf(value: string): string {
  const compact = value.replace('.', '').toUpperCase();
  return `${compact.slice(0, 2)}.${compact.slice(2)}`;
}

/**
 * What a name is searched by: lower case, no accents or ligatures, apostrophes and dots dropped
 * (`L'Atelier` → `latelier`, `S.A.R.L.` → `sarl`), any other punctuation a space, spaces single.
 * The register stores it next to the name; the lookup applies it to what the CFA typed.
 */
export function searchKey(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss')
    .replace(/['’`.]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The columns' separator, from the header line: `;` when it has one and no comma. */
function delimiterOf(text: string): ',' | ';' {
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  return header.includes(';') && !header.includes(',') ? ';' : ',';
}

const PARSE_MESSAGES: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'guillemet ouvert jamais refermé : la suite du fichier ne peut pas être lue',
  CSV_INVALID_CLOSING_QUOTE: 'guillemet fermant mal placé',
  CSV_RECORD_INCONSISTENT_COLUMNS: 'nombre de colonnes incohérent',
};

/** Checks one row's cells (in header order); every problem of the row, by column. */
function readRow(cells: readonly string[], ligne: number): { adherent?: Adherent; errors: AdherentCsvError[] } {
  const errors: AdherentCsvError[] = [];
  const cell = (c: AdherentColumn): string => cells[ADHERENT_COLUMNS.indexOf(c)] ?? '';
  const fail = (colonne: AdherentColumn, message: string): void => {
    errors.push({ ligne, colonne, message });
  };
  const optional = (c: AdherentColumn): string | null => (cell(c) === '' ? null : cell(c));

  const siret = cell('siret').replace(/\s/g, '');
  if (siret === '') fail('siret', 'SIRET obligatoire.');
  else if (!isSiret(siret)) fail('siret', `SIRET ${quoted(cell('siret'))} invalide : 14 chiffres, clé de contrôle (Luhn) correcte.`);
  if (cell('raison_sociale') === '') fail('raison_sociale', 'raison sociale obligatoire.');
  for (const [c, max] of Object.entries(MAX_LENGTH) as Array<[AdherentColumn, number]>) {
    if (cell(c).length > max) fail(c, `${max} caractères au plus (${cell(c).length} reçus).`);
  }
  const codePostal = optional('code_postal');
  if (codePostal !== null && !isCodePostal(codePostal)) fail('code_postal', `code postal ${quoted(codePostal)} invalide : 5 chiffres, zéro initial compris (01000).`);
  const naf = optional('naf');
  if (naf !== null && !isNaf(naf)) fail('naf', `code NAF ${quoted(naf)} invalide : 4 chiffres et une lettre, point facultatif (62.02A).`);
  const idcc = optional('idcc');
  if (idcc !== null && !isIdcc(idcc)) fail('idcc', `IDCC ${quoted(idcc)} invalide : 4 chiffres, zéros initiaux compris (0843 ; 9999 = sans convention).`);
  const effectifText = optional('effectif');
  const effectif = effectifText !== null && /^[0-9]{1,7}$/.test(effectifText) ? Number(effectifText) : null;
  if (effectifText !== null && effectif === null) fail('effectif', `effectif ${quoted(effectifText)} invalide : nombre entier de salariés, 0 ou plus.`);

  if (errors.length) return { errors };
  return {
    errors,
    adherent: {
      siret,
      siren: sirenOfSiret(siret),
      raisonSociale: cell('raison_sociale'),
      adresse: optional('adresse'),
      codePostal,
      commune: optional('commune'),
      naf: naf === null ? null : normalizeNaf(naf),
      idcc,
      effectif,
    },
  };
}

/**
 * Reads the whole register file and reports every problem at once, each by the line where its row
 * starts (1 = the header), so that the back office fixes the file in one go. Blank lines are
 * skipped; cells are trimmed; a SIRET may carry spaces (`552 100 554 00012`); a SIRET twice in the
 * file is an error on its second line.
 */
export function readAdherentsCsv(text: string): AdherentsReading {
  const errors: AdherentCsvError[] = [];
  const rows: Adherent[] = [];
  const seen = new Map<string, number>();
  let header: readonly string[] | undefined;
  let headerError: AdherentCsvError | undefined;
  // Where the previous record ended, and how many blank lines the parser had met by then.
  let lastLine = 0;
  let lastEmpty = 0;

  const onRecord = (raw: string[], ligne: number): void => {
    // Text cells on one line: a value spread over several lines (quoted) reads as one.
    const record = raw.map((c) => c.replace(/\s+/g, ' '));
    if (headerError || record.every((c) => c === '')) return;
    if (!header) {
      header = record.map((c) => c.toLowerCase());
      if (header.join(',') !== ADHERENT_COLUMNS.join(',')) {
        headerError = { ligne, message: `En-tête ${quoted(record.join(','))} invalide : attendu exactement ${ADHERENT_COLUMNS.join(',')} (séparateur , ou ;).` };
      }
      return;
    }
    if (record.length !== ADHERENT_COLUMNS.length) {
      errors.push({ ligne, message: `${record.length} colonne(s) au lieu de ${ADHERENT_COLUMNS.length} : une valeur contenant le séparateur doit être entre guillemets.` });
      return;
    }
    const read = readRow(record, ligne);
    errors.push(...read.errors);
    if (!read.adherent) return;
    const previous = seen.get(read.adherent.siret);
    if (previous !== undefined) {
      errors.push({ ligne, colonne: 'siret', message: `SIRET ${read.adherent.siret} déjà présent ligne ${previous}.` });
      return;
    }
    seen.set(read.adherent.siret, ligne);
    rows.push(read.adherent);
  };

  // Records are handled as the parser meets them (on_record, on_skip), so line numbers follow the file.
  parse(text, {
    bom: true,
    delimiter: delimiterOf(text),
    trim: true,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_record: (record: string[], info) => {
      const ligne = lastLine + 1 + (info.empty_lines - lastEmpty);
      lastLine = info.lines;
      lastEmpty = info.empty_lines;
      onRecord(record, ligne);
      return null;
    },
    on_skip: (err) => {
      const ligne = lastLine + 1;
      errors.push({ ligne, message: `CSV illisible : ${(err && PARSE_MESSAGES[err.code]) ?? 'ligne mal formée'}.` });
      const end: unknown = err?.lines;
      lastLine = typeof end === 'number' ? end : ligne;
      return undefined;
    },
  });
  if (headerError) return { rows: [], errors: [headerError] };
  if (!header) return { rows: [], errors: [{ ligne: 1, message: `Fichier vide : en-tête ${ADHERENT_COLUMNS.join(',')} attendu.` }] };
  return { rows, errors: errors.sort((a, b) => a.ligne - b.ligne) };
}
