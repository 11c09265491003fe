/**
 * Documents (norme §5.5): a CFA attaches a file to its dossiers and invoices and lists what it
 * attached; the back office lists and downloads them. One file is one document per object: sending
 * the same file again for the same objects is a retry and answers the document already stored.
 */
import type { Knex } from 'knex';
import { recordWrite } from '../db/audit.js';
import {
  DocumentDejaDepose, documentsOn, findDocument as findDocumentRow, findFileOnAll, findSameFile, insertDocument, resolveObjets,
  type DocumentMeta, type NewDocument, type ObjetRef, type TypeFichier, type TypeObjet,
} from '../db/documents.js';
import { recordPropositionDocument } from '../db/propositions.js';
import { refuse } from '../domain/refusal.js';
import type { CfaActor } from './actor.js';

/** A checked file, ready to store: type read from the content, size, SHA-256, the client's name. */
export type StoredFile = Pick<NewDocument, 'nomFichier' | 'contenu' | 'typeMime' | 'taille' | 'sha256'>;

declare const OWN: unique symbol;
/** Objects checked to be the CFA's, by the ids the links use: only `ownObjects` makes them. */
export type OwnObjects = readonly ObjetRef[] & { readonly [OWN]: true };

/**
 * The CFA's objects, each once, a dossier named by its numeroInterne or its numeroExterne; a
 * refusal (404 OBJET_INTROUVABLE) naming those that are unknown or another CFA's.
 */
export async function ownObjects(db: Knex, cfa: Pick<CfaActor, 'siren'>, objets: readonly ObjetRef[]): Promise<OwnObjects> {
  const found = await resolveObjets(db, cfa.siren, [...objets]);
  const missing = objets.filter((o) => !found.has(`${o.typeObjet}:${o.idObjet}`));
  if (missing.length) {
    const list = [...new Set(missing.map((o) => `${o.typeObjet} ${o.idObjet}`))].join(', ');
    throw refuse.notFound('OBJET_INTROUVABLE', `Objet(s) inconnu(s) pour ce CFA : ${list}.`);
  }
  // The same object listed twice (or by both of its numbers) is one link.
  const links = new Map<string, ObjetRef>();
  for (const o of objets) {
    const idObjet = found.get(`${o.typeObjet}:${o.idObjet}`) ?? o.idObjet;
    links.set(`${o.typeObjet}:${idObjet}`, { typeObjet: o.typeObjet, idObjet });
  }
  return [...links.values()] as unknown as OwnObjects;
}

export interface DocumentDeposit {
  /** `replayed`: this file was already attached to these objects; the stored document is returned. */
  outcome: 'created' | 'replayed';
  document: DocumentMeta;
}

/**
 * Stores the file as a document of the CFA linked to `objets`, audited. The same file already on
 * every one of them is a retry (the existing document, nothing written); already on some of them
 * only, a refusal (409 DOCUMENT_DEJA_DEPOSE naming the existing document).
 */
export async function depositDocument(
  db: Knex,
  cfa: CfaActor,
  deposit: { typeFichier: TypeFichier; objets: OwnObjects; fichier: StoredFile },
): Promise<DocumentDeposit> {
  const objets = [...deposit.objets];
  const { sha256 } = deposit.fichier;
  const replayed = async (): Promise<DocumentDeposit | undefined> => {
    const existing = await findFileOnAll(db, cfa.siren, objets, sha256);
    return existing && { outcome: 'replayed', document: existing };
  };
  const earlier = await replayed();
  if (earlier) return earlier;
  try {
    const document = await db.transaction(async (trx) => {
      const created = await insertDocument(trx, { ...deposit.fichier, cfaSiren: cfa.siren, typeFichier: deposit.typeFichier, editeur: cfa.editor.editeur, objets });
      await recordWrite(trx, cfa.author, 'DOCUMENT_DEPOSE', { type: 'DOCUMENT', id: created.numero_interne });
      const propositions = objets.filter((o) => o.typeObjet === 'PROPOSITION').map((o) => o.idObjet);
      await recordPropositionDocument(trx, cfa.siren, propositions, { acteur: cfa.acteur, commentaire: `Document ${created.numero_interne} (${deposit.typeFichier})` }, new Date(created.depose_le));
      return created;
    });
    return { outcome: 'created', document };
  } catch (err) {
    if (!(err instanceof DocumentDejaDepose)) throw err;
    // A concurrent deposit of the same file won: the same objects make this a retry.
    const concurrent = await replayed();
    if (concurrent) return concurrent;
    const existing = err.numeroInterne || (await findSameFile(db, objets, sha256))?.numero_interne || '';
    throw refuse.conflict(
      'DOCUMENT_DEJA_DEPOSE',
      `Ce fichier (même empreinte SHA-256) est déjà rattaché à cet objet : document ${existing}.`,
      { extensions: { numeroInterneDocument: existing } },
    );
  }
}

export interface DocumentsFilter {
  idObjet: string;
  typeObjet?: TypeObjet | undefined;
}

/** The CFA's documents linked to an object, in deposit order. */
export function cfaDocuments(db: Knex, cfa: Pick<CfaActor, 'siren'>, filter: DocumentsFilter): Promise<DocumentMeta[]> {
  return documentsOn(db, filter.idObjet, { siren: cfa.siren, typeObjet: filter.typeObjet });
}

/** Back office: every CFA's documents linked to an object. */
export function allDocuments(db: Knex, filter: DocumentsFilter): Promise<DocumentMeta[]> {
  return documentsOn(db, filter.idObjet, { typeObjet: filter.typeObjet });
}

/** A document and its bytes (back office), or a 404-like refusal. */
export async function findDocument(db: Knex, numeroInterne: string): Promise<{ meta: DocumentMeta; contenu: Buffer }> {
  const found = /^\d{1,20}$/.test(numeroInterne) ? await findDocumentRow(db, numeroInterne) : undefined;
  if (!found) throw refuse.notFound('DOCUMENT_INTROUVABLE', `Aucun document ${numeroInterne}.`);
  return found;
}
