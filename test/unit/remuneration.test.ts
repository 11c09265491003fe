import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, fromEpochDay, toEpochDay } from '../../src/domain/dates.js';
import { seuilsTranches, tauxMinimal, trancheDeAge, type TrancheAge } from '../../src/domain/remuneration/grille.js';
import {
  computeRemunerationPeriods, dateChangementTranche, salaireBrutCents, type RemunerationPeriod, type RemunerationPeriodInput,
} from '../../src/domain/remuneration/periodes.js';
import { SMIC_TABLE, smicMensuelAt } from '../../src/domain/remuneration/smic.js';

type Ligne = [ordre: string, dateDebut: string, dateFin: string, taux: number, typeSalaire?: 'SMIC' | 'SMC'];
const resume = (periodes: RemunerationPeriod[]): Ligne[] =>
  periodes.map((p) => [p.ordre, p.dateDebut, p.dateFin, p.tauxMinimal, p.typeSalaire]);

const BASE: RemunerationPeriodInput = {
  dateNaissance: '2006-05-14', dateDebutContrat: '2025-09-01', dateFinContrat: '2027-08-31', dateConclusion: '2025-08-20',
};

describe('SMIC table', () => {
  it.each([
    ['2025-06-01', undefined, 180_180],
    ['2024-11-01', undefined, 180_180],
    ['2024-10-31', undefined, 176_692],
    ['2026-01-01', undefined, 182_303],
    ['2035-01-01', undefined, 182_303], // after the last known revaluation
    ['2017-06-01', undefined, 149_847], // before the table
    ['2025-06-01', '976', 136_197],
    ['2026-03-01', '976', 141_505],
    ['2025-06-01', '971', 180_180], // Guadeloupe uses the main rate
  ])('smicMensuelAt(%s, %s) = %i cents', (date, dep, cents) => expect(smicMensuelAt(date, dep)).toBe(cents));

  it('is sorted by effective date', () => {
    const dates = SMIC_TABLE.map((e) => e.effectiveFrom);
    expect([...dates].sort()).toEqual(dates);
  });
});

describe('minimum-rate grid', () => {
  it.each<[number, TrancheAge, number]>([
    [1, 0, 27], [1, 1, 43], [1, 2, 53], [1, 3, 100],
    [2, 0, 39], [2, 1, 51], [2, 2, 61], [2, 3, 100],
    [3, 0, 55], [3, 1, 67], [3, 2, 78], [3, 3, 100],
    [4, 0, 55], [4, 1, 67], [4, 2, 78], [4, 3, 100],
  ])('2019 grid: year %i, band %i → %i %%', (annee, tranche, taux) => expect(tauxMinimal(annee, tranche, '2019-01-01')).toBe(taux));

  it.each<[number, TrancheAge, number]>([
    [1, 0, 25], [1, 1, 41], [1, 2, 53], [1, 3, 53], [2, 0, 37], [2, 1, 49], [2, 2, 61], [3, 0, 53], [3, 1, 65], [3, 3, 78],
  ])('pre-2019 grid: year %i, band %i → %i %%', (annee, tranche, taux) => expect(tauxMinimal(annee, tranche, '2018-12-31')).toBe(taux));

  it('bands', () => {
    expect([15, 17, 18, 20, 21, 25, 26, 40].map(trancheDeAge)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(seuilsTranches('2018-12-31')).toEqual([18, 21]);
    expect(seuilsTranches('2019-01-01')).toEqual([18, 21, 26]);
  });
});

describe('gross pay, integer arithmetic', () => {
  // §4.4 worked minimums at SMIC 1 801,80 €
  it.each([
    [27, 48_649], [39, 70_271], [55, 99_099],
    [43, 77_478], [51, 91_892], [67, 120_721],
    [53, 95_496], [61, 109_910], [78, 140_541],
    [100, 180_180],
  ])('%i %% of 1 801,80 € = %i cents', (taux, cents) => expect(salaireBrutCents(180_180, taux)).toBe(cents));

  it('handles rates with two decimals without float drift', () => {
    expect(salaireBrutCents(180_180, 43.5)).toBe(78_379); // 783.783 → 783.79
    expect(salaireBrutCents(100_000, 0.01)).toBe(10);
    expect(salaireBrutCents(180_180, 57.35)).toBe(103_334); // 1033.3323 → 1033.34
  });
});

describe('computeRemunerationPeriods', () => {
  it('splits year 2 at the first day of the month following the 21st birthday', () => {
    const periodes = computeRemunerationPeriods(BASE);
    expect(resume(periodes)).toEqual([
      ['1.1', '2025-09-01', '2026-08-31', 43, 'SMIC'],
      ['2.1', '2026-09-01', '2027-05-31', 51, 'SMIC'],
      ['2.2', '2027-06-01', '2027-08-31', 61, 'SMIC'],
    ]);
    expect(periodes.map((p) => [p.anneeContrat, p.age, p.trancheAge])).toEqual([[1, 19, 1], [2, 20, 1], [2, 21, 2]]);
    // base = SMIC in force on the first day of each period
    expect(periodes.map((p) => [p.baseMensuelleCents, p.salaireBrutMensuelCents])).toEqual([
      [180_180, 77_478], [182_303, 92_975], [182_303, 111_205],
    ]);
  });

  it('a birthday on the 1st moves the band on the 1st of the next month', () => {
    expect(dateChangementTranche('2006-06-01', 21)).toBe('2027-07-01');
    expect(resume(computeRemunerationPeriods({ ...BASE, dateNaissance: '2006-06-01' })).map((l) => l[1])).toEqual([
      '2025-09-01', '2026-09-01', '2027-07-01',
    ]);
  });

  it('no split when the band would change after the end of the contract', () => {
    expect(resume(computeRemunerationPeriods({ ...BASE, dateNaissance: '2006-08-15' }))).toEqual([
      ['1.1', '2025-09-01', '2026-08-31', 43, 'SMIC'],
      ['2.1', '2026-09-01', '2027-08-31', 51, 'SMIC'],
    ]);
  });

  it('an 18th birthday in the start month raises the rate from the next month', () => {
    expect(resume(computeRemunerationPeriods({ ...BASE, dateNaissance: '2007-09-01' })).slice(0, 2)).toEqual([
      ['1.1', '2025-09-01', '2025-09-30', 27, 'SMIC'],
      ['1.2', '2025-10-01', '2026-08-31', 43, 'SMIC'],
    ]);
  });

  it('a 29 February birthday is reached on 1 March in common years', () => {
    expect(dateChangementTranche('2008-02-29', 18)).toBe('2026-04-01');
    expect(dateChangementTranche('2004-02-29', 20 + 4)).toBe('2028-03-01'); // 2028-02-29 exists
  });

  it('uses the SMC from 21 when it is above the SMIC', () => {
    const periodes = computeRemunerationPeriods({ ...BASE, dateNaissance: '2003-01-10', smcMensuelCents: 200_000 });
    expect(periodes.map((p) => [p.ordre, p.tauxMinimal, p.typeSalaire, p.baseMensuelleCents, p.salaireBrutMensuelCents])).toEqual([
      ['1.1', 53, 'SMC', 200_000, 106_000],
      ['2.1', 61, 'SMC', 200_000, 122_000],
    ]);
  });

  it('keeps the SMIC when the SMC is lower, or before 21', () => {
    expect(computeRemunerationPeriods({ ...BASE, dateNaissance: '2003-01-10', smcMensuelCents: 150_000 }).map((p) => p.typeSalaire))
      .toEqual(['SMIC', 'SMIC']);
    expect(resume(computeRemunerationPeriods({ ...BASE, smcMensuelCents: 200_000 }))).toEqual([
      ['1.1', '2025-09-01', '2026-08-31', 43, 'SMIC'],
      ['2.1', '2026-09-01', '2027-05-31', 51, 'SMIC'],
      ['2.2', '2027-06-01', '2027-08-31', 61, 'SMC'],
    ]);
  });

  it('a 3-year contract with a band change in year 1', () => {
    const periodes = computeRemunerationPeriods({ ...BASE, dateNaissance: '2005-03-20', dateFinContrat: '2028-08-31' });
    expect(resume(periodes)).toEqual([
      ['1.1', '2025-09-01', '2026-03-31', 43, 'SMIC'],
      ['1.2', '2026-04-01', '2026-08-31', 53, 'SMIC'],
      ['2.1', '2026-09-01', '2027-08-31', 61, 'SMIC'],
      ['3.1', '2027-09-01', '2028-08-31', 78, 'SMIC'],
    ]);
    expect(periodes.map((p) => p.salaireBrutMensuelCents)).toEqual([77_478, 96_621, 111_205, 142_197]);
  });

  it('a 4th year is paid as the 3rd', () => {
    const periodes = computeRemunerationPeriods({ ...BASE, dateNaissance: '2009-01-15', dateFinContrat: '2029-06-30' });
    expect(resume(periodes)).toEqual([
      ['1.1', '2025-09-01', '2026-08-31', 27, 'SMIC'],
      ['2.1', '2026-09-01', '2027-01-31', 39, 'SMIC'],
      ['2.2', '2027-02-01', '2027-08-31', 51, 'SMIC'],
      ['3.1', '2027-09-01', '2028-08-31', 67, 'SMIC'],
      ['4.1', '2028-09-01', '2029-06-30', 67, 'SMIC'],
    ]);
  });

  it('Mayotte employer: Mayotte SMIC as base', () => {
    const periodes = computeRemunerationPeriods({ ...BASE, departementEmployeur: '976' });
    expect(periodes.map((p) => [p.baseMensuelleCents, p.salaireBrutMensuelCents])).toEqual([
      [136_197, 58_565], // 43 % × 1 361,97 € = 585.6471 → 585.65
      [141_505, 72_168], // 51 % × 1 415,05 € = 721.6755 → 721.68
      [141_505, 86_319], // 61 % × 1 415,05 € = 863.1805 → 863.19
    ]);
  });

  it('contracts concluded before 2019 use the old grid and have no 26+ band', () => {
    expect(resume(computeRemunerationPeriods({
      dateNaissance: '2001-03-10', dateDebutContrat: '2018-09-01', dateFinContrat: '2020-08-31', dateConclusion: '2018-06-01',
    }))).toEqual([
      ['1.1', '2018-09-01', '2019-03-31', 25, 'SMIC'],
      ['1.2', '2019-04-01', '2019-08-31', 41, 'SMIC'],
      ['2.1', '2019-09-01', '2020-08-31', 49, 'SMIC'],
    ]);
    expect(resume(computeRemunerationPeriods({
      dateNaissance: '1993-01-10', dateDebutContrat: '2018-09-01', dateFinContrat: '2020-08-31', dateConclusion: '2018-06-01',
    }))).toEqual([
      ['1.1', '2018-09-01', '2019-08-31', 53, 'SMIC'],
      ['2.1', '2019-09-01', '2020-08-31', 61, 'SMIC'],
    ]);
  });

  it('the previous contract rate is a floor, and equal-rate parts are merged', () => {
    expect(resume(computeRemunerationPeriods({ ...BASE, tauxDernierAnneeContratPrecedent: 55 }))).toEqual([
      ['1.1', '2025-09-01', '2026-08-31', 55, 'SMIC'],
      ['2.1', '2026-09-01', '2027-05-31', 55, 'SMIC'],
      ['2.2', '2027-06-01', '2027-08-31', 61, 'SMIC'],
    ]);
    expect(resume(computeRemunerationPeriods({ ...BASE, tauxDernierAnneeContratPrecedent: 61 }))).toEqual([
      ['1.1', '2025-09-01', '2026-08-31', 61, 'SMIC'],
      ['2.1', '2026-09-01', '2027-08-31', 61, 'SMIC'],
    ]);
  });

  it('a contract starting on 29 February', () => {
    expect(resume(computeRemunerationPeriods({ ...BASE, dateNaissance: '2001-06-01', dateDebutContrat: '2024-02-29', dateFinContrat: '2026-02-27', dateConclusion: '2024-02-01' })))
      .toEqual([
        ['1.1', '2024-02-29', '2025-02-27', 53, 'SMIC'],
        ['2.1', '2025-02-28', '2026-02-27', 61, 'SMIC'],
      ]);
  });

  it('rejects malformed input', () => {
    expect(computeRemunerationPeriods({ ...BASE, dateFinContrat: '2025-08-31' })).toEqual([]);
    expect(() => computeRemunerationPeriods({ ...BASE, dateDebutContrat: '2025-02-30' })).toThrow(RangeError);
    expect(() => computeRemunerationPeriods({ ...BASE, dateFinContrat: '2040-01-01' })).toThrow(RangeError);
  });

  it('property: periods are contiguous, cover the contract exactly, and rates never decrease', () => {
    const jour = (from: string, to: string) => fc.integer({ min: toEpochDay(from), max: toEpochDay(to) }).map(fromEpochDay);
    fc.assert(fc.property(
      jour('1960-01-01', '2012-12-31'),
      jour('2015-01-01', '2030-12-31'),
      fc.integer({ min: 0, max: 1700 }),
      fc.integer({ min: 0, max: 120 }),
      fc.option(fc.integer({ min: 100_000, max: 400_000 }), { nil: undefined }),
      fc.constantFrom(undefined, '75', '976'),
      (dateNaissance, dateDebutContrat, jours, avance, smc, departement) => {
        const dateFinContrat = addDays(dateDebutContrat, jours);
        const periodes = computeRemunerationPeriods({
          dateNaissance, dateDebutContrat, dateFinContrat, dateConclusion: addDays(dateDebutContrat, -avance),
          ...(smc !== undefined && { smcMensuelCents: smc }),
          ...(departement !== undefined && { departementEmployeur: departement }),
        });
        expect(periodes[0]?.dateDebut).toBe(dateDebutContrat);
        expect(periodes[periodes.length - 1]?.dateFin).toBe(dateFinContrat);
        periodes.forEach((p, i) => {
          expect(p.dateDebut <= p.dateFin).toBe(true);
          expect(p.ordre).toMatch(new RegExp(`^${p.anneeContrat}\\.[12]$`));
          const centimes = BigInt(p.baseMensuelleCents) * BigInt(Math.round(p.tauxMinimal * 100));
          expect(BigInt(p.salaireBrutMensuelCents)).toBe((centimes + 9_999n) / 10_000n);
          const prev = periodes[i - 1];
          if (prev) {
            expect(p.dateDebut).toBe(addDays(prev.dateFin, 1));
            expect(p.tauxMinimal).toBeGreaterThanOrEqual(prev.tauxMinimal);
            expect(p.anneeContrat).toBeGreaterThanOrEqual(prev.anneeContrat);
          }
        });
      },
    ), { numRuns: 500 });
  });
});
