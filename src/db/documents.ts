/**
 * Documents (norme §5.5): files kept in PostgreSQL (bytea) so that every instance serves them,
 * linked to one or more objects (dossiers, invoices). The same file (same SHA-256) cannot be
 * linked twice to one object: the unique index of documents_objets refuses it, also between two
 * concurrent uploads.
 */
import type { Knex } from 'knex';
import { insertWithNewNumero } from './numeros.js';

export const TYPES_FICHIER = [
  'CONVENTION_FORMATION', 'CONVENTION_REDUCTION_DUREE', 'CONVENTION_MOBILITE', 'FACTURE', 'CERTIFICAT_REALISATION', 'CONTRAT', 'AUTRE',
] as const;
export type TypeFichier = (typeof TYPES_FICHIER)[number];

export const TYPES_OBJET = ['DOSSIER_APPRENTISSAGE', 'FACTURE', 'PROPOSITION'] as const;
export type TypeObjet = (typeof TYPES_OBJET)[number];

export interface ObjetRef {
  typeObjet: TypeObjet;
  idObjet: string;
}

export interface NewDocument {
  cfaSiren: string;
  typeFichier: TypeFichier;
  typeMime: string;
  nomFichier: string | undefined;
  contenu: Buffer;
  taille: number;
  sha256: string;
  editeur: string | null;
  objets: ObjetRef[];
}

export interface DocumentMeta {
  id: string;
  numero_interne: string;
  cfa_siren: string;
  type_fichier: string;
  type_mime: string;
  nom_fichier: string | null;
  taille: number;
  sha256: string;
  editeur: string | null;
  depose_le: Date;
  objets: ObjetRef[];
}

const META_COLUMNS = ['id', 'numero_interne', 'cfa_siren', 'type_fichier', 'type_mime', 'nom_fichier', 'taille', 'sha256', 'editeur', 'depose_le'];

/** Thrown inside a transaction to roll it back: the file is already linked to one of the objects. */
export class DocumentDejaDepose extends Error {
  constructor(readonly numeroInterne: string) {
    super(`document déjà déposé : ${numeroInterne}`);
  }
}

/** The document already holding this file on one of `objets`, if any. */
export async function findSameFile(db: Knex, objets: ObjetRef[], sha256: string): Promise<{ id: string; numero_interne: string } | undefined> {
  if (objets.length === 0) return undefined;
  return (await db('documents_objets as o')
    .join('documents as d', 'd.id', 'o.document_id')
    .where('o.sha256', sha256)
    .where((w) => {
      for (const o of objets) w.orWhere({ 'o.type_objet': o.typeObjet, 'o.id_objet': o.idObjet });
    })
    .orderBy('d.id')
    .first('d.id', 'd.numero_interne')) as { id: string; numero_interne: string } | undefined;
}

/**
 * Inserts the document and its links within `trx`. Throws DocumentDejaDepose when one of the objects
 * already holds the same file (the caller's transaction is then rolled back).
 */
export async function insertDocument(trx: Knex.Transaction, input: NewDocument): Promise<DocumentMeta> {
  const row = await insertWithNewNumero('document', async (numero): Promise<DocumentMeta | undefined> => {
    const rows = (await trx('documents')
      .insert({
        numero_interne: numero,
        cfa_siren: input.cfaSiren,
        type_fichier: input.typeFichier,
        type_mime: input.typeMime,
        nom_fichier: input.nomFichier ?? null,
        taille: input.taille,
        sha256: input.sha256,
        contenu: input.contenu,
        editeur: input.editeur,
      })
      .onConflict('numero_interne')
      .ignore()
      .returning(META_COLUMNS)) as Array<Omit<DocumentMeta, 'objets'>>;
    return rows[0] ? { ...rows[0], objets: input.objets } : undefined;
  });
  const links = (await trx('documents_objets')
    .insert(input.objets.map((o) => ({ document_id: row.id, type_objet: o.typeObjet, id_objet: o.idObjet, sha256: input.sha256 })))
    .onConflict()
    .ignore()
    .returning('id_objet')) as Array<{ id_objet: string }>;
  if (links.length < input.objets.length) {
    // Read the holder before the rollback; under concurrency it may be committed only afterwards.
    const existing = await findSameFile(trx, input.objets, input.sha256);
    throw new DocumentDejaDepose(existing && existing.id !== row.id ? existing.numero_interne : '');
  }
  return row;
}

/** The CFA's document already holding this file on EVERY one of `objets` (a retry of its deposit), if any. */
export async function findFileOnAll(db: Knex, cfaSiren: string, objets: ObjetRef[], sha256: string): Promise<DocumentMeta | undefined> {
  if (objets.length === 0) return undefined;
  const holders = db('documents_objets as o')
    .where('o.sha256', sha256)
    .where((w) => {
      for (const o of objets) w.orWhere({ 'o.type_objet': o.typeObjet, 'o.id_objet': o.idObjet });
    })
    .groupBy('o.document_id')
    .havingRaw('count(*) = ?', [objets.length])
    .select('o.document_id');
  const row = (await db('documents').whereIn('id', holders).where({ cfa_siren: cfaSiren }).orderBy('id').first(META_COLUMNS)) as
    | Omit<DocumentMeta, 'objets'>
    | undefined;
  return row ? (await withObjets(db, [row]))[0] : undefined;
}

// ------------------------------------------------------------------------------------ objects

const facturesTable = new WeakMap<Knex, Promise<boolean>>();

/** Whether the invoices table exists in this database (checked once per database). */
function hasFactures(db: Knex): Promise<boolean> {
  let known = facturesTable.get(db);
  if (!known) {
    known = db.schema.hasTable('factures');
    facturesTable.set(db, known);
  }
  return known;
}

/**
 * The CFA's objects among `objets`, by `typeObjet:idObjet` as sent → the id the links use (a
 * proposal of contract, PROPOSITION, by its number: the CFA's own only). A dossier
 * is found by its numeroInterne or its numeroExterne (the number the CFA reads on the OPCO's
 * letters); links always hold the numeroInterne. Objects absent from the map are unknown or another
 * CFA's (the two cases are indistinguishable). Invoices are unknown while the factures table does
 * not exist.
 */
export async function resolveObjets(db: Knex, siren: string, objets: ObjetRef[]): Promise<Map<string, string>> {
  const ids = (type: TypeObjet): string[] => objets.filter((o) => o.typeObjet === type).map((o) => o.idObjet);
  const found = new Map<string, string>();
  const dossiers = ids('DOSSIER_APPRENTISSAGE');
  if (dossiers.length) {
    const rows = (await db('dossiers').where({ cfa_siren: siren })
      .where((w) => w.whereIn('numero_interne', dossiers).orWhereIn('numero_externe', dossiers))
      .select('numero_interne', 'numero_externe')) as Array<{ numero_interne: string; numero_externe: string }>;
    for (const r of rows) {
      found.set(`DOSSIER_APPRENTISSAGE:${r.numero_interne}`, r.numero_interne);
      found.set(`DOSSIER_APPRENTISSAGE:${r.numero_externe}`, r.numero_interne);
    }
  }
  const propositions = ids('PROPOSITION').filter((n) => /^[0-9]{1,20}$/.test(n));
  if (propositions.length) {
    const rows = (await db('propositions').where({ cfa_siren: siren }).whereIn('numero', propositions).select('numero')) as Array<{ numero: string }>;
    for (const r of rows) found.set(`PROPOSITION:${r.numero}`, r.numero);
  }
  const factures = ids('FACTURE');
  if (factures.length && (await hasFactures(db))) {
    const rows = (await db('factures').where({ cfa_siren: siren }).whereIn('numero_interne', factures).select('numero_interne')) as Array<{ numero_interne: string }>;
    for (const r of rows) found.set(`FACTURE:${r.numero_interne}`, r.numero_interne);
  }
  return found;
}

// -------------------------------------------------------------------------------------- reads

async function withObjets(db: Knex, rows: Array<Omit<DocumentMeta, 'objets'>>): Promise<DocumentMeta[]> {
  if (rows.length === 0) return [];
  const links = (await db('documents_objets').whereIn('document_id', rows.map((r) => r.id)).orderBy(['type_objet', 'id_objet'])
    .select('document_id', 'type_objet', 'id_objet')) as Array<{ document_id: string; type_objet: TypeObjet; id_objet: string }>;
  return rows.map((r) => ({
    ...r,
    objets: links.filter((l) => String(l.document_id) === String(r.id)).map((l) => ({ typeObjet: l.type_objet, idObjet: l.id_objet })),
  }));
}

/** Documents linked to object `idObjet` (any type unless given), in deposit order; one CFA's when `siren` is given. */
export async function documentsOn(db: Knex, idObjet: string, options: { siren?: string; typeObjet?: TypeObjet } = {}): Promise<DocumentMeta[]> {
  // `type_objet in (…)` lets the (type_objet, id_objet, sha256) index serve a lookup by id alone.
  const linked = db('documents_objets').whereIn('type_objet', options.typeObjet ? [options.typeObjet] : [...TYPES_OBJET]).where({ id_objet: idObjet }).select('document_id');
  const q = db('documents').whereIn('id', linked);
  if (options.siren) q.where({ cfa_siren: options.siren });
  return withObjets(db, (await q.orderBy('id').select(META_COLUMNS)) as Array<Omit<DocumentMeta, 'objets'>>);
}

export async function findDocument(db: Knex, numeroInterne: string): Promise<{ meta: DocumentMeta; contenu: Buffer } | undefined> {
  const row = (await db('documents').where({ numero_interne: numeroInterne }).first([...META_COLUMNS, 'contenu'])) as
    | (Omit<DocumentMeta, 'objets'> & { contenu: Uint8Array })
    | undefined;
  if (!row) return undefined;
  const { contenu, ...meta } = row;
  const [withLinks] = await withObjets(db, [meta]);
  // PGlite returns a Uint8Array, node-postgres a Buffer: view both as a Buffer without copying.
  return { meta: withLinks!, contenu: Buffer.from(contenu.buffer, contenu.byteOffset, contenu.byteLength) };
}

/**
 * The documents of a proposal follow it into its dossier: every link PROPOSITION:<numero> gets a
 * twin DOSSIER_APPRENTISSAGE:<numeroInterne> (the proposal keeps its own links).
 */
export async function linkPropositionDocuments(trx: Knex.Transaction, numeroProposition: string, numeroInterneDossier: string): Promise<void> {
  await trx.raw(
    `insert into documents_objets (document_id, type_objet, id_objet, sha256)
     select document_id, 'DOSSIER_APPRENTISSAGE', ?, sha256 from documents_objets where type_objet = 'PROPOSITION' and id_objet = ?
     on conflict do nothing`,
    [numeroInterneDossier, numeroProposition],
  );
}

/** How many documents of this type are linked to the proposal. */
export async function countPropositionDocuments(db: Knex, numeroProposition: string, typeFichier: TypeFichier): Promise<number> {
  const row = (await db('documents_objets as o').join('documents as d', 'd.id', 'o.document_id')
    .where({ 'o.type_objet': 'PROPOSITION', 'o.id_objet': numeroProposition, 'd.type_fichier': typeFichier })
    .count<Array<{ n: string | number }>>({ n: '*' }))[0];
  return Number(row?.n ?? 0);
}
