/**
 * Numéros internes: 12 random digits, unique per table. The one allocation primitive: insert under
 * a fresh numéro, and on the (rare) collision — the insert's `on conflict do nothing` returning
 * nothing — try again with another.
 */
import { randomInt } from 'node:crypto';

export function newNumeroInterne(): string {
  return String(randomInt(100_000_000_000, 1_000_000_000_000));
}

/** Runs `insert` with fresh numéros until it returns a row (3 tries); `what` names the object in the error. */
export async function insertWithNewNumero<T>(what: string, insert: (numero: string) => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const row = await insert(newNumeroInterne());
    if (row !== undefined) return row;
  }
  throw new Error(`could not allocate a numéro interne (${what})`);
}
