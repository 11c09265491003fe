import { describe, expect, it } from 'vitest';
import type { RemunerationAnnuelle } from '../../src/domain/cerfa/types.js';
import { alignerRemuneration, all, expectCase, run, type Mutation, type RuleCase } from './helpers/cerfa-domain.js';

/** Patches pay line `index` (0-based). */
const ligne = (index: number, patch: Partial<RemunerationAnnuelle>): Mutation => (c) => {
  Object.assign(c.contrat.remunerationsAnnuelles[index]!, patch);
};
const lignes = (...values: RemunerationAnnuelle[]): Mutation => (c) => { c.contrat.remunerationsAnnuelles = values; };
const smc = (euros: number): Mutation => (c) => { c.contrat.smc = euros; };
const L = (ordre: string, dateDebut: string, dateFin: string, taux: number, typeSalaire: 'SMIC' | 'SMC' = 'SMIC'): RemunerationAnnuelle =>
  ({ ordre, dateDebut, dateFin, taux, typeSalaire });

describe('rules — remuneration (R1–R4)', () => {
  it.each<RuleCase>([
    // R1: compared day by day, whatever the split of the declared lines
    { name: 'R1 line 2.2 at the 18–20 rate after the 21+ band starts', mutate: ligne(2, { taux: 51 }),
      erreurs: ['REMUNERATION_TAUX_INFERIEUR_MINIMUM'], champ: '/cerfa/contrat/remunerationsAnnuelles/2/taux' },
    { name: 'R1 year 1 at 42.99 %', mutate: ligne(0, { taux: 42.99 }), erreurs: ['REMUNERATION_TAUX_INFERIEUR_MINIMUM'],
      avertissements: ['SALAIRE_EMBAUCHE_INCOHERENT'], champ: '/cerfa/contrat/remunerationsAnnuelles/0/taux' },
    { name: 'R1 rates above the minimum', mutate: all(ligne(0, { taux: 50 }), ligne(1, { taux: 55.5 }), (c) => { c.contrat.salaireEmbauche = 900.90; }) },
    { name: 'R1 year 2 not split, at the 21+ rate all year',
      mutate: lignes(L('1.1', '2025-09-01', '2026-08-31', 43), L('2.1', '2026-09-01', '2027-08-31', 61)) },
    { name: 'R1 year 2 not split, at the 18–20 rate all year',
      mutate: lignes(L('1.1', '2025-09-01', '2026-08-31', 43), L('2.1', '2026-09-01', '2027-08-31', 51)),
      erreurs: ['REMUNERATION_TAUX_INFERIEUR_MINIMUM'], champ: '/cerfa/contrat/remunerationsAnnuelles/1/taux' },
    { name: 'R1 split a month late (21+ rate from 2027-07-01)',
      mutate: all(ligne(1, { dateFin: '2027-06-30' }), ligne(2, { dateDebut: '2027-07-01' })),
      erreurs: ['REMUNERATION_TAUX_INFERIEUR_MINIMUM'], champ: '/cerfa/contrat/remunerationsAnnuelles/1/taux' },
    { name: 'R1 split a month early is generous, hence valid',
      mutate: all(ligne(1, { dateFin: '2027-04-30' }), ligne(2, { dateDebut: '2027-05-01' })) },
    // R2
    { name: 'R2 no pay line', mutate: lignes(), erreurs: ['REMUNERATION_ABSENTE'], champ: '/cerfa/contrat/remunerationsAnnuelles' },
    { name: 'R2 first line starts a day late', mutate: ligne(0, { dateDebut: '2025-09-02' }),
      erreurs: ['REMUNERATION_PREMIERE_PERIODE_DEBUT'], champ: '/cerfa/contrat/remunerationsAnnuelles/0/dateDebut' },
    { name: 'R2 last line ends a day early', mutate: ligne(2, { dateFin: '2027-08-30' }),
      erreurs: ['REMUNERATION_DERNIERE_PERIODE_FIN'], champ: '/cerfa/contrat/remunerationsAnnuelles/2/dateFin' },
    { name: 'R2 last line ends after the contract', mutate: ligne(2, { dateFin: '2027-09-30' }),
      erreurs: ['REMUNERATION_DERNIERE_PERIODE_FIN'] },
    { name: 'R2 one-day gap', mutate: ligne(1, { dateDebut: '2026-09-02' }),
      erreurs: ['REMUNERATION_PERIODES_DISCONTINUES'], champ: '/cerfa/contrat/remunerationsAnnuelles/1/dateDebut' },
    { name: 'R2 one-day overlap, paid at the year-1 rate on a year-2 day', mutate: ligne(0, { dateFin: '2026-09-01' }),
      erreurs: ['REMUNERATION_PERIODES_CHEVAUCHANTES', 'REMUNERATION_TAUX_INFERIEUR_MINIMUM'],
      champ: '/cerfa/contrat/remunerationsAnnuelles/1/dateDebut' },
    { name: 'R2 line ending before it starts', mutate: ligne(1, { dateFin: '2026-08-01' }),
      erreurs: ['REMUNERATION_PERIODE_DATES_INVERSEES', 'REMUNERATION_PERIODES_DISCONTINUES'],
      champ: '/cerfa/contrat/remunerationsAnnuelles/1/dateFin' },
    { name: 'R2 ordre repeated', mutate: ligne(2, { ordre: '2.1' }), erreurs: ['REMUNERATION_ORDRE_INCOHERENT'],
      champ: '/cerfa/contrat/remunerationsAnnuelles/2/ordre' },
    { name: 'R2 ordre of the wrong year', mutate: ligne(1, { ordre: '1.2' }), erreurs: ['REMUNERATION_ORDRE_INCOHERENT'] },
    { name: 'R2 ordre malformed', mutate: ligne(0, { ordre: '1' }), erreurs: ['REMUNERATION_ORDRE_INCOHERENT'] },
    { name: 'R2 ordre going backwards', mutate: all(ligne(1, { ordre: '2.2' }), ligne(2, { ordre: '2.1' })),
      erreurs: ['REMUNERATION_ORDRE_INCOHERENT'], champ: '/cerfa/contrat/remunerationsAnnuelles/2/ordre' },
    { name: 'R2 year 2 declared as a single 2.2 line (no 2.1) is tolerated',
      mutate: lignes(L('1.1', '2025-09-01', '2026-08-31', 43), L('2.2', '2026-09-01', '2027-08-31', 61)) },
    { name: 'R2 three lines in one year', mutate: lignes(
      L('1.1', '2025-09-01', '2025-12-31', 43), L('1.2', '2026-01-01', '2026-03-31', 43), L('1.3', '2026-04-01', '2026-08-31', 43),
      L('2.1', '2026-09-01', '2027-08-31', 61)),
    erreurs: ['REMUNERATION_ORDRE_INCOHERENT'], champ: '/cerfa/contrat/remunerationsAnnuelles/2/ordre' },
    // R3
    { name: 'R3 SMC above the SMIC, 21+ line left on the SMIC', mutate: smc(2000),
      erreurs: ['REMUNERATION_SMC_OBLIGATOIRE'], champ: '/cerfa/contrat/remunerationsAnnuelles/2/typeSalaire' },
    { name: 'R3 SMC above the SMIC, 21+ line on the SMC', mutate: all(smc(2000), ligne(2, { typeSalaire: 'SMC' })) },
    { name: 'R3 SMC below the SMIC', mutate: smc(1500) },
    { name: 'R3 SMC used before 21', mutate: all(smc(2000), ligne(1, { typeSalaire: 'SMC' }), ligne(2, { typeSalaire: 'SMC' })),
      erreurs: ['REMUNERATION_SMC_AVANT_21_ANS'], champ: '/cerfa/contrat/remunerationsAnnuelles/1/typeSalaire' },
    { name: 'R3 SMC line with an SMC below the SMIC', mutate: all(smc(1500), ligne(2, { typeSalaire: 'SMC' })),
      erreurs: ['REMUNERATION_SMC_INFERIEUR_SMIC'], champ: '/cerfa/contrat/remunerationsAnnuelles/2/typeSalaire' },
    { name: 'R3 SMC line without SMC amount', mutate: ligne(2, { typeSalaire: 'SMC' }),
      erreurs: ['REMUNERATION_SMC_NON_RENSEIGNE'], champ: '/cerfa/contrat/smc' },
    // R4
    { name: 'R4 hiring salary off by a cent (rounding tolerated)', mutate: (c) => { c.contrat.salaireEmbauche = 774.77; } },
    { name: 'R4 hiring salary inconsistent', mutate: (c) => { c.contrat.salaireEmbauche = 800; },
      avertissements: ['SALAIRE_EMBAUCHE_INCOHERENT'], champ: '/cerfa/contrat/salaireEmbauche' },
    { name: 'R4 no hiring salary', mutate: (c) => { delete c.contrat.salaireEmbauche; } },
    { name: 'R4 Mayotte employer, metropolitan SMIC amount', mutate: (c) => { c.employeur.adresse.codePostal = '97600'; },
      avertissements: ['SALAIRE_EMBAUCHE_INCOHERENT'] },
    { name: 'R4 Mayotte employer, Mayotte SMIC amount (43 % × 1 361,97 €)',
      mutate: (c) => { c.employeur.adresse.codePostal = '97600'; c.contrat.salaireEmbauche = 585.65; } },
  ])('$name', (c) => { expectCase(c); });

  describe('hiring salary computed before a SMIC revaluation', () => {
    const janvier2026 = (salaire: number): Mutation => all((c) => {
      Object.assign(c.contrat, {
        dateConclusion: '2025-12-15', dateDebutContrat: '2026-01-05', dateFormationPratiqueEmployeur: '2026-01-05',
        dateFinContrat: '2028-01-04',
      });
      Object.assign(c.formation, { dateDebutFormation: '2026-01-05', dateFinFormation: '2027-12-15' });
      alignerRemuneration(c);
      c.contrat.salaireEmbauche = salaire;
    });
    it.each<RuleCase>([
      { name: 'SMIC at the start (43 % × 1 823,03 €)', mutate: janvier2026(783.91), receivedOn: '2026-01-06' },
      { name: 'SMIC at the conclusion (43 % × 1 801,80 €)', mutate: janvier2026(774.78), receivedOn: '2026-01-06' },
      { name: 'neither', mutate: janvier2026(780), receivedOn: '2026-01-06', avertissements: ['SALAIRE_EMBAUCHE_INCOHERENT'] },
    ])('$name', (c) => { expectCase(c); });
  });

  it('describes the shortfall with its dates and the applicable band', () => {
    const [erreur] = run(ligne(2, { taux: 51 })).erreurs;
    expect(erreur?.description).toBe(
      'Le taux de la période de rémunération 2.2 (du 2027-06-01 au 2027-08-31) est de 51 %, inférieur au minimum légal : ' +
      '61 % du 2027-06-01 au 2027-08-31 (année de contrat 2, 21 à 25 ans). [règle R1]');
    expect(erreur?.section).toBe('remuneration');
  });

  it('describes a gap precisely', () => {
    const [erreur] = run(ligne(1, { dateDebut: '2026-09-03' })).erreurs;
    expect(erreur?.description).toBe(
      'Les périodes de rémunération 1.1 et 2.1 ne se suivent pas : aucune rémunération du 2026-09-01 au 2026-09-02 ' +
      '(la période 2.1 devrait commencer le 2026-09-01). [règle R2]');
  });

  it('ignores lines with malformed dates instead of throwing', () => {
    const outcome = run(ligne(1, { dateDebut: '2026-13-01' }));
    expect(outcome.erreurs.map((v) => v.code)).toEqual(['REMUNERATION_PERIODES_DISCONTINUES']);
  });
});
