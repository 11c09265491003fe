/**
 * Money movements of invoicing, as pure functions over integer cents. An échéance carries three
 * amounts: `montantTotal` (due), `montantRegle` (paid) and `montantEnCoursInstruction` (invoiced,
 * not yet paid). Only PEDAGOGIE and MAJORATION_RQTH lines move them: frais annexes are separate
 * envelopes (docs/financing.md §9), tracked by the invoice lines themselves.
 *
 *   deposit   : en-cours += line amount
 *   rejection : en-cours −= line amount − line paid (a rejected invoice was never paid)
 *   payment   : spread over the invoice's lines in line order; each part moves en-cours → paid
 *
 * So Σ paid + Σ en-cours + Σ remaining = engagement holds at every step (remaining = total − paid −
 * en-cours, never negative because deposits are checked against it).
 */
import { sum, type Cents } from '../financing/index.js';
import type { EtatFacture } from '../lifecycle/index.js';
import { isNatureEcheance, type NatureLigne } from './types.js';

export interface LigneEnCompte {
  dossierId: string;
  numeroEcheance: number;
  nature: NatureLigne;
  montantCents: Cents;
  regleCents: Cents;
}

/** A change of one échéance's columns. */
export interface Mouvement {
  dossierId: string;
  numeroEcheance: number;
  enCoursCents: Cents;
  regleCents: Cents;
}

function regrouper(items: Array<Mouvement>): Mouvement[] {
  const byKey = new Map<string, Mouvement>();
  for (const m of items) {
    const key = `${m.dossierId}|${m.numeroEcheance}`;
    const seen = byKey.get(key);
    if (seen) byKey.set(key, { ...seen, enCoursCents: seen.enCoursCents + m.enCoursCents, regleCents: seen.regleCents + m.regleCents });
    else byKey.set(key, { ...m });
  }
  return [...byKey.values()].filter((m) => m.enCoursCents !== 0 || m.regleCents !== 0);
}

/** A new (or corrected) invoice: its échéance lines go "en cours d'instruction". */
export function mouvementsDepot(lignes: readonly LigneEnCompte[]): Mouvement[] {
  return regrouper(lignes.filter((l) => isNatureEcheance(l.nature)).map((l) => ({
    dossierId: l.dossierId, numeroEcheance: l.numeroEcheance, enCoursCents: l.montantCents, regleCents: 0,
  })));
}

/** A rejected (or replaced) invoice: what was still en cours is released. */
export function mouvementsLiberation(lignes: readonly LigneEnCompte[]): Mouvement[] {
  return regrouper(lignes.filter((l) => isNatureEcheance(l.nature)).map((l) => ({
    dossierId: l.dossierId, numeroEcheance: l.numeroEcheance, enCoursCents: -(l.montantCents - l.regleCents), regleCents: 0,
  })));
}

/**
 * Spreads a payment of `montantCents` over an invoice's lines in line order: each line takes what
 * it still misses (montant − réglé) until the payment is used up. Σ parts = montantCents exactly.
 * Throws a RangeError when the payment is ≤ 0 or exceeds what the invoice still misses.
 */
export function splitReglement(lignes: readonly Pick<LigneEnCompte, 'montantCents' | 'regleCents'>[], montantCents: Cents): Cents[] {
  const manque = sum(lignes.map((l) => l.montantCents - l.regleCents));
  if (!Number.isSafeInteger(montantCents) || montantCents <= 0 || montantCents > manque) {
    throw new RangeError(`règlement de ${montantCents} centimes pour ${manque} centimes restant dus`);
  }
  let reste = montantCents;
  return lignes.map((l) => {
    const part = Math.min(reste, l.montantCents - l.regleCents);
    reste -= part;
    return part;
  });
}

/** The échéance movements of a payment spread by `splitReglement`. */
export function mouvementsReglement(lignes: readonly LigneEnCompte[], parts: readonly Cents[]): Mouvement[] {
  return regrouper(lignes.flatMap((l, i) => {
    const part = parts[i] ?? 0;
    return isNatureEcheance(l.nature) && part > 0
      ? [{ dossierId: l.dossierId, numeroEcheance: l.numeroEcheance, enCoursCents: -part, regleCents: part }]
      : [];
  }));
}

/** State of an invoice after a payment that brings its paid total to `regleApresCents`. */
export function etatAfterReglement(montantTotalCents: Cents, regleApresCents: Cents): EtatFacture {
  return regleApresCents >= montantTotalCents ? 'REGLE' : 'REGLE_PARTIELLEMENT';
}
