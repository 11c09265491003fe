import { describe, expect, it } from 'vitest';
import {
  addMonths, addYears, daysInclusive, firstDayOfNextMonth, fullMonthsBetween, fullYearsBetween,
  isIsoDate, lastDayOfMonth, parisDate,
} from '../../src/domain/dates.js';

describe('calendar dates', () => {
  it.each([
    ['2025-01-31', 1, '2025-02-28'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2025-11-15', 3, '2026-02-15'],
    ['2025-03-31', -1, '2025-02-28'],
  ])('addMonths(%s, %i) = %s', (d, n, want) => expect(addMonths(d, n)).toBe(want));

  it('addYears keeps 29 Feb on a non-leap year at 28 Feb', () => expect(addYears('2024-02-29', 1)).toBe('2025-02-28'));

  it.each([
    ['2025-09-01', '2026-08-31', 365],
    ['2025-09-01', '2026-03-15', 196],
    ['2026-09-01', '2027-07-15', 318],
    ['2025-01-01', '2025-01-01', 1],
  ])('daysInclusive(%s, %s) = %i', (a, b, n) => expect(daysInclusive(a, b)).toBe(n));

  it.each([
    ['2008-03-10', '2026-03-09', 17],
    ['2008-03-10', '2026-03-10', 18],
    ['2004-02-29', '2022-02-28', 17],
  ])('fullYearsBetween(%s, %s) = %i', (a, b, n) => expect(fullYearsBetween(a, b)).toBe(n));

  it.each([
    ['2025-09-01', '2026-02-28', 5],
    ['2025-09-01', '2026-03-01', 6],
    ['2025-01-31', '2025-02-28', 1],
    ['2024-09-28', '2025-10-03', 12],
  ])('fullMonthsBetween(%s, %s) = %i', (a, b, n) => expect(fullMonthsBetween(a, b)).toBe(n));

  it('month boundaries', () => {
    expect(firstDayOfNextMonth('2025-12-15')).toBe('2026-01-01');
    expect(lastDayOfMonth('2024-02-03')).toBe('2024-02-29');
  });

  it('validates ISO dates', () => {
    expect(isIsoDate('2025-02-29')).toBe(false);
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2024-2-9')).toBe(false);
  });

  it('gives the Paris calendar date of an instant', () => {
    expect(parisDate(new Date('2025-12-31T23:30:00Z'))).toBe('2026-01-01');
  });
});
