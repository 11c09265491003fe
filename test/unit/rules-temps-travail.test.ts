import { describe, expect, it } from 'vitest';
import { secteurDerogatoire } from '../../src/domain/cerfa/rules/temps-travail.js';
import { all, expectCase, naissance, type Mutation, type RuleCase } from './helpers/cerfa-domain.js';

const duree = (heures: number, minutes = 0): Mutation => (c) => {
  c.contrat.dureeTravailHebdoHeures = heures;
  c.contrat.dureeTravailHebdoMinutes = minutes;
};
const naf = (code: string): Mutation => (c) => { c.employeur.naf = code; };
const mineur = naissance('2008-01-10', { representant: true }); // 17 at start

describe('rules — working time (W1, W3)', () => {
  it.each<RuleCase>([
    { name: 'W1 40 h', mutate: duree(40) },
    { name: 'W1 40 h 30', mutate: duree(40, 30), erreurs: ['DUREE_TRAVAIL_HEBDO_MAXIMUM'], champ: '/cerfa/contrat/dureeTravailHebdoMinutes' },
    { name: 'W1 41 h', mutate: duree(41), erreurs: ['DUREE_TRAVAIL_HEBDO_MAXIMUM'], champ: '/cerfa/contrat/dureeTravailHebdoHeures' },
    { name: 'W1 minutes absent', mutate: (c) => { delete c.contrat.dureeTravailHebdoMinutes; } },
    { name: 'W3 minor, 35 h', mutate: mineur },
    { name: 'W3 minor, 35 h 30', mutate: all(mineur, duree(35, 30)), erreurs: ['DUREE_TRAVAIL_HEBDO_MINEUR'],
      champ: '/cerfa/contrat/dureeTravailHebdoHeures' },
    { name: 'W3 minor, 39 h, software company', mutate: all(mineur, duree(39)), erreurs: ['DUREE_TRAVAIL_HEBDO_MINEUR'] },
    { name: 'W3 minor, 40 h, building (43.99C)', mutate: all(mineur, duree(40), naf('43.99C')) },
    { name: 'W3 minor, 40 h, civil engineering (4211Z)', mutate: all(mineur, duree(40), naf('4211Z')) },
    { name: 'W3 minor, 40 h, construction of buildings (41.20A)', mutate: all(mineur, duree(40), naf('41.20A')) },
    { name: 'W3 minor, 40 h, landscaping (81.30Z)', mutate: all(mineur, duree(40), naf('81.30Z')) },
    { name: 'W3 minor, 40 h, cleaning (81.29A)', mutate: all(mineur, duree(40), naf('81.29A')), erreurs: ['DUREE_TRAVAIL_HEBDO_MINEUR'] },
    { name: 'W3 minor, 40 h 15 in building: only the 40 h cap', mutate: all(mineur, duree(40, 15), naf('4399C')),
      erreurs: ['DUREE_TRAVAIL_HEBDO_MAXIMUM'] },
    { name: 'W3 adult, 39 h', mutate: duree(39) },
  ])('$name', (c) => { expectCase(c); });

  it.each([
    ['43.99C', true], ['4399c', true], ['81.30Z', true], ['8130Z', true], ['81.29A', false], ['62.01Z', false], ['', false],
  ])('secteurDerogatoire(%s) = %s', (code, expected) => expect(secteurDerogatoire(code)).toBe(expected));
});
