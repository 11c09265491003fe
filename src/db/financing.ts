/** Persistence of engagements and échéanciers, the NPEC referential, and the financing view. */
import type { Knex } from 'knex';
import {
  centsToEuros, type EngagementResult, type NpecResolution, type NpecRow, type RuptureResult,
} from '../domain/financing/index.js';

export async function npecRowsFor(db: Knex, rncp: string): Promise<NpecRow[]> {
  const digits = rncp.replace(/^\s*rncp\s*/i, '');
  const rows = (await db('npec_referentiel').where({ rncp: digits }).select('rncp', 'idcc', 'npec_centimes', 'date_effet')) as Array<{
    rncp: string; idcc: string; npec_centimes: string; date_effet: string | Date;
  }>;
  return rows.map((r) => ({
    rncp: r.rncp,
    idcc: r.idcc,
    npecCents: Number(r.npec_centimes),
    dateEffet: r.date_effet instanceof Date ? r.date_effet.toISOString().slice(0, 10) : r.date_effet,
  }));
}

/** Upserts referential rows (same RNCP, IDCC and effective date: the amount is replaced). */
export async function importNpecRows(db: Knex, rows: NpecRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  await db.transaction(async (trx) => {
    for (let i = 0; i < rows.length; i += 500) {
      await trx('npec_referentiel')
        .insert(rows.slice(i, i + 500).map((r) => ({ rncp: r.rncp, idcc: r.idcc, npec_centimes: r.npecCents, date_effet: r.dateEffet })))
        .onConflict(['rncp', 'idcc', 'date_effet'])
        .merge(['npec_centimes', 'importe_le']);
    }
  });
  return rows.length;
}

export async function saveEngagement(trx: Knex.Transaction, dossierId: string, result: EngagementResult, npec: NpecResolution): Promise<void> {
  await trx('echeances').where({ dossier_id: dossierId }).delete();
  await trx('engagements_frais_annexes').where({ dossier_id: dossierId }).delete();
  await trx('engagements').where({ dossier_id: dossierId }).delete();
  await trx('engagements').insert({
    dossier_id: dossierId,
    regime: result.regime,
    engagement_centimes: result.engagementCents,
    npec_annuel_centimes: result.npecAnnuelRetenuCents,
    participation_employeur_centimes: result.participationEmployeurCents,
    details: JSON.stringify({ npec, explications: result.explications, detailsFacturation: result.detailsFacturation }),
  });
  if (result.echeances.length) {
    await trx('echeances').insert(result.echeances.map((e) => ({
      dossier_id: dossierId,
      numero: e.numero,
      codification: e.codification,
      type: e.type,
      annee_execution: e.anneeExecution,
      date_ouverture: e.dateOuverture,
      date_debut: e.dateDebut,
      date_fin: e.dateFin,
      montant_total_centimes: e.montantTotalCents,
      dont_pedagogie_centimes: e.dontMontantPedagogieCents,
      dont_rqth_centimes: e.dontMajorationRqthCents,
      date_limite_facturation: e.dateLimiteFacturation ?? null,
      exige_certificat: e.exigeCertificat,
      statut: e.statut,
    })));
  }
  if (result.engagementsFraisAnnexe.length) {
    await trx('engagements_frais_annexes').insert(result.engagementsFraisAnnexe.map((f) => ({
      dossier_id: dossierId,
      nature: f.natureFrais,
      quantite: f.quantite,
      prix_unitaire_centimes: f.prixUnitaireCents,
      montant_total_centimes: f.montantTotalCents,
    })));
  }
}

/** Amount paid on each échéance, in numbering order (input of the rupture recomputation). */
export async function paidPerEcheance(trx: Knex.Transaction, dossierId: string): Promise<number[]> {
  // Locked: a payment recorded meanwhile must not be missed by the trop-perçu computation.
  const rows = (await trx('echeances').where({ dossier_id: dossierId }).orderBy('numero').forUpdate().select('montant_regle_centimes')) as Array<{ montant_regle_centimes: string }>;
  return rows.map((r) => Number(r.montant_regle_centimes));
}

export async function applyRupture(trx: Knex.Transaction, dossierId: string, rupture: RuptureResult): Promise<void> {
  for (const e of rupture.echeances) {
    await trx('echeances').where({ dossier_id: dossierId, numero: e.numero }).update({
      montant_total_centimes: e.montantTotalCents,
      dont_pedagogie_centimes: e.dontMontantPedagogieCents,
      dont_rqth_centimes: e.dontMajorationRqthCents,
      date_fin: e.dateFin,
      date_ouverture: e.dateOuverture,
      date_limite_facturation: e.dateLimiteFacturation ?? null,
      exige_certificat: e.exigeCertificat,
      statut: e.statut,
    });
  }
  const engagement = (await trx('engagements').where({ dossier_id: dossierId }).first('details')) as { details: Record<string, unknown> } | undefined;
  await trx('engagements').where({ dossier_id: dossierId }).update({
    engagement_centimes: rupture.engagementCents,
    participation_employeur_centimes: rupture.participationEmployeurCents,
    trop_percu_centimes: rupture.tropPercuCents,
    details: JSON.stringify({ ...(engagement?.details ?? {}), rupture: { dateRupture: rupture.dateRupture, explications: rupture.explications } }),
    calcule_le: trx.fn.now(),
  });
}

export interface EcheanceRow {
  numero: number;
  codification: string;
  type: string;
  date_ouverture: string;
  date_debut: string;
  date_fin: string;
  montant_total_centimes: string;
  dont_pedagogie_centimes: string;
  dont_rqth_centimes: string;
  montant_regle_centimes: string;
  montant_en_cours_centimes: string;
  date_limite_facturation: string | null;
  exige_certificat: boolean;
  statut: string;
}

export interface FraisAnnexeRow {
  nature: string;
  quantite: number;
  prix_unitaire_centimes: string;
  montant_total_centimes: string;
}

/** The one-off frais annexes whose `detailsFacturation.…Regles` flag tells whether they are paid. */
export const FORFAITS = ['PREMIEREQUIPEMENT', 'MOBILITE'] as const;

/** A dossier's engagement, échéances and frais annexes, in cents; undefined before engagement. */
export interface FinancingRows {
  engagementCents: number;
  plafondFraisPremierEquipementCents: number;
  plafondFraisMobiliteCents: number;
  periodesFraisAnnexes: unknown[];
  echeances: EcheanceRow[];
  frais: FraisAnnexeRow[];
  /** Paid on the one-off forfaits' invoice lines, by nature (a rejected invoice was never paid). */
  forfaitsReglesCents: Record<(typeof FORFAITS)[number], number>;
}

export async function loadFinancing(db: Knex, dossierId: string): Promise<FinancingRows | undefined> {
  const engagement = (await db('engagements').where({ dossier_id: dossierId }).first()) as
    | { engagement_centimes: string; details: { detailsFacturation?: { plafondFraisPremierEquipementCents: number; plafondFraisMobiliteCents: number; periodesFraisAnnexes: unknown[] } } }
    | undefined;
  if (!engagement) return undefined;
  const [echeances, frais, regles] = await Promise.all([
    db('echeances').where({ dossier_id: dossierId }).orderBy('numero') as Promise<EcheanceRow[]>,
    db('engagements_frais_annexes').where({ dossier_id: dossierId }).orderBy('id') as Promise<FraisAnnexeRow[]>,
    db('factures_lignes').where({ dossier_id: dossierId }).whereIn('nature', FORFAITS).groupBy('nature')
      .select('nature').sum({ regle: 'montant_regle_centimes' }) as Promise<Array<{ nature: string; regle: string | number | null }>>,
  ]);
  const details = engagement.details.detailsFacturation;
  const regle = (nature: string): number => regles.filter((r) => r.nature === nature).reduce((s, r) => s + Number(r.regle ?? 0), 0);
  return {
    engagementCents: Number(engagement.engagement_centimes),
    plafondFraisPremierEquipementCents: details?.plafondFraisPremierEquipementCents ?? 0,
    plafondFraisMobiliteCents: details?.plafondFraisMobiliteCents ?? 0,
    periodesFraisAnnexes: details?.periodesFraisAnnexes ?? [],
    echeances,
    frais,
    forfaitsReglesCents: { PREMIEREQUIPEMENT: regle('PREMIEREQUIPEMENT'), MOBILITE: regle('MOBILITE') },
  };
}
