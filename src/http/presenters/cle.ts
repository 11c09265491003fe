/** API key rows → the back office's JSON (never the secret, except once at creation). */
import type { KeyRow } from '../../db/keys.js';

export function keyView(row: KeyRow): Record<string, unknown> {
  return {
    id: row.id,
    role: row.role,
    siren: row.siren,
    uai: row.uai,
    libelle: row.libelle,
    courriel: row.courriel,
    prefixe: row.prefixe,
    dateFinValidite: row.date_fin_validite,
    revoqueeLe: row.revoquee_le ? new Date(row.revoquee_le).toISOString() : null,
    creeeLe: new Date(row.creee_le).toISOString(),
  };
}

/** The created key, with the clear key shown this once. */
export function createdKeyView(created: { key: string; row: KeyRow }): Record<string, unknown> {
  return { ...keyView(created.row), cle: created.key };
}
