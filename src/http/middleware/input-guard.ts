/**
 * The edge's guard on parsed input, before any query: text PostgreSQL cannot store (NUL, lone
 * UTF-16 surrogates) is refused with 400 CARACTERE_INTERDIT naming every field, numbers beyond
 * the double range (`1e309`) with 400 NOMBRE_HORS_LIMITES, and JSON nested deeper than any payload
 * of the norm with 400 PROFONDEUR_EXCESSIVE. The walk is
 * iterative, so a hostile depth cannot exhaust the stack.
 */
import type { Violation } from '../../domain/violation.js';

/** No payload of the norm nests deeper than a few levels; room is left for clients' wrappers. */
export const MAX_DEPTH = 32;

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const FORBIDDEN = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// Cheap first look: most text has neither a NUL nor any surrogate (paired ones are legal).
const SUSPECT = /[\u0000\uD800-\uDFFF]/;

export function hasForbiddenText(text: string): boolean {
  return SUSPECT.test(text) && FORBIDDEN.test(text);
}

/** The hot path: true when nothing is wrong, without building any pointer. */
function isClean(value: unknown): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [v, depth] = item;
    if (depth > MAX_DEPTH) return false;
    if (typeof v === 'string') {
      if (hasForbiddenText(v)) return false;
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return false;
    } else if (Array.isArray(v)) {
      for (const child of v) stack.push([child, depth + 1]);
    } else if (typeof v === 'object' && v !== null) {
      for (const key in v) {
        if (hasForbiddenText(key)) return false;
        stack.push([Reflect.get(v, key), depth + 1]);
      }
    }
  }
  return true;
}

const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** Every forbidden text (values and member names) under `root`, and the depth check. */
export function inspectInput(value: unknown, root: string): Violation[] {
  if (isClean(value)) return [];
  const found: Violation[] = [];
  const stack: Array<{ value: unknown; pointer: string; depth: number }> = [{ value, pointer: root, depth: 0 }];
  while (stack.length) {
    const item = stack.pop();
    if (!item) break;
    if (item.depth > MAX_DEPTH) {
      return [{ code: 'PROFONDEUR_EXCESSIVE', description: `Le JSON est imbriqué sur plus de ${MAX_DEPTH} niveaux.`, champ: item.pointer, section: 'requete' }];
    }
    const v = item.value;
    if (typeof v === 'string') {
      if (hasForbiddenText(v)) found.push(forbidden(item.pointer));
    } else if (typeof v === 'number' && !Number.isFinite(v)) {
      found.push({ code: 'NOMBRE_HORS_LIMITES', description: `Le champ ${item.pointer || '(racine)'} contient un nombre hors des limites représentables.`, champ: item.pointer, section: 'requete' });
    } else if (Array.isArray(v)) {
      v.forEach((child, i) => stack.push({ value: child, pointer: `${item.pointer}/${i}`, depth: item.depth + 1 }));
    } else if (typeof v === 'object' && v !== null) {
      for (const [key, child] of Object.entries(v)) {
        const pointer = `${item.pointer}/${escapePointer(key)}`;
        if (hasForbiddenText(key)) found.push(forbidden(pointer));
        else stack.push({ value: child, pointer, depth: item.depth + 1 });
      }
    }
  }
  return found.sort((a, b) => (a.champ < b.champ ? -1 : 1));
}

function forbidden(champ: string): Violation {
  return {
    code: 'CARACTERE_INTERDIT',
    description: `Le champ ${champ || '(racine)'} contient un caractère interdit (caractère nul U+0000 ou demi-paire UTF-16 isolée).`,
    champ,
    section: 'requete',
  };
}

/** Percent-decoded as UTF-8, or undefined when the encoding is bad (`%ZZ`, `abc%`, `%C3%28`). */
function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/**
 * Every query parameter of `url` whose name or value is not valid percent-encoded UTF-8, once per
 * name. express's parser would read such text leniently (`%ZZ` as is, bad bytes as U+FFFD), so a
 * mistyped value would silently match nothing. The code is the one of a badly encoded path.
 */
export function badlyEncodedQuery(url: string): Violation[] {
  const start = url.indexOf('?');
  if (start < 0 || !url.includes('%', start)) return [];
  const found = new Map<string, Violation>();
  for (const pair of url.slice(start + 1).split('&')) {
    const equals = pair.indexOf('=');
    const rawName = equals < 0 ? pair : pair.slice(0, equals);
    const name = decoded(rawName);
    const shown = name ?? rawName;
    if (found.has(shown) || (name !== undefined && (equals < 0 || decoded(pair.slice(equals + 1)) !== undefined))) continue;
    found.set(shown, {
      code: 'CHEMIN_INVALIDE',
      description: name === undefined
        ? `Le nom du paramètre ${shown} contient un encodage « pourcent » invalide (UTF-8 attendu).`
        : `Le paramètre ${shown} contient un encodage « pourcent » invalide (UTF-8 attendu).`,
      champ: `/${shown}`,
      section: 'requete',
    });
  }
  return [...found.values()];
}
