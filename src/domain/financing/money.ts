/**
 * Money is an integer number of euro CENTS (a JS `number` that is always a safe integer).
 *
 * Why: binary floats cannot represent most decimal amounts (0.1 + 0.2 !== 0.3), and the API CFA
 * requires Σ échéances = engagement to the cent. So amounts are never multiplied by a float:
 * every ratio (percentage, proration) is computed exactly with BigInt and rounded once, explicitly.
 *
 * Rounding rule (docs/financing.md §"Arrondis"): HALF-UP, i.e. to the nearest cent, a half cent
 * going away from zero (0.5 → 1, −0.5 → −1). Splits conserve money exactly: either the remainder
 * goes to the last part (`splitRemainderLast`) or the largest-remainder method is used (`allocate`).
 */
import { FinancementError } from './errors.js';

/** An amount in euro cents; always a safe integer. */
export type Cents = number;

const EUROS = /^(-?)(\d+)(?:\.(\d+))?$/;

function assertSafeInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new FinancementError('MONTANT_INVALIDE', `${what} doit être un entier sûr (reçu : ${String(value)}).`);
  }
}

function toSafeNumber(value: bigint, what: string): number {
  const n = Number(value);
  assertSafeInteger(n, what);
  return n;
}

/**
 * Parses an amount in euros, exactly: "4100.25" → 410025, "4100.2" → 410020, 4100 → 410000.
 * A number is read through its shortest decimal representation (String(4100.25) = "4100.25"), so
 * 0.1 + 0.2 (= 0.30000000000000004) is rejected instead of silently rounded.
 * Rejects more than 2 decimals, a decimal comma, exponents, spaces inside the number.
 */
export function eurosToCents(value: string | number): Cents {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new FinancementError('MONTANT_INVALIDE', `Montant en euros non fini : ${String(value)}.`);
  }
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (/^-?\d+,\d+$/.test(text)) {
    throw new FinancementError('MONTANT_INVALIDE', `Montant « ${text} » : le séparateur décimal attendu est le point (ex. 4100.25).`);
  }
  const m = EUROS.exec(text);
  if (!m) {
    throw new FinancementError('MONTANT_INVALIDE', `Montant en euros illisible : « ${text} » (format attendu : 4100.25).`);
  }
  const [, sign, whole, decimals = ''] = m;
  if (decimals.length > 2) {
    throw new FinancementError('MONTANT_INVALIDE', `Montant « ${text} » : plus de 2 décimales, un montant s'exprime au centime près.`);
  }
  const cents = BigInt(whole ?? '0') * 100n + BigInt(decimals.padEnd(2, '0'));
  return toSafeNumber(sign === '-' ? -cents : cents, `Le montant « ${text} » en centimes`);
}

/**
 * Cents to a euro `number` for JSON output (410025 → 4100.25). Exact in the sense that matters:
 * an integer divided by 100 yields the double nearest to the decimal, which JSON prints as "4100.25".
 */
export function centsToEuros(cents: Cents): number {
  assertSafeInteger(cents, 'Un montant en centimes');
  return cents / 100;
}

/** numerator / denominator rounded half-up (half away from zero); denominator > 0. */
function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n;
  const abs = negative ? -numerator : numerator;
  const q = (2n * abs + denominator) / (2n * denominator);
  return negative ? -q : q;
}

/** `cents × basisPoints / 10 000`, rounded half-up. 4 000 bp = 40 %; 11 000 bp = 110 %. */
export function percentOf(cents: Cents, basisPoints: number): Cents {
  assertSafeInteger(cents, 'Le montant');
  assertSafeInteger(basisPoints, 'Le taux en points de base');
  return toSafeNumber(divideHalfUp(BigInt(cents) * BigInt(basisPoints), 10_000n), 'Le résultat');
}

/** `cents × numerator / denominator`, rounded half-up, e.g. prorate(npec, days, 365). */
export function prorate(cents: Cents, numerator: number, denominator: number): Cents {
  assertSafeInteger(cents, 'Le montant');
  assertSafeInteger(numerator, 'Le numérateur');
  assertSafeInteger(denominator, 'Le dénominateur');
  if (numerator < 0 || denominator <= 0) {
    throw new FinancementError('MONTANT_INVALIDE', `Prorata invalide : ${numerator}/${denominator}.`);
  }
  return toSafeNumber(divideHalfUp(BigInt(cents) * BigInt(numerator), BigInt(denominator)), 'Le résultat');
}

/**
 * Splits `total` in proportion to `weights` by the largest-remainder (Hamilton) method: every part
 * gets the floor of its exact share, then the cents left go one by one to the largest fractional
 * parts (ties: lowest index). Σ parts = total, always. A negative total is split as −allocate(−total).
 */
export function allocate(total: Cents, weights: readonly number[]): Cents[] {
  assertSafeInteger(total, 'Le total à répartir');
  if (weights.length === 0) throw new FinancementError('MONTANT_INVALIDE', 'Aucune part pour répartir le montant.');
  for (const w of weights) {
    assertSafeInteger(w, 'Un poids');
    if (w < 0) throw new FinancementError('MONTANT_INVALIDE', `Poids négatif : ${w}.`);
  }
  const weightSum = weights.reduce((s, w) => s + BigInt(w), 0n);
  if (weightSum === 0n) throw new FinancementError('MONTANT_INVALIDE', 'La somme des poids est nulle.');
  if (total < 0) return allocate(-total, weights).map((c) => (c === 0 ? 0 : -c));

  const t = BigInt(total);
  const floors = weights.map((w) => (t * BigInt(w)) / weightSum);
  const remainders = weights.map((w) => (t * BigInt(w)) % weightSum);
  let left = t - floors.reduce((s, f) => s + f, 0n);
  const order = remainders
    .map((r, i) => ({ r, i }))
    .sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  const parts = [...floors];
  for (const { i } of order) {
    if (left === 0n) break;
    parts[i] = (parts[i] ?? 0n) + 1n;
    left -= 1n;
  }
  return parts.map((p) => toSafeNumber(p, 'Une part'));
}

/**
 * Splits a non-negative `total` by percentages (basis points summing to 10 000): every part but the
 * last is `percentOf(total, bp)` (half-up), the LAST part takes the remainder, so Σ = total exactly.
 * This is the échéancier rule ("rounding remainder on the last échéance of the year"). If half-up
 * rounding of the first parts ever exceeded the total (only conceivable for a last share smaller
 * than the rounding slack), it falls back to `allocate` so no part is negative.
 */
export function splitRemainderLast(total: Cents, basisPoints: readonly number[]): Cents[] {
  assertSafeInteger(total, 'Le total à répartir');
  if (total < 0) throw new FinancementError('MONTANT_INVALIDE', `Montant à échelonner négatif : ${total}.`);
  if (basisPoints.reduce((s, b) => s + b, 0) !== 10_000 || basisPoints.some((b) => b < 0)) {
    throw new FinancementError('MONTANT_INVALIDE', 'Les pourcentages d’un échéancier doivent totaliser 100 %.');
  }
  const head = basisPoints.slice(0, -1).map((bp) => percentOf(total, bp));
  const last = total - sum(head);
  return last >= 0 ? [...head, last] : allocate(total, basisPoints);
}

/** Σ of amounts, checked to stay a safe integer. */
export function sum(values: readonly Cents[]): Cents {
  const s = values.reduce((acc, v) => acc + BigInt(v), 0n);
  return toSafeNumber(s, 'Une somme de montants');
}

/** "8 000,00 €" — French formatting for explanations (plain spaces, so it is stable in tests/logs). */
export function formatEuros(cents: Cents): string {
  assertSafeInteger(cents, 'Un montant en centimes');
  const negative = cents < 0;
  const abs = Math.abs(cents);
  const euros = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  const rest = String(abs % 100).padStart(2, '0');
  return `${negative ? '-' : ''}${euros},${rest} €`;
}

/** True when `euros` is a finite amount with at most two decimals (what `eurosToCents` accepts). */
export function isExactCents(euros: number): boolean {
  try {
    eurosToCents(euros);
    return true;
  } catch {
    return false;
  }
}
