/**
 * Back-office key management on a running server (the CLI needs the embedded database to itself):
 * create, list and revoke CFA keys, audited.
 */
import type { Knex } from 'knex';
import { recordWrite } from '../db/audit.js';
import * as keys from '../db/keys.js';
import { refuse } from '../domain/refusal.js';
import type { Actor } from './actor.js';

export interface KeyRequest {
  siren: string;
  uai?: string;
  libelle?: string;
  dateFinValidite?: string;
}

/** Creates a CFA key; the clear key is returned this once. */
export function createKey(db: Knex, actor: Actor, request: KeyRequest): Promise<{ key: string; row: keys.KeyRow }> {
  return db.transaction(async (trx) => {
    const created = await keys.createKey(trx, {
      role: 'cfa', siren: request.siren, uai: request.uai, libelle: request.libelle, dateFinValidite: request.dateFinValidite,
    });
    await recordWrite(trx, actor.author, 'CLE_CREEE', { type: 'CLE_API', id: created.row.id });
    return created;
  });
}

export function listKeys(db: Knex): Promise<keys.KeyRow[]> {
  return keys.listKeys(db);
}

/**
 * Revokes an active key, audited; a refusal (404) for an unknown or already revoked one. `forget`
 * drops it from the authentication cache once the revocation is committed.
 */
export async function revokeKey(db: Knex, actor: Actor, id: string, forget: (id: string) => void): Promise<void> {
  const revoked = await db.transaction(async (trx) => {
    const done = await keys.revokeKey(trx, id);
    if (done) await recordWrite(trx, actor.author, 'CLE_REVOQUEE', { type: 'CLE_API', id });
    return done;
  });
  if (!revoked) throw refuse.notFound('CLE_INTROUVABLE', 'Clé inconnue ou déjà révoquée.');
  forget(id);
}
