/** The audit trail of writes: who (key, vendor, editor headers) did what to which object. */
import type { Knex } from 'knex';

/** Who wrote: the request's id, key, vendor and editor headers (the audit row without its object). */
export interface Author {
  id_requete: string;
  cle_id: string | null;
  siren: string | null;
  client_id: string | null;
  editeur: string | null;
  logiciel: string | null;
  version: string | null;
}

export async function recordWrite(
  db: Knex,
  author: Author,
  action: string,
  objet?: { type: string; id: string },
): Promise<void> {
  await db('audit_ecritures').insert({ ...author, action, objet_type: objet?.type ?? null, objet_id: objet?.id ?? null });
}
