/**
 * Changes made to a dossier by the back office, each in one transaction: the row is locked, the
 * domain decides whether the move is allowed, the engagement is computed or recomputed, the change
 * number is bumped (so the CFA's incremental feed shows it) and the history records who and why.
 */
import type { Knex } from 'knex';
import { normalizeCerfa } from '../domain/cerfa/normalize.js';
import {
  computeEngagement, computeRupture, FinancementError, resolveNpec, niveauDiplome,
  type EngagementInput, type NpecResolution, type ParametresFinancement,
} from '../domain/financing/index.js';
import { buildEngagementInput, type CoutsConvention } from '../domain/financing/input.js';
import { conserveMiseEnConformite, planDossierTransition, planMiseEnConformite, type EtatDossier } from '../domain/lifecycle/index.js';
import type { Violation } from '../domain/violation.js';
import { parisDate } from '../domain/dates.js';
import { motifsRefusAnnulation, motifsRefusSoldeDossier } from './dossier-guards.js';
import { currentTransaction } from './feed.js';
import type { DossierRow } from './dossiers.js';
import { applyRupture, npecRowsFor, paidPerEcheance, saveEngagement } from './financing.js';

export type ChangeOutcome =
  | { ok: true; dossier: DossierRow }
  | { ok: false; kind: 'not-found' }
  | { ok: false; kind: 'refused'; plan: Refusal }
  | { ok: false; kind: 'financing'; violation: Violation }
  | { ok: false; kind: 'blocked'; violations: Violation[] };

export interface Refusal {
  code: string;
  description: string;
  allowed: EtatDossier[];
}

export interface Actor {
  acteur: string;
}

async function lock(trx: Knex.Transaction, numeroInterne: string): Promise<DossierRow | undefined> {
  return (await trx('dossiers').where({ numero_interne: numeroInterne }).forUpdate().first()) as DossierRow | undefined;
}

async function record(trx: Knex.Transaction, d: DossierRow, changes: Partial<Record<string, unknown>>, history: { evenement: string; etat: string; acteur: string; commentaire: string | null }): Promise<DossierRow> {
  const [updated] = (await trx('dossiers')
    .where({ id: d.id })
    .update({ ...changes, xid_modif: currentTransaction(trx), mis_a_jour_le: trx.fn.now() })
    .returning('*')) as DossierRow[];
  await trx('dossiers_historique').insert({ dossier_id: d.id, ...history });
  if (!updated) throw new Error('dossier vanished');
  return updated;
}

/** The latest convention's costs for a dossier, if the CFA sent one. */
export async function latestCouts(db: Knex, dossierId: string): Promise<CoutsConvention | undefined> {
  const row = (await db('conventions').where({ dossier_id: dossierId }).orderBy('id', 'desc').first('contenu')) as { contenu: { couts?: CoutsConvention } } | undefined;
  return row?.contenu.couts;
}

export async function npecFor(db: Knex, d: DossierRow): Promise<NpecResolution> {
  const cerfa = normalizeCerfa(d.cerfa);
  return resolveNpec(await npecRowsFor(db, cerfa.formation.rncp), {
    rncp: cerfa.formation.rncp,
    idcc: cerfa.employeur.codeIdcc,
    dateConclusion: cerfa.contrat.dateConclusion,
    niveauDiplome: niveauDiplome(cerfa.formation.typeDiplome),
  });
}

export interface TransitionRequest {
  vers: EtatDossier;
  commentaire?: string;
  dateRupture?: string;
}

export async function moveDossier(
  db: Knex,
  numeroInterne: string,
  request: TransitionRequest,
  actor: Actor,
  parametres: ParametresFinancement,
  afterChange?: (trx: Knex.Transaction, d: DossierRow) => Promise<void>,
): Promise<ChangeOutcome> {
  try {
    return await db.transaction(async (trx) => {
      const d = await lock(trx, numeroInterne);
      if (!d) return { ok: false, kind: 'not-found' };
      const plan = planDossierTransition(d.etat, request);
      if (!plan.ok) return { ok: false, kind: 'refused', plan };
      const blocking = request.vers === 'SOLDE' ? await motifsRefusSoldeDossier(trx, d, parisDate())
        : request.vers === 'ANNULE' ? await motifsRefusAnnulation(trx, d.id) : [];
      if (blocking.length) return { ok: false, kind: 'blocked', violations: blocking };

      if (request.vers === 'ENGAGE') {
        const npec = await npecFor(trx, d);
        const input = buildEngagementInput(normalizeCerfa(d.cerfa), await latestCouts(trx, d.id), npec.npecCents, parametres);
        const result = computeEngagement(input);
        await saveEngagement(trx, d.id, result, npec);
        await trx('engagements').where({ dossier_id: d.id }).update({
          details: JSON.stringify({ npec, input, explications: result.explications, detailsFacturation: result.detailsFacturation }),
        });
      }
      if (request.vers === 'RUPTURE' && request.dateRupture) {
        const engagement = (await trx('engagements').where({ dossier_id: d.id }).first('details')) as { details: { input: EngagementInput } } | undefined;
        if (engagement) {
          const rupture = computeRupture(engagement.details.input, request.dateRupture, await paidPerEcheance(trx, d.id));
          await applyRupture(trx, d.id, rupture);
        }
      }
      const commentaire = request.commentaire?.trim() || null;
      const updated = await record(trx, d, {
        etat: request.vers,
        commentaire_etat: commentaire,
        mise_en_conformite: conserveMiseEnConformite(request.vers) ? d.mise_en_conformite : false,
      }, { evenement: 'ETAT', etat: request.vers, acteur: actor.acteur, commentaire: request.dateRupture ? `${commentaire ?? 'Rupture'} (date de rupture : ${request.dateRupture})` : commentaire });
      if (afterChange) await afterChange(trx, updated);
      return { ok: true, dossier: updated };
    });
  } catch (err) {
    if (err instanceof FinancementError) return { ok: false, kind: 'financing', violation: err.violation };
    throw err;
  }
}

type AfterChange = (trx: Knex.Transaction, d: DossierRow) => Promise<void>;

export async function setConformityRequest(db: Knex, numeroInterne: string, commentaire: string | undefined, actor: Actor, afterChange?: AfterChange): Promise<ChangeOutcome> {
  return db.transaction(async (trx) => {
    const d = await lock(trx, numeroInterne);
    if (!d) return { ok: false, kind: 'not-found' };
    const plan = planMiseEnConformite(d.etat, commentaire);
    if (!plan.ok) return { ok: false, kind: 'refused', plan };
    const text = (commentaire ?? '').trim();
    const updated = await record(trx, d, { mise_en_conformite: true, commentaire_etat: text }, { evenement: 'MISE_EN_CONFORMITE', etat: d.etat, acteur: actor.acteur, commentaire: text });
    if (afterChange) await afterChange(trx, updated);
    return { ok: true, dossier: updated };
  });
}

export async function clearConformityRequest(db: Knex, numeroInterne: string, actor: Actor, afterChange?: AfterChange): Promise<ChangeOutcome> {
  return db.transaction(async (trx) => {
    const d = await lock(trx, numeroInterne);
    if (!d) return { ok: false, kind: 'not-found' };
    if (!d.mise_en_conformite) {
      return {
        ok: false,
        kind: 'refused',
        plan: { ok: false, code: 'AUCUNE_MISE_EN_CONFORMITE', description: 'Aucune mise en conformité n’est en attente sur ce dossier.', allowed: [] },
      };
    }
    const updated = await record(trx, d, { mise_en_conformite: false, commentaire_etat: null }, { evenement: 'CONFORMITE_RETABLIE', etat: d.etat, acteur: actor.acteur, commentaire: null });
    if (afterChange) await afterChange(trx, updated);
    return { ok: true, dossier: updated };
  });
}

export async function setNumeroDeca(db: Knex, numeroInterne: string, numeroDeca: string, actor: Actor, afterChange?: AfterChange): Promise<ChangeOutcome> {
  return db.transaction(async (trx) => {
    const d = await lock(trx, numeroInterne);
    if (!d) return { ok: false, kind: 'not-found' };
    const updated = await record(trx, d, { numero_deca: numeroDeca }, { evenement: 'NUMERO_DECA', etat: d.etat, acteur: actor.acteur, commentaire: `Numéro DECA : ${numeroDeca}` });
    if (afterChange) await afterChange(trx, updated);
    return { ok: true, dossier: updated };
  });
}
