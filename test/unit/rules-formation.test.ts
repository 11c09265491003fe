import { describe, it } from 'vitest';
import { expectCase, type Mutation, type RuleCase } from './helpers/cerfa-domain.js';

const heures = (h: number): Mutation => (c) => { c.formation.dureeFormation = h; };

describe('rules — training volume (F1, F2)', () => {
  it.each<RuleCase>([
    { name: 'F1 0 h', mutate: heures(0), erreurs: ['DUREE_FORMATION_HORS_LIMITES'], champ: '/cerfa/formation/dureeFormation' },
    { name: 'F1 10 000 h', mutate: heures(10_000), erreurs: ['DUREE_FORMATION_HORS_LIMITES'] },
    { name: 'F1 9 999 h', mutate: heures(9999) },
    // 730 days × 1 607 h / 365 × 25 % = 803.5 h
    { name: 'F2 804 h for 2 years', mutate: heures(804) },
    { name: 'F2 803 h for 2 years', mutate: heures(803), avertissements: ['DUREE_FORMATION_INFERIEURE_25_POURCENT'],
      champ: '/cerfa/formation/dureeFormation' },
    { name: 'F2 not applied with RQTH', mutate: (c) => { c.formation.dureeFormation = 400; c.apprenti.handicap = true; } },
    { name: 'F2 not applied to a high-level athlete',
      mutate: (c) => { c.formation.dureeFormation = 400; c.apprenti.inscriptionSportifDeHautNiveau = true; } },
  ])('$name', (c) => { expectCase(c); });
});
