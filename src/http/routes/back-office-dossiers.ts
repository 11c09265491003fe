/**
 * Back office (role `opco`): search dossiers across CFAs, read one, move it through its life
 * cycle, ask for / clear a mise en conformité, set its DECA number, see which NPEC applies.
 */
import { Router, type Request } from 'express';
import type { Knex } from 'knex';
import type { Config } from '../../config/config.js';
import { recordWrite } from '../../db/audit.js';
import { clearConformityRequest, moveDossier, npecFor, setConformityRequest, setNumeroDeca, type ChangeOutcome } from '../../db/dossier-changes.js';
import { ETATS_DOSSIER, historyOf, type DossierRow } from '../../db/dossiers.js';
import { loadFinancing } from '../../db/financing.js';
import { financingParameters } from '../../services/parametres.js';
import { creerRemboursementSiTropPercu } from '../../db/remboursements.js';
import { isIsoDate } from '../../domain/dates.js';
import { centsToEuros, type ParametresFinancement } from '../../domain/financing/index.js';
import { isNumeroDeca } from '../../domain/formats.js';
import { isEtatDossier } from '../../domain/lifecycle/index.js';
import type { Violation } from '../../domain/violation.js';
import { actorOf, authorOf } from '../context.js';
import { ApiError, errors } from '../errors.js';
import { requireJsonBody } from '../middleware/error-handler.js';
import { dossierView, financingView, historyView } from '../presenters/dossier.js';
import { QueryReader } from '../query.js';


function bodyOf(req: Request): Record<string, unknown> {
  return req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
}

/** Turns a refused change into the HTTP answer: 409 listing the allowed moves, 400 for a missing field. */
function failure(outcome: Exclude<ChangeOutcome, { ok: true }>, numeroInterne: string): ApiError {
  if (outcome.kind === 'not-found') return errors.notFound(`Aucun dossier ${numeroInterne}.`, 'DOSSIER_INTROUVABLE');
  if (outcome.kind === 'financing') return new ApiError(422, [outcome.violation], { title: 'Engagement impossible', detail: outcome.violation.description });
  if (outcome.kind === 'blocked') return new ApiError(409, outcome.violations, { title: 'Transition refusée', detail: outcome.violations.map((v) => v.description).join(' ') });
  const { plan } = outcome;
  const champ = plan.code.startsWith('DATE_RUPTURE') ? '/dateRupture' : plan.code === 'COMMENTAIRE_OBLIGATOIRE' ? '/commentaire' : '/vers';
  const status = plan.code === 'COMMENTAIRE_OBLIGATOIRE' || plan.code.startsWith('DATE_RUPTURE') || plan.code === 'ETAT_INCONNU' ? 400 : 409;
  return new ApiError(status, [{ code: plan.code, description: plan.description, champ, section: 'requete' }], {
    title: status === 409 ? 'Transition refusée' : 'Requête invalide',
    detail: plan.description,
    extensions: { transitionsPossibles: plan.allowed },
  });
}

function summary(row: DossierRow): Record<string, unknown> {
  const cerfa = row.cerfa as { employeur?: { siret?: string; denomination?: string }; employeurV2?: { siret?: string; denomination?: string }; apprenti?: { nom?: string; prenom?: string } };
  const employeur = cerfa.employeur ?? cerfa.employeurV2;
  return {
    numeroInterne: row.numero_interne,
    numeroExterne: row.numero_externe,
    numeroDeca: row.numero_deca,
    cfaSiren: row.cfa_siren,
    etat: row.etat,
    origine: row.origine,
    miseEnConformite: row.mise_en_conformite,
    commentaireEtat: row.commentaire_etat,
    employeur: { siret: employeur?.siret ?? null, denomination: employeur?.denomination ?? null },
    apprenti: { nom: cerfa.apprenti?.nom ?? null, prenom: cerfa.apprenti?.prenom ?? null },
    recuLe: new Date(row.recu_le).toISOString(),
    misAJourLe: new Date(row.mis_a_jour_le).toISOString(),
  };
}

export function backOfficeDossierRoutes(db: Knex, config: Config): Router {
  const router = Router();
  const parametres = financingParameters(config);

  router.get('/dossiers', async (req, res) => {
    const q = new QueryReader(req);
    const page = q.integer('numeroPage', 1, 1, 1_000_000);
    const size = q.integer('taillePage', 50, 1, 500);
    const etat = q.oneOf('etat', ETATS_DOSSIER);
    const siren = q.string('siren', { max: 9 });
    if (siren !== undefined && !/^\d{9}$/.test(siren)) q.custom('siren', 'Le paramètre siren doit contenir 9 chiffres.');
    const depuisLe = q.string('recuDepuis', { max: 10 });
    if (depuisLe !== undefined && !isIsoDate(depuisLe)) q.custom('recuDepuis', 'recuDepuis doit être une date AAAA-MM-JJ.');
    const jusquAu = q.string('recuJusquAu', { max: 10 });
    if (jusquAu !== undefined && !isIsoDate(jusquAu)) q.custom('recuJusquAu', 'recuJusquAu doit être une date AAAA-MM-JJ.');
    const texte = q.string('q', { max: 100 });
    if (q.violations.length) throw errors.validation(q.violations);

    const base = db('dossiers');
    if (etat) base.where({ etat });
    if (siren) base.where({ cfa_siren: siren });
    if (depuisLe) base.where('recu_le', '>=', depuisLe);
    if (jusquAu) base.whereRaw(`recu_le < (?::date + 1)`, [jusquAu]);
    if (texte) {
      const like = `%${texte.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      base.where((w) => {
        w.where('numero_interne', texte).orWhere('numero_externe', texte).orWhere('numero_deca', texte)
          .orWhere('employeur_siret', texte)
          .orWhereRaw(`cerfa->'apprenti'->>'nom' ilike ?`, [like])
          .orWhereRaw(`coalesce(cerfa->'employeur'->>'denomination', cerfa->'employeurV2'->>'denomination') ilike ?`, [like]);
      });
    }
    const [count, rows] = await Promise.all([
      base.clone().count<{ n: string }[]>({ n: '*' }),
      base.clone().orderBy('id', 'desc').offset((page - 1) * size).limit(size),
    ]);
    const items = (rows as DossierRow[]).map(summary);
    res.json({ total: Number(count[0]?.n ?? 0), count: items.length, page, dossiers: items });
  });

  const find = async (numero: string): Promise<DossierRow> => {
    const row = (await db('dossiers').where({ numero_interne: numero }).first()) as DossierRow | undefined;
    if (!row) throw errors.notFound(`Aucun dossier ${numero}.`, 'DOSSIER_INTROUVABLE');
    return row;
  };

  router.get('/dossiers/:numeroInterne', async (req, res) => {
    const row = await find(String(req.params.numeroInterne));
    const financing = financingView(row, await loadFinancing(db, row.id));
    res.json({ ...summary(row), ...dossierView(row, financing), historique: historyView(await historyOf(db, row.id), true) });
  });

  router.get('/dossiers/:numeroInterne/npec', async (req, res) => {
    const row = await find(String(req.params.numeroInterne));
    const npec = await npecFor(db, row);
    res.json({ npecAnnuel: centsToEuros(npec.npecCents), source: npec.source, dateEffet: npec.dateEffet ?? null, explication: npec.explication });
  });

  router.post('/dossiers/:numeroInterne/transitions', requireJsonBody, async (req, res) => {
    const numero = String(req.params.numeroInterne);
    const body = bodyOf(req);
    const violations: Violation[] = [];
    const vers = typeof body.vers === 'string' ? body.vers : '';
    if (!isEtatDossier(vers)) violations.push({ code: 'ETAT_INCONNU', description: `vers doit valoir ${ETATS_DOSSIER.join(', ')}.`, champ: '/vers', section: 'requete' });
    if (body.commentaire !== undefined && body.commentaire !== null && (typeof body.commentaire !== 'string' || body.commentaire.length > 2000)) {
      violations.push({ code: 'COMMENTAIRE_INVALIDE', description: 'commentaire doit être un texte de 2000 caractères au plus.', champ: '/commentaire', section: 'requete' });
    }
    if (body.dateRupture !== undefined && (typeof body.dateRupture !== 'string' || !isIsoDate(body.dateRupture))) {
      violations.push({ code: 'DATE_RUPTURE_INVALIDE', description: 'dateRupture doit être une date AAAA-MM-JJ.', champ: '/dateRupture', section: 'requete' });
    }
    if (violations.length || !isEtatDossier(vers)) throw errors.validation(violations);
    const outcome = await moveDossier(db, numero, {
      vers,
      commentaire: typeof body.commentaire === 'string' ? body.commentaire : undefined,
      dateRupture: typeof body.dateRupture === 'string' ? body.dateRupture : undefined,
    }, { acteur: actorOf(req.caller!) }, parametres, async (trx, d) => {
      await recordWrite(trx, authorOf(req), `DOSSIER_${vers}`, { type: 'DOSSIER', id: numero });
      // A rupture decided by the OPCO creates the refund of any overpayment, as the CFA's declaration does.
      if (vers === 'RUPTURE') await creerRemboursementSiTropPercu(trx, d);
    });
    if (!outcome.ok) throw failure(outcome, numero);
    const financing = financingView(outcome.dossier, await loadFinancing(db, outcome.dossier.id));
    res.json({ ...summary(outcome.dossier), ...dossierView(outcome.dossier, financing) });
  });

  router.post('/dossiers/:numeroInterne/mise-en-conformite', requireJsonBody, async (req, res) => {
    const numero = String(req.params.numeroInterne);
    const commentaire = bodyOf(req).commentaire;
    if (typeof commentaire === 'string' && commentaire.length > 2000) {
      throw errors.validation([{ code: 'COMMENTAIRE_INVALIDE', description: 'commentaire doit être un texte de 2000 caractères au plus.', champ: '/commentaire', section: 'requete' }]);
    }
    const outcome = await setConformityRequest(db, numero, typeof commentaire === 'string' ? commentaire : undefined, { acteur: actorOf(req.caller!) },
      (trx) => recordWrite(trx, authorOf(req), 'MISE_EN_CONFORMITE_DEMANDEE', { type: 'DOSSIER', id: numero }));
    if (!outcome.ok) throw failure(outcome, numero);
    res.json(summary(outcome.dossier));
  });

  router.delete('/dossiers/:numeroInterne/mise-en-conformite', async (req, res) => {
    const numero = String(req.params.numeroInterne);
    const outcome = await clearConformityRequest(db, numero, { acteur: actorOf(req.caller!) },
      (trx) => recordWrite(trx, authorOf(req), 'MISE_EN_CONFORMITE_LEVEE', { type: 'DOSSIER', id: numero }));
    if (!outcome.ok) throw failure(outcome, numero);
    res.json(summary(outcome.dossier));
  });

  router.put('/dossiers/:numeroInterne/numero-deca', requireJsonBody, async (req, res) => {
    const numero = String(req.params.numeroInterne);
    const deca = bodyOf(req).numeroDeca;
    if (typeof deca !== 'string' || !isNumeroDeca(deca)) {
      throw errors.validation([{ code: 'NUMERO_DECA_INVALIDE', description: 'numeroDeca doit être un numéro de dépôt DECA de 15 caractères (ex. 02B202212000000).', champ: '/numeroDeca', section: 'requete' }]);
    }
    const outcome = await setNumeroDeca(db, numero, deca.toUpperCase(), { acteur: actorOf(req.caller!) },
      (trx) => recordWrite(trx, authorOf(req), 'NUMERO_DECA', { type: 'DOSSIER', id: numero }));
    if (!outcome.ok) throw failure(outcome, numero);
    res.json(summary(outcome.dossier));
  });

  return router;
}
