/** Dossiers: creation (one transaction), reads scoped to a CFA, state pages, change feed, history. */
import type { Knex } from 'knex';
import { insertWithNewNumero } from './numeros.js';
import type { Author } from './audit.js';
import { assignRanks, changesAfter, highestRank, type Cursor } from './feed.js';

import { ETATS_DOSSIER, type EtatDossier } from '../domain/lifecycle/index.js';

export { ETATS_DOSSIER, type EtatDossier };
export const ORIGINES = ['API_CFA', 'SAISIE_OPCO', 'ENTREPRISE'] as const;
export type Origine = (typeof ORIGINES)[number];

export interface DossierRow {
  id: string;
  numero_interne: string;
  numero_externe: string;
  numero_deca: string | null;
  cfa_siren: string;
  rang_cfa: string;
  xid_modif: string;
  etat: EtatDossier;
  origine: string;
  commentaire_etat: string | null;
  mise_en_conformite: boolean;
  cerfa: Record<string, unknown>;
  empreinte_contenu: string;
  employeur_siret: string;
  type_contrat_app: number;
  recu_le: Date;
  mis_a_jour_le: Date;
}

/** What a dossier's row derives from its CERFA: set at creation, replaced by a correction. */
export interface DossierContent {
  cerfa: Record<string, unknown>;
  empreinteContenu: string;
  cleApprenti: string;
  employeurSiret: string;
  dateDebutContrat: string;
  typeContratApp: number;
}

/** The columns of a dossier's content, for an update. */
export function contentColumns(content: DossierContent): Record<string, unknown> {
  return {
    cerfa: JSON.stringify(content.cerfa),
    empreinte_contenu: content.empreinteContenu,
    cle_apprenti: content.cleApprenti,
    employeur_siret: content.employeurSiret,
    date_debut_contrat: content.dateDebutContrat,
    type_contrat_app: content.typeContratApp,
  };
}

export interface NewDossier extends DossierContent {
  cfaSiren: string;
  cleId: string;
  editeur: string | null;
  logiciel: string | null;
  version: string | null;
  acteur: string;
  origine: Origine;
  /** The first history line's comment (`Transmis par API CFA`). */
  commentaire: string;
  /** The audit line's action (`DOSSIER_TRANSMIS`). */
  action: string;
}

export interface CreatedDossier {
  id: string;
  numero_interne: string;
  numero_externe: string;
  etat: EtatDossier;
}

export type CreateOutcome =
  | { kind: 'created'; dossier: CreatedDossier }
  | { kind: 'same-payload'; dossier: CreatedDossier }
  | { kind: 'same-contract'; numeroInterne: string };

/**
 * The dossier, its first history line and its audit line in ONE statement: atomic like a
 * transaction, but a single round trip to the database — the ingestion hot path.
 */
const INSERT_DOSSIER = `
with d as (
  insert into dossiers (numero_interne, cfa_siren, etat, origine, cerfa, empreinte_contenu, cle_apprenti, employeur_siret,
                        date_debut_contrat, type_contrat_app, cle_id, editeur, logiciel, version_logiciel, recu_le, mis_a_jour_le)
  values (?, ?, 'TRANSMIS', ?, ?::jsonb, ?, ?, ?, ?::date, ?, ?, ?, ?, ?, ?, ?)
  on conflict do nothing
  returning id, numero_interne, numero_externe, etat),
h as (
  insert into dossiers_historique (dossier_id, evenement, etat, le, acteur, commentaire)
  select id, 'ETAT', 'TRANSMIS', ?, ?, ? from d),
a as (
  insert into audit_ecritures (id_requete, cle_id, siren, client_id, editeur, logiciel, version, action, objet_type, objet_id)
  select ?, ?, ?, ?, ?, ?, ?, ?, 'DOSSIER', numero_interne from d)
select id, numero_interne, numero_externe, etat from d`;

export function createDossier(db: Knex, input: NewDossier, now: Date, author: Author): Promise<CreateOutcome> {
  return insertWithNewNumero('dossier', async (numero): Promise<CreateOutcome | undefined> => {
    const result = await db.raw<{ rows: CreatedDossier[] }>(INSERT_DOSSIER, [
      numero, input.cfaSiren, input.origine, JSON.stringify(input.cerfa), input.empreinteContenu, input.cleApprenti, input.employeurSiret,
      input.dateDebutContrat, input.typeContratApp, input.cleId, input.editeur, input.logiciel, input.version, now, now,
      now, input.acteur, input.commentaire,
      author.id_requete, author.cle_id, author.siren, author.client_id, author.editeur, author.logiciel, author.version, input.action,
    ]);
    const created = result.rows[0];
    if (created) return { kind: 'created', dossier: { ...created, id: String(created.id) } };
    // Nothing inserted: the same payload, the same contract, or (rarely) a numéro already taken.
    return findLiveTwin(db, input.cfaSiren, input);
  });
}

export type LiveTwin = Exclude<CreateOutcome, { kind: 'created' }>;

/**
 * The CFA's live dossier (neither ANNULE nor REFUSE) that the unique indexes say `content` may not
 * sit beside: the same CERFA, or the same initial contract. `exceptId`: the dossier being corrected.
 */
export async function findLiveTwin(db: Knex, cfaSiren: string, content: Omit<DossierContent, 'cerfa'>, exceptId?: string): Promise<LiveTwin | undefined> {
  const live = () => {
    const q = db('dossiers').where({ cfa_siren: cfaSiren }).whereNotIn('etat', ['ANNULE', 'REFUSE']);
    return exceptId === undefined ? q : q.whereNot({ id: exceptId });
  };
  const same = (await live().where({ empreinte_contenu: content.empreinteContenu })
    .first('id', 'numero_interne', 'numero_externe', 'etat')) as CreatedDossier | undefined;
  if (same) return { kind: 'same-payload', dossier: { ...same, id: String(same.id) } };
  if (content.typeContratApp >= 31) return undefined; // avenants are outside the contract index
  const contract = (await live()
    .where({ cle_apprenti: content.cleApprenti, employeur_siret: content.employeurSiret, date_debut_contrat: content.dateDebutContrat })
    .where('type_contrat_app', '<', 31)
    .first('numero_interne')) as { numero_interne: string } | undefined;
  return contract ? { kind: 'same-contract', numeroInterne: contract.numero_interne } : undefined;
}

/** The CFA's dossier, or undefined — another CFA's dossier is indistinguishable from a missing one. */
export async function findDossier(db: Knex, siren: string, numeroInterne: string): Promise<DossierRow | undefined> {
  return (await db('dossiers').where({ cfa_siren: siren, numero_interne: numeroInterne }).first()) as DossierRow | undefined;
}

export async function findDossiers(db: Knex, siren: string, numerosInternes: string[]): Promise<DossierRow[]> {
  return (await db('dossiers').where({ cfa_siren: siren }).whereIn('numero_interne', numerosInternes).orderBy('id')) as DossierRow[];
}

export interface EtatItem {
  numero_interne: string;
  numero_externe: string;
  numero_deca: string | null;
  etat: string;
  mis_a_jour_le: Date;
  id: string;
  xid_modif: string;
}

const ETAT_COLUMNS = ['id', 'numero_interne', 'numero_externe', 'numero_deca', 'etat', 'mis_a_jour_le', 'xid_modif'];

export interface PageQuery {
  page: number;
  size: number;
  etat?: string;
  origine?: string;
}

/**
 * One page of the CFA's dossiers in arrival order. Without filters the page is a range of dense
 * ranks (constant time at any depth); with filters it walks the (cfa, état, rang) index.
 */
export async function pageOfEtats(db: Knex, siren: string, q: PageQuery): Promise<{ total: number; items: EtatItem[] }> {
  const from = (q.page - 1) * q.size;
  await assignRanks(db, 'dossiers', siren);
  if (!q.etat && !q.origine) {
    const rang = await highestRank(db, 'dossiers', siren);
    const items = (await db('dossiers')
      .where({ cfa_siren: siren })
      .whereBetween('rang_cfa', [from + 1, from + q.size])
      .orderBy('rang_cfa')
      .select(ETAT_COLUMNS)) as EtatItem[];
    return { total: rang, items };
  }
  const base = db('dossiers').where({ cfa_siren: siren }).whereNotNull('rang_cfa');
  if (q.etat) base.where({ etat: q.etat });
  if (q.origine) base.where({ origine: q.origine });
  const [countRow, items] = await Promise.all([
    base.clone().count<{ n: string }[]>({ n: '*' }),
    base.clone().orderBy('rang_cfa').offset(from).limit(q.size).select(ETAT_COLUMNS),
  ]);
  return { total: Number(countRow[0]?.n ?? 0), items: items as EtatItem[] };
}

/**
 * Every ranked dossier of the CFA in arrival order, in batches of `batch` rows: keyset on the dense
 * ranks (a rank range without filters, the (cfa, état, rang) index with them), never OFFSET, up to
 * the highest rank seen at the start — a dossier ranked meanwhile waits for the next read, and no
 * row comes twice. Memory holds one batch.
 */
export async function* etatsInArrivalOrder(db: Knex, siren: string, q: { batch: number; etat?: string; origine?: string }): AsyncGenerator<EtatItem[]> {
  await assignRanks(db, 'dossiers', siren);
  const last = await highestRank(db, 'dossiers', siren);
  let after = 0;
  while (after < last) {
    const query = db('dossiers').where({ cfa_siren: siren });
    if (!q.etat && !q.origine) {
      query.whereBetween('rang_cfa', [after + 1, Math.min(after + q.batch, last)]);
    } else {
      query.where('rang_cfa', '>', after).where('rang_cfa', '<=', last).limit(q.batch);
      if (q.etat) query.where({ etat: q.etat });
      if (q.origine) query.where({ origine: q.origine });
    }
    const items = (await query.orderBy('rang_cfa').select([...ETAT_COLUMNS, 'rang_cfa'])) as Array<EtatItem & { rang_cfa: string | number }>;
    const tail = items[items.length - 1];
    if (!tail) {
      if (q.etat || q.origine) return; // nothing left that matches
      after += q.batch; // a rank range with no row (cannot happen while ranks are dense): move on
      continue;
    }
    after = Number(tail.rang_cfa);
    yield items;
  }
}

/** Dossiers changed after the cursor, in change order. */
export async function changesSince(db: Knex, siren: string, after: Cursor, size: number, filters: { etat?: string; origine?: string }): Promise<EtatItem[]> {
  const q = changesAfter(db, 'dossiers', siren, after);
  if (filters.etat) q.where({ etat: filters.etat });
  if (filters.origine) q.where({ origine: filters.origine });
  return (await q.limit(size).select(ETAT_COLUMNS)) as EtatItem[];
}

export interface HistoryRow {
  evenement: string;
  etat: string;
  le: Date;
  acteur: string;
  commentaire: string | null;
}

export async function historyOf(db: Knex, dossierId: string): Promise<HistoryRow[]> {
  return (await db('dossiers_historique').where({ dossier_id: dossierId }).orderBy('id').select('evenement', 'etat', 'le', 'acteur', 'commentaire')) as HistoryRow[];
}

/** How many dossiers name this CFA, whatever their state or channel. */
export async function countDossiersOfCfa(db: Knex, siren: string): Promise<number> {
  const row = (await db('dossiers').where({ cfa_siren: siren }).count({ n: '*' }).first()) as { n: string | number } | undefined;
  return Number(row?.n ?? 0);
}
