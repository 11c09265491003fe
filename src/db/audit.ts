/** The audit trail of writes: who (key, vendor, editor headers) did what to which object. */
import type { Knex } from 'knex';
import type { Request } from 'express';

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

export function authorOf(req: Request): Author {
  return {
    id_requete: req.requestId,
    cle_id: req.caller?.keyId ?? null,
    siren: req.caller?.siren ?? null,
    client_id: req.vendor?.clientId ?? null,
    editeur: req.editor.editeur,
    logiciel: req.editor.logiciel,
    version: req.editor.version,
  };
}

export async function recordWrite(
  db: Knex,
  req: Request,
  action: string,
  objet?: { type: string; id: string },
): Promise<void> {
  await db('audit_ecritures').insert({ ...authorOf(req), action, objet_type: objet?.type ?? null, objet_id: objet?.id ?? null });
}
