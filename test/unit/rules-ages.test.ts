import { describe, expect, it } from 'vitest';
import { all, expectCase, naissance, run, type RuleCase } from './helpers/cerfa-domain.js';

const mineur = naissance('2008-01-10', { representant: true }); // 17 at start, 18 on 2026-01-10

describe('rules — ages (A1–A10)', () => {
  it.each<RuleCase>([
    // A1 / A2
    { name: 'A1 birth date after reception', mutate: naissance('2026-01-01', { representant: true }),
      erreurs: ['AGE_APPRENTI_DATE_NAISSANCE_FUTURE', 'AGE_APPRENTI_MINIMUM'], champ: '/cerfa/apprenti/dateNaissance' },
    { name: 'A2 14 at start', mutate: naissance('2011-01-01', { representant: true }), erreurs: ['AGE_APPRENTI_MINIMUM'],
      champ: '/cerfa/apprenti/dateNaissance' },
    // A3: 15-year-olds need derogation 11 (or 50)
    { name: 'A3 15 at start, no derogation', mutate: naissance('2010-03-01', { representant: true }),
      erreurs: ['AGE_APPRENTI_MOINS_DE_16_ANS_SANS_DEROGATION'], champ: '/cerfa/contrat/typeDerogation' },
    { name: 'A3 15 at start with derogation 11',
      mutate: all(naissance('2010-03-01', { representant: true }), (c) => { c.contrat.typeDerogation = 11; }) },
    { name: 'A3 15 at start with derogation 50',
      mutate: all(naissance('2010-03-01', { representant: true }), (c) => { c.contrat.typeDerogation = 50; }) },
    // A6
    { name: 'A6 derogation 11 at 19', mutate: (c) => { c.contrat.typeDerogation = 11; },
      erreurs: ['DEROGATION_AGE_MOINS_DE_16_ANS_INCOHERENTE'], champ: '/cerfa/contrat/typeDerogation' },
    { name: 'A6 derogation 11 on the 16th birthday (S2 off-by-one fixed)',
      mutate: all(naissance('2009-09-01', { representant: true }), (c) => { c.contrat.typeDerogation = 11; }),
      erreurs: ['DEROGATION_AGE_MOINS_DE_16_ANS_INCOHERENTE'] },
    { name: 'A6 derogation 12 at 19', mutate: (c) => { c.contrat.typeDerogation = 12; },
      erreurs: ['DEROGATION_AGE_PLUS_DE_29_ANS_INCOHERENTE'] },
    { name: 'A6 derogation 12 at 29 is accepted', mutate: all(naissance('1996-01-15'), (c) => { c.contrat.typeDerogation = 12; }) },
    // A3/A5 upper limit: 29 "révolus" at start
    { name: 'A5 29 at start (turns 30 the next day)', mutate: naissance('1995-09-02') },
    { name: 'A5 30 on the start day', mutate: naissance('1995-09-01'), erreurs: ['AGE_APPRENTI_MAXIMUM'],
      champ: '/cerfa/apprenti/dateNaissance' },
    { name: 'A4 30 with RQTH', mutate: all(naissance('1995-09-01'), (c) => { c.apprenti.handicap = true; }) },
    { name: 'A4 40 with the RQTH "extension BOE"', mutate: all(naissance('1985-01-01'), (c) => { c.apprenti.droitsRqthExtensionBOE = true; }) },
    { name: 'A4 30, high-level athlete', mutate: all(naissance('1995-09-01'), (c) => { c.apprenti.inscriptionSportifDeHautNiveau = true; }) },
    { name: 'A4 30, business creation project', mutate: all(naissance('1995-09-01'), (c) => { c.apprenti.projetCreationRepriseEntreprise = true; }) },
    { name: 'A4 32 with derogation 12', mutate: all(naissance('1993-01-01'), (c) => { c.contrat.typeDerogation = 12; }) },
    { name: 'A4 35 at conclusion with derogation 50', mutate: all(naissance('1990-08-20'), (c) => { c.contrat.typeDerogation = 50; }) },
    { name: 'A4 36 at conclusion with derogation 12', mutate: all(naissance('1989-08-20'), (c) => { c.contrat.typeDerogation = 12; }),
      erreurs: ['AGE_APPRENTI_MAXIMUM_DEROGATION'] },
    // A7
    { name: 'A7 minor without representative', mutate: naissance('2008-01-10'), erreurs: ['REPRESENTANT_LEGAL_OBLIGATOIRE'],
      champ: '/cerfa/apprenti/responsableLegal/nom' },
    { name: 'A7 minor with representative', mutate: mineur },
    { name: 'A7 emancipated minor', mutate: all(naissance('2008-01-10'), (c) => { c.apprenti.apprentiMineurNonEmancipe = false; }) },
    { name: 'A7 declared non-emancipated', mutate: all(naissance('2008-01-10'), (c) => { c.apprenti.apprentiMineurNonEmancipe = true; }),
      erreurs: ['REPRESENTANT_LEGAL_OBLIGATOIRE'] },
    { name: 'A7 minor at conclusion, of age at start', mutate: naissance('2007-08-25'), erreurs: ['REPRESENTANT_LEGAL_OBLIGATOIRE'] },
    { name: 'A7 representative with a blank name', mutate: all(mineur, (c) => { c.apprenti.responsableLegal = { nom: '  ' }; }),
      erreurs: ['REPRESENTANT_LEGAL_OBLIGATOIRE'] },
    // A8 (information, as warnings)
    { name: 'A8 non-EU adult', mutate: (c) => { c.apprenti.nationalite = 3; },
      avertissements: ['APPRENTI_HORS_UE_AUTORISATION_TRAVAIL'], champ: '/cerfa/apprenti/nationalite' },
    { name: 'A8 non-EU minor turning 18 during the contract', mutate: all(mineur, (c) => { c.apprenti.nationalite = 3; }),
      avertissements: ['APPRENTI_HORS_UE_MAJORITE_EN_COURS_DE_CONTRAT'] },
    { name: 'A8 EU national', mutate: (c) => { c.apprenti.nationalite = 2; } },
    // A9
    { name: 'A9 maître 1 aged 17', mutate: (c) => { c.maitre1.dateNaissance = '2008-01-01'; }, erreurs: ['AGE_MAITRE_MINIMUM'],
      champ: '/cerfa/maitre1/dateNaissance' },
    { name: 'A9 maître 1 turning 18 on the start day', mutate: (c) => { c.maitre1.dateNaissance = '2007-09-01'; } },
    { name: 'A9 maître 1 born in the future', mutate: (c) => { c.maitre1.dateNaissance = '2030-01-01'; },
      erreurs: ['AGE_MAITRE_DATE_NAISSANCE_FUTURE'], champ: '/cerfa/maitre1/dateNaissance' },
    { name: 'A9 maître 2 aged 17', mutate: (c) => { c.maitre2 = { nom: 'Petit', prenom: 'Jean', dateNaissance: '2008-06-01' }; },
      erreurs: ['AGE_MAITRE_MINIMUM'], champ: '/cerfa/maitre2/dateNaissance' },
    // A10
    { name: 'A10 maître 2 complete', mutate: (c) => { c.maitre2 = { nom: 'Petit', prenom: 'Jean', dateNaissance: '1975-06-01' }; } },
    { name: 'A10 maître 2 empty object', mutate: (c) => { c.maitre2 = {}; } },
    { name: 'A10 maître 2 with a name only', mutate: (c) => { c.maitre2 = { nom: 'Petit' }; },
      erreurs: ['MAITRE2_INCOMPLET', 'MAITRE2_INCOMPLET'], champ: '/cerfa/maitre2/prenom' },
    { name: 'A10 maître 2 without birth date', mutate: (c) => { c.maitre2 = { nom: 'Petit', prenom: 'Jean' }; },
      erreurs: ['MAITRE2_INCOMPLET'], champ: '/cerfa/maitre2/dateNaissance' },
  ])('$name', (c) => { expectCase(c); });

  it('states the rule and the actual values', () => {
    const { erreurs } = run(naissance('2011-01-01', { representant: true }));
    expect(erreurs).toEqual([{
      code: 'AGE_APPRENTI_MINIMUM',
      description: "L'apprenti(e) doit avoir au moins 15 ans au début du contrat (âge au 2025-09-01 : 14 ans). [règle A2]",
      champ: '/cerfa/apprenti/dateNaissance',
      section: 'apprenti',
    }]);
  });

  it('skips the age rules when the birth date is malformed', () => {
    const outcome = run((c) => { c.apprenti.dateNaissance = '2006-02-30'; delete c.apprenti.nir; });
    expect(outcome.erreurs).toEqual([]);
  });
});
