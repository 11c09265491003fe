/**
 * Per-CFA counters. Bumping one takes a row lock held until commit, so a CFA's change numbers are
 * handed out in commit order: a reader that follows them (incremental feed) never misses a change
 * committed late, and creation ranks are dense (pages are rank ranges, no OFFSET).
 */
import type { Knex } from 'knex';

export type Feed = 'dossiers' | 'factures';

export interface Bumped {
  rang: number;
  modification: number;
}

/** A new object: next rank and next change number. */
export async function bumpForCreation(trx: Knex.Transaction, siren: string, feed: Feed): Promise<Bumped> {
  const result = await trx.raw<{ rows: Array<{ rang: string; modification: string }> }>(
    `insert into compteurs_cfa (siren, flux, rang, modification) values (?, ?, 1, 1)
     on conflict (siren, flux) do update set rang = compteurs_cfa.rang + 1, modification = compteurs_cfa.modification + 1
     returning rang, modification`,
    [siren, feed],
  );
  const row = result.rows[0];
  if (!row) throw new Error('counter not bumped');
  return { rang: Number(row.rang), modification: Number(row.modification) };
}

/** A change to an existing object: next change number. */
export async function bumpForChange(trx: Knex.Transaction, siren: string, feed: Feed): Promise<number> {
  const result = await trx.raw<{ rows: Array<{ modification: string }> }>(
    `insert into compteurs_cfa (siren, flux, rang, modification) values (?, ?, 0, 1)
     on conflict (siren, flux) do update set modification = compteurs_cfa.modification + 1
     returning modification`,
    [siren, feed],
  );
  const row = result.rows[0];
  if (!row) throw new Error('counter not bumped');
  return Number(row.modification);
}

export async function readCounter(db: Knex, siren: string, feed: Feed): Promise<Bumped> {
  const row = (await db('compteurs_cfa').where({ siren, flux: feed }).first('rang', 'modification')) as
    | { rang: string; modification: string }
    | undefined;
  return { rang: Number(row?.rang ?? 0), modification: Number(row?.modification ?? 0) };
}
