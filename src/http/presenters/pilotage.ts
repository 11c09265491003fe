/**
 * Items and export columns of the CFA's lists (pilotage, états de suivi): JSON members in the
 * norm's French camelCase, euros at the edge; export headers in French, one column per member.
 */
import type { ReglementDetail } from '../../db/reglements.js';
import type { RemboursementListItem } from '../../db/remboursements.js';
import type { DeclarationSoldeRow, DossierEchuRow, DossierListRow, FacturationListRow, FactureListRow } from '../../db/suivi.js';
import type { EcheanceOuverteRow } from '../../db/pilotage.js';
import { centsToEuros } from '../../domain/financing/index.js';
import { NATURES_LIGNE, type NatureLigne } from '../../domain/invoicing/types.js';
import { isEtatDossier, isEtatFacture, LIBELLES_ETAT_DOSSIER, LIBELLES_ETAT_FACTURE } from '../../domain/lifecycle/index.js';
import {
  capitalized, LIBELLES_ORIGINE, LIBELLES_TYPE_DOSSIER, LIBELLES_TYPE_FACTURE, typeDossierOf, typeFactureOf,
} from '../../domain/pilotage.js';
import type { DossierAFacturer } from '../../services/pilotage.js';
import type { ExportColumn } from '../exports.js';

const euros = (cents: string | number): number => centsToEuros(Number(cents));
const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);
const libelleEtatDossier = (etat: string): string => capitalized(isEtatDossier(etat) ? LIBELLES_ETAT_DOSSIER[etat] : etat);
const libelleEtatFacture = (etat: string): string => capitalized(isEtatFacture(etat) ? LIBELLES_ETAT_FACTURE[etat] : etat);
const isNature = (n: string): n is NatureLigne => (NATURES_LIGNE as readonly string[]).includes(n);

// ------------------------------------------------------------------------------------ dossiers

export function dossierItem(d: DossierListRow): Record<string, unknown> {
  const type = typeDossierOf(Number(d.type_contrat_app));
  return {
    numeroInterne: d.numero_interne,
    numeroExterne: d.numero_externe,
    numeroDeca: d.numero_deca,
    etat: d.etat,
    libelleEtat: libelleEtatDossier(d.etat),
    typeDossier: type,
    libelleTypeDossier: LIBELLES_TYPE_DOSSIER[type],
    typeContratApp: Number(d.type_contrat_app),
    origine: d.origine,
    libelleOrigine: LIBELLES_ORIGINE[d.origine] ?? d.origine,
    apprenti: { nom: d.apprenti_nom, prenom: d.apprenti_prenom },
    employeur: { siret: d.employeur_siret, denomination: d.employeur_denomination },
    diplome: { intitule: d.diplome, codeDiplome: d.code_diplome },
    periode: { du: d.debut_contrat, au: d.fin_contrat },
    recuLe: iso(d.recu_le),
    misAJourLe: iso(d.mis_a_jour_le),
    miseEnConformite: d.mise_en_conformite,
    commentaireEtat: d.commentaire_etat,
  };
}

/** Columns shared by every list of dossiers. */
const DOSSIER_COLUMNS: ReadonlyArray<ExportColumn<DossierListRow>> = [
  { header: 'N° dossier', kind: 'texte', value: (d) => d.numero_externe, width: 16 },
  { header: 'N° interne', kind: 'texte', value: (d) => d.numero_interne, width: 14 },
  { header: 'État', kind: 'texte', value: (d) => libelleEtatDossier(d.etat), width: 22 },
  { header: 'Type de dossier', kind: 'texte', value: (d) => LIBELLES_TYPE_DOSSIER[typeDossierOf(Number(d.type_contrat_app))], width: 22 },
  { header: 'Nom de l’apprenti', kind: 'texte', value: (d) => d.apprenti_nom, width: 20 },
  { header: 'Prénom de l’apprenti', kind: 'texte', value: (d) => d.apprenti_prenom, width: 20 },
  { header: 'Employeur', kind: 'texte', value: (d) => d.employeur_denomination, width: 28 },
  { header: 'SIRET employeur', kind: 'texte', value: (d) => d.employeur_siret, width: 16 },
  { header: 'Diplôme', kind: 'texte', value: (d) => d.diplome, width: 40 },
  { header: 'Du', kind: 'date', value: (d) => d.debut_contrat },
  { header: 'Au', kind: 'date', value: (d) => d.fin_contrat },
];

export const DOSSIER_EXPORT: ReadonlyArray<ExportColumn<DossierListRow>> = [
  ...DOSSIER_COLUMNS,
  { header: 'Origine', kind: 'texte', value: (d) => LIBELLES_ORIGINE[d.origine] ?? d.origine, width: 22 },
  { header: 'Reçu le', kind: 'instant', value: (d) => d.recu_le, width: 17 },
  { header: 'Mis à jour le', kind: 'instant', value: (d) => d.mis_a_jour_le, width: 17 },
  { header: 'Commentaire de l’OPCO', kind: 'texte', value: (d) => d.commentaire_etat, width: 40 },
];

// ------------------------------------------------------------------------------------ factures

function typeFacture(f: FactureListRow): ReturnType<typeof typeFactureOf> {
  return typeFactureOf((f.natures ?? []).filter(isNature));
}

export function factureItem(f: FactureListRow): Record<string, unknown> {
  const type = typeFacture(f);
  return {
    numeroInterneFacture: f.numero_interne,
    referenceFactureCFA: f.numero,
    etat: f.etat,
    libelleEtat: libelleEtatFacture(f.etat),
    etablissement: f.siret_emetteur,
    type,
    libelleType: LIBELLES_TYPE_FACTURE[type],
    montantHT: euros(f.montant_total_centimes),
    montantTTC: euros(f.montant_total_centimes),
    montantRegle: euros(f.montant_regle_centimes),
    dateEmission: f.date_emission,
    recueLe: iso(f.recue_le),
    dateValidation: iso(f.validee_le),
    dateReglement: f.date_reglement,
    referenceReglement: f.reference_virement,
    commentaire: f.commentaire,
  };
}

export const FACTURE_EXPORT: ReadonlyArray<ExportColumn<FactureListRow>> = [
  { header: 'Établissement (SIRET)', kind: 'texte', value: (f) => f.siret_emetteur, width: 16 },
  { header: 'N° facture', kind: 'texte', value: (f) => f.numero, width: 18 },
  { header: 'N° interne', kind: 'texte', value: (f) => f.numero_interne, width: 14 },
  { header: 'Type', kind: 'texte', value: (f) => LIBELLES_TYPE_FACTURE[typeFacture(f)], width: 28 },
  { header: 'État', kind: 'texte', value: (f) => libelleEtatFacture(f.etat), width: 24 },
  { header: 'Montant HT', kind: 'euros', value: (f) => euros(f.montant_total_centimes), width: 14 },
  { header: 'Montant TTC', kind: 'euros', value: (f) => euros(f.montant_total_centimes), width: 14 },
  { header: 'Montant réglé', kind: 'euros', value: (f) => euros(f.montant_regle_centimes), width: 14 },
  { header: 'Date de facture', kind: 'date', value: (f) => f.date_emission },
  { header: 'Reçue le', kind: 'instant', value: (f) => f.recue_le, width: 17 },
  { header: 'Date de validation', kind: 'instant', value: (f) => f.validee_le, width: 17 },
  { header: 'Date de règlement', kind: 'date', value: (f) => f.date_reglement },
  { header: 'Référence de règlement', kind: 'texte', value: (f) => f.reference_virement, width: 22 },
  { header: 'Commentaire de l’OPCO', kind: 'texte', value: (f) => f.commentaire, width: 40 },
];

// ---------------------------------------------------------------------------------- règlements

/** One export line per invoice a payment settled: the OPCO's reference next to the CFA's invoice number. */
export interface LigneReglement {
  reglement: ReglementDetail['reglement'];
  facture: ReglementDetail['factures'][number] | undefined;
}

export function linesOfReglement(r: ReglementDetail): LigneReglement[] {
  return r.factures.length ? r.factures.map((facture) => ({ reglement: r.reglement, facture })) : [{ reglement: r.reglement, facture: undefined }];
}

export const REGLEMENT_EXPORT: ReadonlyArray<ExportColumn<LigneReglement>> = [
  { header: 'Référence du virement', kind: 'texte', value: (l) => l.reglement.reference_virement, width: 22 },
  { header: 'Id règlement', kind: 'texte', value: (l) => l.reglement.numero_interne, width: 14 },
  { header: 'Date de règlement', kind: 'date', value: (l) => l.reglement.date_reglement },
  { header: 'Montant du virement', kind: 'euros', value: (l) => euros(l.reglement.montant_centimes), width: 16 },
  { header: 'N° facture', kind: 'texte', value: (l) => l.facture?.referenceFactureCFA ?? null, width: 18 },
  { header: 'N° interne facture', kind: 'texte', value: (l) => l.facture?.numeroInterneFacture ?? null, width: 16 },
  { header: 'Montant réglé sur la facture', kind: 'euros', value: (l) => (l.facture ? centsToEuros(l.facture.montantCents) : null), width: 16 },
  { header: 'Dossiers', kind: 'texte', value: (l) => l.facture?.dossiers.map((d) => d.numeroExterneDossier).join(', ') ?? null, width: 30 },
];

// ----------------------------------------------------------------------------- remboursements

export const REMBOURSEMENT_EXPORT: ReadonlyArray<ExportColumn<RemboursementListItem>> = [
  { header: 'Id remboursement', kind: 'texte', value: (r) => r.numero_interne, width: 14 },
  { header: 'N° dossier', kind: 'texte', value: (r) => r.numero_externe, width: 16 },
  { header: 'Montant', kind: 'euros', value: (r) => euros(r.montant_centimes), width: 14 },
  { header: 'Cause', kind: 'texte', value: (r) => r.cause, width: 20 },
  { header: 'État', kind: 'texte', value: (r) => r.etat, width: 14 },
  { header: 'Mode', kind: 'texte', value: (r) => r.mode, width: 16 },
  { header: 'Référence de l’avoir', kind: 'texte', value: (r) => r.reference_avoir, width: 20 },
  { header: 'Créé le', kind: 'instant', value: (r) => r.cree_le, width: 17 },
  { header: 'Déclaré le', kind: 'instant', value: (r) => r.declare_le, width: 17 },
  { header: 'Reçu le', kind: 'instant', value: (r) => r.recu_le, width: 17 },
];

// ------------------------------------------------------------------------ dossiers à facturer

const resteOf = (e: EcheanceOuverteRow): number =>
  Number(e.montant_total_centimes) - Number(e.montant_regle_centimes) - Number(e.montant_en_cours_centimes);

function echeanceItem(e: EcheanceOuverteRow): Record<string, unknown> {
  return {
    numeroEcheance: e.numero,
    codification: e.codification,
    type: e.type,
    dateOuverture: e.date_ouverture,
    dateDebut: e.date_debut,
    dateFin: e.date_fin,
    dateLimiteFacturation: e.date_limite_facturation,
    montantTotal: euros(e.montant_total_centimes),
    montantRegle: euros(e.montant_regle_centimes),
    montantEnCoursInstruction: euros(e.montant_en_cours_centimes),
    resteAFacturer: centsToEuros(resteOf(e)),
    exigeCertificat: e.exige_certificat,
  };
}

export function dossierAFacturerItem(d: DossierAFacturer): Record<string, unknown> {
  return {
    ...dossierItem(d),
    nombreEcheancesOuvertes: Number(d.echeances_ouvertes),
    premiereOuverture: d.premiere_ouverture,
    resteAFacturer: euros(d.reste_centimes),
    echeances: d.echeances.map(echeanceItem),
  };
}

/** One export line per open échéance, its dossier's columns repeated (a sheet to prepare step 1). */
export interface LigneEcheance {
  dossier: DossierAFacturer;
  echeance: EcheanceOuverteRow;
}

export const linesOfDossierAFacturer = (d: DossierAFacturer): LigneEcheance[] => d.echeances.map((echeance) => ({ dossier: d, echeance }));

export const ECHEANCE_EXPORT: ReadonlyArray<ExportColumn<LigneEcheance>> = [
  ...DOSSIER_COLUMNS.map((c) => ({ ...c, value: (l: LigneEcheance) => c.value(l.dossier) })),
  { header: 'Échéance', kind: 'texte', value: (l) => l.echeance.codification, width: 10 },
  { header: 'Type d’échéance', kind: 'texte', value: (l) => l.echeance.type, width: 14 },
  { header: 'Ouverte le', kind: 'date', value: (l) => l.echeance.date_ouverture },
  { header: 'Période du', kind: 'date', value: (l) => l.echeance.date_debut },
  { header: 'Période au', kind: 'date', value: (l) => l.echeance.date_fin },
  { header: 'Montant', kind: 'euros', value: (l) => euros(l.echeance.montant_total_centimes), width: 14 },
  { header: 'Réglé', kind: 'euros', value: (l) => euros(l.echeance.montant_regle_centimes), width: 14 },
  { header: 'En cours d’instruction', kind: 'euros', value: (l) => euros(l.echeance.montant_en_cours_centimes), width: 14 },
  { header: 'Reste à facturer', kind: 'euros', value: (l) => centsToEuros(resteOf(l.echeance)), width: 14 },
  { header: 'Facturer avant le', kind: 'date', value: (l) => l.echeance.date_limite_facturation },
];

// ------------------------------------------------------------------------------ dossiers échus

export function dossierEchuItem(d: DossierEchuRow): Record<string, unknown> {
  const motifs = [...(Number(d.reste_a_facturer_centimes) > 0 ? ['RESTE_A_FACTURER'] : []), ...(d.certificat_manquant ? ['CERTIFICAT_MANQUANT'] : [])];
  return {
    ...dossierItem(d),
    finPeriodeFacturation: d.fin_periode,
    motifs,
    resteAFacturer: euros(d.reste_a_facturer_centimes),
    certificatManquant: d.certificat_manquant,
    marqueLe: iso(d.marque_le),
  };
}

export const DOSSIER_ECHU_EXPORT: ReadonlyArray<ExportColumn<DossierEchuRow>> = [
  ...DOSSIER_COLUMNS,
  { header: 'Fin de la période de facturation', kind: 'date', value: (d) => d.fin_periode },
  { header: 'Reste à facturer', kind: 'euros', value: (d) => euros(d.reste_a_facturer_centimes), width: 14 },
  { header: 'Certificat de réalisation manquant', kind: 'texte', value: (d) => (d.certificat_manquant ? 'Oui' : 'Non') },
];

// ------------------------------------------------------------------------------- facturations

export function facturationItem(f: FacturationListRow): Record<string, unknown> {
  return {
    id: f.numero_interne,
    etat: f.etat,
    etape: Number(f.etape),
    nature: f.nature,
    nombreDossiers: Number(f.nombre_dossiers),
    montantTotal: euros(f.montant_total_centimes),
    numeroInterneFacture: f.facture_numero_interne,
    referenceFactureCFA: f.facture_numero,
    creeeLe: iso(f.creee_le),
    miseAJourLe: iso(f.mise_a_jour_le),
    deposeeLe: iso(f.deposee_le),
  };
}

export const FACTURATION_EXPORT: ReadonlyArray<ExportColumn<FacturationListRow>> = [
  { header: 'Facturation', kind: 'texte', value: (f) => f.numero_interne, width: 14 },
  { header: 'État', kind: 'texte', value: (f) => f.etat, width: 14 },
  { header: 'Étape', kind: 'entier', value: (f) => Number(f.etape) },
  { header: 'Nature', kind: 'texte', value: (f) => f.nature, width: 20 },
  { header: 'Dossiers', kind: 'entier', value: (f) => Number(f.nombre_dossiers) },
  { header: 'Montant', kind: 'euros', value: (f) => euros(f.montant_total_centimes), width: 14 },
  { header: 'N° facture', kind: 'texte', value: (f) => f.facture_numero, width: 18 },
  { header: 'Créée le', kind: 'instant', value: (f) => f.creee_le, width: 17 },
  { header: 'Mise à jour le', kind: 'instant', value: (f) => f.mise_a_jour_le, width: 17 },
  { header: 'Déposée le', kind: 'instant', value: (f) => f.deposee_le, width: 17 },
];

// -------------------------------------------------------------------------- déclarations de solde

export function soldeItem(s: DeclarationSoldeRow): Record<string, unknown> {
  return {
    ...dossierItem(s),
    numeroInterneDeclaration: s.declaration_numero_interne,
    etatDeclaration: s.declaration_etat,
    commentaire: s.commentaire,
    montantLibere: euros(s.montant_libere_centimes),
    declareeLe: iso(s.declaree_le),
    soldeeLe: iso(s.soldee_le),
  };
}

export const SOLDE_EXPORT: ReadonlyArray<ExportColumn<DeclarationSoldeRow>> = [
  ...DOSSIER_COLUMNS,
  { header: 'Déclaration', kind: 'texte', value: (s) => s.declaration_numero_interne, width: 14 },
  { header: 'État de la déclaration', kind: 'texte', value: (s) => s.declaration_etat, width: 14 },
  { header: 'Montant libéré', kind: 'euros', value: (s) => euros(s.montant_libere_centimes), width: 14 },
  { header: 'Déclarée le', kind: 'instant', value: (s) => s.declaree_le, width: 17 },
  { header: 'Soldé le', kind: 'instant', value: (s) => s.soldee_le, width: 17 },
  { header: 'Commentaire', kind: 'texte', value: (s) => s.commentaire, width: 40 },
];
