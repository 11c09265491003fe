/**
 * Types of the invoicing domain (pure: no HTTP, no SQL). Amounts are integer cents, dates
 * `YYYY-MM-DD`. The DB layer reads a snapshot of each dossier's échéancier (under row locks) into
 * these shapes; the checks (checks.ts) decide, the DB layer applies.
 */
import type { Cents, IsoDate } from '../financing/types.js';

export const NATURES_LIGNE = ['PEDAGOGIE', 'MAJORATION_RQTH', 'RESTAURATION', 'HEBERGEMENT', 'PREMIEREQUIPEMENT', 'MOBILITE'] as const;
export type NatureLigne = (typeof NATURES_LIGNE)[number];

/** Natures paid out of the échéances (their amounts are part of `montantTotal` of an échéance). */
export const NATURES_ECHEANCE = ['PEDAGOGIE', 'MAJORATION_RQTH'] as const satisfies readonly NatureLigne[];
export type NatureEcheance = (typeof NATURES_ECHEANCE)[number];

/** Frais annexes: separate envelopes (docs/financing.md §9), consumed by invoice lines. */
export const NATURES_FRAIS = ['RESTAURATION', 'HEBERGEMENT', 'PREMIEREQUIPEMENT', 'MOBILITE'] as const satisfies readonly NatureLigne[];
export type NatureFraisLigne = (typeof NATURES_FRAIS)[number];

/** Natures invoiced on actual quantities (meals, nights) against a unit price. */
export const NATURES_A_QUANTITE: readonly NatureLigne[] = ['RESTAURATION', 'HEBERGEMENT'];

export function isNatureEcheance(nature: NatureLigne): nature is NatureEcheance {
  return (NATURES_ECHEANCE as readonly string[]).includes(nature);
}

/** One invoice line, parsed (amount in cents). `index` is its position in `lignes`. */
export interface LigneDemandee {
  index: number;
  /** `numeroDossier` as sent: numeroExterne (the norm) or numeroInterne. */
  numeroDossier?: string;
  /** `numeroInterneDossier` as sent. */
  numeroInterneDossier?: string;
  numeroEcheance: number;
  codificationEcheance?: string;
  nature: NatureLigne;
  quantite: number;
  montantCents: Cents;
}

export interface FactureDemandee {
  numero: string;
  dateEmission: IsoDate;
  montantTotalCents: Cents;
  ibanEmetteur: string;
  siretEmetteur: string;
  estCertificatRealisation: boolean;
  numeroInterneFactureCorrigee?: string;
  lignes: LigneDemandee[];
}

/** What the checks need to know about one échéance (amounts already net of the invoice being corrected). */
export interface EcheanceSuivie {
  numero: number;
  codification: string;
  type: string;
  statut: string;
  dateOuverture: IsoDate;
  dateLimiteFacturation: IsoDate | null;
  exigeCertificat: boolean;
  montantTotalCents: Cents;
  dontPedagogieCents: Cents;
  dontRqthCents: Cents;
  montantRegleCents: Cents;
  montantEnCoursCents: Cents;
  /** Σ amounts of the lines of live (not rejected) invoices, per nature, on this échéance. */
  factureParNatureCents: Partial<Record<NatureLigne, Cents>>;
  /** numeroInterneFacture of a pending invoice (not REJETEE, not REGLE) per nature on this échéance. */
  factureEnAttente: Partial<Record<NatureLigne, string>>;
  /** A certificat de réalisation was posted (POST /v2/certificats) for this échéance. */
  certificatRecu: boolean;
}

/** A frais-annexes envelope of a dossier and what live invoices already consumed. */
export interface FraisSuivi {
  nature: NatureFraisLigne;
  quantite: number;
  prixUnitaireCents: Cents;
  montantTotalCents: Cents;
  /** Σ live invoice lines of this nature (all échéances). */
  factureCents: Cents;
  /** Σ quantities of those lines. */
  quantiteFacturee: number;
  /** Échéance numbers this nature may be invoiced against (`periodesFraisAnnexes`). */
  echeances: readonly number[];
}

export interface DossierSuivi {
  /** Internal id (the DB's); the lines of one dossier are grouped by it. */
  id: string;
  numeroInterne: string;
  numeroExterne: string;
  etat: string;
  echeances: readonly EcheanceSuivie[];
  frais: readonly FraisSuivi[];
}

export interface ContexteFacture {
  /** The caller's dossiers named by the lines, indexed by numeroInterne AND numeroExterne. */
  dossiers: ReadonlyMap<string, DossierSuivi>;
  /** The CFA already has another invoice with this `numero`. */
  numeroDejaUtilise: boolean;
  /** Reception date (Europe/Paris). */
  aujourdHui: IsoDate;
}
