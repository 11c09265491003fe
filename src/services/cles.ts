/**
 * Back-office key management on a running server (the CLI needs the embedded database to itself):
 * create, list and revoke CFA and employer (`entreprise`) keys, audited; and the check that an
 * e-mail belongs to a user of an employer's side.
 */
import type { Knex } from 'knex';
import { recordWrite } from '../db/audit.js';
import * as keys from '../db/keys.js';
import { parisDate } from '../domain/dates.js';
import { refuse } from '../domain/refusal.js';
import type { Violation } from '../domain/violation.js';
import type { Actor } from './actor.js';

export interface KeyRequest {
  /** `cfa` when absent. */
  role?: 'cfa' | 'entreprise';
  siren: string;
  /** Role cfa only. */
  uai?: string;
  /** Role entreprise: required there, refused for a CFA key. */
  courriel?: string;
  libelle?: string;
  dateFinValidite?: string;
}

/** What the JSON Schema cannot say: which members go with which role (every problem at once). */
function roleProblems(role: 'cfa' | 'entreprise', request: KeyRequest): Violation[] {
  const problems: Violation[] = [];
  const given = (v: string | undefined): boolean => v !== undefined && v.trim() !== '';
  if (role === 'entreprise' && !given(request.courriel)) {
    problems.push({ code: 'CHAMP_OBLIGATOIRE', description: 'Le courriel de l’utilisateur est obligatoire pour une clé entreprise.', champ: '/courriel', section: 'requete' });
  }
  if (role === 'entreprise' && given(request.uai)) {
    problems.push({ code: 'CHAMP_NON_ADMIS', description: 'Une clé entreprise ne porte pas d’UAI (réservé aux clés CFA).', champ: '/uai', section: 'requete' });
  }
  if (role === 'cfa' && given(request.courriel)) {
    problems.push({ code: 'CHAMP_NON_ADMIS', description: 'Une clé CFA ne porte pas de courriel (réservé aux clés entreprise).', champ: '/courriel', section: 'requete' });
  }
  return problems;
}

/** Creates a CFA or employer key; the clear key is returned this once. The audit line never holds the e-mail. */
export async function createKey(db: Knex, actor: Actor, request: KeyRequest): Promise<{ key: string; row: keys.KeyRow }> {
  const role = request.role ?? 'cfa';
  const problems = roleProblems(role, request);
  if (problems.length) throw refuse.invalid(problems);
  return db.transaction(async (trx) => {
    const created = await keys.createKey(trx, {
      role,
      siren: request.siren,
      uai: role === 'cfa' ? request.uai || undefined : undefined,
      courriel: role === 'entreprise' ? request.courriel?.trim() : undefined,
      libelle: request.libelle,
      dateFinValidite: request.dateFinValidite,
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

/**
 * True when `courriel` is the e-mail of a valid key (neither revoked nor expired) of role
 * entreprise for this SIREN — a user of the employer's side (case ignored). The proposals check
 * the employer contact with it (issue 12: « the employer contact's e-mail must belong to a user of
 * the employer's side »).
 */
export function isEntrepriseContact(db: Knex, siren: string, courriel: string): Promise<boolean> {
  if (!/^[0-9]{9}$/.test(siren) || courriel.trim() === '') return Promise.resolve(false);
  return keys.hasEntrepriseKey(db, siren, courriel, parisDate());
}
