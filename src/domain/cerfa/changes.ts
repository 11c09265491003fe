/**
 * Which leaves of a CERFA a correction changed, as JSON pointers (RFC 6901) relative to the CERFA:
 * `/apprenti/adresse/commune`. Where, never what: the values are personal data (names, NIR,
 * addresses) and the pointers are written into the dossier's history.
 */
import { escapePointer, isJsonObject } from '../json.js';

/** The members of an object or the items of an array; undefined for anything else. */
function entriesOf(value: unknown): Array<[string, unknown]> | undefined {
  if (Array.isArray(value)) return value.map((item, i): [string, unknown] => [String(i), item]);
  return isJsonObject(value) ? Object.entries(value) : undefined;
}

/** Every leaf under `value` (an empty object or array counts as one, so that adding `{}` is seen). */
function addLeaves(value: unknown, at: string, out: Set<string>): void {
  if (value === undefined) return;
  const entries = entriesOf(value);
  if (!entries?.length) {
    out.add(at);
    return;
  }
  for (const [key, item] of entries) addLeaves(item, `${at}/${escapePointer(key)}`, out);
}

function compare(before: unknown, after: unknown, at: string, out: Set<string>): void {
  if (before === after) return;
  const old = entriesOf(before);
  const fresh = entriesOf(after);
  if (!old || !fresh || Array.isArray(before) !== Array.isArray(after)) {
    // A leaf changed, appeared or disappeared, or a value changed kind: every leaf on either side.
    addLeaves(before, at, out);
    addLeaves(after, at, out);
    return;
  }
  const oldByKey = new Map(old);
  for (const [key, item] of fresh) compare(oldByKey.get(key), item, `${at}/${escapePointer(key)}`, out);
  const kept = new Set(fresh.map(([key]) => key));
  for (const [key, item] of old) if (!kept.has(key)) addLeaves(item, `${at}/${escapePointer(key)}`, out);
}

/**
 * The pointers of the leaves that differ between two JSON values, in the new value's order then
 * the removed ones; empty when they are the same data (whatever the order of the members).
 */
export function changedLeaves(before: unknown, after: unknown): string[] {
  const out = new Set<string>();
  compare(before, after, '', out);
  return [...out];
}
