/**
 * Draft facturations: the queries behind the three steps (src/services/facturations.ts) and the
 * draft's view. A save locks the draft row FOR UPDATE first, so two saves of one draft (or a save
 * and its deposit) run one after the other; the partial unique index `facturations_lignes_actives`
 * keeps an échéance × nature in one active draft, even between concurrent saves.
 */
import type { Knex } from 'knex';
import type { EtatFacturation, LigneBrouillon, LigneReservee, NatureFacturation, NatureLigne } from '../domain/invoicing/index.js';
import { insertWithNewNumero } from './numeros.js';

export interface FacturationRow {
  id: string;
  numero_interne: string;
  cfa_siren: string;
  etat: EtatFacturation;
  etape: number;
  nature: NatureFacturation;
  nombre_dossiers: number;
  montant_total_centimes: string;
  facture_id: string | null;
  creee_le: Date;
  mise_a_jour_le: Date;
  deposee_le: Date | null;
}

/** A dossier of a draft, with its apprentice's names (read from the CERFA as stored). */
export interface DossierDeFacturation {
  id: string;
  numero_interne: string;
  numero_externe: string;
  nom: string | null;
  prenom: string | null;
}

/** A line of a draft, with its dossier's numbers and its échéance's codification. */
export interface LigneDeFacturationRow {
  rang: number;
  dossier_id: string;
  numero_interne: string;
  numero_externe: string;
  numero_echeance: number;
  codification: string;
  nature: NatureLigne;
  quantite: number;
  montant_centimes: string;
}

export async function insertFacturation(trx: Knex.Transaction, siren: string, nature: NatureFacturation): Promise<FacturationRow> {
  return insertWithNewNumero('facturation', async (numero) => {
    const [created] = (await trx('facturations')
      .insert({ numero_interne: numero, cfa_siren: siren, etat: 'EN_COURS', etape: 1, nature })
      .onConflict('numero_interne')
      .ignore()
      .returning('*')) as FacturationRow[];
    return created;
  });
}

/** The CFA's draft (another CFA's is not found). */
export async function findFacturation(db: Knex, siren: string, numeroInterne: string): Promise<FacturationRow | undefined> {
  return (await db('facturations').where({ cfa_siren: siren, numero_interne: numeroInterne }).first()) as FacturationRow | undefined;
}

/** The CFA's draft, locked until the end of the transaction. */
export async function lockFacturation(trx: Knex.Transaction, siren: string, numeroInterne: string): Promise<FacturationRow | undefined> {
  return (await trx('facturations').where({ cfa_siren: siren, numero_interne: numeroInterne }).forUpdate().first()) as FacturationRow | undefined;
}

export async function dossiersOfFacturation(db: Knex, facturationId: string): Promise<DossierDeFacturation[]> {
  return (await db('facturations_dossiers as fd').join('dossiers as d', 'd.id', 'fd.dossier_id').where('fd.facturation_id', facturationId).orderBy('fd.rang')
    .select('d.id', 'd.numero_interne', 'd.numero_externe', db.raw("d.cerfa #>> '{apprenti,nom}' as nom"), db.raw("d.cerfa #>> '{apprenti,prenom}' as prenom"))) as DossierDeFacturation[];
}

export async function lignesOfFacturation(db: Knex, facturationId: string): Promise<LigneDeFacturationRow[]> {
  return (await db('facturations_lignes as l')
    .join('dossiers as d', 'd.id', 'l.dossier_id')
    .join('echeances as e', (j) => { j.on('e.dossier_id', 'l.dossier_id').andOn('e.numero', 'l.numero_echeance'); })
    .where('l.facturation_id', facturationId)
    .orderBy('l.rang')
    .select('l.rang', 'l.dossier_id', 'd.numero_interne', 'd.numero_externe', 'l.numero_echeance', 'e.codification', 'l.nature', 'l.quantite', 'l.montant_centimes')) as LigneDeFacturationRow[];
}

/** The draft's dossiers become `dossierIds`, in that order; the lines of the dossiers left out go with them. */
export async function setDossiers(trx: Knex.Transaction, facturationId: string, dossierIds: readonly string[]): Promise<void> {
  await trx('facturations_lignes').where({ facturation_id: facturationId }).whereNotIn('dossier_id', dossierIds).delete();
  await trx('facturations_dossiers').where({ facturation_id: facturationId }).delete();
  if (dossierIds.length) await trx('facturations_dossiers').insert(dossierIds.map((dossierId, rang) => ({ facturation_id: facturationId, dossier_id: dossierId, rang })));
}

export async function deleteLignes(trx: Knex.Transaction, facturationId: string): Promise<void> {
  await trx('facturations_lignes').where({ facturation_id: facturationId }).delete();
}

/** Replaces the draft's lines (active: the draft is EN_COURS). */
export async function replaceLignes(trx: Knex.Transaction, facturationId: string, lignes: readonly LigneBrouillon[]): Promise<void> {
  await deleteLignes(trx, facturationId);
  if (lignes.length === 0) return;
  await trx('facturations_lignes').insert(lignes.map((l, rang) => ({
    facturation_id: facturationId, rang, dossier_id: l.dossierId, numero_echeance: l.numeroEcheance, nature: l.nature, quantite: l.quantite, montant_centimes: l.montantCents,
  })));
}

/** Lines of the other active drafts on these dossiers: what they hold. */
export async function lignesReservees(db: Knex, dossierIds: readonly string[], exceptFacturationId?: string): Promise<LigneReservee[]> {
  if (dossierIds.length === 0) return [];
  const q = db('facturations_lignes as l').join('facturations as f', 'f.id', 'l.facturation_id').where('l.active', true).whereIn('l.dossier_id', dossierIds)
    .select('f.numero_interne', 'l.dossier_id', 'l.numero_echeance', 'l.nature', 'l.quantite', 'l.montant_centimes');
  if (exceptFacturationId !== undefined) q.whereNot('l.facturation_id', exceptFacturationId);
  const rows = (await q) as Array<{ numero_interne: string; dossier_id: string; numero_echeance: number; nature: NatureLigne; quantite: number; montant_centimes: string }>;
  return rows.map((r) => ({
    numeroFacturation: r.numero_interne, dossierId: String(r.dossier_id), numeroEcheance: r.numero_echeance, nature: r.nature, quantite: r.quantite, montantCents: Number(r.montant_centimes),
  }));
}

/** Saves a step: its changes, the step reached, and the counts the lists show (dossiers, Σ lines). */
export async function saveFacturation(trx: Knex.Transaction, id: string, changes: { etape?: number; nature?: NatureFacturation; etat?: EtatFacturation }): Promise<FacturationRow> {
  const [row] = (await trx('facturations').where({ id }).update({
    ...changes,
    nombre_dossiers: trx('facturations_dossiers').where({ facturation_id: id }).count('*'),
    montant_total_centimes: trx('facturations_lignes').where({ facturation_id: id }).select(trx.raw('coalesce(sum(montant_centimes), 0)')),
    mise_a_jour_le: trx.fn.now(),
  }).returning('*')) as FacturationRow[];
  if (!row) throw new Error('facturation vanished');
  return row;
}

/** Closes a draft (DEPOSEE with its invoice, or ABANDONNEE): its lines stop holding their échéances. */
export async function closeFacturation(trx: Knex.Transaction, id: string, fin: { etat: 'ABANDONNEE' } | { etat: 'DEPOSEE'; factureId: string }): Promise<FacturationRow> {
  await trx('facturations_lignes').where({ facturation_id: id }).update({ active: false });
  const [row] = (await trx('facturations').where({ id }).update(fin.etat === 'DEPOSEE'
    ? { etat: 'DEPOSEE', etape: 3, facture_id: fin.factureId, deposee_le: trx.fn.now(), mise_a_jour_le: trx.fn.now() }
    : { etat: 'ABANDONNEE', mise_a_jour_le: trx.fn.now() }).returning('*')) as FacturationRow[];
  if (!row) throw new Error('facturation vanished');
  return row;
}

/**
 * Abandons the drafts not saved since `before` and frees their échéances; returns how many. Drafts
 * a save holds (FOR UPDATE) are skipped: being saved, they are not idle, and another instance's run
 * does not wait on them either.
 */
export async function abandonIdleFacturations(db: Knex, before: Date): Promise<number> {
  return db.transaction(async (trx) => {
    const idle = (await trx('facturations').where({ etat: 'EN_COURS' }).where('mise_a_jour_le', '<', before)
      .forUpdate().skipLocked().select('id')) as Array<{ id: string }>;
    for (const { id } of idle) await closeFacturation(trx, id, { etat: 'ABANDONNEE' });
    return idle.length;
  });
}

/** numeroInterneFacture of a deposited draft. */
export async function numeroOfFacture(db: Knex, factureId: string): Promise<string | undefined> {
  const row = (await db('factures').where({ id: factureId }).first('numero_interne')) as { numero_interne: string } | undefined;
  return row?.numero_interne;
}
