/**
 * The lists of the CFA's steering screens (pilotage, états de suivi), read two ways from one
 * declaration: a page (`total` + the rows at an offset) and every row in batches for the exports
 * (keyset on the sort expression and the id, never OFFSET, so an export of 100 000 rows costs
 * 100 small index reads and holds one batch in memory).
 */
import type { Knex } from 'knex';

export type Ordre = 'asc' | 'desc';

/** Filters as validated by the route: each listing reads the ones it declares. */
export type ListFilters = Readonly<Record<string, string | number | undefined>>;

export interface Listing {
  /** FROM, joins and WHERE (tenant, fixed predicate, filters, search); no select, no order. */
  query: Knex.QueryBuilder;
  /** What each row holds. */
  columns: ReadonlyArray<string | Knex.Raw>;
  /** The qualified id that breaks ties (`d.id`). */
  id: string;
  /** Sort keys → SQL expressions; an expression is never NULL (keyset comparisons need it). */
  sorts: Readonly<Record<string, string>>;
  /** A cheaper query selecting the same total as `n`, when the listing has one (no grouping to redo). */
  countQuery?: Knex.QueryBuilder;
}

export interface ListPage<Row> {
  total: number;
  rows: Row[];
}

function sortOf(listing: Listing, tri: string): string {
  const expr = listing.sorts[tri];
  if (!expr) throw new Error(`unknown sort ${tri}`);
  return expr;
}

export async function countListing(listing: Listing): Promise<number> {
  const query = listing.countQuery ? listing.countQuery.clone() : listing.query.clone().count({ n: '*' });
  const [row] = (await query) as Array<{ n: string | number }>;
  return Number(row?.n ?? 0);
}

/**
 * One page. The page's ids are found first on the narrow query (an index-only walk when an index
 * covers the sort), at the same time as the total; then only those rows are read whole: deep pages
 * do not fetch what they skip, and a grouped listing (dossiers à facturer) is not aggregated a
 * third time for the rows.
 */
export async function pageOfListing<Row>(db: Knex, listing: Listing, tri: string, ordre: Ordre, page: number, size: number): Promise<ListPage<Row>> {
  const expr = sortOf(listing, tri);
  const [total, ids] = await Promise.all([
    countListing(listing),
    listing.query.clone()
      .select(db.raw('?? as _id', [listing.id]))
      .orderByRaw(`${expr} ${ordre}, ?? ${ordre}`, [listing.id])
      .offset((page - 1) * size)
      .limit(size) as Promise<Array<{ _id: string | number }>>,
  ]);
  if (ids.length === 0) return { total, rows: [] };
  const rows = (await listing.query.clone()
    .whereIn(listing.id, ids.map((r) => r._id))
    .select([...listing.columns])
    .orderByRaw(`${expr} ${ordre}, ?? ${ordre}`, [listing.id])) as Row[];
  return { total, rows };
}

/**
 * Every row, in the list's order, `batch` at a time: each batch resumes after the last (sort
 * value, id) seen. The sort value travels as text and PostgreSQL reads it back in the
 * expression's own type, so timestamps keep their microseconds.
 */
export async function* batchesOfListing<Row>(db: Knex, listing: Listing, tri: string, ordre: Ordre, batch: number): AsyncGenerator<Row[]> {
  const expr = sortOf(listing, tri);
  const after = ordre === 'asc' ? '>' : '<';
  let last: { tri: string; id: string } | undefined;
  for (;;) {
    const q = listing.query.clone()
      .select([...listing.columns, db.raw(`(${expr})::text as _tri`), db.raw('?? as _id', [listing.id])])
      .orderByRaw(`${expr} ${ordre}, ?? ${ordre}`, [listing.id])
      .limit(batch);
    if (last) q.whereRaw(`(${expr}, ??) ${after} (?, ?)`, [listing.id, last.tri, last.id]);
    const rows = (await q) as Array<Row & { _tri: string; _id: string | number }>;
    const tail = rows[rows.length - 1];
    if (!tail) return;
    last = { tri: tail._tri, id: String(tail._id) };
    yield rows;
    if (rows.length < batch) return;
  }
}

/** `%text%` for ILIKE, the user's own `%`, `_` and `\` taken literally. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A filter value as text (absent when empty). */
export function textFilter(filters: ListFilters, name: string): string | undefined {
  const v = filters[name];
  return v === undefined || v === '' ? undefined : String(v);
}
