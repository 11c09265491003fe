/**
 * Incremental feeds (`depuis`): a page read after a cursor. An empty page after a cursor this
 * database never gave (copied from another gateway, a sandbox reset) would keep an ERP waiting for
 * ever: it is refused, telling it to start again from 0.
 */
import type { Knex } from 'knex';
import { isFutureCursor, type Cursor } from '../db/feed.js';
import { refuse } from '../domain/refusal.js';

export async function readFeed<T>(db: Knex, cursor: Cursor, read: () => Promise<T[]>): Promise<T[]> {
  const items = await read();
  if (items.length === 0 && (await isFutureCursor(db, cursor))) {
    throw refuse.invalid([{
      code: 'CURSEUR_INCONNU',
      description: 'Le curseur depuis n’a pas été rendu par cette passerelle (base différente ou réinitialisée) : reprenez la lecture avec depuis=0.',
      champ: '/depuis',
      section: 'requete',
    }]);
  }
  return items;
}
