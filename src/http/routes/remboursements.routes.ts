/**
 * Ruptures declared by the CFA (`POST /{version}/dossiers/rupture/employeur`, payload designed here:
 * the norm does not publish it) and the refunds they may cause: the CFA lists its remboursements
 * and declares how it regularises each one. Another CFA's dossier or refund answers 404.
 */
import { ETATS_REMBOURSEMENT, MODES_REMBOURSEMENT } from '../../domain/invoicing/index.js';
import type { Violation } from '../../domain/violation.js';
import { financingParameters } from '../../services/parametres.js';
import { declareRemboursement, declareRupture, pageOfOwnRemboursements } from '../../services/remboursements.js';
import { cfaActor } from '../context.js';
import { errors } from '../errors.js';
import { remboursementView, ruptureView } from '../presenters/remboursement.js';
import { ref } from '../route-table/components.js';
import { route, type RouteDeclaration } from '../route-table/declaration.js';
import { DEFAULT_PAGE_SIZE, pageParameters } from '../route-table/paging.js';

const tags = ['Factures et règlements'];
const versions = ['v1', 'v2'] as const;

export const REMBOURSEMENT_ROUTES: RouteDeclaration[] = [
  route({
    operationId: 'declarerRupture',
    method: 'post',
    path: '/{version}/dossiers/rupture/employeur',
    versions,
    role: 'cfa',
    tags: ['Dossiers'],
    summary: 'Déclarer la rupture anticipée d’un contrat engagé',
    description: 'Le dossier passe à RUPTURE ; l’engagement est recalculé à la date de rupture et, si l’OPCO a déjà payé davantage, un remboursement (TROP_PERCU_RUPTURE) est ouvert.',
    editorHeaders: true,
    body: { kind: 'json', schema: 'rupture' },
    responses: {
      200: { description: 'Rupture enregistrée', schema: ref('RuptureDeclaree') },
      400: { description: 'Déclaration invalide (schéma, motif et initiative incohérents, date de rupture hors du contrat)' },
      404: { description: 'Dossier inconnu pour ce CFA (DOSSIER_INTROUVABLE)' },
      409: { description: 'Le dossier n’est pas engagé (ENGAGE), ou la rupture est bloquée' },
      422: { description: 'Recalcul du financement impossible à cette date' },
    },
    async handler({ body }, { req, deps }) {
      return ruptureView(await declareRupture(deps.db, cfaActor(req), body, financingParameters(deps.config)));
    },
  }),

  route({
    operationId: 'listeRemboursements',
    method: 'get',
    path: '/{version}/remboursements',
    versions,
    role: 'cfa',
    tags,
    summary: 'Remboursements dus par le CFA (trop-perçus après rupture)',
    query: {
      ...pageParameters(),
      etat: { description: 'Filtre sur l’état', schema: { type: 'string', enum: [...ETATS_REMBOURSEMENT] } },
    },
    responses: { 200: { description: 'Succès', schema: ref('PageRemboursements') }, 304: { description: 'Non modifié (If-None-Match)' } },
    async handler({ query }, { req, deps }) {
      const page = query.numeroPage ?? 1;
      const { total, items } = await pageOfOwnRemboursements(deps.db, cfaActor(req), { etat: query.etat, page, size: query.taillePage ?? DEFAULT_PAGE_SIZE });
      return { total, count: items.length, page, remboursements: items.map((r) => remboursementView(r, false)) };
    },
  }),

  route({
    operationId: 'declarerRemboursement',
    method: 'post',
    path: '/{version}/remboursements/{idRemboursement}/declaration',
    versions,
    role: 'cfa',
    tags,
    summary: 'Déclarer la régularisation d’un remboursement (virement, ou avoir déduit)',
    editorHeaders: true,
    pathParams: { idRemboursement: { description: 'idRemboursement rendu par GET /remboursements', schema: { type: 'string' } } },
    body: { kind: 'json', schema: 'declaration-remboursement' },
    responses: {
      200: { description: 'Remboursement à l’état DECLARE', schema: ref('Remboursement') },
      400: { description: 'mode absent ou inconnu, referenceAvoir invalide ou manquante pour un avoir' },
      404: { description: 'Remboursement inconnu pour ce CFA (REMBOURSEMENT_INTROUVABLE)' },
      409: { description: 'Remboursement déjà reçu par l’OPCO (REMBOURSEMENT_DEJA_RECU)' },
    },
    async handler({ path, body }, { req, deps }) {
      // The schema checks the values given; a missing mode and the length of referenceAvoir are checked here (historical codes).
      const violations: Violation[] = [];
      if (body.mode === undefined) violations.push({ code: 'VALEUR_NON_AUTORISEE', description: `mode doit valoir ${MODES_REMBOURSEMENT.join(' ou ')}.`, champ: '/mode', section: 'requete' });
      if (typeof body.referenceAvoir === 'string' && body.referenceAvoir.length > 100) {
        violations.push({ code: 'TYPE_INVALIDE', description: 'referenceAvoir doit être un texte de 100 caractères au plus.', champ: '/referenceAvoir', section: 'requete' });
      }
      if (violations.length || body.mode === undefined) throw errors.validation(violations);
      const declared = await declareRemboursement(deps.db, cfaActor(req), path.idRemboursement, {
        mode: body.mode, ...(typeof body.referenceAvoir === 'string' ? { referenceAvoir: body.referenceAvoir } : {}),
      });
      return remboursementView(declared, false);
    },
  }),
];
