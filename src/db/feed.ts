/**
 * Stable pages and an incremental change feed, without serialising writers.
 *
 * Every row records the id of the transaction that created it (`xid_creation`) and of the last one
 * that changed it (`xid_modif`, PostgreSQL `pg_current_xact_id()`). Readers only look at rows whose
 * transaction id is below the oldest transaction still running (`pg_snapshot_xmin`): those rows are
 * settled — no transaction that could still commit can add a row before them. So:
 * - the feed, ordered by (xid_modif, id), is append-only: a cursor never skips a late commit;
 * - ranks (1..n per CFA, in (xid_creation, id) order) can be handed out to settled rows by the
 *   reader itself, and a page is a rank range: constant cost at any depth, no OFFSET.
 * A change shows up once every older transaction has finished (milliseconds in practice).
 */
import type { Knex } from 'knex';

export type FeedTable = 'dossiers' | 'factures';

/** SQL for "the current transaction", to set `xid_modif` on every change. */
export function currentTransaction(db: Knex): Knex.Raw {
  return db.raw('pg_current_xact_id()');
}

const SETTLED = 'pg_snapshot_xmin(pg_current_snapshot())';

/** Gives ranks to the CFA's settled rows that have none yet. Cheap when there are none. */
export async function assignRanks(db: Knex, table: FeedTable, siren: string): Promise<void> {
  const pending = await db(table).where({ cfa_siren: siren }).whereNull('rang_cfa').first('id');
  if (!pending) return;
  await db.transaction(async (trx) => {
    // Readers of one CFA take turns; writers are never blocked.
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`rangs:${table}:${siren}`]);
    await trx.raw(
      `with base as (select coalesce(max(rang_cfa), 0) as m from ?? where cfa_siren = ?),
            todo as (select id, row_number() over (order by xid_creation, id) as rn from ??
                     where cfa_siren = ? and rang_cfa is null and xid_creation < ${SETTLED})
       update ?? as t set rang_cfa = base.m + todo.rn from todo, base where t.id = todo.id`,
      [table, siren, table, siren, table],
    );
  });
}

export async function highestRank(db: Knex, table: FeedTable, siren: string): Promise<number> {
  const row = (await db(table).where({ cfa_siren: siren }).max<{ m: string | number | null }[]>({ m: 'rang_cfa' }))[0];
  return Number(row?.m ?? 0);
}

/** A feed position: transaction id and row id of the last row read. '0' starts from the beginning. */
export interface Cursor {
  xid: string;
  id: string;
}

const MAX_XID8 = 2n ** 64n - 1n;
const MAX_BIGINT = 2n ** 63n - 1n;

/** The cursor, or undefined when it is not one this gateway could have given (→ 400, never a SQL error). */
export function parseCursor(text: string): Cursor | undefined {
  if (text === '0') return { xid: '0', id: '0' };
  const m = /^(\d{1,20})\.(\d{1,19})$/.exec(text);
  if (!m?.[1] || !m[2] || BigInt(m[1]) > MAX_XID8 || BigInt(m[2]) > MAX_BIGINT) return undefined;
  return { xid: m[1], id: m[2] };
}

/** True when the cursor names a transaction this database has not reached: not one it gave. */
export async function isFutureCursor(db: Knex, cursor: Cursor): Promise<boolean> {
  if (cursor.xid === '0') return false;
  const { rows } = await db.raw<{ rows: Array<{ future: boolean }> }>('select ?::xid8 >= pg_snapshot_xmax(pg_current_snapshot()) as future', [cursor.xid]);
  return rows[0]?.future === true;
}

export function formatCursor(row: { xid_modif: string | number; id: string | number }): string {
  return `${row.xid_modif}.${row.id}`;
}

/** Rows of the CFA changed after the cursor, in change order, settled rows only. */
export function changesAfter(db: Knex, table: FeedTable, siren: string, cursor: Cursor): Knex.QueryBuilder {
  return settledChangesAfter(db, table, cursor).where({ cfa_siren: siren });
}

/**
 * Rows of any table with `xid_modif` and `id` changed after the cursor, in change order, settled
 * rows only; the caller adds its scope (`cfa_siren`, `employeur_siren`…).
 */
export function settledChangesAfter(db: Knex, table: string, cursor: Cursor): Knex.QueryBuilder {
  return db(table)
    .whereRaw('(xid_modif, id) > (?::xid8, ?)', [cursor.xid, cursor.id])
    .whereRaw(`xid_modif < ${SETTLED}`)
    .orderBy([{ column: 'xid_modif' }, { column: 'id' }]);
}
