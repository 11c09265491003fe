/**
 * Invoices: the queries behind a deposit (or correction) checked against the échéancier, the back
 * office's transitions, certificats de réalisation, and the reads behind the CFA's state feed (the
 * CFA's use cases are in src/services/factures.ts). Every write locks what it reads (dossiers FOR SHARE, échéances and frais-annexes envelopes
 * FOR UPDATE, in id order), so concurrent invoices on one échéance are checked one after the other
 * and amounts stay exact. Rules: docs/decisions/factures.md.
 */
import type { Knex } from 'knex';
import {
  mouvementsLiberation, NATURES_FRAIS,
  type DossierSuivi, type EcheanceSuivie, type FraisSuivi, type LigneEnCompte, type Mouvement, type NatureFraisLigne, type NatureLigne,
} from '../domain/invoicing/index.js';
import type { IsoDate } from '../domain/financing/index.js';
import { planFactureTransition, type EtatFacture } from '../domain/lifecycle/index.js';
import type { Violation } from '../domain/violation.js';
import { assignRanks, changesAfter, currentTransaction, highestRank, type Cursor } from './feed.js';
import { findSameFile, insertDocument, type NewDocument, type TypeFichier, type ObjetRef } from './documents.js';
import { insertWithNewNumero } from './numeros.js';

/** Invoices still being processed: they hold amounts "en cours d'instruction" and block a second invoice. */
export const ETATS_FACTURE_EN_ATTENTE: readonly EtatFacture[] = ['TRANSMIS', 'EN_ATTENTE_MISE_EN_CONFORMITE', 'VALIDEE', 'REGLE_PARTIELLEMENT'];

/** States the back office sets by a transition; REGLE* come from payments, TRANSMIS from the CFA's correction. */
export const TRANSITIONS_MANUELLES: readonly EtatFacture[] = ['EN_ATTENTE_MISE_EN_CONFORMITE', 'VALIDEE', 'REJETEE'];

export interface FactureRow {
  id: string;
  numero_interne: string;
  cfa_siren: string;
  numero: string;
  rang_cfa: string | null;
  xid_modif: string;
  etat: EtatFacture;
  commentaire: string | null;
  date_emission: string;
  montant_total_centimes: string;
  montant_regle_centimes: string;
  siret_emetteur: string;
  iban_emetteur: string;
  est_certificat_realisation: boolean;
  reference_virement: string | null;
  date_reglement: string | null;
  document_id: string | null;
  contenu: Record<string, unknown>;
  corrections: number;
  recue_le: Date;
  mis_a_jour_le: Date;
}

export interface LigneRow {
  id: string;
  facture_id: string;
  rang: number;
  dossier_id: string;
  numero_echeance: number;
  codification: string;
  nature: NatureLigne;
  quantite: number;
  montant_centimes: string;
  montant_regle_centimes: string;
}

/** Thrown inside a transaction to roll it back; carries every reason. */
export class Refus extends Error {
  constructor(readonly violations: Violation[]) {
    super(violations[0]?.description ?? 'refus');
    this.name = 'Refus';
  }
}

/** A PostgreSQL unique violation on a constraint whose name contains `fragment`. */
export function isUniqueViolation(err: unknown, fragment: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  if (e.code !== '23505') return false;
  const where = `${typeof e.constraint === 'string' ? e.constraint : ''} ${typeof e.message === 'string' ? e.message : ''}`;
  return where.includes(fragment);
}

export function asLignesEnCompte(rows: readonly LigneRow[]): LigneEnCompte[] {
  return rows.map((r) => ({
    dossierId: String(r.dossier_id),
    numeroEcheance: r.numero_echeance,
    nature: r.nature,
    montantCents: Number(r.montant_centimes),
    regleCents: Number(r.montant_regle_centimes),
  }));
}

export async function lignesOf(db: Knex, factureId: string): Promise<LigneRow[]> {
  return (await db('factures_lignes').where({ facture_id: factureId }).orderBy('rang')) as LigneRow[];
}

/** Applies échéance movements (deltas of montant_en_cours / montant_regle). */
export async function applyMouvements(trx: Knex.Transaction, mouvements: readonly Mouvement[]): Promise<void> {
  for (const m of mouvements) {
    await trx('echeances').where({ dossier_id: m.dossierId, numero: m.numeroEcheance }).update({
      montant_en_cours_centimes: trx.raw('montant_en_cours_centimes + ?', [m.enCoursCents]),
      montant_regle_centimes: trx.raw('montant_regle_centimes + ?', [m.regleCents]),
    });
  }
}

export async function recordFactureHistory(trx: Knex.Transaction, factureId: string, h: { evenement: string; etat: EtatFacture; acteur: string; commentaire: string | null }): Promise<void> {
  await trx('factures_historique').insert({ facture_id: factureId, ...h });
}

/** Records a change of an invoice: next change number of the CFA's feed, then the update. */
export async function updateFacture(trx: Knex.Transaction, f: FactureRow, changes: Record<string, unknown>): Promise<FactureRow> {
  const [updated] = (await trx('factures').where({ id: f.id }).update({ ...changes, xid_modif: currentTransaction(trx), mis_a_jour_le: trx.fn.now() }).returning('*')) as FactureRow[];
  if (!updated) throw new Error('facture vanished');
  return updated;
}

// ------------------------------------------------------------------------- échéancier snapshot

interface EcheanceDb {
  dossier_id: string;
  numero: number;
  codification: string;
  type: string;
  statut: string;
  date_ouverture: string;
  date_limite_facturation: string | null;
  exige_certificat: boolean;
  montant_total_centimes: string;
  dont_pedagogie_centimes: string;
  dont_rqth_centimes: string;
  montant_regle_centimes: string;
  montant_en_cours_centimes: string;
}

/**
 * The financing state of the CFA's dossiers named by `refs` (numeroInterne or numeroExterne),
 * read under locks: dossiers FOR SHARE (a concurrent rupture waits), échéances and frais envelopes
 * FOR UPDATE (a concurrent invoice or payment on them waits). Keys: numeroInterne and numeroExterne.
 */
export function suiviDossiers(trx: Knex.Transaction, siren: string, refs: readonly string[]): Promise<Map<string, DossierSuivi>> {
  return loadSuivi(trx, siren, refs, true);
}

/** The same snapshot for a read that decides nothing (a draft's view): no row is locked. */
export function peekSuiviDossiers(db: Knex, siren: string, refs: readonly string[]): Promise<Map<string, DossierSuivi>> {
  return loadSuivi(db, siren, refs, false);
}

async function loadSuivi(trx: Knex, siren: string, refs: readonly string[], lock: boolean): Promise<Map<string, DossierSuivi>> {
  const map = new Map<string, DossierSuivi>();
  const wanted = [...new Set(refs)];
  if (wanted.length === 0) return map;
  const dossiers = (await trx('dossiers')
    .where({ cfa_siren: siren })
    .where((w) => { w.whereIn('numero_interne', wanted).orWhereIn('numero_externe', wanted); })
    .orderBy('id')
    .modify((q) => { if (lock) void q.forShare(); })
    .select('id', 'numero_interne', 'numero_externe', 'etat')) as Array<{ id: string; numero_interne: string; numero_externe: string; etat: string }>;
  if (dossiers.length === 0) return map;
  const ids = dossiers.map((d) => d.id);
  const echeances = (await trx('echeances').whereIn('dossier_id', ids).orderBy('id').modify((q) => { if (lock) void q.forUpdate(); })) as EcheanceDb[];
  const frais = (await trx('engagements_frais_annexes').whereIn('dossier_id', ids).orderBy('id').modify((q) => { if (lock) void q.forUpdate(); })) as Array<{
    dossier_id: string; nature: string; quantite: number; prix_unitaire_centimes: string; montant_total_centimes: string;
  }>;
  const engagements = (await trx('engagements').whereIn('dossier_id', ids).select('dossier_id', 'details')) as Array<{
    dossier_id: string; details: { detailsFacturation?: { periodesFraisAnnexes?: Array<{ numeroEcheance: number; nature: string }> } };
  }>;
  const lignes = (await trx('factures_lignes as l')
    .join('factures as f', 'f.id', 'l.facture_id')
    .whereIn('l.dossier_id', ids)
    .whereNot('f.etat', 'REJETEE')
    .select('l.dossier_id', 'l.numero_echeance', 'l.nature', 'l.quantite', 'l.montant_centimes', 'f.etat', 'f.numero_interne')) as Array<{
    dossier_id: string; numero_echeance: number; nature: NatureLigne; quantite: number; montant_centimes: string; etat: EtatFacture; numero_interne: string;
  }>;
  const certificats = (await trx('certificats').whereIn('dossier_id', ids).distinct('dossier_id', 'numero_echeance')) as Array<{ dossier_id: string; numero_echeance: number }>;

  for (const d of dossiers) {
    const id = String(d.id);
    const sesLignes = lignes.filter((l) => String(l.dossier_id) === id);
    const periodes = engagements.find((e) => String(e.dossier_id) === id)?.details.detailsFacturation?.periodesFraisAnnexes ?? [];
    const suivies: EcheanceSuivie[] = echeances.filter((e) => String(e.dossier_id) === id).sort((a, b) => a.numero - b.numero).map((e) => {
      const surEcheance = sesLignes.filter((l) => l.numero_echeance === e.numero);
      const factureParNatureCents: Partial<Record<NatureLigne, number>> = {};
      const factureEnAttente: Partial<Record<NatureLigne, string>> = {};
      for (const l of surEcheance) {
        factureParNatureCents[l.nature] = (factureParNatureCents[l.nature] ?? 0) + Number(l.montant_centimes);
        if (ETATS_FACTURE_EN_ATTENTE.includes(l.etat)) factureEnAttente[l.nature] ??= l.numero_interne;
      }
      return {
        numero: e.numero,
        codification: e.codification,
        type: e.type,
        statut: e.statut,
        dateOuverture: e.date_ouverture,
        dateLimiteFacturation: e.date_limite_facturation,
        exigeCertificat: e.exige_certificat,
        montantTotalCents: Number(e.montant_total_centimes),
        dontPedagogieCents: Number(e.dont_pedagogie_centimes),
        dontRqthCents: Number(e.dont_rqth_centimes),
        montantRegleCents: Number(e.montant_regle_centimes),
        montantEnCoursCents: Number(e.montant_en_cours_centimes),
        factureParNatureCents,
        factureEnAttente,
        certificatRecu: certificats.some((c) => String(c.dossier_id) === id && c.numero_echeance === e.numero),
      };
    });
    const enveloppes: FraisSuivi[] = frais.filter((f) => String(f.dossier_id) === id && (NATURES_FRAIS as readonly string[]).includes(f.nature)).map((f) => {
      const nature = f.nature as NatureFraisLigne;
      const consommees = sesLignes.filter((l) => l.nature === nature);
      return {
        nature,
        quantite: f.quantite,
        prixUnitaireCents: Number(f.prix_unitaire_centimes),
        montantTotalCents: Number(f.montant_total_centimes),
        factureCents: consommees.reduce((s, l) => s + Number(l.montant_centimes), 0),
        quantiteFacturee: consommees.reduce((s, l) => s + l.quantite, 0),
        echeances: periodes.filter((p) => p.nature === nature).map((p) => p.numeroEcheance),
      };
    });
    const suivi: DossierSuivi = { id, numeroInterne: d.numero_interne, numeroExterne: d.numero_externe, etat: d.etat, echeances: suivies, frais: enveloppes };
    map.set(d.numero_interne, suivi);
    map.set(d.numero_externe, suivi);
  }
  return map;
}

// -------------------------------------------------------------------------------- documents

/** The file stored with an invoice or a certificat. */
export type Fichier = Omit<NewDocument, 'cfaSiren' | 'typeFichier' | 'objets'>;

/** Stores a file on `objets` (or reuses the document already holding that very file). */
export async function storeFichier(trx: Knex.Transaction, cfaSiren: string, typeFichier: TypeFichier, fichier: Fichier, objets: ObjetRef[]): Promise<{ id: string; numero_interne: string }> {
  const existing = await findSameFile(trx, objets, fichier.sha256);
  if (existing) return existing;
  return insertDocument(trx, { ...fichier, cfaSiren, typeFichier, objets });
}

// ---------------------------------------------------------------------------------- deposit

/** The CFA's invoice, locked FOR UPDATE (another CFA's is not found). */
export async function lockOwnFacture(trx: Knex.Transaction, siren: string, numeroInterne: string): Promise<FactureRow | undefined> {
  return (await trx('factures').where({ cfa_siren: siren, numero_interne: numeroInterne }).forUpdate().first()) as FactureRow | undefined;
}

export async function deleteLignes(trx: Knex.Transaction, factureId: string): Promise<void> {
  await trx('factures_lignes').where({ facture_id: factureId }).delete();
}

/** Whether the CFA already has an invoice with this number (other than `exceptId`, the one being corrected). */
export async function isNumeroFactureUsed(trx: Knex.Transaction, siren: string, numero: string, exceptId?: string): Promise<boolean> {
  const q = trx('factures').where({ cfa_siren: siren, numero });
  if (exceptId !== undefined) q.whereNot({ id: exceptId });
  return Boolean(await q.first('id'));
}

/** The columns a deposit (or a correction) writes. */
export interface FactureColumns {
  numero: string;
  etat: EtatFacture;
  commentaire: null;
  date_emission: string;
  montant_total_centimes: number;
  montant_regle_centimes: number;
  siret_emetteur: string;
  iban_emetteur: string;
  est_certificat_realisation: boolean;
  /** The `facture` JSON as sent, serialized. */
  contenu: string;
  cle_id: string;
  editeur: string | null;
  logiciel: string | null;
  version_logiciel: string | null;
}

/** A new invoice of the CFA, under a fresh numéro interne. */
export async function insertFacture(trx: Knex.Transaction, siren: string, colonnes: FactureColumns): Promise<FactureRow> {
  return insertWithNewNumero('facture', async (numero) => {
    const [created] = (await trx('factures')
      .insert({ ...colonnes, numero_interne: numero, cfa_siren: siren })
      .onConflict('numero_interne')
      .ignore()
      .returning('*')) as FactureRow[];
    return created;
  });
}

export type NewLigne = Omit<LigneRow, 'id' | 'montant_centimes' | 'montant_regle_centimes'> & { montant_centimes: number };

export async function insertLignes(trx: Knex.Transaction, lignes: readonly NewLigne[]): Promise<LigneRow[]> {
  return (await trx('factures_lignes').insert(lignes).returning('*')) as LigneRow[];
}

export async function setFactureDocument(trx: Knex.Transaction, factureId: string, documentId: string): Promise<FactureRow> {
  const [updated] = (await trx('factures').where({ id: factureId }).update({ document_id: documentId }).returning('*')) as FactureRow[];
  if (!updated) throw new Error('facture vanished');
  return updated;
}

// ------------------------------------------------------------------------------ transitions

/** The invoice, locked until the end of the transaction (the back office's moves, see src/services/back-office-factures.ts). */
export async function lockFacture(trx: Knex.Transaction, numeroInterne: string): Promise<FactureRow | undefined> {
  return (await trx('factures').where({ numero_interne: numeroInterne }).forUpdate().first()) as FactureRow | undefined;
}

// ------------------------------------------------------------------------------- certificats

/** The codification of a dossier's échéance, when the échéance exists. */
export async function codificationOfEcheance(trx: Knex.Transaction, dossierId: string, numero: number): Promise<string | undefined> {
  const e = (await trx('echeances').where({ dossier_id: dossierId, numero }).first('codification')) as { codification: string } | undefined;
  return e?.codification;
}

/** Whether the invoice carries a line on the dossier. */
export async function factureCoversDossier(trx: Knex.Transaction, factureId: string, dossierId: string): Promise<boolean> {
  return Boolean(await trx('factures_lignes').where({ facture_id: factureId, dossier_id: dossierId }).first('id'));
}

export interface NewCertificat {
  cfaSiren: string;
  dossierId: string;
  numeroEcheance: number;
  factureId: string | null;
  typeCertificat: string;
  contenu: Record<string, unknown>;
}

/** Stores a certificat under a fresh numéro interne, returned. */
export async function insertCertificat(trx: Knex.Transaction, c: NewCertificat): Promise<string> {
  return insertWithNewNumero('certificat', async (numero) => {
    const rows = (await trx('certificats').insert({
      numero_interne: numero,
      cfa_siren: c.cfaSiren,
      dossier_id: c.dossierId,
      numero_echeance: c.numeroEcheance,
      facture_id: c.factureId,
      type_certificat: c.typeCertificat,
      contenu: JSON.stringify(c.contenu),
    }).onConflict('numero_interne').ignore().returning(['numero_interne'])) as Array<{ numero_interne: string }>;
    return rows[0]?.numero_interne;
  });
}

export async function setCertificatDocument(trx: Knex.Transaction, numeroInterne: string, documentId: string): Promise<void> {
  await trx('certificats').where({ numero_interne: numeroInterne }).update({ document_id: documentId });
}

// -------------------------------------------------------------------------------------- reads

export async function findFacture(db: Knex, numeroInterne: string, siren?: string): Promise<FactureRow | undefined> {
  const q = db('factures').where({ numero_interne: numeroInterne });
  if (siren) q.where({ cfa_siren: siren });
  return (await q.first()) as FactureRow | undefined;
}

export interface PageFactures {
  page: number;
  size: number;
  etat?: string;
}

/** One page of the CFA's invoices in arrival order (dense ranks without filter, like dossiers). */
export async function pageOfFactures(db: Knex, siren: string, q: PageFactures): Promise<{ total: number; items: FactureRow[] }> {
  const from = (q.page - 1) * q.size;
  await assignRanks(db, 'factures', siren);
  if (!q.etat) {
    const rang = await highestRank(db, 'factures', siren);
    const items = (await db('factures').where({ cfa_siren: siren }).whereBetween('rang_cfa', [from + 1, from + q.size]).orderBy('rang_cfa')) as FactureRow[];
    return { total: rang, items };
  }
  const base = db('factures').where({ cfa_siren: siren, etat: q.etat }).whereNotNull('rang_cfa');
  const [countRow, items] = await Promise.all([
    base.clone().count<{ n: string }[]>({ n: '*' }),
    base.clone().orderBy('rang_cfa').offset(from).limit(q.size),
  ]);
  return { total: Number(countRow[0]?.n ?? 0), items: items as FactureRow[] };
}

/** Invoices changed after the cursor, in change order (settled changes only, see feed.ts). */
export async function facturesChangedSince(db: Knex, siren: string, after: Cursor, size: number, etat?: string): Promise<FactureRow[]> {
  const q = changesAfter(db, 'factures', siren, after);
  if (etat) q.where({ etat });
  return (await q.limit(size)) as FactureRow[];
}

export interface MontantDossier {
  numeroInterneDossier: string;
  numeroExterneDossier: string;
  montantCents: number;
}

/** Per invoice: the dossiers it names and the amount of its lines on each, in line order. */
export async function dossiersOfFactures(db: Knex, factureIds: readonly string[]): Promise<Map<string, MontantDossier[]>> {
  const map = new Map<string, MontantDossier[]>();
  if (factureIds.length === 0) return map;
  const rows = (await db('factures_lignes as l')
    .join('dossiers as d', 'd.id', 'l.dossier_id')
    .whereIn('l.facture_id', factureIds)
    .groupBy('l.facture_id', 'd.numero_interne', 'd.numero_externe')
    .select('l.facture_id', 'd.numero_interne', 'd.numero_externe')
    .sum({ montant: 'l.montant_centimes' })
    .min({ premier: 'l.rang' })
    .orderBy([{ column: 'l.facture_id' }, { column: 'premier' }])) as Array<{ facture_id: string; numero_interne: string; numero_externe: string; montant: string; premier: number }>;
  for (const r of rows) {
    const key = String(r.facture_id);
    const list = map.get(key) ?? [];
    list.push({ numeroInterneDossier: r.numero_interne, numeroExterneDossier: r.numero_externe, montantCents: Number(r.montant) });
    map.set(key, list);
  }
  return map;
}

export interface HistoriqueFactureRow {
  evenement: string;
  etat: string;
  le: Date;
  acteur: string;
  commentaire: string | null;
}

export async function historyOfFacture(db: Knex, factureId: string): Promise<HistoriqueFactureRow[]> {
  return (await db('factures_historique').where({ facture_id: factureId }).orderBy('id').select('evenement', 'etat', 'le', 'acteur', 'commentaire')) as HistoriqueFactureRow[];
}

/** Lines with their dossier numbers, for detail views. */
export async function lignesDetaillees(db: Knex, factureId: string): Promise<Array<LigneRow & { numero_interne: string; numero_externe: string }>> {
  return (await db('factures_lignes as l').join('dossiers as d', 'd.id', 'l.dossier_id').where({ 'l.facture_id': factureId }).orderBy('l.rang')
    .select('l.*', 'd.numero_interne', 'd.numero_externe')) as Array<LigneRow & { numero_interne: string; numero_externe: string }>;
}
