/**
 * A fully valid normalised contract to mutate in rule tests: apprentice born 2006-05-14 (19 at the
 * start), BTS, 2025-09-01 → 2027-08-31, pay lines split at the 21st birthday (2027-05-14 → higher
 * band from 2027-06-01).
 */
import { expect } from 'vitest';
import type { Cerfa } from '../../../src/domain/cerfa/types.js';
import { checkCerfaRules } from '../../../src/domain/cerfa/rules/index.js';
import { computeRemunerationPeriods } from '../../../src/domain/remuneration/periodes.js';
import type { RuleOutcome, Violation } from '../../../src/domain/violation.js';

/** Received two days after the start: inside the 5-working-day filing window. */
export const BASE_RECEIVED_ON = '2025-09-03';

export function baseCerfa(): Cerfa {
  return {
    versionCERFA: '10103*14',
    CERFASignatureProbante: true,
    employeur: {
      denomination: 'Atelier Numérique SARL',
      siret: '73282932000074',
      naf: '62.01Z',
      nombreDeSalaries: 42,
      codeIdcc: '1486',
      telephone: '+33142000000',
      courriel: 'rh@atelier-numerique.fr',
      adresse: { numero: 12, voie: 'rue des Lilas', codePostal: '75011', commune: 'Paris' },
      typeEmployeur: 12,
      employeurSpecifique: 0,
      attestationEligibilite: true,
      attestationPieces: true,
      privePublic: 'prive',
    },
    apprenti: {
      nom: 'Martin',
      prenom: 'Lucas',
      sexe: 'M',
      dateNaissance: '2006-05-14',
      departementNaissance: '75',
      communeNaissance: 'Paris',
      nationalite: 1,
      // 1 06 05 75 056 123, key 97 − (1060575056123 mod 97) = 79
      nir: '106057505612379',
      regimeSocial: 2,
      handicap: false,
      situationAvantContrat: 1,
      diplome: 42,
      diplomePrepare: 42,
      derniereClasse: '01',
      telephone: '+33612345678',
      courriel: 'lucas.martin@example.fr',
      adresse: { numero: 3, voie: 'avenue Jean Jaurès', codePostal: '93100', commune: 'Montreuil' },
      inscriptionSportifDeHautNiveau: false,
      projetCreationRepriseEntreprise: false,
    },
    maitre1: {
      nom: 'Durand',
      prenom: 'Claire',
      dateNaissance: '1980-03-12',
      courriel: 'claire.durand@atelier-numerique.fr',
      emploiOccupe: 'Développeuse senior',
      intituleDiplomeObtenu: "Diplôme d'ingénieur",
      niveauDiplomeObtenu: 7,
    },
    contrat: {
      modeContractuel: 1,
      typeContratApp: 11,
      dateConclusion: '2025-08-20',
      dateDebutContrat: '2025-09-01',
      dateFormationPratiqueEmployeur: '2025-09-01',
      dateFinContrat: '2027-08-31',
      lieuSignatureContrat: 'Paris',
      dureeTravailHebdoHeures: 35,
      dureeTravailHebdoMinutes: 0,
      travailRisque: false,
      // 43 % × 1 801,80 € rounded up to the cent
      salaireEmbauche: 774.78,
      remunerationsAnnuelles: [
        { ordre: '1.1', dateDebut: '2025-09-01', dateFin: '2026-08-31', taux: 43, typeSalaire: 'SMIC' },
        { ordre: '2.1', dateDebut: '2026-09-01', dateFin: '2027-05-31', taux: 51, typeSalaire: 'SMIC' },
        { ordre: '2.2', dateDebut: '2027-06-01', dateFin: '2027-08-31', taux: 61, typeSalaire: 'SMIC' },
      ],
    },
    formation: {
      rncp: 'RNCP35340',
      codeDiplome: '32031213',
      typeDiplome: 54,
      intituleQualification: 'BTS Services informatiques aux organisations',
      dateDebutFormation: '2025-09-01',
      dateFinFormation: '2027-06-30',
      dureeFormation: 1350,
    },
    organismeFormation: {
      denomination: 'CFA du Numérique',
      formationInterne: false,
      siret: '13002526500013',
      uaiCfa: '0561910X',
      visaCfa: true,
      adresse: { voie: 'boulevard de la Formation', codePostal: '75013', commune: 'Paris' },
      lieuFormationIdentique: true,
    },
  };
}

export type Mutation = (cerfa: Cerfa) => void;

/**
 * Rewrites the pay lines and the hiring salary to the legal minimum of the (mutated) contract, so
 * a test that moves dates or the birth date only sees the rule it targets.
 */
export function alignerRemuneration(cerfa: Cerfa): void {
  const { contrat, apprenti } = cerfa;
  const periodes = computeRemunerationPeriods({
    dateNaissance: apprenti.dateNaissance,
    dateDebutContrat: contrat.dateDebutContrat,
    dateFinContrat: contrat.dateFinContrat,
    dateConclusion: contrat.dateConclusion,
    ...(contrat.smc !== undefined && { smcMensuelCents: Math.round(contrat.smc * 100) }),
    ...(cerfa.employeur.adresse.codePostal !== undefined && { departementEmployeur: cerfa.employeur.adresse.codePostal.slice(0, 3) }),
  });
  contrat.remunerationsAnnuelles = periodes.map((p) => ({
    ordre: p.ordre, dateDebut: p.dateDebut, dateFin: p.dateFin, taux: p.tauxMinimal, typeSalaire: p.typeSalaire,
  }));
  const premiere = periodes[0];
  if (premiere) contrat.salaireEmbauche = premiere.salaireBrutMensuelCents / 100;
}

/** Changes the apprentice's birth date, dropping the NIR (it encodes the birth date) and realigning pay. */
export function naissance(date: string, options: { representant?: boolean } = {}): Mutation {
  return (cerfa) => {
    cerfa.apprenti.dateNaissance = date;
    delete cerfa.apprenti.nir;
    if (options.representant) cerfa.apprenti.responsableLegal = { nom: 'Martin Sophie', courriel: 'sophie.martin@example.fr' };
    alignerRemuneration(cerfa);
  };
}

/** Applies several mutations in order. */
export const all = (...mutations: Mutation[]): Mutation => (cerfa) => mutations.forEach((m) => m(cerfa));

/** Runs the rules on the base contract after `mutate`. */
export function run(mutate: Mutation = () => {}, receivedOn = BASE_RECEIVED_ON): RuleOutcome {
  const cerfa = baseCerfa();
  mutate(cerfa);
  return checkCerfaRules(cerfa, { receivedOn });
}

export const codes = (violations: readonly Violation[]): string[] => violations.map((v) => v.code).sort();

/** Row of a table-driven test: a mutation and exactly the error and warning codes it must produce. */
export interface RuleCase {
  name: string;
  mutate: Mutation;
  erreurs?: string[];
  avertissements?: string[];
  /** JSON pointer expected on the first error (or warning when no error is expected). */
  champ?: string;
  receivedOn?: string;
}

export function expectCase(c: RuleCase): RuleOutcome {
  const outcome = run(c.mutate, c.receivedOn);
  expect(codes(outcome.erreurs)).toEqual([...(c.erreurs ?? [])].sort());
  expect(codes(outcome.avertissements)).toEqual([...(c.avertissements ?? [])].sort());
  if (c.champ !== undefined) {
    const first = outcome.erreurs[0] ?? outcome.avertissements[0];
    expect(first?.champ).toBe(c.champ);
  }
  for (const v of [...outcome.erreurs, ...outcome.avertissements]) {
    expect(v.code).toMatch(/^[A-Z0-9]+(?:_[A-Z0-9]+)*$/);
    expect(v.description).toMatch(/\[règle [A-Z]\d+\]$/);
    expect(v.champ.startsWith('/cerfa/')).toBe(true);
  }
  return outcome;
}
