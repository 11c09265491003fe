/** `GET /v2/cfakeyinfo?siren=&XAPIKEY=`: lets a CFA check that its key is valid, and until when. */
import { Router } from 'express';
import type { Knex } from 'knex';
import { findKey, keyStatus } from '../../db/keys.js';
import { parisDate } from '../../domain/dates.js';
import { errors } from '../errors.js';

export function cfaKeyInfoRoutes(db: Knex): Router {
  const router = Router();
  router.get('/v2/cfakeyinfo', async (req, res) => {
    const siren = typeof req.query.siren === 'string' ? req.query.siren.trim() : '';
    const key = typeof req.query.XAPIKEY === 'string' ? req.query.XAPIKEY.trim() : req.get('x-api-key')?.trim();
    if (!/^\d{9}$/.test(siren)) throw errors.badRequest('SIREN_INVALIDE', 'Le paramètre siren doit contenir 9 chiffres.', '/siren');
    if (!key) throw errors.badRequest('CLE_API_MANQUANTE', 'Le paramètre XAPIKEY (ou l’en-tête X-API-KEY) est obligatoire.', '/XAPIKEY');
    res.setHeader('Cache-Control', 'no-store');
    const row = key.length <= 200 ? await findKey(db, key) : undefined;
    if (!row || row.role !== 'cfa' || row.siren !== siren) {
      res.json({ status: 'error', dateFinValidite: null, comment: "Clé inconnue pour ce SIREN." });
      return;
    }
    const status = keyStatus(row, parisDate());
    const comment = status === 'VALIDE' ? 'Clé valide.' : status === 'EXPIREE' ? 'Clé expirée.' : 'Clé révoquée.';
    res.json({ status: status === 'VALIDE' ? 'success' : 'error', dateFinValidite: row.date_fin_validite, comment });
  });
  return router;
}
