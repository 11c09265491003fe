/**
 * Proposals of contract (pré-saisie): rows, history, scoped reads (the CFA's, the employer's),
 * the list with filters, search and sort, the incremental feed. Queries only.
 */
import type { Knex } from 'knex';
import type { EtatProposition, PropositionSummary } from '../domain/propositions.js';
import { currentTransaction, settledChangesAfter, type Cursor } from './feed.js';
import { insertWithNewNumero } from './numeros.js';

export interface PropositionRow {
  id: string;
  numero: string;
  cfa_siren: string;
  etat: EtatProposition;
  cerfa: Record<string, unknown>;
  employeur_siren: string | null;
  employeur_siret: string | null;
  entreprise: string | null;
  apprenti_nom: string | null;
  apprenti_prenom: string | null;
  date_debut_contrat: string | null;
  date_fin_contrat: string | null;
  motif_refus: string | null;
  dossier_numero_interne: string | null;
  dossier_numero_externe: string | null;
  xid_modif: string;
  cree_le: Date;
  mis_a_jour_le: Date;
}

const COLUMNS = [
  'id', 'numero', 'cfa_siren', 'etat', 'cerfa', 'employeur_siren', 'employeur_siret', 'entreprise', 'apprenti_nom', 'apprenti_prenom',
  'date_debut_contrat', 'date_fin_contrat', 'motif_refus', 'dossier_numero_interne', 'dossier_numero_externe', 'xid_modif', 'cree_le', 'mis_a_jour_le',
];

/** The columns a save writes: the CERFA and what lists read of it. */
export function contentColumns(cerfa: Record<string, unknown>, summary: PropositionSummary, recherche: string): Record<string, unknown> {
  return {
    cerfa: JSON.stringify(cerfa),
    employeur_siren: summary.employeurSiren ?? null,
    employeur_siret: summary.employeurSiret ?? null,
    entreprise: summary.entreprise ?? null,
    apprenti_nom: summary.apprentiNom ?? null,
    apprenti_prenom: summary.apprentiPrenom ?? null,
    date_debut_contrat: summary.dateDebutContrat ?? null,
    date_fin_contrat: summary.dateFinContrat ?? null,
    recherche,
  };
}

function normalize(row: PropositionRow): PropositionRow {
  return { ...row, id: String(row.id), xid_modif: String(row.xid_modif) };
}

export async function insertProposition(
  trx: Knex.Transaction,
  input: { cfaSiren: string; content: (numero: string) => Record<string, unknown> },
  now: Date,
): Promise<PropositionRow> {
  const row = await insertWithNewNumero('proposition', async (numero) => {
    const rows = (await trx('propositions')
      .insert({ numero, cfa_siren: input.cfaSiren, etat: 'EN_COURS_DE_SAISIE', ...input.content(numero), cree_le: now, mis_a_jour_le: now })
      .onConflict('numero').ignore()
      .returning(COLUMNS)) as PropositionRow[];
    return rows[0];
  });
  return normalize(row);
}

/** Updates a proposal's columns within the transaction, marking it changed for the feeds. */
export async function updateProposition(trx: Knex.Transaction, id: string, columns: Record<string, unknown>, now: Date): Promise<PropositionRow> {
  const rows = (await trx('propositions').where({ id })
    .update({ ...columns, mis_a_jour_le: now, xid_modif: currentTransaction(trx) })
    .returning(COLUMNS)) as PropositionRow[];
  const row = rows[0];
  if (!row) throw new Error(`proposition ${id} vanished`);
  return normalize(row);
}

/** Who may see a proposal: its CFA, or the employer it is addressed to (in the states it sees). */
export type Scope = { kind: 'cfa'; siren: string } | { kind: 'entreprise'; siren: string; etats: readonly EtatProposition[] };

function scoped(db: Knex, scope: Scope): Knex.QueryBuilder {
  const q = db('propositions');
  return scope.kind === 'cfa' ? q.where({ cfa_siren: scope.siren }) : q.where({ employeur_siren: scope.siren }).whereIn('etat', [...scope.etats]);
}

/** The proposal within the scope, or undefined (missing and out of scope are the same); `lock` for an update. */
export async function findProposition(db: Knex, scope: Scope, numero: string, lock = false): Promise<PropositionRow | undefined> {
  if (!/^[0-9]{1,20}$/.test(numero)) return undefined;
  const q = scoped(db, scope).where({ numero });
  if (lock) q.forUpdate();
  const row = (await q.first(COLUMNS)) as PropositionRow | undefined;
  return row && normalize(row);
}

export interface HistoryLine {
  evenement: string;
  etat: EtatProposition;
  acteur: string;
  champs: string[];
  commentaire: string | null;
}

export async function insertHistory(trx: Knex.Transaction, propositionId: string, line: HistoryLine, now: Date): Promise<void> {
  await trx('propositions_historique').insert({ proposition_id: propositionId, ...line, champs: JSON.stringify(line.champs), le: now });
}

export interface HistoryRow extends HistoryLine {
  le: Date;
}

export async function historyOf(db: Knex, propositionId: string): Promise<HistoryRow[]> {
  return (await db('propositions_historique').where({ proposition_id: propositionId }).orderBy('id')
    .select('evenement', 'etat', 'le', 'acteur', 'champs', 'commentaire')) as HistoryRow[];
}

// ----------------------------------------------------------------------------------------- lists

export const TRIS_PROPOSITION = ['miseAJour', 'nom', 'entreprise', 'dateDebut', 'etat'] as const;
export type TriProposition = (typeof TRIS_PROPOSITION)[number];

const SORT_COLUMNS: Record<TriProposition, string> = {
  miseAJour: 'mis_a_jour_le',
  nom: 'apprenti_nom',
  entreprise: 'entreprise',
  dateDebut: 'date_debut_contrat',
  etat: 'etat',
};

export interface ListQuery {
  etat?: EtatProposition | undefined;
  /** Already normalised (searchKey). */
  q?: string | undefined;
  tri: TriProposition;
  ordre: 'asc' | 'desc';
  page: number;
  size: number;
}

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function pageOfPropositions(db: Knex, scope: Scope, query: ListQuery): Promise<{ total: number; rows: PropositionRow[] }> {
  const base = scoped(db, scope);
  if (query.etat) base.where({ etat: query.etat });
  if (query.q) base.whereRaw("recherche like ? escape '\\'", [`%${escapeLike(query.q)}%`]);
  const [count, rows] = await Promise.all([
    base.clone().count<Array<{ n: string | number }>>({ n: '*' }),
    base.clone()
      .orderByRaw(`?? ${query.ordre} nulls last, id ${query.ordre}`, [SORT_COLUMNS[query.tri]])
      .offset((query.page - 1) * query.size).limit(query.size)
      .select(COLUMNS),
  ]);
  return { total: Number(count[0]?.n ?? 0), rows: (rows as PropositionRow[]).map(normalize) };
}

/** Proposals of the scope changed after the cursor, in change order (settled rows only). */
export async function propositionsChangedSince(db: Knex, scope: Scope, cursor: Cursor, size: number, etat?: EtatProposition): Promise<PropositionRow[]> {
  const q = settledChangesAfter(db, 'propositions', cursor);
  if (etat) q.where({ etat });
  if (scope.kind === 'cfa') q.where({ cfa_siren: scope.siren });
  else q.where({ employeur_siren: scope.siren }).whereIn('etat', [...scope.etats]);
  return ((await q.limit(size).select(COLUMNS)) as PropositionRow[]).map(normalize);
}

/**
 * A document attached to proposals (the CFA's own, checked by the caller): a history line on each,
 * and a change for the feeds (the Documents tab's count changed).
 */
export async function recordPropositionDocument(trx: Knex.Transaction, cfaSiren: string, numeros: readonly string[], line: { acteur: string; commentaire: string }, now: Date): Promise<void> {
  if (numeros.length === 0) return;
  const rows = (await trx('propositions').where({ cfa_siren: cfaSiren }).whereIn('numero', [...numeros])
    .update({ mis_a_jour_le: now, xid_modif: currentTransaction(trx) })
    .returning(['id', 'etat'])) as Array<{ id: string; etat: EtatProposition }>;
  for (const r of rows) {
    await insertHistory(trx, String(r.id), { evenement: 'DOCUMENT_DEPOSE', etat: r.etat, acteur: line.acteur, champs: [], commentaire: line.commentaire }, now);
  }
}
