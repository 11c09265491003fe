import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FinancementError } from '../../src/domain/financing/errors.js';
import {
  allocate, centsToEuros, eurosToCents, formatEuros, percentOf, prorate, splitRemainderLast, sum,
} from '../../src/domain/financing/money.js';

describe('eurosToCents', () => {
  it.each([
    ['4100.25', 410025],
    ['4100.2', 410020],
    ['4100', 410000],
    [' 8000.00 ', 800000],
    ['0.01', 1],
    ['-12.5', -1250],
    [4100.25, 410025],
    [0.1, 10],
    [7000, 700000],
  ] as const)('%s → %i', (value, cents) => expect(eurosToCents(value)).toBe(cents));

  it.each([
    ['4100.255', /plus de 2 décimales/],
    ['4100,25', /séparateur décimal/],
    ['4 100.25', /illisible/],
    ['1e3', /illisible/],
    ['', /illisible/],
    ['.5', /illisible/],
    ['12.', /illisible/],
  ])('rejects %j', (value, message) => {
    expect(() => eurosToCents(value)).toThrow(message);
  });

  it('rejects a float that is not a 2-decimal amount instead of rounding it', () => {
    expect(() => eurosToCents(0.1 + 0.2)).toThrow(FinancementError);
    expect(() => eurosToCents(Number.NaN)).toThrow(/non fini/);
  });

  it('throws a typed error with code MONTANT_INVALIDE', () => {
    try {
      eurosToCents('abc');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FinancementError);
      expect((e as FinancementError).code).toBe('MONTANT_INVALIDE');
    }
  });

  it('rejects amounts beyond the safe-integer range', () => {
    expect(() => eurosToCents('900719925474099.92')).toThrow(/entier sûr/);
  });
});

describe('centsToEuros', () => {
  it('gives the JSON number', () => {
    expect(centsToEuros(410025)).toBe(4100.25);
    expect(JSON.stringify(centsToEuros(69699))).toBe('696.99');
    expect(centsToEuros(0)).toBe(0);
  });
  it('rejects non-integers', () => expect(() => centsToEuros(1.5)).toThrow(FinancementError));
  it('round-trips with eurosToCents', () => {
    fc.assert(fc.property(fc.integer({ min: -1e13, max: 1e13 }), (c) => eurosToCents(centsToEuros(c)) === c));
  });
});

describe('percentOf / prorate (half-up)', () => {
  it.each([
    [800000, 4000, 320000],
    [696986, 4000, 278794], // 278 794.4
    [696986, 3000, 209096], // 209 095.8
    [696986, 2000, 139397], // 139 397.2
    [5, 5000, 3], // 2.5 → 3: half goes up
    [-5, 5000, -3], // symmetric: half away from zero
    [438356, 1000, 43836],
    [100, 11000, 110],
  ])('percentOf(%i, %i bp) = %i', (c, bp, want) => expect(percentOf(c, bp)).toBe(want));

  it.each([
    [800000, 196, 365, 429589],
    [800000, 318, 365, 696986],
    [800000, 200, 365, 438356],
    [700000, 9, 12, 525000],
    [1, 1, 2, 1],
    [3, 1, 2, 2],
  ])('prorate(%i, %i, %i) = %i', (c, n, d, want) => expect(prorate(c, n, d)).toBe(want));

  it('is exact beyond 2^53 intermediate products', () => {
    expect(prorate(9_000_000_000_000_00, 365, 365)).toBe(9_000_000_000_000_00);
  });

  it('rejects a zero denominator', () => expect(() => prorate(100, 1, 0)).toThrow(FinancementError));
});

describe('allocate (largest remainder)', () => {
  it('gives the leftover cents to the largest fractional parts', () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(696986, [4, 3, 2, 1])).toEqual([278794, 209096, 139397, 69699]);
    expect(allocate(-100, [1, 1, 1])).toEqual([-34, -33, -33]);
    expect(allocate(0, [1, 2])).toEqual([0, 0]);
  });
  it('rejects empty or all-zero weights', () => {
    expect(() => allocate(10, [])).toThrow(FinancementError);
    expect(() => allocate(10, [0, 0])).toThrow(FinancementError);
  });
  it('always sums exactly, each part within one cent of its exact share', () => {
    fc.assert(fc.property(
      fc.integer({ min: -1e12, max: 1e12 }),
      fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 12 }).filter((w) => w.some((x) => x > 0)),
      (total, weights) => {
        const parts = allocate(total, weights);
        const W = weights.reduce((a, b) => a + b, 0);
        return sum(parts) === total && parts.every((p, i) => Math.abs(p - (total * (weights[i] ?? 0)) / W) < 1 + 1e-6);
      },
    ));
  });
});

describe('splitRemainderLast', () => {
  it('rounds each part half-up and puts the remainder on the last one', () => {
    expect(splitRemainderLast(696986, [4000, 3000, 2000, 1000])).toEqual([278794, 209096, 139397, 69699]);
    expect(splitRemainderLast(800000, [4000, 3000, 2000, 1000])).toEqual([320000, 240000, 160000, 80000]);
    expect(splitRemainderLast(3, [4000, 3000, 3000])).toEqual([1, 1, 1]);
  });
  it('rejects percentages that do not total 100 %', () => expect(() => splitRemainderLast(10, [5000])).toThrow(FinancementError));
  it('conserves money and never gives a negative part', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 1e12 }),
      fc.constantFrom([4000, 3000, 2000, 1000], [4000, 3000, 3000], [5000, 5000], [9990, 10]),
      (total, bps) => {
        const parts = splitRemainderLast(total, bps);
        return sum(parts) === total && parts.every((p) => p >= 0 && Number.isSafeInteger(p));
      },
    ));
  });
});

describe('formatEuros', () => {
  it.each([
    [800000, '8 000,00 €'],
    [69699, '696,99 €'],
    [5, '0,05 €'],
    [-123456789, '-1 234 567,89 €'],
  ])('%i → %s', (c, s) => expect(formatEuros(c)).toBe(s));
});
