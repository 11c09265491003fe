/**
 * What was wrong with a JSON body express could not parse, said precisely: a lone value (`null`,
 * `42`, `"x"`) where an object is expected, or where the syntax breaks (line and column). The body
 * itself never goes into the answer nor a log: only positions.
 */
import { errors, type ApiError } from './errors.js';

/** Line and column (from 1) of a character offset. */
export function lineAndColumn(text: string, offset: number): { ligne: number; colonne: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { ligne: lines.length, colonne: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

/** The offset V8 names in a JSON.parse error ("… at position 12", "… (line 2 column 5)"), if any. */
function offsetOf(text: string, message: string): number | undefined {
  const position = /position (\d+)/.exec(message);
  if (position?.[1]) return Number(position[1]);
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn?.[1] && lineColumn[2]) {
    const lines = text.split('\n').slice(0, Number(lineColumn[1]) - 1);
    return lines.reduce((n, l) => n + l.length + 1, 0) + Number(lineColumn[2]) - 1;
  }
  if (/end of (JSON )?input|Unterminated/i.test(message)) return text.length;
  return undefined;
}

export function malformedJson(body: unknown): ApiError {
  if (typeof body !== 'string') return errors.badRequest('JSON_MALFORME', "Le corps de la requête n'est pas un JSON valide.");
  try {
    JSON.parse(body);
    // Valid JSON, refused by the strict parser: a value alone, not an object.
    return errors.badRequest('JSON_MALFORME', 'Le corps de la requête doit être un objet JSON ({…}) : une valeur seule (null, nombre, chaîne, booléen) n’est pas acceptée.');
  } catch (err) {
    const offset = body.trim() === '' ? undefined : offsetOf(body, err instanceof Error ? err.message : '');
    if (offset === undefined) return errors.badRequest('JSON_MALFORME', "Le corps de la requête n'est pas un JSON valide.");
    const { ligne, colonne } = lineAndColumn(body, offset);
    return errors.badRequest('JSON_MALFORME', `Le corps de la requête n'est pas un JSON valide : erreur de syntaxe ligne ${ligne}, colonne ${colonne}.`);
  }
}
