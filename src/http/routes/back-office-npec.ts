/**
 * NPEC referential on a running server (the CLI `npec import` needs the embedded database to
 * itself): import a CSV (`rncp,idcc,npec,date_effet`), list the rows of an RNCP.
 */
import express, { Router } from 'express';
import type { Knex } from 'knex';
import { recordWrite } from '../../db/audit.js';
import { authorOf } from '../context.js';
import { importNpecRows, npecRowsFor } from '../../db/financing.js';
import { centsToEuros, parseNpecCsv } from '../../domain/financing/index.js';
import { errors } from '../errors.js';
import { QueryReader } from '../query.js';

export function backOfficeNpecRoutes(db: Knex): Router {
  const router = Router();
  router.post('/npec', express.text({ type: ['text/csv', 'text/plain'], limit: '5mb' }), async (req, res) => {
    if (typeof req.body !== 'string') throw errors.unsupportedMediaType('text/csv');
    const { rows, errors: problems } = parseNpecCsv(req.body);
    if (problems.length) {
      throw errors.validation(problems.map((p) => ({ code: 'LIGNE_NPEC_INVALIDE', description: `Ligne ${p.ligne} : ${p.message}`, champ: `/lignes/${p.ligne}`, section: 'requete' as const })));
    }
    const imported = await db.transaction(async (trx) => {
      const n = await importNpecRows(trx, rows);
      await recordWrite(trx, authorOf(req), 'NPEC_IMPORT', { type: 'NPEC', id: String(n) });
      return n;
    });
    res.json({ lignesImportees: imported });
  });
  router.get('/npec', async (req, res) => {
    const q = new QueryReader(req);
    const rncp = q.string('rncp', { required: true, max: 12 });
    if (q.violations.length || !rncp) throw errors.validation(q.violations);
    const rows = await npecRowsFor(db, rncp);
    res.json(rows.map((r) => ({ rncp: r.rncp, idcc: r.idcc, npec: centsToEuros(r.npecCents), dateEffet: r.dateEffet })));
  });
  return router;
}
