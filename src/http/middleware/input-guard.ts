/**
 * The edge's guard on parsed input, before any query: text PostgreSQL cannot store (NUL, lone
 * UTF-16 surrogates) is refused with 400 CARACTERE_INTERDIT naming every field, and JSON nested
 * deeper than any payload of the norm is refused with 400 PROFONDEUR_EXCESSIVE. The walk is
 * iterative, so a hostile depth cannot exhaust the stack.
 */
import type { Violation } from '../../domain/violation.js';

/** No payload of the norm nests deeper than a few levels; room is left for clients' wrappers. */
export const MAX_DEPTH = 32;

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const FORBIDDEN = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function hasForbiddenText(text: string): boolean {
  return FORBIDDEN.test(text);
}

const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** Every forbidden text (values and member names) under `root`, and the depth check. */
export function inspectInput(value: unknown, root: string): Violation[] {
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
