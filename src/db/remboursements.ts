/**
 * Ruptures declared by the CFA and the refunds (remboursements) of a trop-perçu: the queries. The
 * use cases (declare a rupture, declare a refund) are in src/services/remboursements.ts.
 */
import type { Knex } from 'knex';
import { insertWithNewNumero } from './numeros.js';
import {
  planReception, isRemboursementDue,
  type CauseRemboursement, type EtatRemboursement, type InitiativeRupture, type ModeRemboursement, type MotifRupture,
} from '../domain/invoicing/index.js';
import type { Violation } from '../domain/violation.js';
import type { Actor } from './dossier-changes.js';
import { type DossierRow } from './dossiers.js';

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
export async function createRemboursementIfTropPercu(trx: Knex.Transaction, dossier: Pick<DossierRow, 'id' | 'cfa_siren'>): Promise<RemboursementRow | undefined> {
  const engagement = (await trx('engagements').where({ dossier_id: dossier.id }).first('trop_percu_centimes')) as { trop_percu_centimes: string } | undefined;
  const tropPercu = Number(engagement?.trop_percu_centimes ?? 0);
  if (!isRemboursementDue(tropPercu)) return undefined;
  return insertWithNewNumero('remboursement', async (numero) => {
    const rows = (await trx('remboursements').insert({
      numero_interne: numero,
      cfa_siren: dossier.cfa_siren,
      dossier_id: dossier.id,
      montant_centimes: tropPercu,
      cause: 'TROP_PERCU_RUPTURE',
      etat: 'A_REGULARISER',
    }).onConflict().ignore().returning('*')) as RemboursementRow[];
    // Nothing inserted: the dossier's refund already exists (kept), or the numéro was taken (retried).
    return rows[0] ?? ((await trx('remboursements').where({ dossier_id: dossier.id, cause: 'TROP_PERCU_RUPTURE' }).first()) as RemboursementRow | undefined);
  });
}

/** The rupture as the CFA declared it, kept next to the dossier's transition. */
export interface NewRupture {
  dossierId: string;
  cfaSiren: string;
  dateRupture: string;
  motif: MotifRupture;
  initiative: InitiativeRupture;
  commentaire: string | null;
  acteur: string;
}

export async function insertRupture(trx: Knex.Transaction, r: NewRupture): Promise<void> {
  await trx('ruptures').insert({
    dossier_id: r.dossierId,
    cfa_siren: r.cfaSiren,
    date_rupture: r.dateRupture,
    motif: r.motif,
    initiative: r.initiative,
    commentaire: r.commentaire,
    acteur: r.acteur,
  });
}

/** The dossier's engagement and trop-perçu, in cents (no engagement before ENGAGE). */
export async function engagementAmounts(db: Knex, dossierId: string): Promise<{ engagementCents: number; tropPercuCents: number } | undefined> {
  const row = (await db('engagements').where({ dossier_id: dossierId }).first('engagement_centimes', 'trop_percu_centimes')) as
    | { engagement_centimes: string; trop_percu_centimes: string }
    | undefined;
  return row ? { engagementCents: Number(row.engagement_centimes), tropPercuCents: Number(row.trop_percu_centimes) } : undefined;
}

// ---------------------------------------------------------------------------------- refunds

export type RemboursementChange =
  | { ok: true; remboursement: RemboursementRow }
  | { ok: false; kind: 'not-found' }
  | { ok: false; kind: 'invalid'; violations: Violation[] }
  | { ok: false; kind: 'refused'; code: string; description: string; allowed: EtatRemboursement[] };

/** The CFA's refund, locked FOR UPDATE (another CFA's is not found). */
export async function lockOwnRemboursement(trx: Knex.Transaction, siren: string, numeroInterne: string): Promise<RemboursementRow | undefined> {
  return (await trx('remboursements').where({ numero_interne: numeroInterne, cfa_siren: siren }).forUpdate().first()) as RemboursementRow | undefined;
}

/** Records the CFA's declaration: new state, mode, avoir reference, date. */
export async function markRemboursementDeclared(
  trx: Knex.Transaction,
  id: string,
  changes: { etat: EtatRemboursement; mode: ModeRemboursement; referenceAvoir: string | null },
): Promise<RemboursementRow> {
  const [updated] = (await trx('remboursements').where({ id }).update({
    etat: changes.etat, mode: changes.mode, reference_avoir: changes.referenceAvoir, declare_le: trx.fn.now(),
  }).returning('*')) as RemboursementRow[];
  if (!updated) throw new Error('remboursement vanished');
  return updated;
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
