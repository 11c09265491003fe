/**
 * The NPEC referential on a running server (the CLI `npec import` needs the embedded database to
 * itself): import a CSV (`rncp,idcc,npec,date_effet`), read the rows of an RNCP.
 */
import type { Knex } from 'knex';
import { recordWrite } from '../db/audit.js';
import { importNpecRows, npecRowsFor } from '../db/financing.js';
import { parseNpecCsv, type NpecRow } from '../domain/financing/index.js';
import { refuse } from '../domain/refusal.js';
import type { Actor } from './actor.js';

/** Imports every line of the CSV, audited, or none: a refusal (400) lists each bad line. */
export async function importNpec(db: Knex, actor: Actor, csv: string): Promise<number> {
  const { rows, errors: problems } = parseNpecCsv(csv);
  if (problems.length) {
    throw refuse.invalid(problems.map((p) => ({ code: 'LIGNE_NPEC_INVALIDE', description: `Ligne ${p.ligne} : ${p.message}`, champ: `/lignes/${p.ligne}`, section: 'requete' as const })));
  }
  return db.transaction(async (trx) => {
    const n = await importNpecRows(trx, rows);
    await recordWrite(trx, actor.author, 'NPEC_IMPORT', { type: 'NPEC', id: String(n) });
    return n;
  });
}

export function npecRows(db: Knex, rncp: string): Promise<NpecRow[]> {
  return npecRowsFor(db, rncp);
}
