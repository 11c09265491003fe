/** Stored answers of requests sent with an Idempotency-Key, scoped to their owner (a CFA). */
import type { Knex } from 'knex';

export type IdempotencyRecord =
  | { state: 'new' }
  | { state: 'in-flight'; retryAfterSeconds: number }
  | { state: 'mismatch' }
  | { state: 'done'; status: number; body: unknown };

/**
 * Claims the key for this request. A request left EN_COURS longer than `leaseMs` (the server's
 * request timeout: no live request can last longer) was abandoned by a crashed instance and is retaken.
 */
export async function beginIdempotent(db: Knex, owner: string, key: string, requestHash: string, leaseMs: number): Promise<IdempotencyRecord> {
  const inserted = await db('idempotence')
    .insert({ proprietaire: owner, cle: key, empreinte_requete: requestHash, etat: 'EN_COURS' })
    .onConflict(['proprietaire', 'cle'])
    .ignore()
    .returning('cle');
  if (inserted.length === 1) return { state: 'new' };
  const row = (await db('idempotence').where({ proprietaire: owner, cle: key }).first()) as
    | { empreinte_requete: string; etat: string; statut_http: number | null; reponse: unknown; creee_le: Date }
    | undefined;
  if (!row) return beginIdempotent(db, owner, key, requestHash, leaseMs); // purged meanwhile
  if (row.empreinte_requete !== requestHash) return { state: 'mismatch' };
  if (row.etat === 'TERMINE') return { state: 'done', status: row.statut_http ?? 200, body: row.reponse };
  const retaken = await db('idempotence')
    .where({ proprietaire: owner, cle: key, etat: 'EN_COURS' })
    .where('creee_le', '<', new Date(Date.now() - leaseMs))
    .update({ creee_le: db.fn.now() });
  if (retaken === 1) return { state: 'new' };
  const leaseEnds = new Date(row.creee_le).getTime() + leaseMs;
  return { state: 'in-flight', retryAfterSeconds: Math.max(1, Math.ceil((leaseEnds - Date.now()) / 1000)) };
}

export async function completeIdempotent(db: Knex, owner: string, key: string, status: number, body: unknown): Promise<void> {
  await db('idempotence')
    .where({ proprietaire: owner, cle: key })
    .update({ etat: 'TERMINE', statut_http: status, reponse: JSON.stringify(body) });
}

/** Server failures are not remembered: the client may retry with the same key. */
export async function abandonIdempotent(db: Knex, owner: string, key: string): Promise<void> {
  await db('idempotence').where({ proprietaire: owner, cle: key, etat: 'EN_COURS' }).delete();
}
