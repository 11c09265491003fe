/** Vendor (software editor) OAuth2 clients and the access tokens they obtain. */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import { fingerprint, newSecret } from '../domain/secrets.js';

export interface ClientRow {
  id: string;
  client_id: string;
  empreinte_secret: string;
  editeur: string;
  revoque_le: Date | null;
}

export async function createClient(db: Knex, editeur: string): Promise<{ clientId: string; clientSecret: string }> {
  const clientId = `cgw-${randomBytes(9).toString('base64url')}`;
  const clientSecret = newSecret('secret');
  await db('clients_editeurs').insert({ client_id: clientId, empreinte_secret: fingerprint(clientSecret), editeur });
  return { clientId, clientSecret };
}

/** The client when the id exists, is not revoked and the secret matches; undefined otherwise. */
export async function authenticateClient(db: Knex, clientId: string, secret: string): Promise<ClientRow | undefined> {
  const row = (await db('clients_editeurs').where({ client_id: clientId }).first()) as ClientRow | undefined;
  if (!row || row.revoque_le) return undefined;
  const expected = Buffer.from(row.empreinte_secret, 'hex');
  const actual = Buffer.from(fingerprint(secret), 'hex');
  return timingSafeEqual(expected, actual) ? { ...row, id: String(row.id) } : undefined;
}

export interface ClientListRow {
  client_id: string;
  editeur: string;
  cree_le: Date;
  revoque_le: Date | null;
}

/** Every client, newest first, without its secret's fingerprint. */
export async function listClients(db: Knex): Promise<ClientListRow[]> {
  return (await db('clients_editeurs').orderBy('id', 'desc').select('client_id', 'editeur', 'cree_le', 'revoque_le')) as ClientListRow[];
}

/** Revokes a live client and drops its tokens; false when unknown or already revoked. */
export async function revokeClient(db: Knex, clientId: string): Promise<boolean> {
  const [row] = (await db('clients_editeurs').where({ client_id: clientId }).whereNull('revoque_le')
    .update({ revoque_le: db.fn.now() }).returning('id')) as Array<{ id: string }>;
  if (!row) return false;
  await db('jetons_acces').where({ client_id: row.id }).delete();
  return true;
}

export async function issueToken(db: Knex, client: ClientRow, scope: string | null, ttlSeconds: number): Promise<string> {
  const token = newSecret('at');
  await db('jetons_acces').insert({
    empreinte: fingerprint(token),
    client_id: client.id,
    scope,
    expire_le: new Date(Date.now() + ttlSeconds * 1000),
  });
  return token;
}

export interface TokenOwner {
  id: string;
  clientId: string;
  editeur: string;
}

export async function findValidToken(db: Knex, token: string): Promise<TokenOwner | undefined> {
  const row = (await db('jetons_acces as j')
    .join('clients_editeurs as c', 'c.id', 'j.client_id')
    .where('j.empreinte', fingerprint(token))
    .where('j.expire_le', '>', db.fn.now())
    .whereNull('c.revoque_le')
    .first('c.id', 'c.client_id', 'c.editeur')) as { id: string; client_id: string; editeur: string } | undefined;
  return row ? { id: String(row.id), clientId: row.client_id, editeur: row.editeur } : undefined;
}

export async function purgeExpiredTokens(db: Knex): Promise<number> {
  // `returning` counts on both drivers (PGlite reports no affected-row count for a bare delete).
  return (await db('jetons_acces').where('expire_le', '<', db.fn.now()).delete().returning('empreinte')).length;
}
