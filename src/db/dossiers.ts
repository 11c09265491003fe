/** Dossiers: creation (one transaction), reads scoped to a CFA, state pages, change feed, history. */
import { randomInt } from 'node:crypto';
import type { Knex } from 'knex';
import { assignRanks, changesAfter, highestRank, type Cursor } from './feed.js';

export const ETATS_DOSSIER = ['TRANSMIS', 'EN_COURS_INSTRUCTION', 'ENGAGE', 'REFUSE', 'ANNULE', 'RUPTURE', 'SOLDE'] as const;
export type EtatDossier = (typeof ETATS_DOSSIER)[number];
export const ORIGINES = ['API_CFA', 'SAISIE_OPCO'] as const;

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
  type_contrat_app: number;
  recu_le: Date;
  mis_a_jour_le: Date;
}

export interface NewDossier {
  cfaSiren: string;
  cerfa: Record<string, unknown>;
  empreinteContenu: string;
  cleApprenti: string;
  employeurSiret: string;
  dateDebutContrat: string;
  typeContratApp: number;
  cleId: string;
  editeur: string | null;
  logiciel: string | null;
  version: string | null;
  acteur: string;
}

export type CreateOutcome =
  | { kind: 'created'; dossier: DossierRow }
  | { kind: 'same-payload'; dossier: DossierRow }
  | { kind: 'same-contract'; numeroInterne: string };

/** Thrown inside the transaction to roll it back (the counter bump with it) on a unique conflict. */
class UniqueConflict extends Error {}

export function newNumeroInterne(): string {
  return String(randomInt(100_000_000_000, 1_000_000_000_000));
}

export async function createDossier(db: Knex, input: NewDossier, now: Date, afterInsert?: (trx: Knex.Transaction, d: DossierRow) => Promise<void>): Promise<CreateOutcome> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const dossier = await db.transaction(async (trx) => {
        const rows = (await trx('dossiers')
          .insert({
            numero_interne: newNumeroInterne(),
            cfa_siren: input.cfaSiren,
            etat: 'TRANSMIS',
            origine: 'API_CFA',
            cerfa: JSON.stringify(input.cerfa),
            empreinte_contenu: input.empreinteContenu,
            cle_apprenti: input.cleApprenti,
            employeur_siret: input.employeurSiret,
            date_debut_contrat: input.dateDebutContrat,
            type_contrat_app: input.typeContratApp,
            cle_id: input.cleId,
            editeur: input.editeur,
            logiciel: input.logiciel,
            version_logiciel: input.version,
            recu_le: now,
            mis_a_jour_le: now,
          })
          .onConflict()
          .ignore()
          .returning('*')) as DossierRow[];
        const created = rows[0];
        if (!created) throw new UniqueConflict();
        await trx('dossiers_historique').insert({
          dossier_id: created.id,
          evenement: 'ETAT',
          etat: 'TRANSMIS',
          le: now,
          acteur: input.acteur,
          commentaire: 'Transmis par API CFA',
        });
        if (afterInsert) await afterInsert(trx, created);
        return created;
      });
      return { kind: 'created', dossier };
    } catch (err) {
      if (!(err instanceof UniqueConflict)) throw err;
      const same = (await db('dossiers').where({ cfa_siren: input.cfaSiren, empreinte_contenu: input.empreinteContenu }).first()) as DossierRow | undefined;
      if (same) return { kind: 'same-payload', dossier: same };
      const contract = (await db('dossiers')
        .where({ cfa_siren: input.cfaSiren, cle_apprenti: input.cleApprenti, employeur_siret: input.employeurSiret, date_debut_contrat: input.dateDebutContrat })
        .where('type_contrat_app', '<', 31)
        .whereNotIn('etat', ['ANNULE', 'REFUSE'])
        .first('numero_interne')) as { numero_interne: string } | undefined;
      if (contract) return { kind: 'same-contract', numeroInterne: contract.numero_interne };
      // Otherwise a numéro interne collision: try again with a new one.
    }
  }
  throw new Error('could not allocate a numéro interne');
}

/** The CFA's dossier, or undefined — another CFA's dossier is indistinguishable from a missing one. */
export async function findDossier(db: Knex, siren: string, numeroInterne: string): Promise<DossierRow | undefined> {
  return (await db('dossiers').where({ cfa_siren: siren, numero_interne: numeroInterne }).first()) as DossierRow | undefined;
}

export async function findDossiers(db: Knex, siren: string, numerosInternes: string[]): Promise<DossierRow[]> {
  return (await db('dossiers').where({ cfa_siren: siren }).whereIn('numero_interne', numerosInternes).orderBy('rang_cfa')) as DossierRow[];
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
