/**
 * What is still invoiceable, per échéance nature and per frais-annexes envelope. One definition,
 * read by the invoice checks (checks.ts: a line may not exceed it) and by the draft facturations
 * (facturation.ts: the default amount of a line is it). `dejaPris` is what earlier lines of the
 * same invoice already took.
 */
import type { Cents } from '../financing/index.js';
import type { EcheanceSuivie, FraisSuivi, NatureEcheance } from './types.js';

/** The échéance's part of that nature (pédagogie or RQTH). */
export function partOfNature(e: EcheanceSuivie, nature: NatureEcheance): Cents {
  return nature === 'PEDAGOGIE' ? e.dontPedagogieCents : e.dontRqthCents;
}

/** Left on the échéance as a whole: total − réglé − en cours − what this invoice already took. */
export function resteSurEcheance(e: EcheanceSuivie, dejaPris: Cents = 0): Cents {
  return Math.max(0, e.montantTotalCents - e.montantRegleCents - e.montantEnCoursCents - dejaPris);
}

/** Left to invoice in `nature` on the échéance: min(left on the échéance, its part of that nature − already invoiced in it). */
export function resteEcheance(e: EcheanceSuivie, nature: NatureEcheance, dejaPris: Cents = 0): Cents {
  const resteNature = Math.max(0, partOfNature(e, nature) - (e.factureParNatureCents[nature] ?? 0));
  return Math.min(resteSurEcheance(e, dejaPris), resteNature);
}

/** Left in a frais envelope: engaged − invoiced by live invoices − taken by this invoice. */
export function resteFrais(frais: FraisSuivi, dejaPris: Cents = 0): Cents {
  return Math.max(0, frais.montantTotalCents - frais.factureCents - dejaPris);
}

/** Meals or nights still engaged: engaged − invoiced − taken by this invoice. */
export function quantiteDisponible(frais: FraisSuivi, dejaPrise = 0): number {
  return Math.max(0, frais.quantite - frais.quantiteFacturee - dejaPrise);
}
