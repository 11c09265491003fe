/**
 * Splits an apprenticeship contract into pay periods and computes the legal minimum of each one
 * (reference §4.2/§4.3). Shared by the business rule R1 and the public pay simulator.
 */
import type { IsoDate } from '../cerfa/types.js';
import {
  addDays, addMonths, addYears, daysInMonth, firstDayOfNextMonth, fullYearsBetween, isIsoDate, minDate, parts,
} from '../dates.js';
import { seuilsTranches, tauxMinimal, type TrancheAge } from './grille.js';
import { smicMensuelAt } from './smic.js';

export interface RemunerationPeriodInput {
  dateNaissance: IsoDate;
  dateDebutContrat: IsoDate;
  dateFinContrat: IsoDate;
  /** Chooses the grid: contracts concluded before 2019-01-01 use the old one. */
  dateConclusion: IsoDate;
  /** Salaire minimum conventionnel (monthly, cents); the base from band 21–25 when above the SMIC. */
  smcMensuelCents?: number;
  /** Employer département; "976" (Mayotte) selects the Mayotte SMIC. */
  departementEmployeur?: string;
  /**
   * Rate (%) of the last year of a previous contract that led to the diploma (D6222-29): a floor
   * for every period of the new contract, unless the grid gives more.
   */
  tauxDernierAnneeContratPrecedent?: number;
}

export interface RemunerationPeriod {
  /** "1.1", "1.2", "2.1"… — contract year, then part of the year (a part starts at a band change). */
  ordre: string;
  dateDebut: IsoDate;
  dateFin: IsoDate;
  /** 1-based contract year (years run from anniversaries of the start date). */
  anneeContrat: number;
  /** Age in whole years on `dateDebut`. */
  age: number;
  /** Grid age band applied to the period (lags the birthday: see `dateChangementTranche`). */
  trancheAge: TrancheAge;
  /** Legal minimum, % of the base. */
  tauxMinimal: number;
  typeSalaire: 'SMIC' | 'SMC';
  /** Monthly base in cents: SMIC (or Mayotte SMIC) in force on `dateDebut`, or the SMC. */
  baseMensuelleCents: number;
  /** Minimum gross monthly pay in cents: ceil(base × tauxMinimal / 100). */
  salaireBrutMensuelCents: number;
}

/** Longer inputs are refused: they cannot be real contracts and would produce unbounded output. */
export const DUREE_MAX_ANNEES = 10;

/**
 * Date from which the band reached at age `seuil` applies: the first day of the month following
 * that birthday (D6222-31), also when the birthday falls shortly before the contract start.
 * A 29 February birthday is reached on 1 March in common years, as `fullYearsBetween` counts it.
 */
export function dateChangementTranche(dateNaissance: IsoDate, seuil: number): IsoDate {
  return datesChangementTranche(dateNaissance, [seuil])[0]!;
}

/** `dateChangementTranche` for several thresholds, sharing the month arithmetic (hot path). */
function datesChangementTranche(dateNaissance: IsoDate, seuils: readonly number[]): IsoDate[] {
  // The month after the birthday only depends on the birth month, so shift it by whole years.
  const moisSuivant = firstDayOfNextMonth(dateNaissance);
  const bissextile = dateNaissance.endsWith('-02-29');
  return seuils.map((seuil) => {
    const date = addMonths(moisSuivant, seuil * 12);
    // Born 29 Feb: in a common year the birthday is 1 March, so the band moves on 1 April.
    return bissextile && daysInMonth(parts(date).year, 2) === 28 ? addMonths(date, 1) : date;
  });
}

/** A rate (%, at most 2 decimals) as an integer number of basis points (43.5 % → 4350). */
export function tauxEnPointsDeBase(taux: number): number {
  return Math.round(taux * 100);
}

/** ceil(base × taux / 100) to the cent, in integer arithmetic (no float multiplication of money). */
export function salaireBrutCents(baseCents: number, taux: number): number {
  const produit = Math.round(baseCents) * tauxEnPointsDeBase(taux);
  const quotient = Math.floor(produit / 10_000);
  return produit - quotient * 10_000 > 0 ? quotient + 1 : quotient;
}

/**
 * Legal pay periods of an apprenticeship contract, in order, covering `dateDebutContrat` to
 * `dateFinContrat` exactly (both included) with no gap or overlap.
 *
 * - Contract year k runs from the (k−1)th anniversary of the start date to the day before the
 *   kth; year 4 and later are paid as year 3.
 * - When the apprentice reaches 18, 21 or 26 (18 or 21 for contracts concluded before 2019) the
 *   higher band applies from the first day of the following month, which splits year k into k.1
 *   and k.2. Adjacent parts with the same rate and salary type are kept as one period.
 * - Base: the monthly 35 h SMIC in force on the period's first day (Mayotte's for département 976),
 *   or the SMC when the band is 21+ and the SMC is higher.
 * - The minimum is floored by `tauxDernierAnneeContratPrecedent` when given (D6222-29).
 *
 * Returns [] when the end is before the start.
 * @throws RangeError when a date is not a valid `YYYY-MM-DD` calendar date, or the contract lasts
 *   `DUREE_MAX_ANNEES` years or more.
 */
export function computeRemunerationPeriods(input: RemunerationPeriodInput): RemunerationPeriod[] {
  const { dateNaissance, dateDebutContrat: debut, dateFinContrat: fin, dateConclusion } = input;
  for (const date of [dateNaissance, debut, fin, dateConclusion]) {
    if (typeof date !== 'string' || !isIsoDate(date)) throw new RangeError(`date invalide : ${String(date)}`);
  }
  if (fin >= debut && fullYearsBetween(debut, fin) >= DUREE_MAX_ANNEES) {
    throw new RangeError(`contrat de ${DUREE_MAX_ANNEES} ans ou plus : ${debut} → ${fin}`);
  }
  return periodesDeDatesValides(input);
}

/**
 * `computeRemunerationPeriods` without input validation, for callers that already checked every
 * date (the business rules run on each POST and validate dates once for all rules).
 */
export function periodesDeDatesValides(input: RemunerationPeriodInput): RemunerationPeriod[] {
  const { dateNaissance, dateDebutContrat: debut, dateFinContrat: fin, dateConclusion } = input;
  if (fin < debut) return [];
  const changements = datesChangementTranche(dateNaissance, seuilsTranches(dateConclusion));
  const plancher = positive(input.tauxDernierAnneeContratPrecedent) ?? 0;
  const smc = positive(input.smcMensuelCents);
  const periodes: RemunerationPeriod[] = [];

  let debutAnnee = debut;
  for (let annee = 1; debutAnnee <= fin; annee += 1) {
    const anniversaire = addYears(debut, annee);
    const finAnnee = minDate(addDays(anniversaire, -1), fin);
    const debuts = [debutAnnee];
    for (const date of changements) if (date > debutAnnee && date <= finAnnee) debuts.push(date);

    let partie = 0;
    for (let i = 0; i < debuts.length; i += 1) {
      const dateDebut = debuts[i]!;
      const dateFin = i + 1 < debuts.length ? addDays(debuts[i + 1]!, -1) : finAnnee;
      let tranche = 0;
      for (const date of changements) if (date <= dateDebut) tranche += 1;
      const trancheAge = tranche as TrancheAge;
      const taux = Math.max(tauxMinimal(annee, trancheAge, dateConclusion), plancher);
      const smic = smicMensuelAt(dateDebut, input.departementEmployeur);
      const typeSalaire = trancheAge >= 2 && smc !== undefined && smc > smic ? 'SMC' : 'SMIC';

      const precedente = periodes[periodes.length - 1];
      if (partie > 0 && precedente && precedente.tauxMinimal === taux && precedente.typeSalaire === typeSalaire) {
        precedente.dateFin = dateFin;
        continue;
      }
      partie += 1;
      const base = typeSalaire === 'SMC' ? smc! : smic;
      periodes.push({
        ordre: `${annee}.${partie}`,
        dateDebut,
        dateFin,
        anneeContrat: annee,
        age: fullYearsBetween(dateNaissance, dateDebut),
        trancheAge,
        tauxMinimal: taux,
        typeSalaire,
        baseMensuelleCents: base,
        salaireBrutMensuelCents: salaireBrutCents(base, taux),
      });
    }
    debutAnnee = anniversaire;
  }
  return periodes;
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}
