/**
 * The paging primitives every list shares, declared once: page parameters (`numeroPage`,
 * `taillePage`) and the incremental feed's `depuis` cursor with the answer's next cursor.
 */
import { formatCursor, parseCursor, type Cursor } from '../../db/feed.js';
import { refuse } from '../../domain/refusal.js';
import type { ParameterDeclaration } from './declaration.js';

export const DEFAULT_PAGE_SIZE = 100;

/**
 * `numeroPage` and `taillePage` (default size and maximum differ between the norm's and the back
 * office's lists). Defaults are filled at validation; the generated types still show them optional.
 */
export function pageParameters(defaultSize = DEFAULT_PAGE_SIZE, maxSize = 1000, maxPage = 10_000_000): Record<'numeroPage' | 'taillePage', ParameterDeclaration> {
  return {
    numeroPage: { description: 'Page (1 pour la première)', schema: { type: 'integer', minimum: 1, maximum: maxPage, default: 1 } },
    taillePage: { description: 'Éléments par page', schema: { type: 'integer', minimum: 1, maximum: maxSize, default: defaultSize } },
  };
}

export const DEPUIS: ParameterDeclaration = {
  description: 'Curseur du flux incrémental (extension de la norme) : 0, puis la valeur de curseurSuivant',
  schema: { type: 'string', maxLength: 41, pattern: '^(0|[0-9]+\\.[0-9]+)$' },
  attendu: 'doit être un curseur rendu par curseurSuivant (ou 0 pour tout relire).',
};

/** The cursor of a validated `depuis`; a value outside the database's ranges is refused like a malformed one. */
export function cursorOf(depuis: string): Cursor {
  const cursor = parseCursor(depuis);
  if (!cursor) {
    throw refuse.invalid([{ code: 'PARAMETRE_INVALIDE', description: `Le paramètre depuis ${DEPUIS.attendu}`, champ: '/depuis', section: 'requete' }]);
  }
  return cursor;
}

/** The feed's paging members: where to resume, and whether to call again at once. */
export function feedPosition(items: ReadonlyArray<{ xid_modif: string | number; id: string | number }>, depuis: string, size: number): { curseurSuivant: string; plusDeResultats: boolean } {
  const last = items[items.length - 1];
  return { curseurSuivant: last ? formatCursor(last) : depuis, plusDeResultats: items.length === size };
}
