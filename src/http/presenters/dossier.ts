/** Dossier rows → the norm's JSON shapes (§5.6, §5.7): field names of the norm, euros. */
import type { DossierRow, EtatItem, HistoryRow } from '../../db/dossiers.js';
import type { FinancingRows } from '../../db/financing.js';
import { centsToEuros } from '../../domain/financing/index.js';
import { libelleEvenementDossier } from '../../domain/lifecycle/index.js';

export interface FinancingView {
  engagement: number | null;
  echeances: unknown[];
  detailsFacturation: unknown;
  engagementsFraisAnnexe: unknown[];
}

const NO_FINANCING: FinancingView = { engagement: null, echeances: [], detailsFacturation: null, engagementsFraisAnnexe: [] };
const euros = (cents: string | number): number => centsToEuros(Number(cents));

/** The CFA's SIRET as the CERFA names it (norme §5.6: on each échéance, for the invoice's siretEmetteur). */
function siretCfaOf(row: DossierRow): string | null {
  const of = row.cerfa.organismeFormation;
  const siret = of && typeof of === 'object' && 'siret' in of ? of.siret : undefined;
  return typeof siret === 'string' ? siret : null;
}

/** The norm's financial members of a dossier (§5.6). */
export function financingView(row: DossierRow, f: FinancingRows | undefined): FinancingView {
  if (!f) return NO_FINANCING;
  const siretCfa = siretCfaOf(row);
  const engage = (nature: string): number => f.frais.filter((x) => x.nature === nature).reduce((s, x) => s + Number(x.montant_total_centimes), 0);
  /** True once the engaged envelope of that forfait is fully paid (false when none is engaged). */
  const forfaitRegle = (nature: 'PREMIEREQUIPEMENT' | 'MOBILITE'): boolean => engage(nature) > 0 && f.forfaitsReglesCents[nature] >= engage(nature);
  return {
    engagement: centsToEuros(f.engagementCents),
    echeances: f.echeances.map((e) => ({
      numero: e.numero,
      codification: e.codification,
      type: e.type,
      dateOuverture: e.date_ouverture,
      dateDebut: e.date_debut,
      dateFin: e.date_fin,
      montantTotal: euros(e.montant_total_centimes),
      dontMontantPedagogie: euros(e.dont_pedagogie_centimes),
      dontMajorationRqth: euros(e.dont_rqth_centimes),
      montantRegle: euros(e.montant_regle_centimes),
      montantEnCoursInstruction: euros(e.montant_en_cours_centimes),
      dateLimiteFacturation: e.date_limite_facturation,
      exigeCertificat: e.exige_certificat,
      statut: e.statut,
      siretCfa,
    })),
    detailsFacturation: {
      fraisPremierEquipementRegles: forfaitRegle('PREMIEREQUIPEMENT'),
      fraisMobiliteRegles: forfaitRegle('MOBILITE'),
      plafondFraisPremierEquipement: centsToEuros(f.plafondFraisPremierEquipementCents),
      plafondFraisMobilite: centsToEuros(f.plafondFraisMobiliteCents),
      periodesFraisAnnexes: f.periodesFraisAnnexes,
    },
    engagementsFraisAnnexe: f.frais.map((x) => ({
      natureFrais: x.nature,
      quantite: x.quantite,
      prixUnitaire: euros(x.prix_unitaire_centimes),
      montantTotal: euros(x.montant_total_centimes),
    })),
  };
}

/** The state comment the CFA sees: the pending conformity request first, else the last state comment. */
function commentaireEtat(row: DossierRow): string | null {
  return row.commentaire_etat ?? null;
}

export function dossierView(row: DossierRow, financing: FinancingView = NO_FINANCING): Record<string, unknown> {
  return {
    cerfa: {
      ...row.cerfa,
      numeroInterne: row.numero_interne,
      numeroExterne: row.numero_externe,
      numeroDeca: row.numero_deca,
      etat: row.etat,
      commentaireEtat: commentaireEtat(row),
      miseEnConformiteDemandee: row.mise_en_conformite,
    },
    ...financing,
  };
}

export function etatView(item: EtatItem): Record<string, unknown> {
  return {
    numeroInterne: item.numero_interne,
    numeroExterne: item.numero_externe,
    numeroDeca: item.numero_deca,
    etat: item.etat,
    dateMiseAJour: new Date(item.mis_a_jour_le).toISOString(),
  };
}

/** History as a CFA sees it: OPCO staff are shown as "OPCO", not by name. */
export function historyView(rows: HistoryRow[], forOpco: boolean): Record<string, unknown>[] {
  return rows.map((r) => ({
    evenement: r.evenement,
    libelle: libelleEvenementDossier(r.evenement, r.etat),
    etat: r.etat,
    date: new Date(r.le).toISOString(),
    acteur: forOpco || !r.acteur.startsWith('opco:') ? r.acteur : 'OPCO',
    commentaire: r.commentaire,
  }));
}

interface CerfaIdentities {
  employeur?: { siret?: string; denomination?: string };
  employeurV2?: { siret?: string; denomination?: string };
  apprenti?: { nom?: string; prenom?: string };
}

/** A dossier as the back office's searches list it: numbers, CFA, state, employer and apprentice. */
export function backOfficeDossierView(row: DossierRow): Record<string, unknown> {
  const cerfa = row.cerfa as CerfaIdentities;
  const employeur = cerfa.employeur ?? cerfa.employeurV2;
  return {
    numeroInterne: row.numero_interne,
    numeroExterne: row.numero_externe,
    numeroDeca: row.numero_deca,
    cfaSiren: row.cfa_siren,
    etat: row.etat,
    origine: row.origine,
    miseEnConformite: row.mise_en_conformite,
    commentaireEtat: row.commentaire_etat,
    employeur: { siret: employeur?.siret ?? null, denomination: employeur?.denomination ?? null },
    apprenti: { nom: cerfa.apprenti?.nom ?? null, prenom: cerfa.apprenti?.prenom ?? null },
    recuLe: new Date(row.recu_le).toISOString(),
    misAJourLe: new Date(row.mis_a_jour_le).toISOString(),
  };
}
