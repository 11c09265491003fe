/**
 * Calendar-date arithmetic on ISO dates (`YYYY-MM-DD`), with no time zone involved: a CERFA date is
 * a day, not an instant. Internally a date is a count of days since 1970-01-01 (UTC epoch days).
 */
import type { IsoDate } from './cerfa/types.js';

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

export interface YMD {
  year: number;
  month: number; // 1-12
  day: number;
}

const DIGIT_0 = 48;

function digitsAt(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i += 1) {
    const d = text.charCodeAt(i) - DIGIT_0;
    if (d < 0 || d > 9) return NaN;
    value = value * 10 + d;
  }
  return value;
}

// Hot path of the business rules (several calls per contract): read characters, no regex.
export function parts(date: IsoDate): YMD {
  const year = digitsAt(date, 0, 4);
  const month = digitsAt(date, 5, 2);
  const day = digitsAt(date, 8, 2);
  if (date.length !== 10 || date[4] !== '-' || date[7] !== '-' || Number.isNaN(year + month + day)) {
    throw new RangeError(`not an ISO date: ${date}`);
  }
  return { year, month, day };
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

export function fromParts(year: number, month: number, day: number): IsoDate {
  const y = year >= 1000 ? `${year}` : `${year}`.padStart(4, '0');
  return `${y}-${pad2(month)}-${pad2(day)}`;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 30);
}

export function toEpochDay(date: IsoDate): number {
  const { year, month, day } = parts(date);
  return Math.round(Date.UTC(year, month - 1, day) / MS_PER_DAY);
}

export function fromEpochDay(epochDay: number): IsoDate {
  const d = new Date(epochDay * MS_PER_DAY);
  return fromParts(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromEpochDay(toEpochDay(date) + days);
}

/** Adds calendar months; the day is clamped to the end of the target month (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const { year, month, day } = parts(date);
  const index = year * 12 + (month - 1) + months;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  return fromParts(y, m, Math.min(day, daysInMonth(y, m)));
}

export function addYears(date: IsoDate, years: number): IsoDate {
  return addMonths(date, years * 12);
}

/** The earlier of two dates (ISO dates compare lexicographically). */
export function minDate(a: IsoDate, b: IsoDate): IsoDate {
  return a <= b ? a : b;
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return a >= b ? a : b;
}

/** Number of days from `from` to `to`, both included (01/09/2025–31/08/2026 → 365). */
export function daysInclusive(from: IsoDate, to: IsoDate): number {
  return toEpochDay(to) - toEpochDay(from) + 1;
}

/** Whole years elapsed from `from` to `to` (age on a date), as date-fns differenceInYears. */
export function fullYearsBetween(from: IsoDate, to: IsoDate): number {
  const a = parts(from);
  const b = parts(to);
  let years = b.year - a.year;
  if (b.month < a.month || (b.month === a.month && b.day < a.day)) years -= 1;
  return years;
}

/** Whole months elapsed from `from` to `to`, as date-fns differenceInMonths (end-of-month aware). */
export function fullMonthsBetween(from: IsoDate, to: IsoDate): number {
  if (to < from) return -fullMonthsBetween(to, from);
  const a = parts(from);
  const b = parts(to);
  let months = (b.year - a.year) * 12 + (b.month - a.month);
  if (months > 0 && addMonths(from, months) > to) months -= 1;
  return months;
}

export function firstDayOfNextMonth(date: IsoDate): IsoDate {
  const { year, month } = parts(date);
  return month === 12 ? fromParts(year + 1, 1, 1) : fromParts(year, month + 1, 1);
}

export function lastDayOfMonth(date: IsoDate): IsoDate {
  const { year, month } = parts(date);
  return fromParts(year, month, daysInMonth(year, month));
}

// Building an Intl formatter is costly (it showed in request profiles): build it once.
const PARIS_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' });

/** The calendar date of an instant in Europe/Paris (used for "today" in business rules). */
let memo = { minute: NaN, date: '' };

export function parisDate(instant: Date = new Date()): IsoDate {
  // Days change on minute boundaries in every time zone: one formatting per minute is enough.
  const minute = Math.floor(instant.getTime() / 60_000);
  if (minute !== memo.minute) memo = { minute, date: PARIS_DAY.format(instant) };
  return memo.date;
}
