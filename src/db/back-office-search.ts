/**
 * The back office's reads across CFAs: dossiers and invoices by state, SIREN, dates or free text,
 * newest first, one page at a time, and one dossier by its number whatever its CFA.
 */
import type { Knex } from 'knex';
import type { DossierRow } from './dossiers.js';
import type { FactureRow } from './factures.js';

export interface Page<T> {
  total: number;
  items: T[];
}

export interface DossierSearch {
  page: number;
  size: number;
  etat?: string | undefined;
  siren?: string | undefined;
  /** Received on or after that day (YYYY-MM-DD). */
  recuDepuis?: string | undefined;
  /** Received on or before that day (YYYY-MM-DD). */
  recuJusquAu?: string | undefined;
  /** A dossier number (interne, externe, DECA), an employer's SIRET, or part of the apprentice's or employer's name. */
  texte?: string | undefined;
}

export async function searchDossiers(db: Knex, q: DossierSearch): Promise<Page<DossierRow>> {
  const base = db('dossiers');
  if (q.etat) base.where({ etat: q.etat });
  if (q.siren) base.where({ cfa_siren: q.siren });
  if (q.recuDepuis) base.where('recu_le', '>=', q.recuDepuis);
  if (q.recuJusquAu) base.whereRaw(`recu_le < (?::date + 1)`, [q.recuJusquAu]);
  const texte = q.texte;
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
    base.clone().orderBy('id', 'desc').offset((q.page - 1) * q.size).limit(q.size),
  ]);
  return { total: Number(count[0]?.n ?? 0), items: rows as DossierRow[] };
}

/** A dossier by its numéro interne, whatever its CFA. */
export async function findAnyDossier(db: Knex, numeroInterne: string): Promise<DossierRow | undefined> {
  return (await db('dossiers').where({ numero_interne: numeroInterne }).first()) as DossierRow | undefined;
}

export interface FactureSearch {
  page: number;
  size: number;
  etat?: string | undefined;
  siren?: string | undefined;
}

export async function searchFactures(db: Knex, q: FactureSearch): Promise<Page<FactureRow>> {
  const base = db('factures');
  if (q.etat) base.where({ etat: q.etat });
  if (q.siren) base.where({ cfa_siren: q.siren });
  const [count, rows] = await Promise.all([
    base.clone().count<{ n: string }[]>({ n: '*' }),
    base.clone().orderBy('id', 'desc').offset((q.page - 1) * q.size).limit(q.size),
  ]);
  return { total: Number(count[0]?.n ?? 0), items: rows as FactureRow[] };
}
