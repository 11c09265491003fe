/**
 * Ruptures declared by the CFA (`POST /v2/dossiers/rupture/employeur`, payload designed here: the
 * norm does not publish it) and the refunds they may cause: the CFA lists its remboursements and
 * declares how it regularises each one. Another CFA's dossier or refund answers 404.
 */
import { Router } from 'express';
import type { Knex } from 'knex';
import type { Config } from '../../config/config.js';
import { recordWrite } from '../../db/audit.js';
import { findDossier } from '../../db/dossiers.js';
import { declarerRemboursement, declarerRupture, findRemboursement, pageOfRemboursements, type RemboursementListItem } from '../../db/remboursements.js';
import { validateAgainst } from '../../domain/cerfa/schema-validation.js';
import { centsToEuros } from '../../domain/financing/index.js';
import { calendarDateOf } from '../../domain/formats.js';
import {
  ETATS_REMBOURSEMENT, isModeRemboursement, MODES_REMBOURSEMENT, verifierDeclarationRupture, type InitiativeRupture, type MotifRupture,
} from '../../domain/invoicing/index.js';
import { actorOf, authorOf } from '../context.js';
import { ApiError, errors } from '../errors.js';
import { requireJsonBody } from '../middleware/error-handler.js';
import { QueryReader } from '../query.js';
import { financingParameters } from '../../services/parametres.js';
import { cfaOf } from '../context.js';

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

export function remboursementView(r: RemboursementListItem, forOpco: boolean): Record<string, unknown> {
  return {
    idRemboursement: r.numero_interne,
    numeroInterneDossier: r.dossier_numero_interne,
    numeroExterneDossier: r.numero_externe,
    montant: centsToEuros(Number(r.montant_centimes)),
    cause: r.cause,
    etat: r.etat,
    mode: r.mode,
    referenceAvoir: r.reference_avoir,
    commentaire: r.commentaire,
    dateCreation: iso(r.cree_le),
    dateDeclaration: iso(r.declare_le),
    dateReception: iso(r.recu_le),
    ...(forOpco ? { cfaSiren: r.cfa_siren, acteurReception: r.acteur_reception } : {}),
  };
}

function bodyOf(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

export function ruptureRoutes(db: Knex, config: Config): Router {
  const router = Router();
  const parametres = financingParameters(config);

  router.post('/dossiers/rupture/employeur', requireJsonBody, async (req, res) => {
    const caller = cfaOf(req);
    const schema = validateAgainst('rupture.schema.json', req.body, '', () => 'requete');
    if (schema.length) throw errors.validation(schema);
    const body = bodyOf(req.body);
    const commentaire = typeof body.commentaire === 'string' && body.commentaire.trim() !== '' ? body.commentaire.trim() : undefined;
    const declaration = { motif: body.motif as MotifRupture, initiative: body.initiative as InitiativeRupture, ...(commentaire ? { commentaire } : {}) };
    const incoherences = verifierDeclarationRupture(declaration);
    if (incoherences.length) throw errors.validation(incoherences);
    const numero = String(body.numeroInterne);
    const dossier = await findDossier(db, caller.siren, numero);
    if (!dossier) throw errors.notFound(`Aucun dossier ${numero} pour ce CFA.`, 'DOSSIER_INTROUVABLE');
    const dateRupture = calendarDateOf(String(body.dateRupture));

    const outcome = await declarerRupture(db, { dossier, dateRupture, ...declaration }, { acteur: actorOf(caller) }, parametres,
      (trx) => recordWrite(trx, authorOf(req), 'RUPTURE_DECLAREE', { type: 'DOSSIER', id: numero }));
    if (!outcome.ok) {
      if (outcome.kind === 'not-found') throw errors.notFound(`Aucun dossier ${numero} pour ce CFA.`, 'DOSSIER_INTROUVABLE');
      if (outcome.kind === 'financing') {
        throw new ApiError(422, [{ ...outcome.violation, champ: outcome.violation.champ || '/dateRupture' }], { title: 'Rupture impossible', detail: outcome.violation.description });
      }
      if (outcome.kind === 'blocked') throw new ApiError(409, outcome.violations, { title: 'Rupture refusée', detail: outcome.violations.map((v) => v.description).join(' ') });
      const { plan } = outcome;
      const description = plan.code === 'ETAT_INCHANGE' || plan.code === 'TRANSITION_INTERDITE'
        ? `Le dossier ${numero} est à l'état ${plan.code === 'ETAT_INCHANGE' ? 'RUPTURE' : dossier.etat} : seule la rupture d'un dossier engagé (ENGAGE) peut être déclarée.`
        : plan.description;
      throw new ApiError(plan.code.startsWith('DATE_RUPTURE') ? 400 : 409, [{ code: plan.code, description, champ: plan.code.startsWith('DATE_RUPTURE') ? '/dateRupture' : '/numeroInterne', section: 'requete' }], {
        title: 'Rupture refusée', detail: description,
      });
    }
    const engagement = (await db('engagements').where({ dossier_id: outcome.dossier.id }).first('engagement_centimes', 'trop_percu_centimes')) as
      | { engagement_centimes: string; trop_percu_centimes: string }
      | undefined;
    const remboursement = outcome.remboursement ? await findRemboursement(db, outcome.remboursement.numero_interne) : undefined;
    res.json({
      numeroInterne: outcome.dossier.numero_interne,
      numeroExterne: outcome.dossier.numero_externe,
      etat: outcome.dossier.etat,
      dateRupture,
      motif: declaration.motif,
      initiative: declaration.initiative,
      engagement: engagement ? centsToEuros(Number(engagement.engagement_centimes)) : null,
      tropPercu: centsToEuros(Number(engagement?.trop_percu_centimes ?? 0)),
      remboursement: remboursement ? remboursementView(remboursement, false) : null,
    });
  });

  router.get('/remboursements', async (req, res) => {
    const caller = cfaOf(req);
    const q = new QueryReader(req);
    const page = q.integer('numeroPage', 1, 1, 10_000_000);
    const size = q.integer('taillePage', 100, 1, 1000);
    const etat = q.oneOf('etat', ETATS_REMBOURSEMENT);
    if (q.violations.length) throw errors.validation(q.violations);
    const { total, items } = await pageOfRemboursements(db, { siren: caller.siren, ...(etat ? { etat } : {}), page, size });
    res.json({ total, count: items.length, page, remboursements: items.map((r) => remboursementView(r, false)) });
  });

  router.post('/remboursements/:idRemboursement/declaration', requireJsonBody, async (req, res) => {
    const caller = cfaOf(req);
    const numero = String(req.params.idRemboursement);
    const body = bodyOf(req.body);
    const violations = [];
    if (!isModeRemboursement(body.mode)) violations.push({ code: 'VALEUR_NON_AUTORISEE', description: `mode doit valoir ${MODES_REMBOURSEMENT.join(' ou ')}.`, champ: '/mode', section: 'requete' as const });
    if (body.referenceAvoir !== undefined && body.referenceAvoir !== null && (typeof body.referenceAvoir !== 'string' || body.referenceAvoir.length > 100)) {
      violations.push({ code: 'TYPE_INVALIDE', description: 'referenceAvoir doit être un texte de 100 caractères au plus.', champ: '/referenceAvoir', section: 'requete' as const });
    }
    if (violations.length || !isModeRemboursement(body.mode)) throw errors.validation(violations);
    const outcome = await declarerRemboursement(db, caller.siren, numero, {
      mode: body.mode, ...(typeof body.referenceAvoir === 'string' ? { referenceAvoir: body.referenceAvoir } : {}),
    }, (trx) => recordWrite(trx, authorOf(req), 'REMBOURSEMENT_DECLARE', { type: 'REMBOURSEMENT', id: numero }));
    if (!outcome.ok) {
      if (outcome.kind === 'not-found') throw errors.notFound(`Aucun remboursement ${numero} pour ce CFA.`, 'REMBOURSEMENT_INTROUVABLE');
      if (outcome.kind === 'invalid') throw errors.validation(outcome.violations);
      throw new ApiError(409, [{ code: outcome.code, description: outcome.description, section: 'requete' }], { title: 'Déclaration refusée', detail: outcome.description });
    }
    const r = await findRemboursement(db, numero, caller.siren);
    res.json(r ? remboursementView(r, false) : {});
  });

  return router;
}
