/**
 * The CFA's lists as use cases: a listing of the caller's own rows (the tenant is in every
 * listing's WHERE), completed with what each row needs from other tables, read as a page or in
 * batches for an export.
 */
import type { Knex } from 'knex';
import { batchesOfListing, countListing, pageOfListing, type Listing, type Ordre } from '../db/listing.js';

export interface ListSource<Row> {
  listing: Listing;
  /** Completes a page or batch of raw rows (nested échéances, invoices of a payment…). */
  complete(rows: unknown[]): Promise<Row[]>;
}

/** A source whose rows need nothing more: the listing's columns are the row. */
export function plainSource<Row>(listing: Listing): ListSource<Row> {
  // Rows come from the listing's own select list, typed by its module.
  return { listing, complete: async (rows) => rows as Row[] };
}

export interface ListRead {
  tri: string;
  ordre: Ordre;
}

export async function pageOfList<Row>(db: Knex, source: ListSource<Row>, read: ListRead & { page: number; size: number }): Promise<{ total: number; rows: Row[] }> {
  const { total, rows } = await pageOfListing<unknown>(db, source.listing, read.tri, read.ordre, read.page, read.size);
  return { total, rows: await source.complete(rows) };
}

/** Every row of the list in batches (exports); reading stops when the consumer stops. */
export async function* batchesOfList<Row>(db: Knex, source: ListSource<Row>, read: ListRead, batch = 1000): AsyncGenerator<Row[]> {
  for await (const rows of batchesOfListing<unknown>(db, source.listing, read.tri, read.ordre, batch)) yield await source.complete(rows);
}

export async function countList(source: ListSource<unknown>): Promise<number> {
  return countListing(source.listing);
}
