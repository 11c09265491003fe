/**
 * The worked examples of financement.md §2.4 (and the ensuplr / Ministry examples of §1.4–1.5),
 * reproduced to the cent. Figures are also listed in docs/financing.md §"Exemples".
 */
import { describe, expect, it } from 'vitest';
import { computeEngagement, computeRupture } from '../../src/domain/financing/engine.js';
import type { EngagementInput } from '../../src/domain/financing/types.js';

const parametres = { prixRepasCents: 300, prixNuiteeCents: 600, plafondPremierEquipementCents: 50_000, forfaitMobiliteCents: 168_000 };

/** Level-7 contract, 01/09/2025–31/08/2027, NPEC 8 000 €, concluded after 1 July 2025. */
const niveau7: EngagementInput = {
  dateConclusion: '2025-07-15',
  dateDebutContrat: '2025-09-01',
  dateFinContrat: '2027-08-31',
  npecAnnuelCents: 800_000,
  niveauDiplome: 7,
  parametres,
};

const montants = (r: { echeances: Array<{ montantTotalCents: number }> }): number[] => r.echeances.map((e) => e.montantTotalCents);

describe('financement.md §2.4 — level-7 contract 01/09/2025–31/08/2027, NPEC 8 000 €', () => {
  const r = computeEngagement(niveau7);

  it('year 1: 2 450 / 2 400 / 1 600 / 800 (balance with year 2’s first advance)', () => {
    expect(montants(r).slice(0, 4)).toEqual([245_000, 240_000, 160_000, 80_000]);
    expect(r.echeances.slice(0, 4).map((e) => [e.codification, e.type, e.dateOuverture])).toEqual([
      ['A1', 'AVANCE', '2025-09-01'],
      ['A2', 'INTERMEDIAIRE', '2026-03-01'],
      ['A3', 'INTERMEDIAIRE', '2026-06-01'],
      ['A4', 'SOLDE_INTERMEDIAIRE', '2026-09-01'],
    ]);
    expect(r.echeances[4]?.dateOuverture).toBe('2026-09-01');
  });

  it('year 2: 3 200 / 2 400 / 1 600 / 800, balance invoiced by 31/12/2027', () => {
    expect(montants(r).slice(4)).toEqual([320_000, 240_000, 160_000, 80_000]);
    expect(r.echeances[7]).toMatchObject({ type: 'SOLDE', dateOuverture: '2027-08-31', dateLimiteFacturation: '2027-12-31' });
  });

  it('engagement 15 250 € after the 750 € participation', () => {
    expect(r.engagementCents).toBe(1_525_000);
    expect(r.participationEmployeurCents).toBe(75_000);
    expect(r.regime).toBe('JOUR_40_30_20_10');
  });
});

describe('financement.md §2.4 — same contract broken on 15/03/2026', () => {
  const rupture = computeRupture(niveau7, '2026-03-15', [245_000]);

  it('196 days → 4 295.89 €, 3 545.89 € after participation, 1 095.89 € left after A1', () => {
    expect(rupture.joursExecutes).toBe(196);
    expect(rupture.engagementCents + rupture.participationEmployeurCents).toBe(429_589);
    expect(rupture.engagementCents).toBe(354_589);
    expect(rupture.resteAPayerCents).toBe(109_589);
    expect(rupture.tropPercuCents).toBe(0);
  });

  it('A1 kept, A2 partial (holds 15/03/2026), the others cancelled', () => {
    expect(rupture.echeances.map((e) => [e.codification, e.statut, e.montantTotalCents])).toEqual([
      ['A1', 'PREVUE', 245_000],
      ['A2', 'PARTIELLE', 109_589],
      ['A3', 'ANNULEE', 0],
      ['A4', 'ANNULEE', 0],
      ['A5', 'ANNULEE', 0],
      ['A6', 'ANNULEE', 0],
      ['A7', 'ANNULEE', 0],
      ['A8', 'ANNULEE', 0],
    ]);
    expect(rupture.echeances[1]?.dateLimiteFacturation).toBe('2026-07-15');
  });
});

describe('financement.md §2.4 — last partial year 01/09/2026–15/07/2027 (318 days)', () => {
  const r = computeEngagement({ ...niveau7, dateFinContrat: '2027-07-15' });

  it('6 969.86 € split 2 787.94 / 2 090.96 / 1 393.97 / 696.99', () => {
    expect(r.anneesExecution[1]).toMatchObject({ jours: 318, complete: false, montantPedagogieCents: 696_986 });
    expect(montants(r).slice(4)).toEqual([278_794, 209_096, 139_397, 69_699]);
    expect(r.echeances[7]).toMatchObject({ type: 'SOLDE', dateOuverture: '2027-07-15', dateLimiteFacturation: '2027-11-15' });
  });
});

describe('financement.md §2.4 — contract < 1 year (200 days, reduced by convention)', () => {
  const r = computeEngagement({ ...niveau7, niveauDiplome: 5, dateFinContrat: '2026-03-19', typeDerogation: 21 });

  it('8 000 × 200/365 = 4 383.56 €, +10 % = 4 821.92 €, single 50 % advance then the balance', () => {
    expect(r.dureeJours).toBe(200);
    expect(r.contratCourt).toBe(true);
    expect(r.majorationReductionDuree).toBe(true);
    expect(r.majorationReductionDureeCents).toBe(43_836);
    expect(r.engagementCents).toBe(482_192);
    expect(r.echeances.map((e) => [e.type, e.montantTotalCents])).toEqual([['AVANCE', 241_096], ['SOLDE', 241_096]]);
  });
});

describe('month regime and participation examples (financement.md §1.4, §1.5c)', () => {
  const contrat2024: EngagementInput = { ...niveau7, dateConclusion: '2024-06-15', dateDebutContrat: '2024-09-28', dateFinContrat: '2025-10-03', npecAnnuelCents: 700_000, niveauDiplome: 5 };

  it('28 Sept N → 3 Oct N+1 = 13 started months (ensuplr)', () => {
    const r = computeEngagement(contrat2024);
    expect(r.countStartedMonths).toBe(13);
    expect(r.engagementCents).toBe(700_000 + 58_333);
  });

  it('NPEC 7 000 €, broken after 9 months → 9/12 = 5 250 € (ensuplr, Ministry Q/R)', () => {
    const r = computeRupture({ ...contrat2024, dateDebutContrat: '2024-09-01', dateFinContrat: '2026-08-31' }, '2025-05-31', []);
    expect(r.countStartedMonths).toBe(9);
    expect(r.engagementCents).toBe(525_000);
  });

  it('NPEC 7 000 €, reduced to 9 months → 9/12 × 7 000 + 10 % = 5 775 € (ensuplr)', () => {
    const r = computeEngagement({ ...contrat2024, dateDebutContrat: '2024-09-01', dateFinContrat: '2025-05-31', typeDerogation: 21 });
    expect(r.engagementCents).toBe(577_500);
  });

  it('rupture on day 45 of a level-7 contract at 8 000 € → participation ≈ 493.15 € (Ministry)', () => {
    const r = computeRupture(niveau7, '2025-10-15', [245_000]);
    expect(r.joursExecutes).toBe(45);
    expect(r.participationEmployeurCents).toBe(49_315);
    expect(r.engagementCents).toBe(98_630 - 49_315);
    expect(r.tropPercuCents).toBe(245_000 - 49_315);
  });
});
