import { describe, expect, it } from 'vitest';
import { addWorkingDays } from '../../src/domain/cerfa/rules/dates.js';
import type { Contrat, Formation } from '../../src/domain/cerfa/types.js';
import { alignerRemuneration, all, expectCase, type Mutation, type RuleCase } from './helpers/cerfa-domain.js';

/** Patches the contract and realigns the pay lines on the new dates. */
const contrat = (patch: Partial<Contrat>): Mutation => (c) => {
  Object.assign(c.contrat, patch);
  alignerRemuneration(c);
};
const formation = (patch: Partial<Formation>): Mutation => (c) => { Object.assign(c.formation, patch); };
const situation = (code: number): Mutation => (c) => { c.apprenti.situationAvantContrat = code; };
const avenant = (patch: Partial<Contrat> = {}): Mutation =>
  contrat({ typeContratApp: 36, numeroContratPrecedent: '075202509000123', dateEffetAvenant: '2025-10-01', ...patch });

// A 6-month contract with a consistent 6-month training starting in August.
const contratCourt = (fin: string): Mutation => all(
  contrat({ dateConclusion: '2025-07-25', dateFinContrat: fin }),
  formation({ dateDebutFormation: '2025-08-01', dateFinFormation: fin }),
);
// A 4-year contract (2025-09-01 → 2029-08-31) with enough training hours.
const contratQuatreAns = all(
  contrat({ dateFinContrat: '2029-08-31' }),
  formation({ dateFinFormation: '2029-06-30', dureeFormation: 1700 }),
);

describe('rules — dates (D1–D13)', () => {
  it.each<RuleCase>([
    // D1
    { name: 'D1 concluded after the start',
      mutate: all(contrat({ dateConclusion: '2025-09-02', dateFormationPratiqueEmployeur: '2025-09-02' }),
        formation({ dateDebutFormation: '2025-09-02' })),
      erreurs: ['DATE_CONCLUSION_APRES_DEBUT_CONTRAT'], champ: '/cerfa/contrat/dateConclusion' },
    { name: 'D1 concluded on the start day', mutate: contrat({ dateConclusion: '2025-09-01' }) },
    { name: 'D1 does not apply to an avenant', mutate: avenant({ dateConclusion: '2025-09-25' }) },
    // D2
    { name: 'D2 end before start', mutate: (c) => { c.contrat.dateFinContrat = '2025-08-31'; },
      erreurs: ['DATE_FIN_CONTRAT_AVANT_DEBUT', 'DATE_FORMATION_PRATIQUE_APRES_FIN_CONTRAT',
        'DATE_FIN_FORMATION_APRES_FIN_CONTRAT', 'REMUNERATION_DERNIERE_PERIODE_FIN'],
      champ: '/cerfa/contrat/dateFinContrat' },
    // D3 (duration counted with the end day included) and the D4 warning
    { name: 'D3 5 months 27 days', mutate: contratCourt('2026-02-27'), erreurs: ['DUREE_CONTRAT_HORS_LIMITES'],
      champ: '/cerfa/contrat/dateFinContrat' },
    { name: 'D3 exactly 6 months (01/09 → 28/02)', mutate: contratCourt('2026-02-28') },
    { name: 'D3 more than 54 months', mutate: all(contrat({ dateFinContrat: '2030-03-31' }),
      formation({ dateFinFormation: '2029-06-30', dureeFormation: 1900 })),
    erreurs: ['DUREE_CONTRAT_HORS_LIMITES', 'DATE_FIN_CONTRAT_TROP_TARDIVE'] },
    { name: 'D4 4 years without derogation', mutate: contratQuatreAns, avertissements: ['DUREE_CONTRAT_SUPERIEURE_3_ANS'],
      champ: '/cerfa/contrat/dateFinContrat' },
    { name: 'D4 4 years with derogation 22', mutate: all(contratQuatreAns, (c) => { c.contrat.typeDerogation = 22; }) },
    { name: 'D4 4 years with RQTH', mutate: all(contratQuatreAns, (c) => { c.apprenti.handicap = true; }) },
    { name: 'D4 exactly 3 years', mutate: all(contrat({ dateFinContrat: '2028-08-31' }),
      formation({ dateFinFormation: '2028-06-30', dureeFormation: 1300 })) },
    // D5
    { name: 'D5 practical training before the start', mutate: contrat({ dateFormationPratiqueEmployeur: '2025-08-31' }),
      erreurs: ['DATE_FORMATION_PRATIQUE_AVANT_DEBUT_CONTRAT'], champ: '/cerfa/contrat/dateFormationPratiqueEmployeur' },
    { name: 'D5 practical training 3 months after the start', mutate: all(contrat({ dateFormationPratiqueEmployeur: '2025-12-01' }),
      formation({ dateDebutFormation: '2025-09-01' })) },
    { name: 'D5 practical training 3 months and a day after the start',
      mutate: all(contrat({ dateFormationPratiqueEmployeur: '2025-12-02' }), formation({ dateDebutFormation: '2025-10-01' })),
      erreurs: ['DATE_FORMATION_PRATIQUE_TROP_TARDIVE'] },
    { name: 'D5 practical training before the conclusion',
      mutate: all(contrat({ dateConclusion: '2025-09-05', dateFormationPratiqueEmployeur: '2025-09-02' }),
        formation({ dateDebutFormation: '2025-09-05' })),
      erreurs: ['DATE_CONCLUSION_APRES_DEBUT_CONTRAT', 'DATE_FORMATION_PRATIQUE_AVANT_CONCLUSION'] },
    { name: 'D5 no practical-training date', mutate: (c) => { delete c.contrat.dateFormationPratiqueEmployeur; } },
    // D6
    { name: 'D6 CFA 3 months before the start', mutate: all(situation(7), formation({ dateDebutFormation: '2025-06-01' })) },
    { name: 'D6 CFA more than 3 months before the start', mutate: all(situation(7), formation({ dateDebutFormation: '2025-05-31' })),
      erreurs: ['DATE_DEBUT_FORMATION_TROP_ANTERIEURE'], champ: '/cerfa/formation/dateDebutFormation' },
    { name: 'D6 CFA more than 3 months after the start', mutate: formation({ dateDebutFormation: '2025-12-02' }),
      erreurs: ['DATE_DEBUT_FORMATION_TROP_TARDIVE'] },
    { name: 'D6 CFA more than 3 months before the practical training',
      mutate: all(contrat({ dateFormationPratiqueEmployeur: '2025-12-01' }), formation({ dateDebutFormation: '2025-08-31' })),
      erreurs: ['DATE_DEBUT_FORMATION_TROP_ANTERIEURE_FORMATION_PRATIQUE'] },
    // D7
    { name: 'D7 CFA before the conclusion', mutate: formation({ dateDebutFormation: '2025-08-19' }),
      erreurs: ['DATE_DEBUT_FORMATION_AVANT_CONCLUSION'], champ: '/cerfa/formation/dateDebutFormation' },
    { name: 'D7 already in CFA as a trainee (situation 7)', mutate: all(situation(7), formation({ dateDebutFormation: '2025-08-19' })) },
    { name: 'D7 in CFA after a termination (situation 8)', mutate: all(situation(8), formation({ dateDebutFormation: '2025-08-19' })) },
    // D8
    { name: 'D8 training ends before it starts', mutate: formation({ dateFinFormation: '2025-09-01' }),
      erreurs: ['DATE_FIN_FORMATION_AVANT_DEBUT_FORMATION', 'DATE_FIN_CONTRAT_TROP_TARDIVE'], champ: '/cerfa/formation/dateFinFormation' },
    { name: 'D8 training shorter than 6 months', mutate: formation({ dateFinFormation: '2026-02-27' }),
      erreurs: ['DUREE_FORMATION_CALENDAIRE_HORS_LIMITES', 'DATE_FIN_CONTRAT_TROP_TARDIVE'] },
    { name: 'D8 training longer than 48 months',
      mutate: all(situation(7), contratQuatreAns, formation({ dateDebutFormation: '2025-06-01', dateFinFormation: '2029-07-01' })),
      erreurs: ['DUREE_FORMATION_CALENDAIRE_HORS_LIMITES'], avertissements: ['DUREE_CONTRAT_SUPERIEURE_3_ANS'] },
    // D9
    { name: 'D9 last exam after the contract end', mutate: formation({ dateFinFormation: '2027-09-01' }),
      erreurs: ['DATE_FIN_FORMATION_APRES_FIN_CONTRAT'], champ: '/cerfa/formation/dateFinFormation' },
    { name: 'D9 last exam before the contract start',
      mutate: all(situation(7), formation({ dateDebutFormation: '2025-06-01', dateFinFormation: '2025-08-31' })),
      erreurs: ['DATE_FIN_FORMATION_AVANT_DEBUT_CONTRAT', 'DUREE_FORMATION_CALENDAIRE_HORS_LIMITES', 'DATE_FIN_CONTRAT_TROP_TARDIVE'] },
    // D10: the code's +3 months, not the notice's +2
    { name: 'D10 contract ends 3 months after the last exam', mutate: contrat({ dateFinContrat: '2027-09-30' }) },
    { name: 'D10 contract ends 3 months and a day after', mutate: contrat({ dateFinContrat: '2027-10-01' }),
      erreurs: ['DATE_FIN_CONTRAT_TROP_TARDIVE'], champ: '/cerfa/contrat/dateFinContrat' },
    // D11
    { name: 'D11 avenant effective inside the contract', mutate: avenant() },
    { name: 'D11 avenant effective after the end', mutate: avenant({ dateEffetAvenant: '2027-09-01' }),
      erreurs: ['DATE_EFFET_AVENANT_HORS_CONTRAT'], champ: '/cerfa/contrat/dateEffetAvenant' },
    { name: 'D11 avenant effective before the start', mutate: avenant({ dateEffetAvenant: '2025-08-31' }),
      erreurs: ['DATE_EFFET_AVENANT_HORS_CONTRAT'] },
    // D13 (5 jours ouvrables: Sundays and public holidays excluded)
    { name: 'D13 received on the 5th working day', mutate: () => {}, receivedOn: '2025-09-06' },
    { name: 'D13 received after the 5th working day', mutate: () => {}, receivedOn: '2025-09-08',
      avertissements: ['DEPOT_HORS_DELAI'], champ: '/cerfa/contrat/dateDebutContrat' },
    { name: 'D13 avenant counted from its effective date', mutate: avenant(), receivedOn: '2025-10-09',
      avertissements: ['DEPOT_HORS_DELAI'], champ: '/cerfa/contrat/dateEffetAvenant' },
    { name: 'D13 avenant in time', mutate: avenant(), receivedOn: '2025-10-07' },
    // odd data
    { name: 'malformed start date skips the rules needing it',
      mutate: (c) => { c.contrat.dateDebutContrat = 'not-a-date'; }, erreurs: [] },
  ])('$name', (c) => { expectCase(c); });

  it.each([
    ['2025-09-01', '2025-09-06'], // Monday → Saturday (Saturdays are jours ouvrables)
    ['2025-12-22', '2025-12-29'], // Christmas and a Sunday skipped
    ['2025-04-18', '2025-04-25'], // Easter Sunday and Monday (2025-04-20/21) skipped
    ['2025-05-27', '2025-06-03'], // Ascension (2025-05-29) and a Sunday skipped
    ['2025-06-06', '2025-06-13'], // Whit Monday (2025-06-09) and a Sunday skipped
  ])('5 jours ouvrables after %s is %s', (from, to) => {
    expect(addWorkingDays(from, 5)).toBe(to);
  });
});
