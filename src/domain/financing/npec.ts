/**
 * NPEC (niveau de prise en charge) lookup — financement.md §1.1–1.3.
 *
 * The OPCO applies the NPEC in force at the contract's CONCLUSION date (Akto summary of the
 * Vade-mecum V2). The référentiel is versioned by effective date (§1.2), so a (RNCP, IDCC) pair may
 * have several rows; the one with the latest `dateEffet ≤ dateConclusion` applies.
 * Lookup order (vendor rule, §1.1 — unverified against France compétences, see docs/financing.md):
 *   1. exact (RNCP, IDCC);  2. (RNCP, IDCC 9999 "générique");  3. valeur d'amorçage by level (§1.3).
 */
import { isIsoDate } from '../dates.js';
import { FinancementError } from './errors.js';
import { eurosToCents, formatEuros, type Cents } from './money.js';
import type { IsoDate, NiveauDiplome } from './types.js';

export interface NpecRow {
  /** Normalised: digits only, no "RNCP" prefix. */
  rncp: string;
  /** Normalised: 4 digits ("0044"); "9999" = generic row valid for any branch. */
  idcc: string;
  npecCents: Cents;
  dateEffet: IsoDate;
}

export interface NpecQuery {
  /** As on the CERFA: "RNCP35185", "rncp 35185" or "35185". */
  rncp: string;
  /** Branch IDCC of the employer; absent → only the generic row or the amorçage value can apply. */
  idcc?: string | number | null;
  dateConclusion: IsoDate;
  niveauDiplome: NiveauDiplome;
}

export type NpecSource = 'REFERENTIEL' | 'IDCC_GENERIQUE' | 'AMORCAGE';

export interface NpecResolution {
  npecCents: Cents;
  source: NpecSource;
  /** Effective date of the référentiel row used (absent for the amorçage value). */
  dateEffet?: IsoDate;
  /** French explanation of the value retained. */
  explication: string;
}

export const IDCC_GENERIQUE = '9999';

/** Valeurs d'amorçage, arrêté of 31 Aug 2022, contracts from 1 Sept 2022 (financement.md §1.3). */
export const VALEURS_AMORCAGE_CENTS: Readonly<Record<NiveauDiplome, Cents>> = {
  3: 547_000,
  4: 562_100,
  5: 600_000,
  6: 600_000,
  7: 700_000,
  8: 700_000,
};
const DEBUT_AMORCAGE_2022: IsoDate = '2022-09-01';

/** "RNCP35185", " rncp 35185 " → "35185". */
export function normalizeRncp(rncp: string): string {
  return rncp.trim().replace(/^rncp\s*/i, '').trim().toUpperCase();
}

/** 44, "44", " 0044 " → "0044". Non-numeric input is returned trimmed (it will match nothing). */
export function normalizeIdcc(idcc: string | number): string {
  const text = String(idcc).trim();
  return /^\d{1,4}$/.test(text) ? text.padStart(4, '0') : text;
}

/**
 * Level of a CERFA `formation.typeDiplome` code (cerfa-model.md §2.2.b). 64 (mapped by the State
 * service from CFD prefix 251), 75 and 76 are accepted as level 6/7 codes. 13, 25 and 26 mean "no
 * diploma" (they belong to the apprentice's prior-diploma list): as a target they can only be an
 * input mistake, and we map them to level 3, the lowest funded level, rather than refuse.
 */
export function niveauDiplome(typeDiplome: number): NiveauDiplome {
  const byCode: Readonly<Record<number, NiveauDiplome>> = {
    13: 3, 25: 3, 26: 3,
    33: 3, 34: 3, 35: 3, 38: 3,
    41: 4, 42: 4, 43: 4, 44: 4, 49: 4,
    54: 5, 55: 5, 58: 5,
    61: 6, 62: 6, 63: 6, 64: 6, 69: 6,
    71: 7, 72: 7, 73: 7, 74: 7, 75: 7, 76: 7, 79: 7,
    80: 8,
  };
  const niveau = byCode[typeDiplome];
  if (niveau === undefined) {
    throw new FinancementError(
      'NIVEAU_DIPLOME_INVALIDE',
      `Type de diplôme ${typeDiplome} inconnu : impossible d'en déduire le niveau (3 à 8).`,
      '/typeDiplome',
    );
  }
  return niveau;
}

function frDate(date: IsoDate): string {
  return date.split('-').reverse().join('/');
}

/** Row with the latest effective date ≤ the conclusion date; first one wins on a tie. */
function latestApplicable(rows: readonly NpecRow[], rncp: string, idcc: string, dateConclusion: IsoDate): NpecRow | undefined {
  let best: NpecRow | undefined;
  for (const row of rows) {
    if (normalizeRncp(row.rncp) !== rncp || normalizeIdcc(row.idcc) !== idcc) continue;
    if (row.dateEffet > dateConclusion) continue;
    if (!best || row.dateEffet > best.dateEffet) best = row;
  }
  return best;
}

export function resolveNpec(rows: readonly NpecRow[], query: NpecQuery): NpecResolution {
  if (!isIsoDate(query.dateConclusion)) {
    throw new FinancementError('DATE_INVALIDE', `Date de conclusion invalide : « ${query.dateConclusion} ».`, '/dateConclusion');
  }
  const rncp = normalizeRncp(query.rncp);
  const idcc = query.idcc === undefined || query.idcc === null || String(query.idcc).trim() === ''
    ? undefined
    : normalizeIdcc(query.idcc);
  const conclu = frDate(query.dateConclusion);

  if (idcc !== undefined && idcc !== IDCC_GENERIQUE) {
    const exact = latestApplicable(rows, rncp, idcc, query.dateConclusion);
    if (exact) {
      return {
        npecCents: exact.npecCents,
        source: 'REFERENTIEL',
        dateEffet: exact.dateEffet,
        explication: `NPEC de la branche IDCC ${idcc} pour RNCP${rncp} : ${formatEuros(exact.npecCents)} par an (référentiel en vigueur depuis le ${frDate(exact.dateEffet)}, contrat conclu le ${conclu}).`,
      };
    }
  }
  const generique = latestApplicable(rows, rncp, IDCC_GENERIQUE, query.dateConclusion);
  if (generique) {
    const why = idcc === undefined
      ? 'IDCC non renseigné'
      : idcc === IDCC_GENERIQUE ? 'employeur sans convention collective (IDCC 9999)' : `aucune ligne pour l'IDCC ${idcc}`;
    return {
      npecCents: generique.npecCents,
      source: 'IDCC_GENERIQUE',
      dateEffet: generique.dateEffet,
      explication: `NPEC générique (IDCC 9999) pour RNCP${rncp} : ${formatEuros(generique.npecCents)} par an (${why} ; référentiel en vigueur depuis le ${frDate(generique.dateEffet)}, contrat conclu le ${conclu}).`,
    };
  }
  const amorcage = VALEURS_AMORCAGE_CENTS[query.niveauDiplome];
  if (amorcage === undefined) {
    throw new FinancementError('NIVEAU_DIPLOME_INVALIDE', `Niveau de diplôme ${String(query.niveauDiplome)} hors de 3 à 8.`, '/niveauDiplome');
  }
  const avant2022 = query.dateConclusion < DEBUT_AMORCAGE_2022
    ? ' Attention : ces valeurs s’appliquent aux contrats conclus à compter du 01/09/2022 ; à vérifier pour un contrat antérieur.'
    : '';
  return {
    npecCents: amorcage,
    source: 'AMORCAGE',
    explication: `Aucun NPEC au référentiel pour RNCP${rncp} à la date de conclusion (${conclu}) : valeur d'amorçage du niveau ${query.niveauDiplome}, ${formatEuros(amorcage)} par an (arrêté du 31 août 2022, D6332-80), régularisée dès la fixation du NPEC.${avant2022}`,
  };
}

export interface NpecCsvError {
  /** 1-based line number in the file (the header is line 1). */
  ligne: number;
  message: string;
}

const CSV_COLUMNS = ['rncp', 'idcc', 'npec', 'date_effet'] as const;

/**
 * Parses a référentiel CSV with header `rncp,idcc,npec,date_effet` (columns in any order):
 * npec in euros with a decimal POINT, date YYYY-MM-DD. Valid rows are returned even when other rows
 * fail; every rejected row is listed with its line number and a French message.
 */
export function parseNpecCsv(text: string): { rows: NpecRow[]; errors: NpecCsvError[] } {
  const rows: NpecRow[] = [];
  const errors: NpecCsvError[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerIndex = lines.findIndex((l) => l.trim() !== '');
  if (headerIndex < 0) return { rows, errors: [{ ligne: 1, message: 'Fichier vide : en-tête rncp,idcc,npec,date_effet attendu.' }] };

  const header = (lines[headerIndex] ?? '').split(',').map((c) => c.trim().toLowerCase());
  const missing = CSV_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0 || header.length !== CSV_COLUMNS.length) {
    errors.push({
      ligne: headerIndex + 1,
      message: `En-tête invalide « ${lines[headerIndex]?.trim() ?? ''} » : colonnes attendues rncp,idcc,npec,date_effet${missing.length ? ` (manquantes : ${missing.join(', ')})` : ''}.`,
    });
    return { rows, errors };
  }
  const col = (cells: string[], name: (typeof CSV_COLUMNS)[number]): string => (cells[header.indexOf(name)] ?? '').trim();
  const seen = new Map<string, number>();

  for (let i = headerIndex + 1; i < lines.length; i += 1) {
    const raw = lines[i] ?? '';
    if (raw.trim() === '') continue;
    const ligne = i + 1;
    const cells = raw.split(',');
    if (cells.length !== CSV_COLUMNS.length) {
      const hint = cells.length > CSV_COLUMNS.length ? ' (virgule décimale ? le NPEC s’écrit avec un point, ex. 8000.50)' : '';
      errors.push({ ligne, message: `${cells.length} colonnes au lieu de 4${hint}.` });
      continue;
    }
    const problems: string[] = [];
    const rncp = normalizeRncp(col(cells, 'rncp'));
    if (!/^\d{2,5}$/.test(rncp)) problems.push(`RNCP « ${col(cells, 'rncp')} » invalide (2 à 5 chiffres, préfixe RNCP facultatif)`);
    const idccText = col(cells, 'idcc');
    if (!/^\d{1,4}$/.test(idccText)) problems.push(`IDCC « ${idccText} » invalide (1 à 4 chiffres, 9999 pour la ligne générique)`);
    let npecCents = 0;
    try {
      npecCents = eurosToCents(col(cells, 'npec'));
      if (npecCents <= 0) problems.push(`NPEC « ${col(cells, 'npec')} » : le montant doit être strictement positif`);
    } catch (e) {
      problems.push(e instanceof Error ? e.message.replace(/\.$/, '') : `NPEC « ${col(cells, 'npec')} » illisible`);
    }
    const dateEffet = col(cells, 'date_effet');
    if (!isIsoDate(dateEffet)) problems.push(`date d'effet « ${dateEffet} » invalide (format AAAA-MM-JJ)`);
    if (problems.length > 0) {
      errors.push({ ligne, message: `${problems.join(' ; ')}.` });
      continue;
    }
    const row: NpecRow = { rncp, idcc: normalizeIdcc(idccText), npecCents, dateEffet };
    const key = `${row.rncp}|${row.idcc}|${row.dateEffet}`;
    const previous = seen.get(key);
    if (previous !== undefined) {
      errors.push({ ligne, message: `Doublon de la ligne ${previous} (même RNCP, IDCC et date d'effet) : ligne ignorée.` });
      continue;
    }
    seen.set(key, ligne);
    rows.push(row);
  }
  return { rows, errors };
}
