/** API keys (X-API-KEY): creation, lookup by the presented key, listing and revocation. */
import type { Knex } from 'knex';
import { fingerprint, newSecret } from '../domain/secrets.js';

/** The roles of a key: a CFA (`cfa_…`), the OPCO back office (`opco_…`), an employer (`ent_…`). */
export const KEY_ROLES = ['cfa', 'opco', 'entreprise'] as const;
export type KeyRole = (typeof KEY_ROLES)[number];

const PREFIXES: Record<KeyRole, string> = { cfa: 'cfa', opco: 'opco', entreprise: 'ent' };

/** Columns read back (never the fingerprint). */
const COLUMNS = ['id', 'role', 'siren', 'uai', 'libelle', 'courriel', 'prefixe', 'date_fin_validite', 'revoquee_le', 'creee_le'] as const;

export interface KeyRow {
  id: string;
  role: KeyRole;
  /** The CFA's or the employer's SIREN (roles cfa and entreprise). */
  siren: string | null;
  uai: string | null;
  libelle: string | null;
  /** The employer user's e-mail (role entreprise only): personal data, never logged. */
  courriel: string | null;
  prefixe: string;
  date_fin_validite: string | null;
  revoquee_le: Date | null;
  creee_le: Date;
}

export interface NewKey {
  role: KeyRole;
  /** Roles cfa and entreprise. */
  siren?: string;
  uai?: string;
  libelle?: string;
  /** Role entreprise (required there, by the table's check). */
  courriel?: string;
  dateFinValidite?: string;
}

/** Creates a key and returns it in clear, the only time it exists outside the caller's hands. */
export async function createKey(db: Knex, input: NewKey): Promise<{ key: string; row: KeyRow }> {
  const key = newSecret(PREFIXES[input.role]);
  const [row] = await db('cles_api')
    .insert({
      role: input.role,
      siren: input.role === 'opco' ? null : input.siren,
      uai: input.uai?.toUpperCase() ?? null,
      libelle: input.libelle ?? null,
      courriel: input.role === 'entreprise' ? input.courriel : null,
      empreinte: fingerprint(key),
      prefixe: key.slice(0, 10),
      date_fin_validite: input.dateFinValidite ?? null,
    })
    .returning([...COLUMNS]);
  return { key, row: normalise(row as KeyRow) };
}

export async function findKey(db: Knex, presented: string): Promise<KeyRow | undefined> {
  const row = await db('cles_api').where({ empreinte: fingerprint(presented) }).first(...COLUMNS);
  return row ? normalise(row as KeyRow) : undefined;
}

export async function listKeys(db: Knex): Promise<KeyRow[]> {
  const rows = await db('cles_api')
    .select(...COLUMNS)
    .orderBy('id');
  return (rows as KeyRow[]).map(normalise);
}

/**
 * True when a valid key (neither revoked nor past its end of validity on `today`, a Paris date) of
 * role entreprise for this SIREN carries this e-mail, compared without regard to case.
 */
export async function hasEntrepriseKey(db: Knex, siren: string, courriel: string, today: string): Promise<boolean> {
  const row = await db('cles_api')
    .where({ role: 'entreprise', siren })
    .whereRaw('lower(courriel) = lower(?)', [courriel.trim()])
    .whereNull('revoquee_le')
    .where((q) => q.whereNull('date_fin_validite').orWhere('date_fin_validite', '>=', today))
    .first('id');
  return row !== undefined;
}

/** Channel on which revocations are announced to every instance (payload `<schema>:<key id>`). */
export const REVOCATION_CHANNEL = 'cles_revoquees';

/**
 * Revokes a key and announces it (NOTIFY, delivered when the transaction commits) so that every
 * instance sharing the database forgets it at once (src/db/key-revocations.ts).
 */
export async function revokeKey(db: Knex, id: string): Promise<boolean> {
  if (!/^\d{1,18}$/.test(id)) return false;
  return db.transaction(async (trx) => {
    const count = await trx('cles_api').where({ id }).whereNull('revoquee_le').update({ revoquee_le: trx.fn.now() });
    if (count > 0) await trx.raw(`select pg_notify(?, current_schema() || ':' || ?)`, [REVOCATION_CHANNEL, String(BigInt(id))]);
    return count > 0;
  });
}

export type KeyStatus = 'VALIDE' | 'REVOQUEE' | 'EXPIREE';

/** A key is valid through its end-of-validity date included (Paris calendar date `today`). */
export function keyStatus(row: KeyRow, today: string): KeyStatus {
  if (row.revoquee_le) return 'REVOQUEE';
  if (row.date_fin_validite && row.date_fin_validite < today) return 'EXPIREE';
  return 'VALIDE';
}

function normalise(row: KeyRow): KeyRow {
  const d = row.date_fin_validite as unknown;
  return {
    ...row,
    id: String(row.id),
    date_fin_validite: d instanceof Date ? d.toISOString().slice(0, 10) : (row.date_fin_validite ?? null),
  };
}
