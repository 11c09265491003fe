/**
 * Back office (role `opco`): search and read invoices across CFAs, move them through their life
 * cycle (ask for a correction, validate, reject), record payments (règlements), follow refunds
 * (remboursements) and confirm their receipt.
 */
import { Router, type Request } from 'express';
import type { Knex } from 'knex';
import { recordWrite } from '../../db/audit.js';
import { dossiersDesFactures, findFacture, moveFacture, TRANSITIONS_MANUELLES, type FactureRow } from '../../db/factures.js';
import { enregistrerReglement, findReglement, pageOfReglements } from '../../db/reglements.js';
import { motifsRefusSoldeDossier } from '../../db/dossier-guards.js';
import { findRemboursement, pageOfRemboursements, recevoirRemboursement } from '../../db/remboursements.js';
import type { DossierRow } from '../../db/dossiers.js';
import { parisDate } from '../../domain/dates.js';
import { validateAgainst } from '../../domain/cerfa/schema-validation.js';
import { centsToEuros, eurosToCents } from '../../domain/financing/index.js';
import { calendarDateOf } from '../../domain/formats.js';
import { ETATS_REMBOURSEMENT } from '../../domain/invoicing/index.js';
import { ETATS_FACTURE, isEtatFacture } from '../../domain/lifecycle/index.js';
import type { Violation } from '../../domain/violation.js';
import { actorOf, authorOf } from '../context.js';
import { ApiError, errors } from '../errors.js';
import { requireJsonBody } from '../middleware/error-handler.js';
import { QueryReader } from '../query.js';
import { detailOfFacture } from '../../services/factures.js';
import { etatFactureView, factureDetailView } from '../presenters/facture.js';
import { reglementView } from '../presenters/reglement.js';
import { remboursementView } from '../presenters/remboursement.js';

function bodyOf(req: Request): Record<string, unknown> {
  return req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
}

/** 409 listing the allowed moves (or 400 for a missing comment), like the dossier transitions. */
export function refusal(code: string, description: string, allowed: readonly string[]): ApiError {
  const status = code === 'COMMENTAIRE_OBLIGATOIRE' || code === 'ETAT_INCONNU' ? 400 : 409;
  const champ = code === 'COMMENTAIRE_OBLIGATOIRE' ? '/commentaire' : '/vers';
  return new ApiError(status, [{ code, description, champ, section: 'requete' }], {
    title: status === 409 ? 'Transition refusée' : 'Requête invalide',
    detail: description,
    extensions: { transitionsPossibles: allowed },
  });
}

export function backOfficeFactureRoutes(db: Knex): Router {
  const router = Router();

  router.get('/factures', async (req, res) => {
    const q = new QueryReader(req);
    const page = q.integer('numeroPage', 1, 1, 1_000_000);
    const size = q.integer('taillePage', 50, 1, 500);
    const etat = q.oneOf('etat', ETATS_FACTURE);
    const siren = q.string('siren', { max: 9 });
    if (siren !== undefined && !/^\d{9}$/.test(siren)) q.custom('siren', 'Le paramètre siren doit contenir 9 chiffres.');
    if (q.violations.length) throw errors.validation(q.violations);
    const base = db('factures');
    if (etat) base.where({ etat });
    if (siren) base.where({ cfa_siren: siren });
    const [count, rows] = await Promise.all([
      base.clone().count<{ n: string }[]>({ n: '*' }),
      base.clone().orderBy('id', 'desc').offset((page - 1) * size).limit(size),
    ]);
    const items = rows as FactureRow[];
    const dossiers = await dossiersDesFactures(db, items.map((f) => f.id));
    res.json({
      total: Number(count[0]?.n ?? 0),
      count: items.length,
      page,
      factures: items.map((f) => ({ ...etatFactureView(f, dossiers.get(String(f.id))), cfaSiren: f.cfa_siren, recueLe: new Date(f.recue_le).toISOString() })),
    });
  });

  router.get('/factures/:numeroInterneFacture', async (req, res) => {
    const numero = String(req.params.numeroInterneFacture);
    const f = await findFacture(db, numero);
    if (!f) throw errors.notFound(`Aucune facture ${numero}.`, 'FACTURE_INTROUVABLE');
    res.json(factureDetailView(await detailOfFacture(db, f), true));
  });

  router.post('/factures/:numeroInterneFacture/transitions', requireJsonBody, async (req, res) => {
    const numero = String(req.params.numeroInterneFacture);
    const body = bodyOf(req);
    const violations: Violation[] = [];
    const vers = typeof body.vers === 'string' ? body.vers : '';
    if (!isEtatFacture(vers)) violations.push({ code: 'ETAT_INCONNU', description: `vers doit valoir ${TRANSITIONS_MANUELLES.join(', ')}.`, champ: '/vers', section: 'requete' });
    if (body.commentaire !== undefined && body.commentaire !== null && (typeof body.commentaire !== 'string' || body.commentaire.length > 2000)) {
      violations.push({ code: 'COMMENTAIRE_INVALIDE', description: 'commentaire doit être un texte de 2000 caractères au plus.', champ: '/commentaire', section: 'requete' });
    }
    if (violations.length || !isEtatFacture(vers)) throw errors.validation(violations);
    const outcome = await moveFacture(db, numero, { vers, ...(typeof body.commentaire === 'string' ? { commentaire: body.commentaire } : {}) }, { acteur: actorOf(req.caller!) },
      (trx) => recordWrite(trx, authorOf(req), `FACTURE_${vers}`, { type: 'FACTURE', id: numero }));
    if (!outcome.ok) {
      if (outcome.kind === 'not-found') throw errors.notFound(`Aucune facture ${numero}.`, 'FACTURE_INTROUVABLE');
      throw refusal(outcome.code, outcome.description, outcome.allowed);
    }
    res.json(factureDetailView(await detailOfFacture(db, outcome.facture), true));
  });

  router.post('/reglements', requireJsonBody, async (req, res) => {
    const violations = validateAgainst('reglement.schema.json', req.body, '', () => 'requete');
    if (violations.length) throw errors.validation(violations);
    const body = bodyOf(req);
    const lignes = (body.lignes as Array<{ numeroInterneFacture: string; montant: number | string }>).map((l, index) => {
      try {
        const montantCents = eurosToCents(l.montant);
        if (montantCents <= 0) violations.push({ code: 'MONTANT_INVALIDE', description: 'Le montant doit être strictement positif.', champ: `/lignes/${index}/montant`, section: 'requete' });
        return { index, numeroInterneFacture: l.numeroInterneFacture, montantCents };
      } catch (err) {
        const description = err instanceof Error ? err.message : 'Montant illisible.';
        violations.push({ code: 'MONTANT_INVALIDE', description, champ: `/lignes/${index}/montant`, section: 'requete' });
        return { index, numeroInterneFacture: l.numeroInterneFacture, montantCents: 0 };
      }
    });
    if (violations.length) throw errors.validation(violations);
    const referenceVirement = String(body.referenceVirement).trim();
    const outcome = await enregistrerReglement(db, { referenceVirement, dateReglement: calendarDateOf(String(body.dateReglement)), lignes }, { acteur: actorOf(req.caller!) },
      (trx, r) => recordWrite(trx, authorOf(req), 'REGLEMENT_ENREGISTRE', { type: 'REGLEMENT', id: r.numero_interne }));
    if (!outcome.ok) throw errors.validation(outcome.violations);
    const detail = await findReglement(db, outcome.reglement.id);
    res.json({
      ...(detail ? reglementView(detail, true) : {}),
      etatsFactures: outcome.factures.map((f) => ({
        numeroInterneFacture: f.numero_interne,
        etatFacture: f.etat,
        montantFacture: centsToEuros(Number(f.montant_total_centimes)),
        montantRegle: centsToEuros(Number(f.montant_regle_centimes)),
      })),
    });
  });

  router.get('/reglements', async (req, res) => {
    const q = new QueryReader(req);
    const page = q.integer('numeroPage', 1, 1, 1_000_000);
    const size = q.integer('taillePage', 50, 1, 500);
    const siren = q.string('siren', { max: 9 });
    if (siren !== undefined && !/^\d{9}$/.test(siren)) q.custom('siren', 'Le paramètre siren doit contenir 9 chiffres.');
    if (q.violations.length) throw errors.validation(q.violations);
    const { total, items } = await pageOfReglements(db, { ...(siren ? { siren } : {}), page, size });
    res.json({ total, count: items.length, page, reglements: items.map((r) => reglementView(r, true)) });
  });

  router.get('/remboursements', async (req, res) => {
    const q = new QueryReader(req);
    const page = q.integer('numeroPage', 1, 1, 1_000_000);
    const size = q.integer('taillePage', 50, 1, 500);
    const etat = q.oneOf('etat', ETATS_REMBOURSEMENT);
    const siren = q.string('siren', { max: 9 });
    if (siren !== undefined && !/^\d{9}$/.test(siren)) q.custom('siren', 'Le paramètre siren doit contenir 9 chiffres.');
    if (q.violations.length) throw errors.validation(q.violations);
    const { total, items } = await pageOfRemboursements(db, { ...(siren ? { siren } : {}), ...(etat ? { etat } : {}), page, size });
    res.json({ total, count: items.length, page, remboursements: items.map((r) => remboursementView(r, true)) });
  });

  router.post('/remboursements/:idRemboursement/reception', requireJsonBody, async (req, res) => {
    const numero = String(req.params.idRemboursement);
    const commentaire = bodyOf(req).commentaire;
    if (commentaire !== undefined && commentaire !== null && (typeof commentaire !== 'string' || commentaire.length > 2000)) {
      throw errors.badRequest('COMMENTAIRE_INVALIDE', 'commentaire doit être un texte de 2000 caractères au plus.', '/commentaire');
    }
    const outcome = await recevoirRemboursement(db, numero, typeof commentaire === 'string' ? commentaire : undefined, { acteur: actorOf(req.caller!) },
      (trx) => recordWrite(trx, authorOf(req), 'REMBOURSEMENT_RECU', { type: 'REMBOURSEMENT', id: numero }));
    if (!outcome.ok) {
      if (outcome.kind === 'not-found') throw errors.notFound(`Aucun remboursement ${numero}.`, 'REMBOURSEMENT_INTROUVABLE');
      if (outcome.kind === 'invalid') throw errors.validation(outcome.violations);
      throw refusal(outcome.code, outcome.description, outcome.allowed);
    }
    const r = await findRemboursement(db, numero);
    res.json(r ? remboursementView(r, true) : {});
  });

  router.get('/dossiers/:numeroInterne/solde', async (req, res) => {
    const numero = String(req.params.numeroInterne);
    const dossier = (await db('dossiers').where({ numero_interne: numero }).first('id', 'cerfa', 'etat')) as (Pick<DossierRow, 'id' | 'cerfa' | 'etat'>) | undefined;
    if (!dossier) throw errors.notFound(`Aucun dossier ${numero}.`, 'DOSSIER_INTROUVABLE');
    const motifs = ['ENGAGE', 'RUPTURE'].includes(dossier.etat)
      ? await motifsRefusSoldeDossier(db, dossier, parisDate(new Date()))
      : [{ code: 'ETAT_NON_SOLDABLE', description: `Le dossier est à l'état ${dossier.etat} : seuls les dossiers ENGAGE ou RUPTURE se soldent.`, champ: '/vers', section: 'requete' as const }];
    res.json({ numeroInterne: numero, etat: dossier.etat, soldable: motifs.length === 0, motifs });
  });

  return router;
}
