/**
 * The back office's dossier use cases (role `opco`): search across CFAs, read one with its history,
 * see which NPEC applies, move it through its life cycle, ask for / clear a mise en conformité, set
 * its DECA number. Each change runs in one transaction: the row is locked, the domain decides, the
 * engagement is computed or recomputed, the change and its audit entry are recorded together.
 */
import type { Knex } from 'knex';
import { recordWrite } from '../db/audit.js';
import { findAnyDossier, searchDossiers, type DossierSearch, type Page } from '../db/back-office-search.js';
import {
  engagementInputOf, latestCouts, lockDossier, npecFor, recordDossierChange, saveEngagementDetails, type Actor as ChangeActor,
} from '../db/dossier-changes.js';
import { motifsRefusAnnulation, motifsRefusRupture, motifsRefusSoldeDossier } from '../db/dossier-guards.js';
import { historyOf, type DossierRow, type HistoryRow } from '../db/dossiers.js';
import { refreshEchus } from '../db/echus.js';
import { gatewayToday } from './clock.js';
import { applyRupture, loadFinancing, paidPerEcheance, saveEngagement, type FinancingRows } from '../db/financing.js';
import { createRemboursementIfTropPercu } from '../db/remboursements.js';
import { normalizeCerfa } from '../domain/cerfa/normalize.js';
import { isIsoDate } from '../domain/dates.js';
import {
  computeEngagement, computeRupture, FinancementError, type NpecResolution, type ParametresFinancement,
} from '../domain/financing/index.js';
import { buildEngagementInput } from '../domain/financing/input.js';
import { isNumeroDeca } from '../domain/formats.js';
import {
  keepsMiseEnConformite, ETATS_DOSSIER, isEtatDossier, planDossierTransition, planMiseEnConformite, type EtatDossier,
} from '../domain/lifecycle/index.js';
import { refuse } from '../domain/refusal.js';
import type { Violation } from '../domain/violation.js';
import type { Actor } from './actor.js';
import { settleDeclarationsSolde } from './soldes.js';
import { transitionRefusal } from './transitions.js';

export type ChangeOutcome =
  | { ok: true; dossier: DossierRow }
  | { ok: false; kind: 'not-found' }
  | { ok: false; kind: 'refused'; plan: { code: string; description: string; allowed: EtatDossier[] } }
  | { ok: false; kind: 'financing'; violation: Violation }
  | { ok: false; kind: 'blocked'; violations: Violation[] };

export interface TransitionRequest {
  vers: EtatDossier;
  commentaire?: string;
  dateRupture?: string;
}

type AfterChange = (trx: Knex.Transaction, d: DossierRow) => Promise<void>;

/**
 * Moves a dossier to another state in one transaction (the back office's transitions and the CFA's
 * rupture declaration): lock, state machine, money checks before SOLDE / ANNULE, engagement computed
 * at ENGAGE and recomputed at RUPTURE, history; `afterChange` runs in the same transaction.
 */
export async function moveDossier(
  db: Knex,
  numeroInterne: string,
  request: TransitionRequest,
  actor: ChangeActor,
  parametres: ParametresFinancement,
  afterChange?: AfterChange,
): Promise<ChangeOutcome> {
  try {
    return await db.transaction(async (trx): Promise<ChangeOutcome> => {
      const d = await lockDossier(trx, numeroInterne);
      if (!d) return { ok: false, kind: 'not-found' };
      const plan = planDossierTransition(d.etat, request);
      if (!plan.ok) return { ok: false, kind: 'refused', plan };
      const blocking = request.vers === 'SOLDE' ? await motifsRefusSoldeDossier(trx, d, await gatewayToday(trx))
        : request.vers === 'ANNULE' ? await motifsRefusAnnulation(trx, d.id)
          : request.vers === 'RUPTURE' ? await motifsRefusRupture(trx, d.id) : [];
      if (blocking.length) return { ok: false, kind: 'blocked', violations: blocking };

      if (request.vers === 'ENGAGE') {
        const npec = await npecFor(trx, d);
        const input = buildEngagementInput(normalizeCerfa(d.cerfa), await latestCouts(trx, d.id), npec.npecCents, parametres);
        const result = computeEngagement(input);
        await saveEngagement(trx, d.id, result, npec);
        await saveEngagementDetails(trx, d.id, { npec, input, explications: result.explications, detailsFacturation: result.detailsFacturation });
      }
      if (request.vers === 'RUPTURE' && request.dateRupture) {
        const input = await engagementInputOf(trx, d.id);
        if (input) await applyRupture(trx, d.id, computeRupture(input, request.dateRupture, await paidPerEcheance(trx, d.id)));
      }
      const commentaire = request.commentaire?.trim() || null;
      const updated = await recordDossierChange(trx, d, {
        etat: request.vers,
        commentaire_etat: commentaire,
        mise_en_conformite: keepsMiseEnConformite(request.vers) ? d.mise_en_conformite : false,
      }, { evenement: 'ETAT', etat: request.vers, acteur: actor.acteur, commentaire: request.dateRupture ? `${commentaire ?? 'Rupture'} (date de rupture : ${request.dateRupture})` : commentaire });
      if (afterChange) await afterChange(trx, updated);
      // A rupture moves the end of the billing period, other states leave the list of échus: at
      // once, and after afterChange (which may write declarations_solde: lock order, src/db/echus.ts).
      await refreshEchus(trx, [d.id], await gatewayToday(trx));
      return { ok: true, dossier: updated };
    });
  } catch (err) {
    if (err instanceof FinancementError) return { ok: false, kind: 'financing', violation: err.violation };
    throw err;
  }
}

const unknownDossier = (numeroInterne: string) => refuse.notFound('DOSSIER_INTROUVABLE', `Aucun dossier ${numeroInterne}.`);

/** A refused change of the back office → its typed refusal (404, 400/409 with the allowed moves, 409 blocked, 422). */
function refusalOf(outcome: Exclude<ChangeOutcome, { ok: true }>, numeroInterne: string) {
  switch (outcome.kind) {
    case 'not-found':
      return unknownDossier(numeroInterne);
    case 'financing':
      return refuse.unprocessable([outcome.violation], { title: 'Engagement impossible' });
    case 'blocked':
      return refuse.conflicts(outcome.violations, { title: 'Transition refusée' });
    case 'refused':
      return transitionRefusal(outcome.plan.code, outcome.plan.description, outcome.plan.allowed);
  }
}

function settled(outcome: ChangeOutcome, numeroInterne: string): DossierRow {
  if (!outcome.ok) throw refusalOf(outcome, numeroInterne);
  return outcome.dossier;
}

export function searchAllDossiers(db: Knex, q: DossierSearch): Promise<Page<DossierRow>> {
  return searchDossiers(db, q);
}

async function anyDossier(db: Knex, numeroInterne: string): Promise<DossierRow> {
  const dossier = await findAnyDossier(db, numeroInterne);
  if (!dossier) throw unknownDossier(numeroInterne);
  return dossier;
}

export interface DossierDetail {
  dossier: DossierRow;
  financing: FinancingRows | undefined;
  history: HistoryRow[];
}

export async function readAnyDossier(db: Knex, numeroInterne: string): Promise<DossierDetail> {
  const dossier = await anyDossier(db, numeroInterne);
  const [financing, history] = await Promise.all([loadFinancing(db, dossier.id), historyOf(db, dossier.id)]);
  return { dossier, financing, history };
}

export async function npecOfDossier(db: Knex, numeroInterne: string): Promise<NpecResolution> {
  return npecFor(db, await anyDossier(db, numeroInterne));
}

export interface DossierSolde {
  dossier: DossierRow;
  /** Why it cannot be closed now; empty when it can. */
  motifs: Violation[];
}

/** Whether the dossier could become SOLDE today, and why not. */
export async function soldeOfDossier(db: Knex, numeroInterne: string): Promise<DossierSolde> {
  const dossier = await anyDossier(db, numeroInterne);
  return { dossier, motifs: await motifsRefusSoldeDossier(db, dossier, await gatewayToday(db)) };
}

export interface TransitionDemandee {
  vers: string;
  commentaire?: string | null | undefined;
  dateRupture?: string | undefined;
}

/** The back office moves a dossier; a rupture it decides creates the refund of any overpayment, as the CFA's declaration does. */
export async function changeDossierState(db: Knex, opco: Actor, numeroInterne: string, demande: TransitionDemandee, parametres: ParametresFinancement): Promise<{ dossier: DossierRow; financing: FinancingRows | undefined }> {
  const { vers, dateRupture } = demande;
  const violations: Violation[] = [];
  if (!isEtatDossier(vers)) violations.push({ code: 'ETAT_INCONNU', description: `vers doit valoir ${ETATS_DOSSIER.join(', ')}.`, champ: '/vers', section: 'requete' });
  if (dateRupture !== undefined && !isIsoDate(dateRupture)) {
    violations.push({ code: 'DATE_RUPTURE_INVALIDE', description: 'dateRupture doit être une date AAAA-MM-JJ.', champ: '/dateRupture', section: 'requete' });
  }
  if (violations.length || !isEtatDossier(vers)) throw refuse.invalid(violations);
  const request: TransitionRequest = { vers, ...(demande.commentaire ? { commentaire: demande.commentaire } : {}), ...(dateRupture ? { dateRupture } : {}) };
  const dossier = settled(await moveDossier(db, numeroInterne, request, opco, parametres, async (trx, d) => {
    await recordWrite(trx, opco.author, `DOSSIER_${vers}`, { type: 'DOSSIER', id: numeroInterne });
    if (vers === 'RUPTURE') await createRemboursementIfTropPercu(trx, d);
    // Closed by hand while a declared solde waited: the declaration is fulfilled.
    if (vers === 'SOLDE') await settleDeclarationsSolde(trx, [d.id], opco.acteur);
  }), numeroInterne);
  return { dossier, financing: await loadFinancing(db, dossier.id) };
}

async function changeDossier(db: Knex, numeroInterne: string, change: (trx: Knex.Transaction, d: DossierRow) => Promise<ChangeOutcome>): Promise<DossierRow> {
  return settled(await db.transaction(async (trx): Promise<ChangeOutcome> => {
    const d = await lockDossier(trx, numeroInterne);
    return d ? change(trx, d) : { ok: false, kind: 'not-found' };
  }), numeroInterne);
}

/** The OPCO asks the CFA to correct the dossier (EN_COURS_INSTRUCTION only, with a comment saying what). */
export function setConformityRequest(db: Knex, opco: Actor, numeroInterne: string, commentaire: string | undefined): Promise<DossierRow> {
  return changeDossier(db, numeroInterne, async (trx, d) => {
    const plan = planMiseEnConformite(d.etat, commentaire);
    if (!plan.ok) return { ok: false, kind: 'refused', plan };
    const text = (commentaire ?? '').trim();
    const updated = await recordDossierChange(trx, d, { mise_en_conformite: true, commentaire_etat: text }, { evenement: 'MISE_EN_CONFORMITE', etat: d.etat, acteur: opco.acteur, commentaire: text });
    await recordWrite(trx, opco.author, 'MISE_EN_CONFORMITE_DEMANDEE', { type: 'DOSSIER', id: numeroInterne });
    return { ok: true, dossier: updated };
  });
}

export function clearConformityRequest(db: Knex, opco: Actor, numeroInterne: string): Promise<DossierRow> {
  return changeDossier(db, numeroInterne, async (trx, d) => {
    if (!d.mise_en_conformite) {
      return { ok: false, kind: 'refused', plan: { code: 'AUCUNE_MISE_EN_CONFORMITE', description: 'Aucune mise en conformité n’est en attente sur ce dossier.', allowed: [] } };
    }
    const updated = await recordDossierChange(trx, d, { mise_en_conformite: false, commentaire_etat: null }, { evenement: 'CONFORMITE_RETABLIE', etat: d.etat, acteur: opco.acteur, commentaire: null });
    await recordWrite(trx, opco.author, 'MISE_EN_CONFORMITE_LEVEE', { type: 'DOSSIER', id: numeroInterne });
    return { ok: true, dossier: updated };
  });
}

/** Records the DECA deposit number (15 characters, upper-cased). */
export function setNumeroDeca(db: Knex, opco: Actor, numeroInterne: string, numeroDeca: string): Promise<DossierRow> {
  if (!isNumeroDeca(numeroDeca)) {
    throw refuse.invalid([{ code: 'NUMERO_DECA_INVALIDE', description: 'numeroDeca doit être un numéro de dépôt DECA de 15 caractères (ex. 02B202212000000).', champ: '/numeroDeca', section: 'requete' }]);
  }
  const deca = numeroDeca.toUpperCase();
  return changeDossier(db, numeroInterne, async (trx, d) => {
    const updated = await recordDossierChange(trx, d, { numero_deca: deca }, { evenement: 'NUMERO_DECA', etat: d.etat, acteur: opco.acteur, commentaire: `Numéro DECA : ${deca}` });
    await recordWrite(trx, opco.author, 'NUMERO_DECA', { type: 'DOSSIER', id: numeroInterne });
    return { ok: true, dossier: updated };
  });
}
