/**
 * The NPEC referential on a running server (the CLI `npec import` needs the embedded database to
 * itself): import a CSV (`rncp,idcc,npec,date_effet`), list the rows of an RNCP.
 */
import { centsToEuros } from '../../domain/financing/index.js';
import { importNpec, npecRows } from '../../services/npec.js';
import { opcoActor } from '../context.js';
import { route, type RouteDeclaration } from '../route-table/declaration.js';

const tags = ['Back-office'];

export const NPEC_ROUTES: RouteDeclaration[] = [
  route({
    operationId: 'importerNpec',
    method: 'post',
    path: '/back-office/v1/npec',
    role: 'opco',
    tags,
    summary: 'Importer des lignes du référentiel NPEC (CSV rncp,idcc,npec,date_effet)',
    description: 'Tout ou rien : une ligne invalide refuse l’import (400, une erreur par ligne). Une ligne de même RNCP, IDCC et date d’effet remplace le montant.',
    body: { kind: 'csv', description: 'En-tête `rncp,idcc,npec,date_effet`, montants en euros' },
    responses: {
      200: { description: 'Lignes importées', schema: { type: 'object', required: ['lignesImportees'], properties: { lignesImportees: { type: 'integer' } } } },
      400: { description: 'Lignes invalides (LIGNE_NPEC_INVALIDE), chacune avec `champ` /lignes/<n>' },
    },
    async handler({ text }, { req, deps }) {
      return { lignesImportees: await importNpec(deps.db, opcoActor(req), text) };
    },
  }),

  route({
    operationId: 'listerNpec',
    method: 'get',
    path: '/back-office/v1/npec',
    role: 'opco',
    tags,
    summary: 'Lignes du référentiel NPEC pour un RNCP',
    query: { rncp: { description: 'Code RNCP (préfixe RNCP facultatif)', schema: { type: 'string', maxLength: 12 }, required: true } },
    responses: {
      200: {
        description: 'Succès',
        schema: {
          type: 'array',
          items: {
            type: 'object',
            required: ['rncp', 'idcc', 'npec', 'dateEffet'],
            properties: { rncp: { type: 'string' }, idcc: { type: 'string' }, npec: { type: 'number', description: 'En euros' }, dateEffet: { type: 'string', format: 'date' } },
          },
        },
      },
    },
    async handler({ query }, { deps }) {
      const rows = await npecRows(deps.db, query.rncp);
      return rows.map((r) => ({ rncp: r.rncp, idcc: r.idcc, npec: centsToEuros(r.npecCents), dateEffet: r.dateEffet }));
    },
  }),
];
