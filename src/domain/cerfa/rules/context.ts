/**
 * What every rule family needs, computed once per contract: validated dates, ages, and the legal
 * pay periods (lazily, only the remuneration rules need them). Rules read a date from here and
 * skip themselves when it is `undefined`, so odd data never makes a rule throw.
 */
import { eurosToCents, isExactCents } from '../../financing/money.js';
import type { Violation } from '../../violation.js';
import { sectionOfPointer } from '../../violation.js';
import { fullYearsBetween, isIsoDate } from '../../dates.js';
import { DUREE_MAX_ANNEES, periodesDeDatesValides, type RemunerationPeriod } from '../../remuneration/periodes.js';
import type { Cerfa, IsoDate } from '../types.js';
import { RULE_CODES, type RuleCode } from './codes.js';

/** Avenant types (31–38): the contract dates are those of the amended contract. */
export function isAvenant(typeContratApp: number): boolean {
  return typeContratApp >= 31 && typeContratApp <= 38;
}

export function dateValide(value: unknown): IsoDate | undefined {
  return typeof value === 'string' && isIsoDate(value) ? value : undefined;
}

function age(naissance: IsoDate | undefined, at: IsoDate | undefined): number | undefined {
  return naissance !== undefined && at !== undefined ? fullYearsBetween(naissance, at) : undefined;
}

export class RuleContext {
  readonly receivedOn: IsoDate | undefined;
  readonly naissance: IsoDate | undefined;
  readonly conclusion: IsoDate | undefined;
  readonly debut: IsoDate | undefined;
  readonly fin: IsoDate | undefined;
  readonly formationPratique: IsoDate | undefined;
  readonly debutFormation: IsoDate | undefined;
  readonly finFormation: IsoDate | undefined;
  readonly effetAvenant: IsoDate | undefined;
  /** Apprentice's age in whole years at contract start / conclusion. */
  readonly ageDebut: number | undefined;
  readonly ageConclusion: number | undefined;
  readonly avenant: boolean;
  readonly departementEmployeur: string | undefined;
  readonly smcMensuelCents: number | undefined;
  private periodesCache: readonly RemunerationPeriod[] | undefined;

  constructor(readonly cerfa: Cerfa, receivedOn: IsoDate) {
    const { apprenti, contrat, formation, employeur } = cerfa;
    this.receivedOn = dateValide(receivedOn);
    this.naissance = dateValide(apprenti?.dateNaissance);
    this.conclusion = dateValide(contrat?.dateConclusion);
    this.debut = dateValide(contrat?.dateDebutContrat);
    this.fin = dateValide(contrat?.dateFinContrat);
    this.formationPratique = dateValide(contrat?.dateFormationPratiqueEmployeur);
    this.debutFormation = dateValide(formation?.dateDebutFormation);
    this.finFormation = dateValide(formation?.dateFinFormation);
    this.effetAvenant = dateValide(contrat?.dateEffetAvenant);
    this.ageDebut = age(this.naissance, this.debut);
    this.ageConclusion = age(this.naissance, this.conclusion);
    this.avenant = isAvenant(contrat?.typeContratApp ?? 0);
    this.departementEmployeur = departementDe(employeur?.adresse?.departement, employeur?.adresse?.codePostal);
    const smc = contrat?.smc;
    this.smcMensuelCents = typeof smc === 'number' && smc > 0 && isExactCents(smc) ? eurosToCents(smc) : undefined;
  }

  /** Apprentice's age at contract end; only a rare rule needs it, hence computed on demand. */
  get ageFin(): number | undefined {
    return age(this.naissance, this.fin);
  }

  /** Legal pay periods of the contract; empty when the dates needed are missing or inconsistent. */
  periodes(): readonly RemunerationPeriod[] {
    if (this.periodesCache === undefined) {
      const { naissance, debut, fin, conclusion } = this;
      this.periodesCache =
        naissance && debut && fin && conclusion && debut <= fin && fullYearsBetween(debut, fin) < DUREE_MAX_ANNEES
          ? periodesDeDatesValides({
              dateNaissance: naissance,
              dateDebutContrat: debut,
              dateFinContrat: fin,
              dateConclusion: conclusion,
              ...(this.smcMensuelCents !== undefined && { smcMensuelCents: this.smcMensuelCents }),
              ...(this.departementEmployeur !== undefined && { departementEmployeur: this.departementEmployeur }),
            })
          : [];
    }
    return this.periodesCache;
  }
}

/** Département from the address, or from the postcode (3 digits overseas, 2 otherwise). */
function departementDe(departement: string | undefined, codePostal: string | undefined): string | undefined {
  if (typeof departement === 'string' && departement.trim() !== '') return departement.trim();
  if (typeof codePostal !== 'string' || codePostal.length < 2) return undefined;
  return codePostal.startsWith('97') ? codePostal.slice(0, 3) : codePostal.slice(0, 2);
}

/** Collects findings; severity and rule id come from the code catalogue, never from the caller. */
export class Findings {
  readonly erreurs: Violation[] = [];
  readonly avertissements: Violation[] = [];

  add(code: RuleCode, champ: string, message: string): void {
    const { regle, severite } = RULE_CODES[code];
    const violation: Violation = {
      code,
      description: `${message} [règle ${regle}]`,
      champ,
      section: sectionOfPointer(champ),
    };
    (severite === 'erreur' ? this.erreurs : this.avertissements).push(violation);
  }
}

/** JSON pointers of the fields the rules talk about (request root = `{ cerfa: … }`). */
export const CHAMP = {
  apprentiDateNaissance: '/cerfa/apprenti/dateNaissance',
  apprentiNir: '/cerfa/apprenti/nir',
  apprentiNationalite: '/cerfa/apprenti/nationalite',
  apprentiSituationAvantContrat: '/cerfa/apprenti/situationAvantContrat',
  responsableLegalNom: '/cerfa/apprenti/responsableLegal/nom',
  employeurSiret: '/cerfa/employeur/siret',
  contrat: '/cerfa/contrat',
  typeContratApp: '/cerfa/contrat/typeContratApp',
  typeDerogation: '/cerfa/contrat/typeDerogation',
  numeroContratPrecedent: '/cerfa/contrat/numeroContratPrecedent',
  dateConclusion: '/cerfa/contrat/dateConclusion',
  dateDebutContrat: '/cerfa/contrat/dateDebutContrat',
  dateFinContrat: '/cerfa/contrat/dateFinContrat',
  dateFormationPratique: '/cerfa/contrat/dateFormationPratiqueEmployeur',
  dateEffetAvenant: '/cerfa/contrat/dateEffetAvenant',
  dureeTravailHeures: '/cerfa/contrat/dureeTravailHebdoHeures',
  dureeTravailMinutes: '/cerfa/contrat/dureeTravailHebdoMinutes',
  salaireEmbauche: '/cerfa/contrat/salaireEmbauche',
  smc: '/cerfa/contrat/smc',
  remunerations: '/cerfa/contrat/remunerationsAnnuelles',
  dateDebutFormation: '/cerfa/formation/dateDebutFormation',
  dateFinFormation: '/cerfa/formation/dateFinFormation',
  dureeFormation: '/cerfa/formation/dureeFormation',
} as const;

/** French rendering of a percentage: 43 → "43 %", 43.5 → "43,5 %". */
export function pourcent(taux: number): string {
  return `${String(taux).replace('.', ',')} %`;
}

/** French rendering of an amount in cents: 180180 → "1 801,80 €". */
export function euros(cents: number): string {
  const abs = Math.abs(Math.round(cents));
  const unites = String(Math.floor(abs / 100));
  let groupes = unites.slice(-3);
  for (let i = unites.length - 3; i > 0; i -= 3) groupes = `${unites.slice(Math.max(0, i - 3), i)} ${groupes}`;
  return `${cents < 0 ? '-' : ''}${groupes},${String(abs % 100).padStart(2, '0')} €`;
}
