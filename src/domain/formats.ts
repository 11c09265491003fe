/**
 * Shape and checksum validators for the identifiers carried by a CERFA FA13 payload
 * (reference: shared/reference/cerfa-model.md §1.1). Pure functions, no I/O: they say whether a
 * value is *well formed*, never whether it exists (SIRENE, RNCP, IDCC lookups are elsewhere).
 * Choices made where the references disagree are recorded in docs/decisions/schemas.md.
 */
import { isIsoDate } from './dates.js';

const DIGITS = /^[0-9]+$/;

/** Luhn checksum over a digit string (the rightmost digit is the check digit). */
export function luhnValid(digits: string): boolean {
  if (!DIGITS.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function digitSum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += digits.charCodeAt(i) - 48;
  return sum;
}

/** SIREN of La Poste: its establishments were numbered before the Luhn rule (see isSiret). */
export const LA_POSTE_SIREN = '356000000';

export function isSiren(value: string): boolean {
  return value.length === 9 && luhnValid(value);
}

/**
 * 14 digits + Luhn. La Poste exception (INSEE): a SIRET starting with 356000000 that fails Luhn is
 * accepted when the sum of its 14 digits is a multiple of 5.
 */
export function isSiret(value: string): boolean {
  if (value.length !== 14 || !DIGITS.test(value)) return false;
  if (luhnValid(value)) return true;
  return value.startsWith(LA_POSTE_SIREN) && digitSum(value) % 5 === 0;
}

export function sirenOfSiret(siret: string): string {
  return siret.slice(0, 9);
}

// ---------------------------------------------------------------------------------------------
// NIR (numéro d'inscription au répertoire, social-security number)

/** §1.1 (S1) regex, tightened: an A/B at position 7 is only valid after a 2 (Corsica 2A/2B). */
const NIR_SHAPE = /^[0-9]{5}(?:[0-9]{2}|2[AB])(?:[0-9]{6}|[0-9]{8})$/;

export interface NirCheck {
  /** Shape of cerfa-model §1.1: 13 chars (no key) or 15 chars (with key), 2A/2B at positions 6-7. */
  formatValide: boolean;
  /** The NIR carries its 2-digit key (15 chars). */
  avecCle: boolean;
  /** Key matches 97 − (13-digit number mod 97); `null` when there is no key or the shape is wrong. */
  cleValide: boolean | null;
  /** The key computed from the 13 first characters; `null` when the shape is wrong. */
  cleAttendue: string | null;
  /** Overall verdict: right shape, and a right key when there is one (or when `exigerCle`). */
  valide: boolean;
}

export interface NirOptions {
  /** Treat a 13-char NIR (no key) as invalid — the Convergence API expects the 15-char NIR. */
  exigerCle?: boolean;
}

/**
 * Key of a NIR from its first 13 characters. Corsica: 2A → 19 and 2B → 18 in the département
 * part before the modulo (INSEE rule). Throws on a malformed input (callers check the shape first).
 */
export function nirKey(first13: string): string {
  if (first13.length !== 13 || !NIR_SHAPE.test(first13)) throw new RangeError('nirKey expects the 13 first characters of a NIR');
  const numeric = first13.slice(0, 5) + first13.slice(5, 7).replace('2A', '19').replace('2B', '18') + first13.slice(7);
  // 13 digits < 2^53: plain number arithmetic is exact.
  const key = 97 - (Number(numeric) % 97);
  return String(key).padStart(2, '0');
}

export function checkNir(nir: string, options: NirOptions = {}): NirCheck {
  if (!NIR_SHAPE.test(nir)) {
    return { formatValide: false, avecCle: false, cleValide: null, cleAttendue: null, valide: false };
  }
  const avecCle = nir.length === 15;
  const cleAttendue = nirKey(nir.slice(0, 13));
  const cleValide = avecCle ? nir.slice(13) === cleAttendue : null;
  const valide = avecCle ? cleValide === true : !options.exigerCle;
  return { formatValide: true, avecCle, cleValide, cleAttendue, valide };
}

/** Shape only (what the JSON Schema checks); the key is checked by the business rules. */
export function isNirShape(value: string): boolean {
  return NIR_SHAPE.test(value);
}

// ---------------------------------------------------------------------------------------------
// UAI (code of an education establishment)

const UAI_LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ'; // 23 letters: no I, O, Q
const UAI_SHAPE = /^[0-9]{7}[A-Za-z]$/;

export function uaiKey(first7: string): string {
  return UAI_LETTERS.charAt(Number(first7) % 23);
}

/** 7 digits + check letter = UAI_LETTERS[int(7 digits) mod 23]; a lower-case letter is accepted. */
export function isUai(value: string): boolean {
  if (!UAI_SHAPE.test(value)) return false;
  return value.charAt(7).toUpperCase() === uaiKey(value.slice(0, 7));
}

// ---------------------------------------------------------------------------------------------
// Codes with a shape only

export function isCodePostal(value: string): boolean {
  return /^[0-9]{5}$/.test(value);
}

/**
 * §1.1 département list (2 digits, 2A/2B, 97x, 98x, 99 = born abroad), plus the 3-char left-padded
 * form AGECAP uses ("075", "02A", "099"). 975 (Saint-Pierre-et-Miquelon), missing from the S1 regex,
 * is accepted: it is a real INSEE code.
 */
const DEPARTEMENT = /^(?:0?(?:[0-9]{2}|2[AB])|97[1-8]|98[46789])$/;

export function isDepartement(value: string): boolean {
  return DEPARTEMENT.test(value);
}

/** NAF rév. 2: 4 digits + 1 letter, optional dot after the 2nd digit (62.02A, 6202A, 6202a). */
export function isNaf(value: string): boolean {
  return /^[0-9]{2}\.?[0-9]{2}[A-Za-z]$/.test(value);
}

/** 4 digits, zero-padded; 9999 (no agreement) and 9998 (agreement being negotiated) are valid. */
export function isIdcc(value: string): boolean {
  return /^[0-9]{4}$/.test(value) && value !== '0000';
}

/** `^(RNCP)?[0-9]{2,5}$`, prefix in any case (clients send RNCP35340, rncp35340 or 35340). */
export function isRncp(value: string): boolean {
  return /^(?:[Rr][Nn][Cc][Pp])?[0-9]{2,5}$/.test(value);
}

/** Code diplôme Éducation nationale (CFD): 8 chars [0-9A-Z] + optional speciality letter. */
export function isCodeDiplome(value: string): boolean {
  return /^[0-9A-Z]{8}[A-Z]?$/.test(value);
}

/**
 * DECA contract / avenant number, 15 chars: 3-char département of the filing body + year (4) +
 * month (01-12) + "NC" or 2 digits + 4 digits. The S1 regex has a 2-char branch `9[012345]` that
 * would make a 14-char number; read as "090-095" it is already covered by `0[0-9]{2}`, so it is
 * dropped. The month is 01-12 (S2 mask) instead of S1's `[0-1][0-9]`.
 */
const NUMERO_DECA = /^(?:0[0-9]{2}|02[ABab]|97[12346])[0-9]{4}(?:0[1-9]|1[0-2])(?:NC|nc|[0-9]{2})[0-9]{4}$/;

export function isNumeroDeca(value: string): boolean {
  return NUMERO_DECA.test(value);
}

/**
 * Phone number, separators (spaces, dots, dashes) ignored:
 * - French national: 10 digits starting with 0 (second digit 1-9);
 * - French international: +33 then exactly 9 digits (no leading 0);
 * - other international: + then 7 to 15 digits (E.164 maximum).
 */
export function isTelephone(value: string): boolean {
  const compact = value.replace(/[\s.-]/g, '');
  if (/^0[1-9][0-9]{8}$/.test(compact)) return true;
  if (compact.startsWith('+33')) return /^\+33[1-9][0-9]{8}$/.test(compact);
  return /^\+[1-9][0-9]{6,14}$/.test(compact);
}

/**
 * Pragmatic e-mail syntax: local@domain, ≤ 254 chars, local part ≤ 64 chars without spaces or
 * special characters, no leading/trailing/double dot; domain of at least two labels, alphanumeric
 * (accented letters allowed for IDN) and hyphens, top-level label of 2+ letters.
 */
const EMAIL = /^(?!\.)(?!.*\.\.)([^\s@"(),:;<>[\]\\]{1,64})(?<!\.)@((?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+\p{L}{2,63})$/u;

export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

// ---------------------------------------------------------------------------------------------
// Dates as clients send them

/**
 * A calendar date `YYYY-MM-DD`, or an ISO 8601 date-time starting with one
 * (`2024-09-01T00:00:00+02:00`, `…+0000`, `…Z`, fractions of seconds, offset optional).
 * Years 1900-2999 only: anything else is a typing error, and the date helpers (Date.UTC) misbehave
 * on years < 100.
 */
const DATE_CERFA = /^((?:19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2})(?:T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,9})?)?(?:Z|[+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?)?)?$/;

export function isDateCerfa(value: string): boolean {
  const m = DATE_CERFA.exec(value);
  return m !== null && isIsoDate(m[1] as string);
}

/**
 * The calendar date written in a date or date-time: its first 10 characters. The offset is NOT
 * applied: `2024-09-01T00:00:00+02:00` is 1 September for the client who wrote it (converting to
 * UTC would give 31 August).
 */
export function calendarDateOf(value: string): string {
  return value.slice(0, 10);
}
