import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCerfaRules, RULE_CODES } from '../../src/domain/cerfa/rules/index.js';
import type { Cerfa } from '../../src/domain/cerfa/types.js';
import { euros, pourcent } from '../../src/domain/cerfa/rules/context.js';
import { BASE_RECEIVED_ON, baseCerfa, run } from './helpers/cerfa-domain.js';

describe('checkCerfaRules', () => {
  it('finds nothing on the valid base contract', () => {
    expect(run()).toEqual({ erreurs: [], avertissements: [] });
  });

  it('returns every finding at once, errors and warnings apart', () => {
    const outcome = run((c) => {
      c.apprenti.sexe = 'F';
      c.contrat.dureeTravailHebdoHeures = 41;
      c.contrat.remunerationsAnnuelles[2]!.taux = 50;
      c.formation.dureeFormation = 700;
    });
    expect(outcome.erreurs.map((v) => [v.code, v.section])).toEqual([
      ['NIR_SEXE_INCOHERENT', 'apprenti'],
      ['DUREE_TRAVAIL_HEBDO_MAXIMUM', 'contrat'],
      ['REMUNERATION_TAUX_INFERIEUR_MINIMUM', 'remuneration'],
    ]);
    expect(outcome.avertissements.map((v) => [v.code, v.section])).toEqual([
      ['DUREE_FORMATION_INFERIEURE_25_POURCENT', 'formation'],
    ]);
  });

  it('catalogue: UPPER_SNAKE codes with a rule id', () => {
    for (const [code, { regle, severite }] of Object.entries(RULE_CODES)) {
      expect(code).toMatch(/^[A-Z0-9]+(?:_[A-Z0-9]+)*$/);
      expect(regle).toMatch(/^[ANDTWFR]\d{1,2}$/);
      expect(['erreur', 'avertissement']).toContain(severite);
    }
  });

  it('never throws on odd data', () => {
    const garbage = fc.oneof(
      fc.constant(undefined), fc.constant(null), fc.constant(''), fc.constant('2025-02-30'), fc.constant('n/a'),
      fc.integer({ min: -5, max: 100_000 }), fc.double(), fc.boolean(), fc.constant([]), fc.constant({}),
    );
    const paths: string[][] = [
      ['apprenti', 'dateNaissance'], ['apprenti', 'nir'], ['apprenti', 'sexe'], ['apprenti', 'departementNaissance'],
      ['apprenti', 'responsableLegal'], ['apprenti', 'nationalite'], ['maitre1', 'dateNaissance'], ['maitre2'],
      ['contrat', 'dateConclusion'], ['contrat', 'dateDebutContrat'], ['contrat', 'dateFinContrat'],
      ['contrat', 'dateFormationPratiqueEmployeur'], ['contrat', 'dateEffetAvenant'], ['contrat', 'typeContratApp'],
      ['contrat', 'typeDerogation'], ['contrat', 'dureeTravailHebdoHeures'], ['contrat', 'dureeTravailHebdoMinutes'],
      ['contrat', 'remunerationsAnnuelles'], ['contrat', 'smc'], ['contrat', 'salaireEmbauche'], ['contrat', 'numeroContratPrecedent'],
      ['formation', 'dateDebutFormation'], ['formation', 'dateFinFormation'], ['formation', 'dureeFormation'],
      ['employeur', 'naf'], ['employeur', 'adresse'], ['employeur', 'siret'],
    ];
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom(...paths), garbage), { maxLength: 6 }), (edits) => {
      const cerfa = baseCerfa() as unknown as Record<string, Record<string, unknown>>;
      for (const [[section, field], value] of edits) {
        if (field === undefined) cerfa[section!] = value as Record<string, unknown>;
        else cerfa[section!]![field] = value;
      }
      const outcome = checkCerfaRules(cerfa as unknown as Cerfa, { receivedOn: BASE_RECEIVED_ON });
      expect(Array.isArray(outcome.erreurs)).toBe(true);
    }), { numRuns: 1000 });
  });
});

describe('French amounts and rates in descriptions', () => {
  it.each([[77_478, '774,78 €'], [180_180, '1 801,80 €'], [5, '0,05 €'], [123_456_789, '1 234 567,89 €'], [-1_050, '-10,50 €']])(
    'euros(%i) = %s', (cents, text) => expect(euros(cents)).toBe(text));
  it.each([[43, '43 %'], [43.5, '43,5 %']])('pourcent(%d) = %s', (taux, text) => expect(pourcent(taux)).toBe(text));
});
