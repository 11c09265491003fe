import { describe, expect, it } from 'vitest';
import { computeEngagement, computeRupture } from '../../src/domain/financing/engine.js';
import { FinancementError } from '../../src/domain/financing/errors.js';
import type { EngagementInput, EngagementResult } from '../../src/domain/financing/types.js';

const parametres = { prixRepasCents: 300, prixNuiteeCents: 600, plafondPremierEquipementCents: 50_000, forfaitMobiliteCents: 168_000 };

const c2025: EngagementInput = {
  dateConclusion: '2025-07-15',
  dateDebutContrat: '2025-09-01',
  dateFinContrat: '2027-08-31',
  npecAnnuelCents: 800_000,
  niveauDiplome: 5,
  parametres,
};
const c2023: EngagementInput = { ...c2025, dateConclusion: '2023-06-15', dateDebutContrat: '2023-09-01', dateFinContrat: '2025-08-31', npecAnnuelCents: 700_000 };

const total = (r: EngagementResult): number => r.echeances.reduce((s, e) => s + e.montantTotalCents, 0);
const amounts = (r: { echeances: Array<{ montantTotalCents: number }> }): number[] => r.echeances.map((e) => e.montantTotalCents);

function erreur(f: () => unknown): FinancementError {
  try {
    f();
  } catch (e) {
    if (e instanceof FinancementError) return e;
    throw e;
  }
  throw new Error('expected a FinancementError');
}

describe('regime by conclusion date', () => {
  it('2025-07-01 and later → day regime, whatever the start date', () => {
    expect(computeEngagement({ ...c2025, dateConclusion: '2025-07-01', dateDebutContrat: '2025-06-15' }).regime).toBe('JOUR_40_30_20_10');
  });
  it('2025-06-30 → month regime even when the contract starts after 1 July 2025', () => {
    expect(computeEngagement({ ...c2025, dateConclusion: '2025-06-30' }).regime).toBe('MOIS_40_30_30');
    expect(computeEngagement({ ...c2025, dateConclusion: '2021-01-01' }).regime).toBe('MOIS_40_30_30');
  });
  it('before 2021-01-01 → typed REGIME_NON_SUPPORTE error in French', () => {
    const e = erreur(() => computeEngagement({ ...c2025, dateConclusion: '2020-12-31' }));
    expect(e.code).toBe('REGIME_NON_SUPPORTE');
    expect(e.message).toContain('avant le 01/01/2021');
    expect(e.violation).toMatchObject({ code: 'REGIME_NON_SUPPORTE', champ: '/dateConclusion', section: 'contrat' });
  });
});

describe('day regime (contracts concluded from 2025-07-01)', () => {
  it('anniversary years; month 7 / month 10 are rolling months from a mid-month start', () => {
    const r = computeEngagement({ ...c2025, dateDebutContrat: '2025-09-15', dateFinContrat: '2026-09-14' });
    expect(r.echeances.map((e) => [e.type, e.dateOuverture, e.dateDebut, e.dateFin])).toEqual([
      ['AVANCE', '2025-09-15', '2025-09-15', '2026-03-14'],
      ['INTERMEDIAIRE', '2026-03-15', '2026-03-15', '2026-06-14'],
      ['INTERMEDIAIRE', '2026-06-15', '2026-06-15', '2026-09-14'],
      ['SOLDE', '2026-09-14', '2025-09-15', '2026-09-14'],
    ]);
    expect(amounts(r)).toEqual([320_000, 240_000, 160_000, 80_000]);
  });

  it('a complete year of 366 days (29 Feb inside) is funded at exactly the annual NPEC', () => {
    const r = computeEngagement({ ...c2025, dateDebutContrat: '2027-09-01', dateFinContrat: '2028-08-31' });
    expect(r.anneesExecution[0]).toMatchObject({ jours: 366, complete: true, montantPedagogieCents: 800_000 });
  });

  it('a 365-day partial year in a leap span is capped at the NPEC', () => {
    const r = computeEngagement({ ...c2025, dateDebutContrat: '2027-09-01', dateFinContrat: '2028-08-30' });
    expect(r.contratCourt).toBe(false);
    expect(r.anneesExecution[0]).toMatchObject({ jours: 365, complete: false, montantPedagogieCents: 800_000 });
  });

  it('12 months + 3 days → 368 days funded (ymag example)', () => {
    const r = computeEngagement({ ...c2025, dateFinContrat: '2026-09-03' });
    expect(r.anneesExecution.map((a) => [a.jours, a.montantPedagogieCents])).toEqual([[365, 800_000], [3, 6_575]]);
    expect(r.engagementCents).toBe(806_575);
    // the final 3-day year: month 7 and month 10 open on the contract end date, over the realised year
    expect(r.echeances.slice(4).map((e) => [e.type, e.dateOuverture, e.dateDebut, e.dateFin, e.montantTotalCents])).toEqual([
      ['AVANCE', '2026-09-01', '2026-09-01', '2026-09-03', 2_630],
      ['INTERMEDIAIRE', '2026-09-03', '2026-09-01', '2026-09-03', 1_973],
      ['INTERMEDIAIRE', '2026-09-03', '2026-09-01', '2026-09-03', 1_315],
      ['SOLDE', '2026-09-03', '2026-09-01', '2026-09-03', 657],
    ]);
  });

  it('anniversaries are computed from the start date: a 29 Feb start does not drift', () => {
    const r = computeEngagement({ ...c2025, dateConclusion: '2027-12-01', dateDebutContrat: '2028-02-29', dateFinContrat: '2032-03-15' });
    expect(r.anneesExecution.map((a) => a.dateDebut)).toEqual(['2028-02-29', '2029-02-28', '2030-02-28', '2031-02-28', '2032-02-29']);
    expect(r.anneesExecution.map((a) => [a.dateFin, a.jours, a.complete])).toEqual([
      ['2029-02-27', 365, true], ['2030-02-27', 365, true], ['2031-02-27', 365, true], ['2032-02-28', 366, true], ['2032-03-15', 16, false],
    ]);
  });

  it('certificates: none for advances, required for intermediate and balance échéances', () => {
    const r = computeEngagement(c2025);
    expect(r.echeances.map((e) => e.exigeCertificat)).toEqual([false, true, true, true, false, true, true, true]);
    expect(r.echeances.every((e) => e.statut === 'PREVUE')).toBe(true);
    expect(r.echeances.map((e) => e.codification)).toEqual(['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8']);
    expect(r.echeances.filter((e) => e.dateLimiteFacturation).map((e) => e.numero)).toEqual([8]);
  });
});

describe('month regime (contracts concluded 2021-01-01 … 2025-06-30)', () => {
  it('40/30/30 per year, balance at month 10; final balance typed SOLDE', () => {
    const r = computeEngagement(c2023);
    expect(r.echeances.map((e) => [e.type, e.dateOuverture, e.montantTotalCents])).toEqual([
      ['AVANCE', '2023-09-01', 280_000],
      ['INTERMEDIAIRE', '2024-03-01', 210_000],
      ['INTERMEDIAIRE', '2024-06-01', 210_000],
      ['AVANCE', '2024-09-01', 280_000],
      ['INTERMEDIAIRE', '2025-03-01', 210_000],
      ['SOLDE', '2025-06-01', 210_000],
    ]);
    expect(r.echeances.some((e) => e.dateLimiteFacturation)).toBe(false);
  });

  it('every started month is due: a 2-day last month counts as a month', () => {
    const r = computeEngagement({ ...c2023, dateFinContrat: '2024-09-02' });
    expect(r.countStartedMonths).toBe(13);
    expect(r.anneesExecution[1]).toMatchObject({ countStartedMonths: 1, montantPedagogieCents: 58_333 });
  });

  it('short contract (< 12 started months): 50 % advance, balance at the end', () => {
    const r = computeEngagement({ ...c2023, dateFinContrat: '2024-06-10' });
    expect(r.contratCourt).toBe(true);
    expect(r.echeances.map((e) => [e.type, e.dateOuverture, e.montantTotalCents])).toEqual([
      ['AVANCE', '2023-09-01', 291_667],
      ['SOLDE', '2024-06-10', 291_666],
    ]);
  });

  it('no FOAD minoration and no employer participation before 2025-07-01', () => {
    const r = computeEngagement({ ...c2023, niveauDiplome: 7, dureeFormationHeures: 1000, heuresDistanciel: 1000 });
    expect(r.minorationFoad).toBe(false);
    expect(r.participationEmployeurCents).toBe(0);
    expect(r.engagementCents).toBe(1_400_000);
  });
});

describe('contracts shorter than one year', () => {
  it('< 365 days: single 50 % advance then the balance (2025)', () => {
    const r = computeEngagement({ ...c2025, dateFinContrat: '2026-08-30' });
    expect(r.contratCourt).toBe(true);
    expect(r.echeances.map((e) => e.type)).toEqual(['AVANCE', 'SOLDE']);
    expect(r.echeances[1]?.dateLimiteFacturation).toBe('2026-12-30');
  });

  it('the +10 % (derogation 21) is capped at the annual NPEC', () => {
    const r = computeEngagement({ ...c2025, dateFinContrat: '2026-08-25', typeDerogation: 21 });
    expect(r.anneesExecution[0]?.montantPedagogieCents).toBe(800_000);
    expect(r.majorationReductionDureeCents).toBe(800_000 - 786_849);
  });

  it('no +10 % without derogation 21, nor for a contract of one year or more', () => {
    expect(computeEngagement({ ...c2025, dateFinContrat: '2026-03-19', typeDerogation: 22 }).majorationReductionDuree).toBe(false);
    const long = computeEngagement({ ...c2025, typeDerogation: 21 });
    expect(long.majorationReductionDuree).toBe(false);
    expect(long.explications.join('\n')).toContain('sans majoration');
  });
});

describe('FOAD minoration (D6332-82-1)', () => {
  const foad = { ...c2025, dureeFormationHeures: 1000 };
  it('≥ 80 % remote → −20 %', () => {
    const r = computeEngagement({ ...foad, heuresDistanciel: 800 });
    expect(r.minorationFoad).toBe(true);
    expect(r.npecAnnuelRetenuCents).toBe(640_000);
    expect(r.engagementCents).toBe(1_280_000);
  });
  it('79.9 % remote → no minoration', () => {
    expect(computeEngagement({ ...foad, heuresDistanciel: 799 }).minorationFoad).toBe(false);
  });
  it('never below 4 000 €', () => {
    const r = computeEngagement({ ...foad, heuresDistanciel: 1000, npecAnnuelCents: 450_000 });
    expect(r.npecAnnuelRetenuCents).toBe(400_000);
    expect(r.explications.join('\n')).toContain('plancher');
  });
  it('the floor does not raise an NPEC already below 4 000 €', () => {
    const r = computeEngagement({ ...foad, heuresDistanciel: 1000, npecAnnuelCents: 350_000 });
    expect(r.npecAnnuelRetenuCents).toBe(350_000);
    expect(r.minorationFoad).toBe(false);
  });
  it('no minoration for an exempted certification or without training duration', () => {
    expect(computeEngagement({ ...foad, heuresDistanciel: 1000, certificationExempteeFoad: true }).minorationFoad).toBe(false);
    expect(computeEngagement({ ...c2025, heuresDistanciel: 1000 }).minorationFoad).toBe(false);
  });
});

describe('RQTH majoration (D6332-82)', () => {
  it('per contract year, capped at 4 000 €, paid on the same rhythm and tracked per échéance', () => {
    const r = computeEngagement({ ...c2025, rqthMontantsParAnneeCents: [300_000, 500_000] });
    expect(r.anneesExecution.map((a) => a.montantRqthCents)).toEqual([300_000, 400_000]);
    expect(r.echeances.map((e) => e.dontMajorationRqthCents)).toEqual([120_000, 90_000, 60_000, 30_000, 160_000, 120_000, 80_000, 40_000]);
    expect(r.echeances.every((e) => e.montantTotalCents === e.dontMontantPedagogieCents + e.dontMajorationRqthCents)).toBe(true);
    expect(r.engagementCents).toBe(1_600_000 + 700_000);
    expect(r.explications.join('\n')).toContain('plafonné à 4 000,00 €');
  });
  it('prorated like the NPEC on a partial year, and absent for years the convention does not list', () => {
    const r = computeEngagement({ ...c2025, dateFinContrat: '2028-07-15', rqthMontantsParAnneeCents: [100_000, 100_000, 100_000] });
    expect(r.anneesExecution.map((a) => a.montantRqthCents)).toEqual([100_000, 100_000, 87_397]); // 319 days (29 Feb 2028 inside)
    expect(r.anneesExecution[2]?.jours).toBe(319);
    const r2 = computeEngagement({ ...c2025, rqthMontantsParAnneeCents: [100_000] });
    expect(r2.anneesExecution.map((a) => a.montantRqthCents)).toEqual([100_000, 0]);
  });
  it('is not increased by the +10 % short-contract majoration', () => {
    const r = computeEngagement({ ...c2025, dateFinContrat: '2026-03-19', typeDerogation: 21, rqthMontantsParAnneeCents: [365_000] });
    expect(r.anneesExecution[0]?.montantRqthCents).toBe(200_000);
  });
});

describe('employer participation (R6332-25-1)', () => {
  it('750 € for levels 6–8 from the first advance only', () => {
    for (const niveau of [6, 7, 8] as const) {
      const r = computeEngagement({ ...c2025, niveauDiplome: niveau });
      expect(r.participationEmployeurCents).toBe(75_000);
      expect(r.echeances[0]?.montantTotalCents).toBe(245_000);
      expect(r.echeances[4]?.montantTotalCents).toBe(320_000);
    }
    expect(computeEngagement({ ...c2025, niveauDiplome: 5 }).participationEmployeurCents).toBe(0);
  });
  it('a first advance smaller than 750 € is emptied and the rest carried to the next échéances', () => {
    const r = computeEngagement({ ...c2025, niveauDiplome: 6, npecAnnuelCents: 150_000 });
    expect(amounts(r).slice(0, 4)).toEqual([0, 30_000, 30_000, 15_000]); // 600 € + 150 € of A2
    expect(r.engagementCents).toBe(300_000 - 75_000);
  });
  it('is deducted from pédagogie only (RQTH untouched)', () => {
    const r = computeEngagement({ ...c2025, niveauDiplome: 6, npecAnnuelCents: 150_000, rqthMontantsParAnneeCents: [100_000] });
    expect(r.echeances[0]).toMatchObject({ dontMontantPedagogieCents: 0, dontMajorationRqthCents: 40_000, montantTotalCents: 40_000 });
  });
  it('never exceeds the pédagogie amount', () => {
    const r = computeEngagement({ ...c2025, niveauDiplome: 6, npecAnnuelCents: 100_000, dateFinContrat: '2026-02-28' });
    expect(r.participationEmployeurCents).toBe(49_589);
    expect(r.engagementCents).toBe(0);
  });
});

describe('frais annexes (D6332-83)', () => {
  const r = computeEngagement({ ...c2025, fraisAnnexes: { nombreRepas: 200, nombreNuitees: 30, premierEquipementCents: 80_000, mobiliteInternationale: true } });
  it('are engaged as separate envelopes, outside the échéances', () => {
    expect(r.engagementsFraisAnnexe).toEqual([
      { natureFrais: 'RESTAURATION', quantite: 200, prixUnitaireCents: 300, montantTotalCents: 60_000 },
      { natureFrais: 'HEBERGEMENT', quantite: 30, prixUnitaireCents: 600, montantTotalCents: 18_000 },
      { natureFrais: 'PREMIEREQUIPEMENT', quantite: 1, prixUnitaireCents: 50_000, montantTotalCents: 50_000 },
      { natureFrais: 'MOBILITE', quantite: 1, prixUnitaireCents: 168_000, montantTotalCents: 168_000 },
    ]);
    expect(r.totalFraisAnnexesCents).toBe(296_000);
    expect(r.engagementCents).toBe(total(r));
    expect(r.engagementCents).toBe(1_600_000);
  });
  it('detailsFacturation: caps and the échéances each nature may be invoiced against', () => {
    expect(r.detailsFacturation.plafondFraisPremierEquipementCents).toBe(50_000);
    expect(r.detailsFacturation.plafondFraisMobiliteCents).toBe(168_000);
    const p = r.detailsFacturation.periodesFraisAnnexes;
    expect(p.filter((x) => x.nature === 'PREMIEREQUIPEMENT')).toEqual([{ numeroEcheance: 1, nature: 'PREMIEREQUIPEMENT' }]);
    expect(p.filter((x) => x.nature === 'RESTAURATION').map((x) => x.numeroEcheance)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(p.slice(0, 4).map((x) => x.nature)).toEqual(['RESTAURATION', 'HEBERGEMENT', 'PREMIEREQUIPEMENT', 'MOBILITE']);
  });
  it('nothing engaged without convention amounts, nor a mobility forfait of 0', () => {
    const none = computeEngagement({ ...c2025, parametres: { ...parametres, forfaitMobiliteCents: 0 }, fraisAnnexes: { mobiliteInternationale: true } });
    expect(none.engagementsFraisAnnexe).toEqual([]);
    expect(none.detailsFacturation).toEqual({ plafondFraisPremierEquipementCents: 0, plafondFraisMobiliteCents: 0, periodesFraisAnnexes: [] });
  });
});

describe('input validation', () => {
  it.each([
    [{ dateDebutContrat: '2025-02-30' }, 'DATE_INVALIDE', '/dateDebutContrat'],
    [{ dateFinContrat: '2025-08-31' }, 'DATES_INCOHERENTES', '/dateFinContrat'],
    [{ npecAnnuelCents: 0 }, 'MONTANT_INVALIDE', '/npecAnnuelCents'],
    [{ npecAnnuelCents: 1000.5 }, 'MONTANT_INVALIDE', '/npecAnnuelCents'],
    [{ niveauDiplome: 2 }, 'NIVEAU_DIPLOME_INVALIDE', '/niveauDiplome'],
    [{ heuresDistanciel: -1 }, 'PARAMETRE_INVALIDE', '/heuresDistanciel'],
    [{ rqthMontantsParAnneeCents: [100, -1] }, 'MONTANT_INVALIDE', '/rqthMontantsParAnneeCents/1'],
    [{ fraisAnnexes: { nombreRepas: 1.5 } }, 'MONTANT_INVALIDE', '/fraisAnnexes/nombreRepas'],
    [{ parametres: { ...parametres, prixRepasCents: -300 } }, 'MONTANT_INVALIDE', '/parametres/prixRepasCents'],
  ])('%j → %s at %s', (patch, code, champ) => {
    const e = erreur(() => computeEngagement({ ...c2025, ...patch } as EngagementInput));
    expect(e.code).toBe(code);
    expect(e.violation.champ).toBe(champ);
  });
});

describe('explanations', () => {
  it('one French line per rule applied', () => {
    const r = computeEngagement({ ...c2025, niveauDiplome: 7, dureeFormationHeures: 1000, heuresDistanciel: 900, rqthMontantsParAnneeCents: [100_000], fraisAnnexes: { nombreRepas: 10 } });
    const text = r.explications.join('\n');
    for (const fragment of ['Contrat conclu le 15/07/2025', '730 jours', 'minoration de 20 %', 'Année 1', 'Majoration RQTH année 1', 'Participation employeur', '40 % à l’ouverture', 'Engagement :', 'Frais de restauration']) {
      expect(text).toContain(fragment);
    }
  });
});

describe('computeRupture', () => {
  const niveau7 = { ...c2025, niveauDiplome: 7 as const };

  it('rupture in the first advance period: A1 partial, trop-perçu when already paid', () => {
    const r = computeRupture(c2025, '2025-11-30', [320_000]);
    expect(r.joursExecutes).toBe(91);
    expect(r.engagementCents).toBe(199_452);
    expect(r.echeances[0]).toMatchObject({ statut: 'PARTIELLE', montantTotalCents: 199_452, exigeCertificat: true, dateLimiteFacturation: '2026-03-30' });
    expect(r.tropPercuCents).toBe(320_000 - 199_452);
    expect(r.resteAPayerCents).toBe(0);
    expect(r.explications.join('\n')).toContain('trop-perçu');
  });

  it('the holder carries the rest of the entitlement, even above its planned amount', () => {
    // 181 days = 49.6 % of the year, while the planned advance is 40 %.
    const r = computeRupture(c2025, '2026-02-28', []);
    expect(r.echeances[0]).toMatchObject({ statut: 'PARTIELLE', montantTotalCents: 396_712 });
    expect(r.echeances.slice(1).every((e) => e.statut === 'ANNULEE' && e.montantTotalCents === 0)).toBe(true);
  });

  it('rupture in year 2 keeps year 1 (including its balance) and cuts year 2', () => {
    const r = computeRupture(niveau7, '2026-10-31', [245_000, 240_000, 160_000]);
    expect(r.echeances.map((e) => [e.statut, e.montantTotalCents])).toEqual([
      ['PREVUE', 245_000], ['PREVUE', 240_000], ['PREVUE', 160_000], ['PREVUE', 80_000],
      ['PARTIELLE', 133_699], ['ANNULEE', 0], ['ANNULEE', 0], ['ANNULEE', 0],
    ]);
    expect(r.engagementCents).toBe(800_000 - 75_000 + 133_699);
    expect(r.participationEmployeurCents).toBe(75_000);
  });

  it('probatoire participation: 50 % of the prorated NPEC, or as told by the caller', () => {
    expect(computeRupture(niveau7, '2025-09-10', []).participationEmployeurCents).toBe(10_959); // 10 days: 21 918 / 2
    expect(computeRupture(niveau7, '2025-10-16', []).participationEmployeurCents).toBe(75_000);
    expect(computeRupture(niveau7, '2025-10-31', [], { ruptureEnPeriodeProbatoire: true }).participationEmployeurCents).toBe(66_850); // 61 days: 133 699 / 2, half-up
    expect(computeRupture(niveau7, '2025-09-10', [], { ruptureEnPeriodeProbatoire: false }).participationEmployeurCents).toBe(21_918);
  });

  it('a rupture never raises the engagement (tiny short contract with a reduced probatoire participation)', () => {
    const petit = { ...c2025, niveauDiplome: 6 as const, npecAnnuelCents: 100_000, dateFinContrat: '2026-02-28' };
    expect(computeEngagement(petit).engagementCents).toBe(0);
    const r = computeRupture(petit, '2025-09-20', []);
    expect(r.engagementCents).toBe(0);
    expect(r.explications.join('\n')).toContain('ramenés à l’engagement initial');
  });

  it('month regime: started months, no 4-month deadline', () => {
    const r = computeRupture(c2023, '2024-03-02', [280_000]);
    expect(r.countStartedMonths).toBe(7);
    expect(r.engagementCents).toBe(408_333);
    expect(r.echeances[1]).toMatchObject({ statut: 'PARTIELLE', montantTotalCents: 128_333 });
    expect(r.echeances[1]?.dateLimiteFacturation).toBeUndefined();
  });

  it('the +10 % of a reduced short contract survives a rupture, a multi-year contract does not gain it', () => {
    const court = { ...c2025, dateFinContrat: '2026-03-19', typeDerogation: 21 };
    expect(computeRupture(court, '2025-12-31', []).engagementCents).toBe(Math.round(800_000 * 122 / 365 * 1.1));
    expect(computeRupture({ ...c2025, typeDerogation: 21 }, '2025-12-31', []).engagementCents).toBe(267_397);
  });

  it('RQTH is prorated to the rupture date too', () => {
    const r = computeRupture({ ...c2025, rqthMontantsParAnneeCents: [365_000, 365_000] }, '2025-12-31', []);
    expect(r.echeances[0]).toMatchObject({ dontMajorationRqthCents: 122_000, dontMontantPedagogieCents: 267_397 });
  });

  it('a rupture on the planned end date leaves the schedule unchanged', () => {
    const r = computeRupture(c2025, '2027-08-31', [320_000]);
    expect(r.echeances).toEqual(computeEngagement(c2025).echeances);
    expect(r.resteAPayerCents).toBe(1_600_000 - 320_000);
  });

  it('rejects a date outside the contract and inconsistent payments', () => {
    expect(erreur(() => computeRupture(c2025, '2025-08-31', [])).code).toBe('RUPTURE_HORS_CONTRAT');
    expect(erreur(() => computeRupture(c2025, '2027-09-01', [])).code).toBe('RUPTURE_HORS_CONTRAT');
    expect(erreur(() => computeRupture(c2025, '2026-13-01', [])).code).toBe('DATE_INVALIDE');
    expect(erreur(() => computeRupture(c2025, '2026-01-01', new Array<number>(9).fill(0))).code).toBe('REGLEMENTS_INVALIDES');
    expect(erreur(() => computeRupture(c2025, '2026-01-01', [-1])).code).toBe('REGLEMENTS_INVALIDES');
  });
});
