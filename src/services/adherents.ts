/**
 * The OPCO's register of member companies (adhérents): the back office imports it from CSV (route
 * and CLI share `importAdherents`), CFAs look companies up to prefill a proposal's employer, and
 * the proposals check that their employer is a member (`findAdherent`).
 * Choices: docs/decisions/presaisie.md, "Adherents".
 */
import type { Knex } from 'knex';
import { recordWrite } from '../db/audit.js';
import { findAdherentBySiret, searchAdherents, upsertAdherents } from '../db/adherents.js';
import { readAdherentsCsv, searchKey, type Adherent, type AdherentCsvError } from '../domain/adherents.js';
import { isSiret } from '../domain/formats.js';
import { refuse } from '../domain/refusal.js';
import type { Violation } from '../domain/violation.js';
import type { Actor } from './actor.js';

export type { Adherent };

/** An import's answer: rows read, of which new and replaced. */
export interface AdherentsImport {
  importes: number;
  crees: number;
  misAJour: number;
}

/** Beyond this many, the errors of a file are summed up in one last item (the answer stays readable). */
export const MAX_LISTED_ERRORS = 500;

/** A bad row → the norm's error item: `champ` `/lignes/<line>/<column>`, line 1 being the header. */
function violationOf(e: AdherentCsvError): Violation {
  return {
    code: 'LIGNE_ADHERENT_INVALIDE',
    description: `Ligne ${e.ligne}${e.colonne ? `, colonne ${e.colonne}` : ''} : ${e.message}`,
    champ: `/lignes/${e.ligne}${e.colonne ? `/${e.colonne}` : ''}`,
    section: 'requete',
  };
}

/** Every problem of the file as the norm's error items (at most MAX_LISTED_ERRORS, then a count of the rest). */
export function adherentsCsvViolations(errors: readonly AdherentCsvError[]): Violation[] {
  const listed = errors.slice(0, MAX_LISTED_ERRORS).map(violationOf);
  if (errors.length > MAX_LISTED_ERRORS) {
    const lines = new Set(errors.slice(MAX_LISTED_ERRORS).map((e) => e.ligne)).size;
    listed.push({
      code: 'LIGNES_ADHERENTS_NON_LISTEES',
      description: `${errors.length - MAX_LISTED_ERRORS} autre(s) erreur(s) sur ${lines} ligne(s), non détaillées : corrigez les premières puis réimportez.`,
      champ: '/lignes',
      section: 'requete',
    });
  }
  return listed;
}

/**
 * Imports the register file, all or nothing: one bad row refuses the whole file (400, every bad
 * row by its line, nothing written); otherwise every row is inserted or replaced by its SIRET in
 * one transaction, audited. Members absent from the file are kept.
 */
export async function importAdherents(db: Knex, actor: Pick<Actor, 'author'>, csv: string): Promise<AdherentsImport> {
  const { rows, errors } = readAdherentsCsv(csv);
  if (errors.length) throw refuse.invalid(adherentsCsvViolations(errors), { title: 'Fichier des adhérents refusé' });
  return db.transaction(async (trx) => {
    const { crees, misAJour } = await upsertAdherents(trx, rows);
    await recordWrite(trx, actor.author, 'ADHERENTS_IMPORTES', { type: 'ADHERENTS', id: String(rows.length) });
    return { importes: rows.length, crees, misAJour };
  });
}

/** Most members a lookup answers. */
export const LOOKUP_LIMIT = 20;

/**
 * The CFA's lookup: `q` is the start of a company name (case, accents and punctuation ignored), a
 * SIREN (9 digits) or a SIRET (14 digits; spaces ignored); members by name, at most LOOKUP_LIMIT,
 * and whether there were more.
 */
export async function lookupAdherents(db: Knex, q: string): Promise<{ adherents: Adherent[]; plusDeResultats: boolean }> {
  const digits = q.replace(/\s/g, '');
  const nameKey = searchKey(q);
  const found = await searchAdherents(db, {
    nameKey: nameKey === '' ? undefined : nameKey,
    siren: /^[0-9]{9}$/.test(digits) ? digits : undefined,
    siret: /^[0-9]{14}$/.test(digits) ? digits : undefined,
  }, LOOKUP_LIMIT + 1);
  return { adherents: found.slice(0, LOOKUP_LIMIT), plusDeResultats: found.length > LOOKUP_LIMIT };
}

/** The member establishment of this SIRET, or undefined when it is not (or not a SIRET). */
export async function findAdherent(db: Knex, siret: string): Promise<Adherent | undefined> {
  const compact = siret.replace(/\s/g, '');
  return isSiret(compact) ? findAdherentBySiret(db, compact) : undefined;
}
