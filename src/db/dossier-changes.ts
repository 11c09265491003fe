/**
 * The queries behind a change of a dossier (the use cases are in src/services/back-office-dossiers.ts,
 * which own the transaction): lock the row, record the change (bumping the change number so the
 * CFA's incremental feed shows it, and the history saying who and why), keep the CERFA a correction
 * replaces, read the costs and NPEC the engagement is computed from, keep the engagement's details.
 */
import type { Knex } from 'knex';
import { normalizeCerfa } from '../domain/cerfa/normalize.js';
import { resolveNpec, niveauDiplome, type EngagementInput, type NpecResolution } from '../domain/financing/index.js';
import type { CoutsConvention } from '../domain/financing/input.js';
import { currentTransaction } from './feed.js';
import type { DossierRow } from './dossiers.js';
import { npecRowsFor } from './financing.js';

export interface Actor {
  acteur: string;
}

/** The dossier, locked until the end of the transaction. */
export async function lockDossier(trx: Knex.Transaction, numeroInterne: string): Promise<DossierRow | undefined> {
  return (await trx('dossiers').where({ numero_interne: numeroInterne }).forUpdate().first()) as DossierRow | undefined;
}

export interface DossierHistoryEntry {
  evenement: string;
  etat: string;
  acteur: string;
  commentaire: string | null;
}

/** Updates the dossier (next change number of the CFA's feed) and appends its history. */
export async function recordDossierChange(trx: Knex.Transaction, d: DossierRow, changes: Partial<Record<string, unknown>>, history: DossierHistoryEntry): Promise<DossierRow> {
  const [updated] = (await trx('dossiers')
    .where({ id: d.id })
    .update({ ...changes, xid_modif: currentTransaction(trx), mis_a_jour_le: trx.fn.now() })
    .returning('*')) as DossierRow[];
  await trx('dossiers_historique').insert({ dossier_id: d.id, ...history });
  if (!updated) throw new Error('dossier vanished');
  return updated;
}

/** Keeps the CERFA a correction is about to replace, with who replaced it. */
export async function keepCerfaVersion(trx: Knex.Transaction, d: Pick<DossierRow, 'id' | 'cerfa'>, acteur: string): Promise<void> {
  await trx('dossiers_versions').insert({ dossier_id: d.id, cerfa: JSON.stringify(d.cerfa), acteur });
}

/** The latest convention's costs for a dossier, if the CFA sent one. */
export async function latestCouts(db: Knex, dossierId: string): Promise<CoutsConvention | undefined> {
  const row = (await db('conventions').where({ dossier_id: dossierId }).orderBy('id', 'desc').first('contenu')) as { contenu: { couts?: CoutsConvention } } | undefined;
  return row?.contenu.couts;
}

/** The NPEC that applies to the dossier's contract (référentiel, IDCC, date of conclusion). */
export async function npecFor(db: Knex, d: DossierRow): Promise<NpecResolution> {
  const cerfa = normalizeCerfa(d.cerfa);
  return resolveNpec(await npecRowsFor(db, cerfa.formation.rncp), {
    rncp: cerfa.formation.rncp,
    idcc: cerfa.employeur.codeIdcc,
    dateConclusion: cerfa.contrat.dateConclusion,
    niveauDiplome: niveauDiplome(cerfa.formation.typeDiplome),
  });
}

/** Keeps what the engagement was computed from (NPEC, engine input, explanations). */
export async function saveEngagementDetails(trx: Knex.Transaction, dossierId: string, details: Record<string, unknown>): Promise<void> {
  await trx('engagements').where({ dossier_id: dossierId }).update({ details: JSON.stringify(details) });
}

/** The engine input the dossier's engagement was computed from (none before ENGAGE). */
export async function engagementInputOf(trx: Knex.Transaction, dossierId: string): Promise<EngagementInput | undefined> {
  const engagement = (await trx('engagements').where({ dossier_id: dossierId }).first('details')) as { details: { input: EngagementInput } } | undefined;
  return engagement?.details.input;
}
