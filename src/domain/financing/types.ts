/**
 * Types of the financing engine (pure domain: no HTTP, no SQL). Amounts are integer cents
 * (money.ts); dates are calendar dates `YYYY-MM-DD`.
 *
 * Field names follow the API CFA response of `GET /dossiers` (norme-api-cfa.md §5.6) with a
 * `Cents` suffix where the norm carries euros; the HTTP layer converts with `centsToEuros`.
 */
import type { IsoDate } from '../cerfa/types.js';
import type { Cents } from './money.js';

export type { IsoDate } from '../cerfa/types.js';
export type { Cents } from './money.js';

/** Level of the targeted diploma/title (3 = CAP … 8 = doctorate). */
export type NiveauDiplome = 3 | 4 | 5 | 6 | 7 | 8;

/**
 * `JOUR_40_30_20_10`: contracts concluded from 2025-07-01 (décret 2025-585, R6332-25 III–IV);
 * `MOIS_40_30_30`: contracts concluded 2021-01-01 … 2025-06-30 (R6332-25, version of 31 Dec 2020).
 */
export type Regime = 'JOUR_40_30_20_10' | 'MOIS_40_30_30';

export type NatureFrais = 'RESTAURATION' | 'HEBERGEMENT' | 'PREMIEREQUIPEMENT' | 'MOBILITE';

/** OPCO-configurable unit prices and caps (financement.md §3). */
export interface ParametresFinancement {
  /** Per meal; 300 (3 €) in practice. */
  prixRepasCents: Cents;
  /** Per night; 600 (6 €) in practice. */
  prixNuiteeCents: Cents;
  /** First-equipment cap; 50 000 (500 €), D6332-83. */
  plafondPremierEquipementCents: Cents;
  /** International-mobility flat amount, set by each OPCO (e.g. Constructys 1 680 € in 2020–21). */
  forfaitMobiliteCents: Cents;
}

/** Frais annexes planned in the convention de formation (`couts.*`, norme §5.2). */
export interface FraisAnnexesInput {
  /** `couts.nombreRepasTotaux`. */
  nombreRepas?: number;
  /** `couts.nombreHebergementTotaux`. */
  nombreNuitees?: number;
  /** `couts.montantPremierEquipement`, in cents. */
  premierEquipementCents?: Cents;
  /** `couts.mentionMobiliteInternationale`. */
  mobiliteInternationale?: boolean;
}

export interface EngagementInput {
  dateConclusion: IsoDate;
  dateDebutContrat: IsoDate;
  dateFinContrat: IsoDate;
  /** Annual NPEC before modulations (see npec.ts `resolveNpec`). */
  npecAnnuelCents: Cents;
  niveauDiplome: NiveauDiplome;
  /** CERFA `contrat.typeDerogation`; 21 = duration reduced by convention (L6222-7-1). */
  typeDerogation?: number | null;
  /** CERFA `formation.dureeFormation` (hours). */
  dureeFormationHeures?: number;
  /** CERFA `formation.nombreHeuresEnDistanciel` (hours). */
  heuresDistanciel?: number;
  /**
   * The certification is on the arrêté list of certifications taught ≥ 80 % at a distance by ALL
   * CFAs: no FOAD minoration (D6332-82-1 II). Defaults to false.
   */
  certificationExempteeFoad?: boolean;
  /** Convention `couts.montantRQTHAnnee1..4`, in cents, index 0 = contract year 1. */
  rqthMontantsParAnneeCents?: readonly Cents[];
  fraisAnnexes?: FraisAnnexesInput;
  parametres: ParametresFinancement;
}

export type TypeEcheance = 'AVANCE' | 'INTERMEDIAIRE' | 'SOLDE_INTERMEDIAIRE' | 'SOLDE';
export type StatutEcheance = 'PREVUE' | 'PARTIELLE' | 'ANNULEE';

/**
 * One instalment of the payment schedule (norme §5.6 `echeances[]`). The DB layer extends it with
 * `montantRegle` / `montantEnCoursInstruction` (`interface EcheanceSuivie extends Echeance {…}`).
 */
export interface Echeance {
  /** 1..n, in order of `dateOuverture`. */
  numero: number;
  /** `A{numero}` (docs/financing.md §"Codification"). */
  codification: string;
  type: TypeEcheance;
  /** Contract year (1-based) whose amount this échéance pays. */
  anneeExecution: number;
  /** Date from which the CFA may invoice it. */
  dateOuverture: IsoDate;
  /** Service period covered (what the certificat de réalisation attests). */
  dateDebut: IsoDate;
  dateFin: IsoDate;
  /** = dontMontantPedagogieCents + dontMajorationRqthCents. */
  montantTotalCents: Cents;
  dontMontantPedagogieCents: Cents;
  dontMajorationRqthCents: Cents;
  /** Final balance of a contract concluded from 2025-07-01: invoice within 4 months of the end. */
  dateLimiteFacturation?: IsoDate;
  /** The invoice must come with a certificat/attestation de réalisation (financement.md §2.2). */
  exigeCertificat: boolean;
  statut: StatutEcheance;
}

export interface EngagementFraisAnnexe {
  natureFrais: NatureFrais;
  quantite: number;
  prixUnitaireCents: Cents;
  montantTotalCents: Cents;
}

export interface PeriodeFraisAnnexes {
  numeroEcheance: number;
  nature: NatureFrais;
}

export interface DetailsFacturation {
  /** Amount of first equipment the CFA may invoice for this dossier (engaged, ≤ 500 €). */
  plafondFraisPremierEquipementCents: Cents;
  /** Mobility flat amount the CFA may invoice (0 without a planned mobility). */
  plafondFraisMobiliteCents: Cents;
  /** Which échéance numbers each engaged frais-annexes nature may be invoiced against. */
  periodesFraisAnnexes: PeriodeFraisAnnexes[];
}

/** One year of execution: from the start date (or an anniversary) to the day before the next one. */
export interface AnneeExecution {
  annee: number;
  dateDebut: IsoDate;
  dateFin: IsoDate;
  jours: number;
  /** Rolling months started within this year (month regime). */
  countStartedMonths: number;
  /** True when the year runs to the day before the anniversary (a full year). */
  complete: boolean;
  /** Pédagogie amount of the year, before the employer participation. */
  montantPedagogieCents: Cents;
  montantRqthCents: Cents;
}

export interface EngagementResult {
  regime: Regime;
  /** Σ échéances (pédagogie + RQTH), after the employer participation. Frais annexes excluded. */
  engagementCents: Cents;
  /** Annual NPEC after the FOAD minoration. */
  npecAnnuelRetenuCents: Cents;
  /** Participation actually deducted (≤ 750 €, ≤ the pédagogie total). */
  participationEmployeurCents: Cents;
  minorationFoad: boolean;
  majorationReductionDuree: boolean;
  /** Amount of the +10 % short-contract majoration (0 if none). */
  majorationReductionDureeCents: Cents;
  /** Contract shorter than one year: single 50 % advance then the balance. */
  contratCourt: boolean;
  /** Days from start to end, both included. */
  dureeJours: number;
  /** Rolling months started from start to end. */
  countStartedMonths: number;
  anneesExecution: AnneeExecution[];
  echeances: Echeance[];
  engagementsFraisAnnexe: EngagementFraisAnnexe[];
  /** Σ engagementsFraisAnnexe. */
  totalFraisAnnexesCents: Cents;
  detailsFacturation: DetailsFacturation;
  /** French, one line per rule applied. */
  explications: string[];
}

export interface RuptureOptions {
  /**
   * Whether the rupture happened during the probatoire (45 days of practical training in the
   * company, L6222-18). Not on the CERFA; when omitted, approximated by "rupture date within the
   * first 45 calendar days of the contract".
   */
  ruptureEnPeriodeProbatoire?: boolean;
}

export interface RuptureResult {
  regime: Regime;
  dateRupture: IsoDate;
  /** Days executed, start to rupture date included. */
  joursExecutes: number;
  /** Rolling months started up to the rupture date. */
  countStartedMonths: number;
  /** Engagement before the rupture. */
  engagementInitialCents: Cents;
  /** Amount due after the rupture = Σ echeances. */
  engagementCents: Cents;
  participationEmployeurCents: Cents;
  /** Same numbering as the initial schedule; PARTIELLE / ANNULEE after the rupture. */
  echeances: Echeance[];
  /** Σ paidPerEcheanceCents. */
  totalPercuCents: Cents;
  /** max(0, Σ paid − Σ due): to recover by avoir or refund. */
  tropPercuCents: Cents;
  /** max(0, Σ due − Σ paid): still payable. */
  resteAPayerCents: Cents;
  explications: string[];
}
