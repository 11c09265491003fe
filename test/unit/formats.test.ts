import { describe, expect, it } from 'vitest';
import {
  calendarDateOf, checkNir, isCodeDiplome, isCodePostal, isDateCerfa, isDepartement, isEmail, isIdcc,
  isNaf, isNirShape, isNumeroDeca, isRncp, isSiren, isSiret, isTelephone, isUai, luhnValid, nirKey,
  sirenOfSiret, uaiKey,
} from '../../src/domain/formats.js';

describe('luhnValid', () => {
  it.each([
    ['732829320', true],
    ['732829321', false],
    ['0', true],
    ['', false], // no digit at all
    ['12a4', false],
  ])('luhnValid(%j) = %s', (v, ok) => expect(luhnValid(v)).toBe(ok));
});

describe('isSiren', () => {
  it.each(['732829320', '552100554', '443061841', '356000000', '130025265'])('accepts %s', (v) =>
    expect(isSiren(v)).toBe(true));
  it.each(['732829321', '73282932', '7328293200', '73282932A', ' 732829320', ''])('rejects %j', (v) =>
    expect(isSiren(v)).toBe(false));
});

describe('isSiret', () => {
  it.each([
    ['73282932000074', 'Luhn ok'],
    ['55210055400013', 'Luhn ok'],
    ['13002526500013', 'Luhn ok, public body'],
    // La Poste: 35600000000048 simply passes Luhn (digit sum 26, so it is NOT a case of the exception)
    ['35600000000048', 'La Poste, Luhn ok'],
    // La Poste exception: Luhn fails, digit sum 3+5+6+4+9+8+3+7 = 45 is a multiple of 5
    ['35600000049837', 'La Poste, Luhn ko, digit sum 45'],
    ['35600000000001', 'La Poste, Luhn ko, digit sum 15'],
  ])('accepts %s (%s)', (v) => expect(isSiret(v)).toBe(true));

  it.each([
    ['73282932000075', 'bad Luhn'],
    ['35600000000000', 'La Poste, Luhn ko and digit sum 14'],
    ['35600000000002', 'La Poste, Luhn ko and digit sum 16'],
    ['35600000100002', 'not La Poste (third block differs), Luhn ko'],
    ['7328293200007', '13 digits'],
    ['732829320000740', '15 digits'],
    ['7328293200007A', 'letter'],
    ['732 829 320 00074', 'spaces'],
    ['', 'empty'],
  ])('rejects %j (%s)', (v) => expect(isSiret(v)).toBe(false));

  it('sirenOfSiret takes the 9 first digits', () => expect(sirenOfSiret('73282932000074')).toBe('732829320'));
});

describe('NIR', () => {
  // Keys computed by hand: 97 − (13-digit number mod 97), Corsica 2A → 19, 2B → 18.
  it.each([
    ['1950575123456', '68'],
    ['287022A123456', '31'], // 2870219123456 mod 97 = 66
    ['287022B123456', '58'], // 2870218123456
    ['1850399123045', '95'], // born abroad (99)
    ['2991275056123', '46'],
  ])('nirKey(%s) = %s', (first13, key) => expect(nirKey(first13)).toBe(key));

  it('nirKey refuses a malformed input', () => expect(() => nirKey('12345')).toThrow(RangeError));

  it.each([
    ['195057512345668', { formatValide: true, avecCle: true, cleValide: true, valide: true }],
    ['287022A12345631', { formatValide: true, avecCle: true, cleValide: true, valide: true }],
    ['287022B12345658', { formatValide: true, avecCle: true, cleValide: true, valide: true }],
    ['195057512345669', { formatValide: true, avecCle: true, cleValide: false, valide: false }],
    ['287022A12345658', { formatValide: true, avecCle: true, cleValide: false, valide: false }],
    ['1950575123456', { formatValide: true, avecCle: false, cleValide: null, valide: true }],
    ['19505751234', { formatValide: false, avecCle: false, cleValide: null, valide: false }],
    ['19505751234566', { formatValide: false, avecCle: false, cleValide: null, valide: false }],
    ['1950537A12345668', { formatValide: false, avecCle: false, cleValide: null, valide: false }],
    ['195053A12345668', { formatValide: false, avecCle: false, cleValide: null, valide: false }], // A after 3
    ['287022a12345631', { formatValide: false, avecCle: false, cleValide: null, valide: false }],
    ['1 95 05 75 123 456 68', { formatValide: false, avecCle: false, cleValide: null, valide: false }],
    ['', { formatValide: false, avecCle: false, cleValide: null, valide: false }],
  ])('checkNir(%j)', (nir, want) => expect(checkNir(nir)).toMatchObject(want));

  it('checkNir returns the expected key so the rules layer can explain without echoing the NIR', () =>
    expect(checkNir('195057512345600').cleAttendue).toBe('68'));

  it('checkNir with exigerCle rejects a 13-char NIR', () => {
    expect(checkNir('1950575123456', { exigerCle: true }).valide).toBe(false);
    expect(checkNir('195057512345668', { exigerCle: true }).valide).toBe(true);
  });

  it.each([
    ['195057512345668', true],
    ['195057512345699', true], // bad key is still a valid shape
    ['1950575123456', true],
    ['19505751234567', false],
  ])('isNirShape(%s) = %s', (v, ok) => expect(isNirShape(v)).toBe(ok));
});

describe('isUai', () => {
  it.each([
    ['0561910X', '561910 mod 23 = 20 → X'],
    ['0693456G', '693456 mod 23 = 6 → G'],
    ['0750001U', '750001 mod 23 = 17 → U'],
    ['0750001u', 'lower-case letter accepted'],
    ['6200001G', 'Corsica 620: 6200001 mod 23 = 6 → G'],
  ])('accepts %s (%s)', (v) => expect(isUai(v)).toBe(true));
  it.each(['0561910Y', '0561910', '056191X', '05619100X', 'A561910X', '0561910-', ''])('rejects %j', (v) =>
    expect(isUai(v)).toBe(false));
  it('uaiKey skips I, O and Q', () => expect(uaiKey('0000008')).toBe('J'));
});

describe('isCodePostal', () => {
  it.each(['75001', '20000', '97400', '01000'])('accepts %s', (v) => expect(isCodePostal(v)).toBe(true));
  it.each(['7500', '750011', '2A000', '75 001', ''])('rejects %j', (v) => expect(isCodePostal(v)).toBe(false));
});

describe('isDepartement', () => {
  it.each(['01', '75', '95', '2A', '2B', '99', '971', '972', '973', '974', '975', '976', '977', '978', '984', '986',
    '987', '988', '989', '075', '095', '099', '02A', '02B'])('accepts %s', (v) => expect(isDepartement(v)).toBe(true));
  it.each(['7', '2C', '2a', '979', '980', '985', '0975', '1075', '100', 'AB', ''])('rejects %j', (v) =>
    expect(isDepartement(v)).toBe(false));
});

describe('isNaf', () => {
  it.each(['62.02A', '6202A', '62.02a', '01.11Z', '8559A'])('accepts %s', (v) => expect(isNaf(v)).toBe(true));
  it.each(['62', '62.0', '620A', '62.02', '62.02AB', '62-02A', 'AB.CDE', ''])('rejects %j', (v) =>
    expect(isNaf(v)).toBe(false));
});

describe('isIdcc', () => {
  it.each(['1486', '0016', '3248', '9999', '9998'])('accepts %s', (v) => expect(isIdcc(v)).toBe(true));
  it.each(['16', '148', '14860', '0000', 'A486', ''])('rejects %j', (v) => expect(isIdcc(v)).toBe(false));
});

describe('isRncp', () => {
  it.each(['RNCP35340', 'rncp35340', 'Rncp35340', '35340', '12', 'RNCP12'])('accepts %s', (v) =>
    expect(isRncp(v)).toBe(true));
  it.each(['RNCP', 'RNCP1', '1', '123456', 'RNCP 35340', 'RS35340', ''])('rejects %j', (v) =>
    expect(isRncp(v)).toBe(false));
});

describe('isCodeDiplome', () => {
  it.each(['32032002', '50022137', '4003200A', '32X32002', '32032002T'])('accepts %s', (v) =>
    expect(isCodeDiplome(v)).toBe(true));
  it.each(['3203200', '32032002TT', '32032002t', '3203200a', ''])('rejects %j', (v) =>
    expect(isCodeDiplome(v)).toBe(false));
});

describe('isNumeroDeca', () => {
  it.each([
    ['02B202212000000', 'Corsica, example of the model'],
    ['02a202212000000', 'Corsica lower case (S1 accepts [ABab])'],
    ['075202409NC0042', 'NC variant'],
    ['069202509nc0001', 'nc lower case'],
    ['095202501123456', '3-char 09x département, the intent of the buggy 9[012345] branch'],
    ['974202312991234', 'La Réunion'],
  ])('accepts %s (%s)', (v) => expect(isNumeroDeca(v)).toBe(true));
  it.each([
    ['95202501123456', '14 chars, what the S1 regex 9[012345] branch allowed'],
    ['075202413000000', 'month 13'],
    ['075202400000000', 'month 00'],
    ['975202401000000', 'Saint-Pierre-et-Miquelon not a filing body in the model'],
    ['02C202212000000', 'bad Corsica letter'],
    ['075202409XX0042', 'XX instead of NC'],
    ['0752024090000420', '16 chars'],
    ['0', 'what some clients send on creation'],
    ['', 'empty'],
  ])('rejects %j (%s)', (v) => expect(isNumeroDeca(v)).toBe(false));
});

describe('isTelephone', () => {
  it.each([
    '0612345678', '06 12 34 56 78', '06.12.34.56.78', '06-12-34-56-78', '+33612345678', '+33 6 12 34 56 78',
    '+32 2 123 45 67', '+14155552671', '+262692123456',
  ])('accepts %j', (v) => expect(isTelephone(v)).toBe(true));
  it.each([
    ['061234567', '9 digits'],
    ['06123456789', '11 digits'],
    ['6123456789', 'no leading 0'],
    ['0012345678', '00 prefix'],
    ['+330612345678', '+33 then 10 digits'],
    ['+3361234567', '+33 then 8 digits'],
    ['+123456', '6 digits after +'],
    ['+1234567890123456', '16 digits after +'],
    ['(06) 12 34 56 78', 'parentheses'],
    ['06 12 34 56 7a', 'letter'],
    ['', 'empty'],
  ])('rejects %j (%s)', (v) => expect(isTelephone(v)).toBe(false));
});

describe('isEmail', () => {
  it.each(['jean.dupont@example.org', 'j+cfa@sub.example.fr', "o'neil@example.com", 'contact@crème-brûlée.fr',
    'a@b.co'])('accepts %s', (v) => expect(isEmail(v)).toBe(true));
  it.each([
    'jean.dupont', 'jean@', '@example.org', 'jean dupont@example.org', 'jean@example', 'jean@@example.org',
    '.jean@example.org', 'jean.@example.org', 'jean..dupont@example.org', 'jean@example..org', 'jean@-example.org',
    'jean@example.o', `${'a'.repeat(65)}@example.org`, `a@${'b'.repeat(250)}.fr`, '',
  ])('rejects %j', (v) => expect(isEmail(v)).toBe(false));
});

describe('isDateCerfa / calendarDateOf', () => {
  it.each([
    ['2024-09-01', '2024-09-01'],
    ['2024-09-01T00:00:00+02:00', '2024-09-01'],
    ['2024-09-01T00:00:00+0000', '2024-09-01'],
    ['2026-09-01T00:00:00Z', '2026-09-01'],
    ['2024-08-31T22:00:00.000Z', '2024-08-31'], // the written date, not the Paris date
    ['2024-09-01T00:00:00', '2024-09-01'],
    ['2024-09-01T00:00+02', '2024-09-01'],
    ['2024-02-29', '2024-02-29'],
  ])('accepts %s, calendar date %s', (v, day) => {
    expect(isDateCerfa(v)).toBe(true);
    expect(calendarDateOf(v)).toBe(day);
  });
  it.each([
    '2025-02-29', '2024-13-01', '2024-09-31', '01/09/2024', '2024-9-1', '20240901', '2024-09-01T25:00:00Z',
    '2024-09-01T00:00:00+2', '2024-09-01 00:00:00', '1899-12-31', '0024-09-01', '2024-09-01T', '',
  ])('rejects %j', (v) => expect(isDateCerfa(v)).toBe(false));
});
