/**
 * What a declaration de solde releases: the CFA declares it will invoice nothing more, so every
 * amount engaged and not invoiced goes back to the OPCO. An échéance keeps exactly what its live
 * invoices hold (paid + en cours); a frais-annexes envelope keeps what its live lines hold. Then
 * Σ réglé + Σ en cours + Σ reste = engagement still holds, with reste 0. Applied again whenever a
 * pending invoice of the dossier is rejected (what it held comes back, and is released in turn).
 */
import { sum, type Cents } from '../financing/index.js';

export interface EcheanceALiberer {
  numero: number;
  montantTotalCents: Cents;
  dontPedagogieCents: Cents;
  dontRqthCents: Cents;
  montantRegleCents: Cents;
  montantEnCoursCents: Cents;
  /** Σ live (not rejected) invoice lines of each nature on this échéance. */
  facturePedagogieCents: Cents;
  factureRqthCents: Cents;
}

export interface EcheanceLiberee {
  numero: number;
  montantTotalCents: Cents;
  dontPedagogieCents: Cents;
  dontRqthCents: Cents;
  libereCents: Cents;
}

export interface FraisALiberer {
  nature: string;
  quantite: number;
  montantTotalCents: Cents;
  /** Σ amounts and quantities of the live lines of this nature on the dossier. */
  factureCents: Cents;
  quantiteFacturee: number;
}

export interface FraisLibere {
  nature: string;
  quantite: number;
  montantTotalCents: Cents;
  libereCents: Cents;
}

export interface PlanLiberation {
  echeances: EcheanceLiberee[];
  frais: FraisLibere[];
  /** Released from the échéances: what the engagement decreases by. */
  echeancesCents: Cents;
  fraisCents: Cents;
}

/**
 * An échéance cut down to what is invoiced on it (never raised: one overpaid after a rupture keeps
 * its amount). The pédagogie / RQTH split follows: each part goes down to what is invoiced of that
 * nature, never below it, and the two still add up to the total.
 */
export function releaseEcheance(e: EcheanceALiberer): EcheanceLiberee {
  const total = Math.min(e.montantTotalCents, e.montantRegleCents + e.montantEnCoursCents);
  const libereCents = e.montantTotalCents - total;
  if (libereCents === 0) {
    return { numero: e.numero, montantTotalCents: e.montantTotalCents, dontPedagogieCents: e.dontPedagogieCents, dontRqthCents: e.dontRqthCents, libereCents };
  }
  const pedagogie = Math.min(e.dontPedagogieCents, total, Math.max(e.facturePedagogieCents, total - e.dontRqthCents));
  return { numero: e.numero, montantTotalCents: total, dontPedagogieCents: pedagogie, dontRqthCents: total - pedagogie, libereCents };
}

/** An envelope cut down to its live lines (amount and quantity), never raised. */
export function releaseFrais(f: FraisALiberer): FraisLibere {
  const montantTotalCents = Math.min(f.montantTotalCents, f.factureCents);
  return { nature: f.nature, quantite: Math.min(f.quantite, f.quantiteFacturee), montantTotalCents, libereCents: f.montantTotalCents - montantTotalCents };
}

export function planRelease(echeances: readonly EcheanceALiberer[], frais: readonly FraisALiberer[]): PlanLiberation {
  const e = echeances.map(releaseEcheance);
  const f = frais.map(releaseFrais);
  return { echeances: e, frais: f, echeancesCents: sum(e.map((x) => x.libereCents)), fraisCents: sum(f.map((x) => x.libereCents)) };
}
