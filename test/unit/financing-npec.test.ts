import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FinancementError } from '../../src/domain/financing/errors.js';
import {
  niveauDiplome, normalizeIdcc, normalizeRncp, parseNpecCsv, resolveNpec, VALEURS_AMORCAGE_CENTS, type NpecRow,
} from '../../src/domain/financing/npec.js';

const fixture = readFileSync(new URL('../fixtures/npec-sample.csv', import.meta.url), 'utf8');
const { rows } = parseNpecCsv(fixture);

describe('normalisation', () => {
  it.each([['RNCP35185', '35185'], ['rncp 35185', '35185'], ['  Rncp35185 ', '35185'], ['35185', '35185']])('RNCP %j → %s', (raw, want) => {
    expect(normalizeRncp(raw)).toBe(want);
  });
  it.each([[44, '0044'], ['44', '0044'], [' 1486 ', '1486'], ['9999', '9999']] as const)('IDCC %j → %s', (raw, want) => {
    expect(normalizeIdcc(raw)).toBe(want);
  });
});

describe('resolveNpec', () => {
  const base = { rncp: 'RNCP35185', idcc: '1486', niveauDiplome: 6 as const };

  it('takes the exact (RNCP, IDCC) row with the latest effective date ≤ the conclusion date', () => {
    const before = resolveNpec(rows, { ...base, dateConclusion: '2024-07-14' });
    expect(before).toMatchObject({ npecCents: 800000, source: 'REFERENTIEL', dateEffet: '2022-09-01' });
    const after = resolveNpec(rows, { ...base, dateConclusion: '2024-07-15' });
    expect(after).toMatchObject({ npecCents: 760000, source: 'REFERENTIEL', dateEffet: '2024-07-15' });
    expect(after.explication).toContain('IDCC 1486');
    expect(after.explication).toContain('7 600,00 €');
  });

  it('normalises the query (prefix, case, numeric IDCC)', () => {
    expect(resolveNpec(rows, { ...base, rncp: 'rncp 35185', idcc: 1486, dateConclusion: '2025-01-01' }).npecCents).toBe(760000);
  });

  it('falls back to the generic IDCC 9999 row of the RNCP', () => {
    const r = resolveNpec(rows, { ...base, idcc: '3248', dateConclusion: '2025-01-01' });
    expect(r).toMatchObject({ npecCents: 720000, source: 'IDCC_GENERIQUE', dateEffet: '2023-09-08' });
    expect(r.explication).toContain("aucune ligne pour l'IDCC 3248");
  });

  it('uses the generic row when the exact row is not yet in force, and ignores future rows', () => {
    const versioned: NpecRow[] = [
      { rncp: '1234', idcc: '1486', npecCents: 900000, dateEffet: '2025-09-01' },
      { rncp: '1234', idcc: '9999', npecCents: 700000, dateEffet: '2023-09-08' },
      { rncp: '1234', idcc: '9999', npecCents: 650000, dateEffet: '2026-01-01' },
    ];
    const q = { ...base, rncp: '1234' };
    expect(resolveNpec(versioned, { ...q, dateConclusion: '2025-08-31' })).toMatchObject({ source: 'IDCC_GENERIQUE', npecCents: 700000 });
    expect(resolveNpec(versioned, { ...q, dateConclusion: '2025-09-01' })).toMatchObject({ source: 'REFERENTIEL', npecCents: 900000 });
    expect(resolveNpec(versioned, { ...q, idcc: '44', dateConclusion: '2026-01-01' })).toMatchObject({ source: 'IDCC_GENERIQUE', npecCents: 650000 });
    expect(resolveNpec(versioned, { ...q, dateConclusion: '2023-09-07' }).source).toBe('AMORCAGE');
    expect(resolveNpec(rows, { ...base, dateConclusion: '2022-08-31' }).source).toBe('AMORCAGE');
  });

  it('uses the generic row when the IDCC is missing or is 9999 (no collective agreement)', () => {
    expect(resolveNpec(rows, { ...base, idcc: null, dateConclusion: '2025-01-01' })).toMatchObject({ source: 'IDCC_GENERIQUE', npecCents: 720000 });
    expect(resolveNpec(rows, { ...base, idcc: undefined, dateConclusion: '2025-01-01' }).explication).toContain('IDCC non renseigné');
    expect(resolveNpec(rows, { ...base, idcc: '9999', dateConclusion: '2025-01-01' }).explication).toContain('sans convention collective');
  });

  it.each([
    [3, 547000], [4, 562100], [5, 600000], [6, 600000], [7, 700000], [8, 700000],
  ] as const)('falls back to the valeur d’amorçage of level %i: %i cents', (niveau, cents) => {
    const r = resolveNpec(rows, { rncp: 'RNCP99999', idcc: '1486', dateConclusion: '2025-09-01', niveauDiplome: niveau });
    expect(r).toEqual({ npecCents: cents, source: 'AMORCAGE', explication: expect.stringContaining('amorçage') as string });
    expect(VALEURS_AMORCAGE_CENTS[niveau]).toBe(cents);
  });

  it('warns that the amorçage values are those of contracts from 1 Sept 2022', () => {
    expect(resolveNpec([], { ...base, dateConclusion: '2022-01-10' }).explication).toContain('à vérifier');
    expect(resolveNpec([], { ...base, dateConclusion: '2022-09-10' }).explication).not.toContain('à vérifier');
  });

  it('first row wins on two rows with the same effective date (the CSV parser refuses such duplicates)', () => {
    const dup: NpecRow[] = [
      { rncp: '1234', idcc: '1486', npecCents: 100, dateEffet: '2024-01-01' },
      { rncp: '1234', idcc: '1486', npecCents: 200, dateEffet: '2024-01-01' },
    ];
    expect(resolveNpec(dup, { ...base, rncp: '1234', dateConclusion: '2025-01-01' }).npecCents).toBe(100);
  });

  it('rejects an invalid conclusion date', () => {
    expect(() => resolveNpec(rows, { ...base, dateConclusion: '2025-13-01' })).toThrow(FinancementError);
  });
});

describe('niveauDiplome', () => {
  const table: Array<[number[], number]> = [
    [[33, 34, 35, 38, 13, 25, 26], 3],
    [[41, 42, 43, 44, 49], 4],
    [[54, 55, 58], 5],
    [[61, 62, 63, 64, 69], 6],
    [[71, 72, 73, 74, 75, 76, 79], 7],
    [[80], 8],
  ];
  for (const [codes, niveau] of table) {
    it.each(codes)(`type %i → level ${niveau}`, (code) => expect(niveauDiplome(code)).toBe(niveau));
  }
  it.each([0, 12, 50, 81, 99])('rejects unknown code %i', (code) => {
    expect(() => niveauDiplome(code)).toThrow(expect.objectContaining({ code: 'NIVEAU_DIPLOME_INVALIDE' }) as Error);
  });
});

describe('parseNpecCsv', () => {
  it('reads the sample fixture without error', () => {
    const parsed = parseNpecCsv(fixture);
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows).toHaveLength(12);
    expect(parsed.rows[0]).toEqual({ rncp: '35185', idcc: '1486', npecCents: 800000, dateEffet: '2022-09-01' });
    expect(parsed.rows.some((r) => r.idcc === '9999')).toBe(true);
    expect(parsed.rows.find((r) => r.rncp === '35320')?.npecCents).toBe(852025);
  });

  it('accepts a BOM, CRLF, blank lines, another column order and short IDCCs', () => {
    const text = '\uFEFFidcc,RNCP,date_effet,npec\r\n\r\n44,RNCP1234,2024-01-01,5000.5\r\n';
    expect(parseNpecCsv(text)).toEqual({ rows: [{ rncp: '1234', idcc: '0044', npecCents: 500050, dateEffet: '2024-01-01' }], errors: [] });
  });

  it('lists every bad line with its number and a French message, keeping the good ones', () => {
    const text = [
      'rncp,idcc,npec,date_effet',
      'RNCP35185,1486,8000.00,2022-09-01',
      'RNCP35185,1486,8000,50,2022-09-01',
      'RNCPX,1486,8000.00,2022-09-01',
      '35185,14860,8000.00,2022-09-01',
      '35185,1486,8000.001,2022-09-01',
      '35185,1486,0,2022-09-01',
      '35185,1486,7000.00,2022-02-30',
      'RNCP35185,1486,7000.00,2022-09-01',
      '35185,1486',
    ].join('\n');
    const { rows: ok, errors } = parseNpecCsv(text);
    expect(ok).toHaveLength(1);
    expect(errors.map((e) => e.ligne)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    const msg = (l: number): string => errors.find((e) => e.ligne === l)?.message ?? '';
    expect(msg(3)).toMatch(/virgule décimale/);
    expect(msg(4)).toMatch(/RNCP « RNCPX » invalide/);
    expect(msg(5)).toMatch(/IDCC « 14860 » invalide/);
    expect(msg(6)).toMatch(/plus de 2 décimales/);
    expect(msg(7)).toMatch(/strictement positif/);
    expect(msg(8)).toMatch(/date d'effet « 2022-02-30 » invalide/);
    expect(msg(9)).toMatch(/Doublon de la ligne 2/);
    expect(msg(10)).toMatch(/2 colonnes au lieu de 4/);
  });

  it('rejects a wrong header or an empty file', () => {
    expect(parseNpecCsv('rncp;idcc;npec;date_effet\n1;2;3;4').errors[0]).toMatchObject({ ligne: 1, message: expect.stringContaining('En-tête invalide') as string });
    expect(parseNpecCsv('rncp,idcc,npec\n').errors[0]?.message).toContain('manquantes : date_effet');
    expect(parseNpecCsv('  \n').errors).toEqual([{ ligne: 1, message: expect.stringContaining('Fichier vide') as string }]);
  });
});
