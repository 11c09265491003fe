/**
 * Property tests over thousands of generated contracts: conservation of money, non-negative safe
 * integers, ordering, and the rupture invariants.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, fromEpochDay, toEpochDay } from '../../src/domain/dates.js';
import { computeEngagement, computeRupture } from '../../src/domain/financing/engine.js';
import type { Echeance, EngagementInput, NiveauDiplome } from '../../src/domain/financing/types.js';

const RUNS = 3000;
const parametres = { prixRepasCents: 300, prixNuiteeCents: 600, plafondPremierEquipementCents: 50_000, forfaitMobiliteCents: 168_000 };

const contrat: fc.Arbitrary<EngagementInput> = fc
  .record({
    conclusion: fc.integer({ min: toEpochDay('2021-01-01'), max: toEpochDay('2027-12-31') }),
    decalageDebut: fc.integer({ min: -20, max: 120 }),
    // 6 months … 4 years
    duree: fc.integer({ min: 182, max: 1461 }),
    npec: fc.integer({ min: 100_000, max: 1_500_000 }),
    niveau: fc.constantFrom<NiveauDiplome>(3, 4, 5, 6, 7, 8),
    derogation: fc.option(fc.constantFrom(21, 22, 11), { nil: undefined }),
    foad: fc.option(fc.record({ duree: fc.integer({ min: 1, max: 2000 }), part: fc.integer({ min: 0, max: 100 }) }), { nil: undefined }),
    exemptee: fc.boolean(),
    rqth: fc.option(fc.array(fc.integer({ min: 0, max: 600_000 }), { maxLength: 4 }), { nil: undefined }),
    frais: fc.option(fc.record({
      nombreRepas: fc.integer({ min: 0, max: 2000 }),
      nombreNuitees: fc.integer({ min: 0, max: 500 }),
      premierEquipementCents: fc.integer({ min: 0, max: 100_000 }),
      mobiliteInternationale: fc.boolean(),
    }), { nil: undefined }),
  })
  .map((g) => {
    const dateConclusion = fromEpochDay(g.conclusion);
    const dateDebutContrat = addDays(dateConclusion, g.decalageDebut);
    return {
      dateConclusion,
      dateDebutContrat,
      dateFinContrat: addDays(dateDebutContrat, g.duree - 1),
      npecAnnuelCents: g.npec,
      niveauDiplome: g.niveau,
      typeDerogation: g.derogation,
      ...(g.foad ? { dureeFormationHeures: g.foad.duree, heuresDistanciel: Math.floor((g.foad.duree * g.foad.part) / 100) } : {}),
      certificationExempteeFoad: g.exemptee,
      rqthMontantsParAnneeCents: g.rqth,
      fraisAnnexes: g.frais,
      parametres,
    };
  });

const isAmount = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;
const total = (es: readonly Echeance[]): number => es.reduce((s, e) => s + e.montantTotalCents, 0);

function checkSchedule(echeances: readonly Echeance[], input: EngagementInput): void {
  echeances.forEach((e, i) => {
    expect(e.numero).toBe(i + 1);
    expect(e.codification).toBe(`A${i + 1}`);
    expect(isAmount(e.montantTotalCents) && isAmount(e.dontMontantPedagogieCents) && isAmount(e.dontMajorationRqthCents)).toBe(true);
    expect(e.montantTotalCents).toBe(e.dontMontantPedagogieCents + e.dontMajorationRqthCents);
    expect(e.dateDebut <= e.dateFin).toBe(true);
    expect(e.dateDebut >= input.dateDebutContrat && e.dateFin <= input.dateFinContrat).toBe(true);
    if (i > 0) expect((echeances[i - 1]?.dateOuverture ?? '') <= e.dateOuverture).toBe(true);
  });
}

describe('financing engine properties', () => {
  it('Σ échéances = engagement exactly; amounts are non-negative safe integers; ordered by dateOuverture', () => {
    fc.assert(fc.property(contrat, (input) => {
      const r = computeEngagement(input);
      checkSchedule(r.echeances, input);
      expect(total(r.echeances)).toBe(r.engagementCents);
      // yearly amounts are conserved through the split and the participation deduction
      const pedagogie = r.anneesExecution.reduce((s, a) => s + a.montantPedagogieCents, 0);
      const rqth = r.anneesExecution.reduce((s, a) => s + a.montantRqthCents, 0);
      expect(r.echeances.reduce((s, e) => s + e.dontMontantPedagogieCents, 0)).toBe(pedagogie - r.participationEmployeurCents);
      expect(r.echeances.reduce((s, e) => s + e.dontMajorationRqthCents, 0)).toBe(rqth);
      // each year is at most the (retained) annual NPEC, RQTH at most 4 000 €
      for (const a of r.anneesExecution) {
        expect(a.montantPedagogieCents).toBeLessThanOrEqual(r.npecAnnuelRetenuCents);
        expect(a.montantRqthCents).toBeLessThanOrEqual(400_000);
      }
      expect(r.npecAnnuelRetenuCents).toBeLessThanOrEqual(input.npecAnnuelCents);
      expect(r.participationEmployeurCents).toBeLessThanOrEqual(input.niveauDiplome >= 6 && input.dateConclusion >= '2025-07-01' ? 75_000 : 0);
      expect(r.engagementsFraisAnnexe.every((f) => isAmount(f.montantTotalCents) && f.montantTotalCents === f.quantite * f.prixUnitaireCents)).toBe(true);
      expect(r.explications.length).toBeGreaterThan(3);
    }), { numRuns: RUNS });
  });

  it('rupture: Σ = due, never above the initial engagement, tropPercu = max(0, paid − due)', () => {
    const cas = contrat.chain((input) => {
      const debut = toEpochDay(input.dateDebutContrat);
      const fin = toEpochDay(input.dateFinContrat);
      return fc.record({
        input: fc.constant(input),
        rupture: fc.integer({ min: debut, max: fin }).map(fromEpochDay),
        paiements: fc.array(fc.integer({ min: 0, max: 120 }), { maxLength: 20 }),
      });
    });
    fc.assert(fc.property(cas, ({ input, rupture, paiements }) => {
      const initial = computeEngagement(input);
      // paid: 0–120 % of each planned échéance (over-payments included)
      const paid = initial.echeances.map((e, i) => Math.floor((e.montantTotalCents * (paiements[i] ?? 0)) / 100));
      const r = computeRupture(input, rupture, paid);
      checkSchedule(r.echeances, input);
      expect(total(r.echeances)).toBe(r.engagementCents);
      expect(r.engagementCents).toBeLessThanOrEqual(initial.engagementCents);
      expect(r.engagementInitialCents).toBe(initial.engagementCents);
      const paye = paid.reduce((s, p) => s + p, 0);
      expect(r.totalPercuCents).toBe(paye);
      expect(r.tropPercuCents).toBe(Math.max(0, paye - r.engagementCents));
      expect(r.resteAPayerCents).toBe(Math.max(0, r.engagementCents - paye));
      // same numbering and dates; one partial holder, then only cancelled échéances at 0
      expect(r.echeances.map((e) => [e.numero, e.dateOuverture])).toEqual(initial.echeances.map((e) => [e.numero, e.dateOuverture]));
      if (rupture < input.dateFinContrat) {
        const holder = r.echeances.findIndex((e) => e.dateDebut <= rupture && rupture <= e.dateFin);
        expect(holder).toBeGreaterThanOrEqual(0);
        expect(r.echeances[holder]?.statut).toBe('PARTIELLE');
        expect(r.echeances.slice(holder + 1).every((e) => e.statut === 'ANNULEE' && e.montantTotalCents === 0)).toBe(true);
        // échéances before the holder keep their planned amount
        r.echeances.slice(0, holder).forEach((e, i) => expect(e.montantTotalCents).toBe(initial.echeances[i]?.montantTotalCents));
      }
    }), { numRuns: RUNS });
  });

  it('a later rupture date (past the probatoire) never lowers the amount due', () => {
    const cas = contrat.chain((input) => {
      const debut = toEpochDay(input.dateDebutContrat) + 45;
      const fin = toEpochDay(input.dateFinContrat);
      return fc.tuple(fc.constant(input), fc.integer({ min: debut, max: fin }), fc.integer({ min: debut, max: fin }));
    });
    fc.assert(fc.property(cas, ([input, a, b]) => {
      const [tot, tard] = a <= b ? [a, b] : [b, a];
      const early = computeRupture(input, fromEpochDay(tot), []).engagementCents;
      const late = computeRupture(input, fromEpochDay(tard), []).engagementCents;
      expect(early).toBeLessThanOrEqual(late);
    }), { numRuns: 1000 });
  });
});
