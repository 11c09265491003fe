import { describe, expect, it } from 'vitest';
import { ADHERENT_COLUMNS, readAdherentsCsv, searchKey } from '../../src/domain/adherents.js';
import { siretForSiren } from '../fixtures/cerfa.js';

const HEADER = ADHERENT_COLUMNS.join(',');
const A = siretForSiren('812345676', 17);
const B = siretForSiren('812345676', 25);

describe('reading the register CSV', () => {
  it('reads rows, trims cells, normalises NAF, keeps empty optional cells as null', () => {
    const { rows, errors } = readAdherentsCsv(`${HEADER}\n ${A} , Numérisia SAS ,12 rue X,69002,Lyon,6202a,1486,45\n${B},Numérisia SAS,,,,,,\n`);
    expect(errors).toEqual([]);
    expect(rows).toEqual([
      { siret: A, siren: '812345676', raisonSociale: 'Numérisia SAS', adresse: '12 rue X', codePostal: '69002', commune: 'Lyon', naf: '62.02A', idcc: '1486', effectif: 45 },
      { siret: B, siren: '812345676', raisonSociale: 'Numérisia SAS', adresse: null, codePostal: null, commune: null, naf: null, idcc: null, effectif: null },
    ]);
  });

  it('accepts `;` as separator, a BOM, CRLF, quoted values holding the separator, SIRETs written with spaces', () => {
    const text = `\uFEFF${ADHERENT_COLUMNS.join(';')}\r\n"${A.slice(0, 3)} ${A.slice(3, 6)} ${A.slice(6, 9)} ${A.slice(9)}";"Dupont; Fils";"1, rue X";01000;Bourg;10.71C;0843;0\r\n`;
    const { rows, errors } = readAdherentsCsv(text);
    expect(errors).toEqual([]);
    expect(rows[0]).toMatchObject({ siret: A, raisonSociale: 'Dupont; Fils', adresse: '1, rue X', codePostal: '01000', idcc: '0843', effectif: 0 });
  });

  it('reports every bad row by the line where it starts, field by field, blank and multi-line rows counted', () => {
    const text = [
      HEADER, // 1
      `${A},"Numérisia`, // 2: a quoted name over two lines
      `SAS",,69002,Lyon,62.02A,1486,45`, // 3
      '', // 4
      `12345678901234,,,6900,,ABC,843,-1`, // 5
      `${A},Doublon,,,,,,`, // 6
      `${B},Trop,de,colonnes,,,,,,`, // 7
      `${B},Bien,,,,,,`, // 8
    ].join('\n');
    const { rows, errors } = readAdherentsCsv(text);
    expect(rows.map((r) => r.raisonSociale)).toEqual(['Numérisia SAS', 'Bien']);
    expect(errors.map((e) => `${e.ligne} ${e.colonne ?? '-'}`)).toEqual([
      '5 siret', '5 raison_sociale', '5 code_postal', '5 naf', '5 idcc', '5 effectif',
      '6 siret',
      '7 -',
    ]);
    expect(errors[6]?.message).toMatch(/déjà présent ligne 2/);
    expect(errors[7]?.message).toMatch(/10 colonne\(s\) au lieu de 8/);
  });

  it('refuses a header that is not exactly the eight columns, and an empty file', () => {
    expect(readAdherentsCsv(`siret,raison_sociale,adresse,code_postal,commune,naf,idcc\n${A},x,,,,,\n`).errors).toEqual([
      { ligne: 1, message: expect.stringMatching(/^En-tête .* invalide : attendu exactement siret,raison_sociale,adresse,code_postal,commune,naf,idcc,effectif/) },
    ]);
    expect(readAdherentsCsv(`raison_sociale,siret,adresse,code_postal,commune,naf,idcc,effectif\n`).errors[0]?.ligne).toBe(1);
    expect(readAdherentsCsv('\n\n').errors).toEqual([{ ligne: 1, message: expect.stringMatching(/^Fichier vide/) }]);
    // Header names are read without regard to case.
    expect(readAdherentsCsv(`${HEADER.toUpperCase()}\n${A},x,,,,,,\n`).errors).toEqual([]);
  });

  it('reports an unclosed quote at the line where its row starts, after the rows before it', () => {
    const { rows, errors } = readAdherentsCsv(`${HEADER}\n${A},Bien,,,,,,\n${B},"Mal fermé,,,,,,\n${A},Perdu,,,,,,\n`);
    expect(rows).toHaveLength(1);
    expect(errors).toEqual([{ ligne: 3, message: expect.stringMatching(/guillemet ouvert jamais refermé/) }]);
  });

  it('tolerates stray quotes inside a value', () => {
    const { rows, errors } = readAdherentsCsv(`${HEADER}\n${A},SARL "Le Bon Pain",,,,,,\n`);
    expect(errors).toEqual([]);
    expect(rows[0]?.raisonSociale).toBe('SARL "Le Bon Pain"');
  });
});

describe('searchKey', () => {
  it('ignores case, accents, ligatures and punctuation', () => {
    expect(searchKey("L'Électricité du Cœur — S.A.R.L.")).toBe('lelectricite du coeur sarl');
    expect(searchKey('  BOULANGERIE   Dupont&Fils ')).toBe('boulangerie dupont fils');
    expect(searchKey('%_\\')).toBe('');
  });
});
