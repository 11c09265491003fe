/**
 * Ruptures declared by the CFA and the refunds (remboursements) of a trop-perçu. The rupture goes
 * through the very transition the back office uses (`moveDossier`: lock, state machine, engine
 * recomputation, history, feed); in the same transaction the declaration is kept and, when the
 * OPCO paid more than the recomputed entitlement, a refund record is created.
 */
import type { Knex } from 'knex';
import type { ParametresFinancement } from '../domain/financing/index.js';
import {
  planDeclaration, remboursementDu,
  type CauseRemboursement, type EtatRemboursement, type InitiativeRupture, type ModeRemboursement, type MotifRupture,
} from '../domain/invoicing/index.js';
import type { Violation } from '../domain/violation.js';
// The rupture declaration still lives here until the CFA-side routes move to the route table.
import { moveDossier, type ChangeOutcome } from '../services/back-office-dossiers.js';
import type { Actor } from './dossier-changes.js';
import { newNumeroInterne, type DossierRow } from './dossiers.js';

export interface RemboursementRow {
  id: string;
  numero_interne: string;
  cfa_siren: string;
  dossier_id: string;
  montant_centimes: string;
  cause: CauseRemboursement;
  etat: EtatRemboursement;
  mode: ModeRemboursement | null;
  reference_avoir: string | null;
  commentaire: string | null;
  cree_le: Date;
  declare_le: Date | null;
  recu_le: Date | null;
  acteur_reception: string | null;
}

export type RemboursementListItem = RemboursementRow & { numero_externe: string; dossier_numero_interne: string };

/**
 * Creates the refund due after a rupture when the engagement shows a trop-perçu (once per dossier).
 * Safe to call from any rupture path, inside its transaction.
 */
export async function creerRemboursementSiTropPercu(trx: Knex.Transaction, dossier: Pick<DossierRow, 'id' | 'cfa_siren'>): Promise<RemboursementRow | undefined> {
  const engagement = (await trx('engagements').where({ dossier_id: dossier.id }).first('trop_percu_centimes')) as { trop_percu_centimes: string } | undefined;
  const tropPercu = Number(engagement?.trop_percu_centimes ?? 0);
  if (!remboursementDu(tropPercu)) return undefined;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const rows = (await trx('remboursements').insert({
      numero_interne: newNumeroInterne(),
      cfa_siren: dossier.cfa_siren,
      dossier_id: dossier.id,
      montant_centimes: tropPercu,
      cause: 'TROP_PERCU_RUPTURE',
      etat: 'A_REGULARISER',
    }).onConflict().ignore().returning('*')) as RemboursementRow[];
    if (rows[0]) return rows[0];
    const existing = (await trx('remboursements').where({ dossier_id: dossier.id, cause: 'TROP_PERCU_RUPTURE' }).first()) as RemboursementRow | undefined;
    if (existing) return existing;
  }
  throw new Error('could not allocate a numéro de remboursement');
}

export interface DeclarationRuptureInput {
  dossier: DossierRow;
  dateRupture: string;
  motif: MotifRupture;
  initiative: InitiativeRupture;
  commentaire?: string;
}

export type RuptureOutcome = ChangeOutcome & { remboursement?: RemboursementRow };

export async function declarerRupture(
  db: Knex,
  input: DeclarationRuptureInput,
  actor: Actor,
  parametres: ParametresFinancement,
  afterChange?: (trx: Knex.Transaction, d: DossierRow) => Promise<void>,
): Promise<RuptureOutcome> {
  let remboursement: RemboursementRow | undefined;
  const texte = input.commentaire?.trim();
  const commentaire = `Rupture déclarée par le CFA : motif ${input.motif}, à l'initiative ${input.initiative === 'COMMUN' ? 'commune' : `de l'${input.initiative === 'EMPLOYEUR' ? 'employeur' : 'apprenti'}`}${texte ? ` — ${texte}` : ''}`;
  const outcome = await moveDossier(db, input.dossier.numero_interne, { vers: 'RUPTURE', dateRupture: input.dateRupture, commentaire }, actor, parametres, async (trx, d) => {
    await trx('ruptures').insert({
      dossier_id: d.id,
      cfa_siren: d.cfa_siren,
      date_rupture: input.dateRupture,
      motif: input.motif,
      initiative: input.initiative,
      commentaire: texte ?? null,
      acteur: actor.acteur,
    });
    remboursement = await creerRemboursementSiTropPercu(trx, d);
    if (afterChange) await afterChange(trx, d);
  });
  return remboursement ? { ...outcome, remboursement } : outcome;
}

// ---------------------------------------------------------------------------------- refunds

export type RemboursementChange =
  | { ok: true; remboursement: RemboursementRow }
  | { ok: false; kind: 'not-found' }
  | { ok: false; kind: 'invalid'; violations: Violation[] }
  | { ok: false; kind: 'refused'; code: string; description: string; allowed: EtatRemboursement[] };

/** The CFA declares how it regularises (its own refund only: another CFA's is "not found"). */
export async function declarerRemboursement(
  db: Knex,
  siren: string,
  numeroInterne: string,
  declaration: { mode: ModeRemboursement; referenceAvoir?: string },
  afterChange?: (trx: Knex.Transaction) => Promise<void>,
): Promise<RemboursementChange> {
  return db.transaction(async (trx): Promise<RemboursementChange> => {
    const r = (await trx('remboursements').where({ numero_interne: numeroInterne, cfa_siren: siren }).forUpdate().first()) as RemboursementRow | undefined;
    if (!r) return { ok: false, kind: 'not-found' };
    const plan = planDeclaration(r.etat, declaration.mode, declaration.referenceAvoir);
    if (!plan.ok) return 'violations' in plan ? { ok: false, kind: 'invalid', violations: plan.violations } : { ok: false, kind: 'refused', code: plan.code, description: plan.description, allowed: plan.allowed };
    const [updated] = (await trx('remboursements').where({ id: r.id }).update({
      etat: plan.vers,
      mode: declaration.mode,
      reference_avoir: declaration.mode === 'AVOIR_DEDUCTION' ? declaration.referenceAvoir?.trim() ?? null : null,
      declare_le: trx.fn.now(),
    }).returning('*')) as RemboursementRow[];
    if (!updated) throw new Error('remboursement vanished');
    if (afterChange) await afterChange(trx);
    return { ok: true, remboursement: updated };
  });
}

/** The refund, locked until the end of the transaction. */
export async function lockRemboursement(trx: Knex.Transaction, numeroInterne: string): Promise<RemboursementRow | undefined> {
  return (await trx('remboursements').where({ numero_interne: numeroInterne }).forUpdate().first()) as RemboursementRow | undefined;
}

/** Records the OPCO's receipt (state, date, who; the comment when one is given). */
export async function recordReception(trx: Knex.Transaction, r: RemboursementRow, change: { etat: EtatRemboursement; acteur: string; commentaire: string | null }): Promise<RemboursementRow> {
  const [updated] = (await trx('remboursements').where({ id: r.id }).update({
    etat: change.etat, recu_le: trx.fn.now(), acteur_reception: change.acteur, commentaire: change.commentaire ?? r.commentaire,
  }).returning('*')) as RemboursementRow[];
  if (!updated) throw new Error('remboursement vanished');
  return updated;
}

/** Refunds in creation order, one CFA's when `siren` is given. */
export async function pageOfRemboursements(db: Knex, q: { siren?: string; etat?: string; page: number; size: number }): Promise<{ total: number; items: RemboursementListItem[] }> {
  const base = db('remboursements as r').join('dossiers as d', 'd.id', 'r.dossier_id');
  if (q.siren) base.where({ 'r.cfa_siren': q.siren });
  if (q.etat) base.where({ 'r.etat': q.etat });
  const [countRow, items] = await Promise.all([
    base.clone().count<{ n: string }[]>({ n: '*' }),
    base.clone().orderBy('r.id').offset((q.page - 1) * q.size).limit(q.size).select('r.*', 'd.numero_externe', 'd.numero_interne as dossier_numero_interne'),
  ]);
  return { total: Number(countRow[0]?.n ?? 0), items: items as RemboursementListItem[] };
}

export async function findRemboursement(db: Knex, numeroInterne: string, siren?: string): Promise<RemboursementListItem | undefined> {
  const q = db('remboursements as r').join('dossiers as d', 'd.id', 'r.dossier_id').where({ 'r.numero_interne': numeroInterne });
  if (siren) q.where({ 'r.cfa_siren': siren });
  return (await q.first('r.*', 'd.numero_externe', 'd.numero_interne as dossier_numero_interne')) as RemboursementListItem | undefined;
}
