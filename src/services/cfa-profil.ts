/**
 * The CFA's profile: its own data (SIRET, UAI, name, address, contact), saved by the CFA and filled
 * into every new proposal (`profileOf`). Choices: docs/decisions/presaisie.md, "CFA profile".
 */
import type { Knex } from 'knex';
import { recordWrite } from '../db/audit.js';
import { findProfil, upsertProfil, type ProfilRow } from '../db/cfa-profils.js';
import { toCfaProfil, type CfaProfil, type CfaProfilInput } from '../domain/cfa-profil.js';
import { refuse } from '../domain/refusal.js';
import { assertOwnSiret, type CfaActor } from './actor.js';

export type { CfaProfil, ProfilRow };

/** Saves (replaces) the calling CFA's profile, audited; its SIRET must belong to the key's SIREN (403). */
export async function saveProfile(db: Knex, cfa: Pick<CfaActor, 'siren' | 'author'>, input: CfaProfilInput): Promise<ProfilRow> {
  const profil = toCfaProfil(input);
  assertOwnSiret(profil.siret, cfa, '/siret', 'du CFA');
  return db.transaction(async (trx) => {
    const saved = await upsertProfil(trx, cfa.siren, profil);
    await recordWrite(trx, cfa.author, 'PROFIL_CFA_ENREGISTRE', { type: 'PROFIL_CFA', id: cfa.siren });
    return saved;
  });
}

/** The calling CFA's profile; 404 PROFIL_INEXISTANT when it never saved one. */
export async function readOwnProfile(db: Knex, cfa: Pick<CfaActor, 'siren'>): Promise<ProfilRow> {
  const found = await findProfil(db, cfa.siren);
  if (!found) throw refuse.notFound('PROFIL_INEXISTANT', 'Aucun profil enregistré pour ce CFA : enregistrez-le avec PUT /v2/cfa/profil.');
  return found;
}

/** The profile of the CFA of this SIREN, for prefilling a proposal; undefined when it never saved one. */
export async function profileOf(db: Knex, siren: string): Promise<CfaProfil | undefined> {
  return (await findProfil(db, siren))?.profil;
}
