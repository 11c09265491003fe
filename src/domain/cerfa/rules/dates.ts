/** Ordering and windows of the contract and training dates (reference §3.3, D1–D13). */
import {
  addDays, addMonths, fromParts, fullMonthsBetween, parts, toEpochDay,
} from '../../dates.js';
import type { IsoDate } from '../types.js';
import { CHAMP, type Findings, type RuleContext } from './context.js';

const DUREE_CONTRAT_MIN_MOIS = 6;
const DUREE_CONTRAT_MAX_MOIS = 54;
const DUREE_LEGALE_MAX_MOIS = 36;
const DUREE_FORMATION_MIN_MOIS = 6;
const DUREE_FORMATION_MAX_MOIS = 48;
const FENETRE_MOIS = 3;
const DELAI_DEPOT_JOURS_OUVRABLES = 5;

/** Derogations and avenants that justify a contract longer than 3 years. */
const DEROGATIONS_ALLONGEMENT = new Set([22, 50]);
const AVENANTS_PROLONGATION = new Set([33, 34]);
/** In CFA training before the contract (L6222-12-1) or after a termination: training precedes signature. */
const SITUATIONS_FORMATION_AVANT_CONTRAT = new Set([7, 8]);

export function checkDates(ctx: RuleContext, out: Findings): void {
  checkContrat(ctx, out);
  checkFormationPratique(ctx, out);
  checkDebutFormation(ctx, out);
  checkFinFormation(ctx, out);
  checkAvenant(ctx, out);
  checkDelaiDepot(ctx, out);
}

/**
 * Duration in whole months with the end day included: 01/09 → 28/02 is 6 months, where
 * date-fns differenceInMonths (S2) says 5 and would reject a legal 6-month contract.
 */
function dureeMois(debut: IsoDate, fin: IsoDate): number {
  return fullMonthsBetween(debut, addDays(fin, 1));
}

function checkContrat(ctx: RuleContext, out: Findings): void {
  const { conclusion, debut, fin, avenant } = ctx;
  const { contrat, apprenti } = ctx.cerfa;
  // An avenant is signed during the contract: its conclusion date follows the start by nature.
  if (!avenant && conclusion && debut && conclusion > debut) {
    out.add('DATE_CONCLUSION_APRES_DEBUT_CONTRAT', CHAMP.dateConclusion,
      `La date de conclusion du contrat doit être antérieure ou égale à sa date de début d'exécution (conclusion : ${conclusion}, début : ${debut}).`);
  }
  if (!debut || !fin) return;
  if (fin <= debut) {
    out.add('DATE_FIN_CONTRAT_AVANT_DEBUT', CHAMP.dateFinContrat,
      `La date de fin du contrat doit être postérieure à sa date de début (début : ${debut}, fin : ${fin}).`);
    return;
  }
  const mois = dureeMois(debut, fin);
  if (mois < DUREE_CONTRAT_MIN_MOIS || mois > DUREE_CONTRAT_MAX_MOIS) {
    out.add('DUREE_CONTRAT_HORS_LIMITES', CHAMP.dateFinContrat,
      `La durée du contrat doit être comprise entre ${DUREE_CONTRAT_MIN_MOIS} et ${DUREE_CONTRAT_MAX_MOIS} mois ` +
      `(du ${debut} au ${fin} : ${mois} mois).`);
  } else if (mois > DUREE_LEGALE_MAX_MOIS
    && !DEROGATIONS_ALLONGEMENT.has(contrat.typeDerogation ?? 0)
    && !AVENANTS_PROLONGATION.has(contrat.typeContratApp)
    && apprenti.handicap !== true) {
    out.add('DUREE_CONTRAT_SUPERIEURE_3_ANS', CHAMP.dateFinContrat,
      `Un contrat de plus de 3 ans suppose une dérogation d'allongement (22 ou 50), une prolongation (avenant 33 ou 34) ` +
      `ou une RQTH (du ${debut} au ${fin} : ${mois} mois).`);
  }
}

function checkFormationPratique(ctx: RuleContext, out: Findings): void {
  const { formationPratique: pratique, debut, fin, conclusion } = ctx;
  if (!pratique) return;
  const champ = CHAMP.dateFormationPratique;
  if (debut) {
    if (pratique < debut) {
      out.add('DATE_FORMATION_PRATIQUE_AVANT_DEBUT_CONTRAT', champ,
        `La formation pratique chez l'employeur ne peut pas commencer avant le début du contrat (formation pratique : ${pratique}, début : ${debut}).`);
    } else if (pratique > debut) {
      const limite = addMonths(debut, FENETRE_MOIS);
      if (pratique > limite) {
        out.add('DATE_FORMATION_PRATIQUE_TROP_TARDIVE', champ,
          `La formation pratique chez l'employeur doit commencer au plus tard ${FENETRE_MOIS} mois après le début du contrat ` +
          `(formation pratique : ${pratique}, limite : ${limite}).`);
      }
    }
  }
  if (!ctx.avenant && conclusion && pratique < conclusion) {
    out.add('DATE_FORMATION_PRATIQUE_AVANT_CONCLUSION', champ,
      `La formation pratique chez l'employeur ne peut pas commencer avant la conclusion du contrat (formation pratique : ${pratique}, conclusion : ${conclusion}).`);
  }
  if (fin && pratique > fin) {
    out.add('DATE_FORMATION_PRATIQUE_APRES_FIN_CONTRAT', champ,
      `La formation pratique chez l'employeur ne peut pas commencer après la fin du contrat (formation pratique : ${pratique}, fin : ${fin}).`);
  }
}

function checkDebutFormation(ctx: RuleContext, out: Findings): void {
  const { debutFormation, debut, formationPratique, conclusion } = ctx;
  if (!debutFormation) return;
  const champ = CHAMP.dateDebutFormation;
  let fenetreContratRespectee = true;
  // The window bounds are computed only on the side the date lies: most files start both on the same day.
  if (debut && debutFormation < debut) {
    const auPlusTot = addMonths(debut, -FENETRE_MOIS);
    if (debutFormation < auPlusTot) {
      fenetreContratRespectee = false;
      out.add('DATE_DEBUT_FORMATION_TROP_ANTERIEURE', champ,
        `La formation en CFA ne peut pas commencer plus de ${FENETRE_MOIS} mois avant le début du contrat ` +
        `(début de formation : ${debutFormation}, au plus tôt : ${auPlusTot}).`);
    }
  } else if (debut && debutFormation > debut) {
    const auPlusTard = addMonths(debut, FENETRE_MOIS);
    if (debutFormation > auPlusTard) {
      out.add('DATE_DEBUT_FORMATION_TROP_TARDIVE', champ,
        `La formation en CFA doit commencer au plus tard ${FENETRE_MOIS} mois après le début du contrat ` +
        `(début de formation : ${debutFormation}, au plus tard : ${auPlusTard}).`);
    }
  }
  if (formationPratique && fenetreContratRespectee && debutFormation < formationPratique) {
    const auPlusTot = addMonths(formationPratique, -FENETRE_MOIS);
    if (debutFormation < auPlusTot) {
      out.add('DATE_DEBUT_FORMATION_TROP_ANTERIEURE_FORMATION_PRATIQUE', champ,
        `La formation en CFA ne peut pas commencer plus de ${FENETRE_MOIS} mois avant la formation pratique chez l'employeur ` +
        `(début de formation : ${debutFormation}, formation pratique : ${formationPratique}).`);
    }
  }
  if (!ctx.avenant && conclusion && debutFormation < conclusion
    && !SITUATIONS_FORMATION_AVANT_CONTRAT.has(ctx.cerfa.apprenti.situationAvantContrat)) {
    out.add('DATE_DEBUT_FORMATION_AVANT_CONCLUSION', champ,
      `La formation en CFA ne peut pas commencer avant la conclusion du contrat, sauf pour un(e) apprenti(e) déjà en formation au CFA ` +
      `(situation avant contrat 7 ou 8) (début de formation : ${debutFormation}, conclusion : ${conclusion}).`);
  }
}

function checkFinFormation(ctx: RuleContext, out: Findings): void {
  const { debutFormation, finFormation, debut, fin, conclusion } = ctx;
  if (!finFormation) return;
  const champ = CHAMP.dateFinFormation;
  if (debutFormation) {
    if (finFormation <= debutFormation) {
      out.add('DATE_FIN_FORMATION_AVANT_DEBUT_FORMATION', champ,
        `La date de fin de formation doit être postérieure à la date de début de formation (début : ${debutFormation}, fin : ${finFormation}).`);
    } else {
      const mois = dureeMois(debutFormation, finFormation);
      if (mois < DUREE_FORMATION_MIN_MOIS || mois > DUREE_FORMATION_MAX_MOIS) {
        out.add('DUREE_FORMATION_CALENDAIRE_HORS_LIMITES', champ,
          `La formation doit durer entre ${DUREE_FORMATION_MIN_MOIS} et ${DUREE_FORMATION_MAX_MOIS} mois ` +
          `(du ${debutFormation} au ${finFormation} : ${mois} mois).`);
      }
    }
  }
  if (debut && finFormation < debut) {
    out.add('DATE_FIN_FORMATION_AVANT_DEBUT_CONTRAT', champ,
      `La fin de formation (dernière épreuve) ne peut pas précéder le début du contrat (fin de formation : ${finFormation}, début : ${debut}).`);
  } else if (!ctx.avenant && conclusion && finFormation < conclusion) {
    out.add('DATE_FIN_FORMATION_AVANT_CONCLUSION', champ,
      `La fin de formation (dernière épreuve) ne peut pas précéder la conclusion du contrat (fin de formation : ${finFormation}, conclusion : ${conclusion}).`);
  }
  if (fin && finFormation > fin) {
    out.add('DATE_FIN_FORMATION_APRES_FIN_CONTRAT', champ,
      `Le contrat doit inclure la dernière épreuve : la fin de formation ne peut pas dépasser la fin du contrat ` +
      `(fin de formation : ${finFormation}, fin du contrat : ${fin}).`);
  }
  if (fin && fin > finFormation) {
    const limite = addMonths(finFormation, FENETRE_MOIS);
    if (fin > limite) {
      out.add('DATE_FIN_CONTRAT_TROP_TARDIVE', CHAMP.dateFinContrat,
        `Le contrat doit se terminer au plus tard ${FENETRE_MOIS} mois après la fin de la formation ` +
        `(fin du contrat : ${fin}, fin de formation : ${finFormation}, limite : ${limite}).`);
    }
  }
}

function checkAvenant(ctx: RuleContext, out: Findings): void {
  const { effetAvenant, debut, fin } = ctx;
  if (!ctx.avenant || !effetAvenant) return;
  if ((debut && effetAvenant < debut) || (fin && effetAvenant > fin)) {
    out.add('DATE_EFFET_AVENANT_HORS_CONTRAT', CHAMP.dateEffetAvenant,
      `La date d'effet de l'avenant doit être comprise entre le début et la fin du contrat ` +
      `(effet : ${effetAvenant}, contrat du ${debut ?? '?'} au ${fin ?? '?'}).`);
  }
}

/**
 * D6224-1: the file reaches the OPCO within 5 jours ouvrables (every day but Sundays and public
 * holidays) after the start of execution — of the avenant for an avenant.
 */
function checkDelaiDepot(ctx: RuleContext, out: Findings): void {
  const reference = ctx.avenant ? ctx.effetAvenant : ctx.debut;
  // 5 jours ouvrables are at least 5 calendar days: no need to count them for an early file.
  if (!reference || !ctx.receivedOn || ctx.receivedOn <= addDays(reference, DELAI_DEPOT_JOURS_OUVRABLES)) return;
  const limite = addWorkingDays(reference, DELAI_DEPOT_JOURS_OUVRABLES);
  if (ctx.receivedOn > limite) {
    const quoi = ctx.avenant ? "la prise d'effet de l'avenant" : "le début d'exécution du contrat";
    out.add('DEPOT_HORS_DELAI', ctx.avenant ? CHAMP.dateEffetAvenant : CHAMP.dateDebutContrat,
      `Le dossier doit parvenir à l'OPCO dans les ${DELAI_DEPOT_JOURS_OUVRABLES} jours ouvrables suivant ${quoi} ` +
      `(${reference} ; date limite : ${limite} ; reçu le ${ctx.receivedOn}).`);
  }
}

export function addWorkingDays(date: IsoDate, jours: number): IsoDate {
  let courant = date;
  for (let restant = jours; restant > 0;) {
    courant = addDays(courant, 1);
    if (estOuvrable(courant)) restant -= 1;
  }
  return courant;
}

function estOuvrable(date: IsoDate): boolean {
  const dimanche = (toEpochDay(date) + 4) % 7 === 0; // 1970-01-01 was a Thursday
  return !dimanche && !joursFeries(parts(date).year).has(date);
}

const feriesParAnnee = new Map<number, ReadonlySet<IsoDate>>();

/** National public holidays (Alsace-Moselle's two extra days are not counted). */
function joursFeries(annee: number): ReadonlySet<IsoDate> {
  let feries = feriesParAnnee.get(annee);
  if (!feries) {
    const paques = dimancheDePaques(annee);
    feries = new Set([
      fromParts(annee, 1, 1), fromParts(annee, 5, 1), fromParts(annee, 5, 8), fromParts(annee, 7, 14),
      fromParts(annee, 8, 15), fromParts(annee, 11, 1), fromParts(annee, 11, 11), fromParts(annee, 12, 25),
      addDays(paques, 1), addDays(paques, 39), addDays(paques, 50),
    ]);
    feriesParAnnee.set(annee, feries);
  }
  return feries;
}

/** Gregorian Easter Sunday (anonymous Gregorian algorithm). */
function dimancheDePaques(annee: number): IsoDate {
  const a = annee % 19;
  const b = Math.floor(annee / 100);
  const c = annee % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const mois = Math.floor((h + l - 7 * m + 114) / 31);
  const jour = ((h + l - 7 * m + 114) % 31) + 1;
  return fromParts(annee, mois, jour);
}
