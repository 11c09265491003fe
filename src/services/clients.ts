/**
 * Vendors' OAuth2 clients on a running server (the CLI `clients create` needs the embedded database
 * to itself): create (the secret shown once), list, revoke — audited like keys.
 */
import type { Knex } from 'knex';
import { recordWrite } from '../db/audit.js';
import * as clients from '../db/clients.js';
import { refuse } from '../domain/refusal.js';
import type { Actor } from './actor.js';

export async function createClient(db: Knex, actor: Actor, editeur: string): Promise<{ clientId: string; clientSecret: string; editeur: string }> {
  return db.transaction(async (trx) => {
    const created = await clients.createClient(trx, editeur.trim());
    await recordWrite(trx, actor.author, 'CLIENT_CREE', { type: 'CLIENT_OAUTH', id: created.clientId });
    return { ...created, editeur: editeur.trim() };
  });
}

export function listClients(db: Knex): Promise<clients.ClientListRow[]> {
  return clients.listClients(db);
}

/** Its tokens stop at once (the bearer check reads them), a new token is refused. */
export async function revokeClient(db: Knex, actor: Actor, clientId: string): Promise<void> {
  await db.transaction(async (trx) => {
    if (!(await clients.revokeClient(trx, clientId))) throw refuse.notFound('CLIENT_INTROUVABLE', `Aucun client OAuth actif ${clientId}.`);
    await recordWrite(trx, actor.author, 'CLIENT_REVOQUE', { type: 'CLIENT_OAUTH', id: clientId });
  });
}
