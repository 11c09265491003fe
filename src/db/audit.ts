/** The audit trail of writes: who (key, vendor, editor headers) did what to which object. */
import type { Knex } from 'knex';
import type { Request } from 'express';

export async function recordWrite(
  db: Knex,
  req: Request,
  action: string,
  objet?: { type: string; id: string },
): Promise<void> {
  await db('audit_ecritures').insert({
    id_requete: req.requestId,
    cle_id: req.caller?.keyId ?? null,
    siren: req.caller?.siren ?? null,
    client_id: req.vendor?.clientId ?? null,
    editeur: req.editor.editeur,
    logiciel: req.editor.logiciel,
    version: req.editor.version,
    action,
    objet_type: objet?.type ?? null,
    objet_id: objet?.id ?? null,
  });
}
