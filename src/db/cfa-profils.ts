/** Each CFA's profile (`cfa_profils`): one row per SIREN, the profile as JSON. */
import type { Knex } from 'knex';
import type { CfaProfil } from '../domain/cfa-profil.js';

export interface ProfilRow {
  profil: CfaProfil;
  misAJourLe: Date;
}

/** Replaces the CFA's profile (or creates it). */
export async function upsertProfil(trx: Knex.Transaction, siren: string, profil: CfaProfil): Promise<ProfilRow> {
  const [row] = (await trx('cfa_profils')
    .insert({ cfa_siren: siren, contenu: JSON.stringify(profil), mis_a_jour_le: trx.fn.now() })
    .onConflict('cfa_siren')
    .merge()
    .returning(['contenu', 'mis_a_jour_le'])) as Array<{ contenu: CfaProfil; mis_a_jour_le: Date }>;
  if (!row) throw new Error('cfa_profils: upsert returned no row');
  return { profil: row.contenu, misAJourLe: new Date(row.mis_a_jour_le) };
}

export async function findProfil(db: Knex, siren: string): Promise<ProfilRow | undefined> {
  const row = (await db('cfa_profils').where({ cfa_siren: siren }).first('contenu', 'mis_a_jour_le')) as { contenu: CfaProfil; mis_a_jour_le: Date } | undefined;
  return row ? { profil: row.contenu, misAJourLe: new Date(row.mis_a_jour_le) } : undefined;
}
