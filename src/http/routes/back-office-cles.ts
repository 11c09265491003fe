/**
 * Back-office key management on a running server (the CLI needs the embedded database to itself):
 * create, list and revoke CFA keys. Role `opco` only.
 */
import { Router } from 'express';
import type { Knex } from 'knex';
import { createKey, listKeys, revokeKey, type KeyRow } from '../../db/keys.js';
import { recordWrite } from '../../db/audit.js';
import { authorOf } from '../context.js';
import { isIsoDate } from '../../domain/dates.js';
import type { Violation } from '../../domain/violation.js';
import { errors } from '../errors.js';
import type { KeyCache } from '../key-cache.js';
import { requireJsonBody } from '../middleware/error-handler.js';

function publicKey(row: KeyRow): Record<string, unknown> {
  return {
    id: row.id,
    role: row.role,
    siren: row.siren,
    uai: row.uai,
    libelle: row.libelle,
    prefixe: row.prefixe,
    dateFinValidite: row.date_fin_validite,
    revoqueeLe: row.revoquee_le,
    creeeLe: row.creee_le,
  };
}

interface CreateKeyBody {
  siren: string;
  uai?: string;
  libelle?: string;
  dateFinValidite?: string;
}

function checkCreateKey(body: unknown): { value?: CreateKeyBody; violations: Violation[] } {
  const violations: Violation[] = [];
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const fail = (champ: string, code: string, description: string): void => {
    violations.push({ code, description, champ, section: 'requete' });
  };
  if (typeof b.siren !== 'string' || !/^\d{9}$/.test(b.siren)) fail('/siren', 'SIREN_INVALIDE', 'siren est obligatoire et doit contenir 9 chiffres.');
  if (b.uai !== undefined && (typeof b.uai !== 'string' || !/^\d{7}[A-Za-z]$/.test(b.uai))) fail('/uai', 'UAI_INVALIDE', 'uai doit contenir 7 chiffres suivis d’une lettre.');
  if (b.libelle !== undefined && (typeof b.libelle !== 'string' || b.libelle.length > 200)) fail('/libelle', 'LIBELLE_INVALIDE', 'libelle doit être un texte de 200 caractères au plus.');
  if (b.dateFinValidite !== undefined && (typeof b.dateFinValidite !== 'string' || !isIsoDate(b.dateFinValidite))) {
    fail('/dateFinValidite', 'DATE_INVALIDE', 'dateFinValidite doit être une date AAAA-MM-JJ.');
  }
  return violations.length ? { violations } : { value: b as unknown as CreateKeyBody, violations };
}

export function backOfficeKeyRoutes(db: Knex, keys: KeyCache): Router {
  const router = Router();
  router.post('/cles', requireJsonBody, async (req, res) => {
    const { value, violations } = checkCreateKey(req.body);
    if (!value) throw errors.validation(violations);
    const created = await db.transaction(async (trx) => {
      const result = await createKey(trx, { role: 'cfa', ...value });
      await recordWrite(trx, authorOf(req), 'CLE_CREEE', { type: 'CLE_API', id: result.row.id });
      return result;
    });
    res.status(201).json({ ...publicKey(created.row), cle: created.key });
  });
  router.get('/cles', async (_req, res) => {
    res.json((await listKeys(db)).map(publicKey));
  });
  router.delete('/cles/:id', async (req, res) => {
    const id = String(req.params.id);
    const revoked = await db.transaction(async (trx) => {
      const done = await revokeKey(trx, id);
      if (done) await recordWrite(trx, authorOf(req), 'CLE_REVOQUEE', { type: 'CLE_API', id });
      return done;
    });
    if (!revoked) throw errors.notFound('Clé inconnue ou déjà révoquée.', 'CLE_INTROUVABLE');
    keys.forget(id);
    res.status(204).end();
  });
  return router;
}
