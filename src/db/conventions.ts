/**
 * Conventions de formation (norme §5.2): the JSON (its `couts` feed the financing engine, see
 * `latestCouts`) and the signed file, stored as a CONVENTION_FORMATION document of the dossier, in
 * one transaction. A dossier may receive several conventions; the latest one applies.
 */
import type { Knex } from 'knex';
import { insertWithNewNumero } from './numeros.js';
import { canonicalHash } from '../domain/canonical-json.js';
import { findSameFile, insertDocument, type NewDocument } from './documents.js';
import { type DossierRow } from './dossiers.js';

export interface NewConvention {
  dossier: DossierRow;
  cfaSiren: string;
  contenu: Record<string, unknown>;
  /** The signed convention; its objects are set here (the dossier). */
  fichier: Omit<NewDocument, 'cfaSiren' | 'typeFichier' | 'objets'>;
}

export interface ConventionOutcome {
  numeroInterneConvention: string;
  numeroInterneDocument: string;
  /** True when the same convention (same JSON, same file) was already stored: nothing was written. */
  rejouee: boolean;
}

/**
 * Stores a convention within `trx`. The same file already deposited on the dossier is reused (one
 * document per file and object); with the same JSON as the convention that holds it, the call is a
 * replay and answers the existing numbers, writing nothing. Throws DocumentDejaDepose when a
 * concurrent upload of the same file won the link (the caller retries: it then finds and reuses it).
 */
export async function storeConvention(trx: Knex.Transaction, input: NewConvention): Promise<ConventionOutcome> {
  const objets = [{ typeObjet: 'DOSSIER_APPRENTISSAGE' as const, idObjet: input.dossier.numero_interne }];
  const empreinte = canonicalHash(input.contenu);
  const existing = await findSameFile(trx, objets, input.fichier.sha256);
  let document: { id: string; numero_interne: string };
  if (existing) {
    const previous = (await trx('conventions').where({ dossier_id: input.dossier.id, document_id: existing.id }).orderBy('id', 'desc')
      .first('numero_interne', 'contenu')) as { numero_interne: string; contenu: unknown } | undefined;
    if (previous && canonicalHash(previous.contenu) === empreinte) {
      return { numeroInterneConvention: previous.numero_interne, numeroInterneDocument: existing.numero_interne, rejouee: true };
    }
    document = existing;
  } else {
    document = await insertDocument(trx, { ...input.fichier, cfaSiren: input.cfaSiren, typeFichier: 'CONVENTION_FORMATION', objets });
  }
  const numeroInterneConvention = await insertConvention(trx, input, document.id);
  return { numeroInterneConvention, numeroInterneDocument: document.numero_interne, rejouee: false };
}

function insertConvention(trx: Knex.Transaction, input: NewConvention, documentId: string): Promise<string> {
  return insertWithNewNumero('convention', async (numero) => {
    const rows = (await trx('conventions')
      .insert({
        numero_interne: numero,
        dossier_id: input.dossier.id,
        cfa_siren: input.cfaSiren,
        contenu: JSON.stringify(input.contenu),
        document_id: documentId,
      })
      .onConflict('numero_interne')
      .ignore()
      .returning('numero_interne')) as Array<{ numero_interne: string }>;
    return rows[0]?.numero_interne;
  });
}
