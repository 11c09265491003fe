/**
 * Declarations de solde (the CFA will invoice nothing more on a dossier) and the release of what
 * remains engaged: the queries. The use case (checks, transaction, closing) is src/services/soldes.ts;
 * what is released is decided by src/domain/invoicing/liberation.ts.
 */
import type { Knex } from 'knex';
import type { IsoDate } from '../domain/financing/index.js';
import { planRelease, type EcheancePourEchu, type PlanLiberation } from '../domain/invoicing/index.js';
import type { DossierRow } from './dossiers.js';
import { insertWithNewNumero } from './numeros.js';

export type EtatDeclarationSolde = 'EN_ATTENTE' | 'SOLDE';

export interface DeclarationSoldeRow {
  id: string;
  numero_interne: string;
  cfa_siren: string;
  dossier_id: string;
  commentaire: string | null;
  montant_libere_centimes: string;
  etat: EtatDeclarationSolde;
  acteur: string;
  declaree_le: Date;
  soldee_le: Date | null;
}

export interface NewDeclarationSolde {
  cfaSiren: string;
  dossierId: string;
  commentaire: string | null;
  montantLibereCents: number;
  etat: EtatDeclarationSolde;
  acteur: string;
}

/**
 * Stores the declaration under a fresh numéro interne. The caller holds the dossier's lock and
 * checked there was none; the unique index on dossier_id stays the last word.
 */
export async function insertDeclarationSolde(trx: Knex.Transaction, d: NewDeclarationSolde): Promise<DeclarationSoldeRow> {
  return insertWithNewNumero('déclaration de solde', async (numero) => ((await trx('declarations_solde').insert({
    numero_interne: numero,
    cfa_siren: d.cfaSiren,
    dossier_id: d.dossierId,
    commentaire: d.commentaire,
    montant_libere_centimes: d.montantLibereCents,
    etat: d.etat,
    acteur: d.acteur,
    soldee_le: d.etat === 'SOLDE' ? trx.fn.now() : null,
  }).onConflict('numero_interne').ignore().returning('*')) as DeclarationSoldeRow[])[0]);
}

export async function findDeclarationSolde(db: Knex, dossierId: string): Promise<DeclarationSoldeRow | undefined> {
  return (await db('declarations_solde').where({ dossier_id: dossierId }).first()) as DeclarationSoldeRow | undefined;
}

/** The declarations still waiting for a pending invoice or refund of these dossiers, locked, in id order. */
export async function lockPendingDeclarations(trx: Knex.Transaction, dossierIds: readonly string[]): Promise<DeclarationSoldeRow[]> {
  if (dossierIds.length === 0) return [];
  return (await trx('declarations_solde').whereIn('dossier_id', [...new Set(dossierIds)]).where({ etat: 'EN_ATTENTE' })
    .orderBy('id').forUpdate()) as DeclarationSoldeRow[];
}

/** Adds what a later step released, and closes the declaration when the dossier is closed. */
export async function updateDeclarationSolde(trx: Knex.Transaction, id: string, change: { libereCents: number; solde: boolean }): Promise<void> {
  await trx('declarations_solde').where({ id }).update({
    montant_libere_centimes: trx.raw('montant_libere_centimes + ?', [change.libereCents]),
    ...(change.solde ? { etat: 'SOLDE', soldee_le: trx.fn.now() } : {}),
  });
}

/** The ids of the dossiers named by these invoices' lines. */
export async function dossierIdsOfFactures(db: Knex, factureIds: readonly string[]): Promise<string[]> {
  if (factureIds.length === 0) return [];
  const rows = (await db('factures_lignes').whereIn('facture_id', factureIds).distinct('dossier_id')) as Array<{ dossier_id: string }>;
  return rows.map((r) => String(r.dossier_id));
}

/**
 * The dossier by id, not locked: a payment already holds it FOR SHARE, and upgrading that lock would
 * deadlock against a concurrent payment on the same dossier. The declaration's row lock is what
 * serialises the closing; the dossier row is only written (and locked) when it closes.
 */
export async function findDossierById(db: Knex, dossierId: string): Promise<DossierRow | undefined> {
  return (await db('dossiers').where({ id: dossierId }).first()) as DossierRow | undefined;
}

/**
 * What the billing period's end is read from: the échéances and the rupture date (the CFA's
 * declaration, else the back office's rupture kept with the engagement).
 */
export async function billingOf(db: Knex, dossierId: string): Promise<{ dateRupture: IsoDate | null; echeances: EcheancePourEchu[] }> {
  const [echeances, rupture, engagement] = await Promise.all([
    db('echeances').where({ dossier_id: dossierId }).orderBy('numero') as Promise<Array<EcheanceDb & {
      statut: string; date_fin: string; date_limite_facturation: string | null; exige_certificat: boolean;
    }>>,
    db('ruptures').where({ dossier_id: dossierId }).first('date_rupture') as Promise<{ date_rupture: string } | undefined>,
    db('engagements').where({ dossier_id: dossierId }).first('details') as Promise<{ details: { rupture?: { dateRupture?: string } } } | undefined>,
  ]);
  return {
    dateRupture: rupture?.date_rupture ?? engagement?.details.rupture?.dateRupture ?? null,
    echeances: echeances.map((e) => ({
      numero: e.numero,
      statut: e.statut,
      dateFin: e.date_fin,
      dateLimiteFacturation: e.date_limite_facturation,
      exigeCertificat: e.exige_certificat,
      montantTotalCents: Number(e.montant_total_centimes),
      montantRegleCents: Number(e.montant_regle_centimes),
      montantEnCoursCents: Number(e.montant_en_cours_centimes),
    })),
  };
}

// ------------------------------------------------------------------------------- release

interface EcheanceDb {
  numero: number;
  montant_total_centimes: string;
  dont_pedagogie_centimes: string;
  dont_rqth_centimes: string;
  montant_regle_centimes: string;
  montant_en_cours_centimes: string;
}

/**
 * Releases what remains engaged on the dossier and not invoiced (échéances, then frais-annexes
 * envelopes), under locks: échéances and envelopes FOR UPDATE, as a deposit takes them, so no
 * invoice is checked against amounts being released. The engagement decreases by what the
 * échéances released. Returns the plan applied (zero amounts when nothing remained).
 */
export async function releaseRemaining(trx: Knex.Transaction, dossierId: string): Promise<PlanLiberation> {
  const echeances = (await trx('echeances').where({ dossier_id: dossierId }).orderBy('id').forUpdate()) as EcheanceDb[];
  const frais = (await trx('engagements_frais_annexes').where({ dossier_id: dossierId }).orderBy('id').forUpdate()) as Array<{
    id: string; nature: string; quantite: number; montant_total_centimes: string;
  }>;
  const lignes = (await trx('factures_lignes as l').join('factures as f', 'f.id', 'l.facture_id')
    .where('l.dossier_id', dossierId).whereNot('f.etat', 'REJETEE')
    .groupBy('l.numero_echeance', 'l.nature')
    .select('l.numero_echeance', 'l.nature')
    .sum({ montant: 'l.montant_centimes' })
    .sum({ quantite: 'l.quantite' })) as Array<{ numero_echeance: number; nature: string; montant: string | number; quantite: string | number }>;
  const facture = (nature: string, numero?: number): { cents: number; quantite: number } => lignes
    .filter((l) => l.nature === nature && (numero === undefined || l.numero_echeance === numero))
    .reduce((s, l) => ({ cents: s.cents + Number(l.montant), quantite: s.quantite + Number(l.quantite) }), { cents: 0, quantite: 0 });

  const plan = planRelease(
    echeances.map((e) => ({
      numero: e.numero,
      montantTotalCents: Number(e.montant_total_centimes),
      dontPedagogieCents: Number(e.dont_pedagogie_centimes),
      dontRqthCents: Number(e.dont_rqth_centimes),
      montantRegleCents: Number(e.montant_regle_centimes),
      montantEnCoursCents: Number(e.montant_en_cours_centimes),
      facturePedagogieCents: facture('PEDAGOGIE', e.numero).cents,
      factureRqthCents: facture('MAJORATION_RQTH', e.numero).cents,
    })),
    frais.map((f) => ({
      nature: f.nature, quantite: f.quantite, montantTotalCents: Number(f.montant_total_centimes),
      factureCents: facture(f.nature).cents, quantiteFacturee: facture(f.nature).quantite,
    })),
  );
  for (const e of plan.echeances.filter((x) => x.libereCents > 0)) {
    await trx('echeances').where({ dossier_id: dossierId, numero: e.numero }).update({
      montant_total_centimes: e.montantTotalCents, dont_pedagogie_centimes: e.dontPedagogieCents, dont_rqth_centimes: e.dontRqthCents,
    });
  }
  for (const f of plan.frais.filter((x) => x.libereCents > 0)) {
    await trx('engagements_frais_annexes').where({ dossier_id: dossierId, nature: f.nature }).update({ quantite: f.quantite, montant_total_centimes: f.montantTotalCents });
  }
  if (plan.echeancesCents > 0) {
    await trx('engagements').where({ dossier_id: dossierId }).update({ engagement_centimes: trx.raw('engagement_centimes - ?', [plan.echeancesCents]) });
  }
  return plan;
}
