/**
 * Consistency of the declared pay lines with the legal grid (reference §3.8, R1–R4).
 * The legal periods come from `computeRemunerationPeriods`, the same function the pay simulator
 * uses; the declared lines may be split differently, so rates are compared day by day through
 * date overlaps rather than line by line.
 */
import { eurosToCents, isExactCents } from '../../financing/money.js';
import { addDays, addYears, fullYearsBetween, maxDate, minDate } from '../../dates.js';
import { TRANCHE_LIBELLES } from '../../remuneration/grille.js';
import {
  dateChangementTranche, salaireBrutCents, tauxEnPointsDeBase, type RemunerationPeriod,
} from '../../remuneration/periodes.js';
import { smicMensuelAt } from '../../remuneration/smic.js';
import type { IsoDate, RemunerationAnnuelle } from '../types.js';
import { CHAMP, dateValide, euros, pourcent, type Findings, type RuleContext } from './context.js';

const ORDRE = /^([1-9][0-9]?)\.([12])$/;
const TOLERANCE_CENTS = 1;

interface Ligne {
  readonly index: number;
  readonly ligne: RemunerationAnnuelle;
  readonly debut: IsoDate;
  readonly fin: IsoDate;
  readonly nom: string;
}

export function checkRemuneration(ctx: RuleContext, out: Findings): void {
  const declarees: readonly RemunerationAnnuelle[] = Array.isArray(ctx.cerfa.contrat.remunerationsAnnuelles)
    ? ctx.cerfa.contrat.remunerationsAnnuelles : [];
  if (declarees.length === 0) {
    out.add('REMUNERATION_ABSENTE', CHAMP.remunerations,
      `Au moins une période de rémunération est requise, couvrant le contrat du ${ctx.debut ?? '?'} au ${ctx.fin ?? '?'}.`);
    return;
  }

  const lignes: Ligne[] = [];
  declarees.forEach((ligne, index) => {
    const debut = dateValide(ligne?.dateDebut);
    const fin = dateValide(ligne?.dateFin);
    if (!debut || !fin) return; // malformed dates are the schema's business
    const nom = typeof ligne.ordre === 'string' && ligne.ordre !== '' ? ligne.ordre : `n° ${index + 1}`;
    if (fin < debut) {
      out.add('REMUNERATION_PERIODE_DATES_INVERSEES', champLigne(index, 'dateFin'),
        `La période de rémunération ${nom} se termine avant de commencer (du ${debut} au ${fin}).`);
      return;
    }
    lignes.push({ index, ligne, debut, fin, nom });
  });
  if (lignes.length === 0) return;

  const periodes = ctx.periodes();
  checkContinuite(ctx, out, lignes);
  checkOrdre(ctx, out, lignes, periodes);
  checkSmcRenseigne(ctx, out, lignes);
  if (periodes.length > 0) {
    for (const ligne of lignes) {
      const recouvertes = chevauchantes(ligne, periodes);
      checkTaux(out, ligne, recouvertes);
      checkTypeSalaire(ctx, out, ligne, recouvertes);
    }
  }
  checkSalaireEmbauche(ctx, out, lignes[0]!);
}

function champLigne(index: number, champ: keyof RemunerationAnnuelle): string {
  return `${CHAMP.remunerations}/${index}/${champ}`;
}

/** R2: the lines follow each other day after day from the contract start to its end. */
function checkContinuite(ctx: RuleContext, out: Findings, lignes: readonly Ligne[]): void {
  const premiere = lignes[0]!;
  const derniere = lignes[lignes.length - 1]!;
  if (ctx.debut && premiere.debut !== ctx.debut) {
    const detail = premiere.debut > ctx.debut
      ? `jours non rémunérés du ${ctx.debut} au ${addDays(premiere.debut, -1)}`
      : `elle commence avant le contrat`;
    out.add('REMUNERATION_PREMIERE_PERIODE_DEBUT', champLigne(premiere.index, 'dateDebut'),
      `La première période de rémunération (${premiere.nom}) doit commencer le jour du début du contrat, le ${ctx.debut} ; ` +
      `elle commence le ${premiere.debut} (${detail}).`);
  }
  if (ctx.fin && derniere.fin !== ctx.fin) {
    const detail = derniere.fin < ctx.fin
      ? `jours non rémunérés du ${addDays(derniere.fin, 1)} au ${ctx.fin}`
      : `elle dépasse la fin du contrat`;
    out.add('REMUNERATION_DERNIERE_PERIODE_FIN', champLigne(derniere.index, 'dateFin'),
      `La dernière période de rémunération (${derniere.nom}) doit se terminer le jour de la fin du contrat, le ${ctx.fin} ; ` +
      `elle se termine le ${derniere.fin} (${detail}).`);
  }
  for (let i = 1; i < lignes.length; i += 1) {
    const precedente = lignes[i - 1]!;
    const ligne = lignes[i]!;
    const attendu = addDays(precedente.fin, 1);
    if (ligne.debut > attendu) {
      out.add('REMUNERATION_PERIODES_DISCONTINUES', champLigne(ligne.index, 'dateDebut'),
        `Les périodes de rémunération ${precedente.nom} et ${ligne.nom} ne se suivent pas : aucune rémunération du ${attendu} ` +
        `au ${addDays(ligne.debut, -1)} (la période ${ligne.nom} devrait commencer le ${attendu}).`);
    } else if (ligne.debut < attendu) {
      out.add('REMUNERATION_PERIODES_CHEVAUCHANTES', champLigne(ligne.index, 'dateDebut'),
        `Les périodes de rémunération ${precedente.nom} et ${ligne.nom} se chevauchent du ${ligne.debut} au ` +
        `${minDate(precedente.fin, ligne.fin)} (la période ${ligne.nom} devrait commencer le ${attendu}).`);
    }
  }
}

/**
 * R2: "k.p" with k the contract year the line starts in, p ∈ {1, 2}, strictly increasing.
 * Checked against the declared sequence (not a recomputed one) so that one missing or malformed
 * line does not make every following line wrong too.
 */
function checkOrdre(ctx: RuleContext, out: Findings, lignes: readonly Ligne[], periodes: readonly RemunerationPeriod[]): void {
  const { debut } = ctx;
  if (!debut) return;
  let precedent = 0; // k * 10 + p of the previous well-formed ordre
  for (const ligne of lignes) {
    const declare = ligne.ligne.ordre;
    const annee = anneeContratDe(debut, ligne.debut, periodes);
    const m = typeof declare === 'string' ? ORDRE.exec(declare) : null;
    let raison: string | undefined;
    if (!m) {
      raison = `il doit être de la forme « année.partie » (${annee}.1 ou ${annee}.2)`;
    } else {
      const cle = Number(m[1]) * 10 + Number(m[2]);
      if (Number(m[1]) !== annee) {
        raison = `la période commence le ${ligne.debut}, pendant l'année de contrat ${annee} (ordre ${annee}.1 ou ${annee}.2)`;
      } else if (cle <= precedent) {
        raison = `il doit suivre l'ordre de la période précédente`;
      }
      precedent = Math.max(precedent, cle);
    }
    if (raison !== undefined) {
      out.add('REMUNERATION_ORDRE_INCOHERENT', champLigne(ligne.index, 'ordre'),
        `L'ordre « ${String(declare)} » de la période de rémunération n° ${ligne.index + 1} est incohérent : ${raison}.`);
    }
  }
}

/** 1-based contract year containing `date`, from the legal periods or else the anniversaries. */
function anneeContratDe(debut: IsoDate, date: IsoDate, periodes: readonly RemunerationPeriod[]): number {
  if (date < debut) return 1;
  for (const p of periodes) if (date <= p.dateFin) return p.anneeContrat;
  let annee = fullYearsBetween(debut, date) + 1;
  // addYears clamps 29 February where fullYearsBetween does not: align on the anniversaries.
  if (addYears(debut, annee) <= date) annee += 1;
  else if (annee > 1 && addYears(debut, annee - 1) > date) annee -= 1;
  return annee;
}

function chevauchantes(ligne: Ligne, periodes: readonly RemunerationPeriod[]): RemunerationPeriod[] {
  return periodes.filter((p) => p.dateDebut <= ligne.fin && p.dateFin >= ligne.debut);
}

/** R1: every day of the line is paid at least the minimum applicable that day. */
function checkTaux(out: Findings, ligne: Ligne, recouvertes: readonly RemunerationPeriod[]): void {
  const taux = ligne.ligne.taux;
  if (typeof taux !== 'number' || !Number.isFinite(taux)) return;
  const points = tauxEnPointsDeBase(taux);
  const manques = recouvertes
    .filter((p) => points < tauxEnPointsDeBase(p.tauxMinimal))
    .map((p) => `${pourcent(p.tauxMinimal)} du ${maxDate(p.dateDebut, ligne.debut)} au ${minDate(p.dateFin, ligne.fin)} ` +
      `(année de contrat ${p.anneeContrat}, ${TRANCHE_LIBELLES[p.trancheAge]})`);
  if (manques.length === 0) return;
  out.add('REMUNERATION_TAUX_INFERIEUR_MINIMUM', champLigne(ligne.index, 'taux'),
    `Le taux de la période de rémunération ${ligne.nom} (du ${ligne.debut} au ${ligne.fin}) est de ${pourcent(taux)}, ` +
    `inférieur au minimum légal : ${manques.join(' ; ')}.`);
}

/**
 * R3: the SMC is a base only from the 21–25 band; there it is mandatory when above the SMIC, and
 * a line based on an SMC below the SMIC would pay less than the legal minimum.
 */
function checkTypeSalaire(ctx: RuleContext, out: Findings, ligne: Ligne, recouvertes: readonly RemunerationPeriod[]): void {
  if (ligne.ligne.typeSalaire === 'SMC') {
    if (ctx.naissance && recouvertes.some((p) => p.trancheAge < 2)) {
      out.add('REMUNERATION_SMC_AVANT_21_ANS', champLigne(ligne.index, 'typeSalaire'),
        `Le salaire minimum conventionnel (SMC) ne peut servir de base qu'à partir de la tranche 21 ans, appliquée dès le ` +
        `${dateChangementTranche(ctx.naissance, 21)} ; la période ${ligne.nom} (du ${ligne.debut} au ${ligne.fin}) est déclarée en SMC.`);
      return;
    }
    const smic = smicMensuelAt(ligne.debut, ctx.departementEmployeur);
    if (ctx.smcMensuelCents !== undefined && ctx.smcMensuelCents < smic) {
      out.add('REMUNERATION_SMC_INFERIEUR_SMIC', champLigne(ligne.index, 'typeSalaire'),
        `Le SMC (${euros(ctx.smcMensuelCents)}) est inférieur au SMIC (${euros(smic)} au ${ligne.debut}) : la période ${ligne.nom} ` +
        `(du ${ligne.debut} au ${ligne.fin}) doit être calculée sur le SMIC.`);
    }
    return;
  }
  const smc = recouvertes.find((p) => p.typeSalaire === 'SMC');
  if (smc && ctx.smcMensuelCents !== undefined) {
    const smic = smicMensuelAt(smc.dateDebut, ctx.departementEmployeur);
    out.add('REMUNERATION_SMC_OBLIGATOIRE', champLigne(ligne.index, 'typeSalaire'),
      `À partir de 21 ans, le SMC (${euros(ctx.smcMensuelCents)}) doit servir de base lorsqu'il dépasse le SMIC ` +
      `(${euros(smic)} au ${smc.dateDebut}) : la période ${ligne.nom} (du ${ligne.debut} au ${ligne.fin}) doit être en SMC.`);
  }
}

/** R3: a line based on the SMC needs its amount, reported once on the `smc` field. */
function checkSmcRenseigne(ctx: RuleContext, out: Findings, lignes: readonly Ligne[]): void {
  if (ctx.smcMensuelCents !== undefined) return;
  const smc = lignes.filter((l) => l.ligne.typeSalaire === 'SMC');
  if (smc.length === 0) return;
  out.add('REMUNERATION_SMC_NON_RENSEIGNE', CHAMP.smc,
    `Le montant du salaire minimum conventionnel (SMC) doit être renseigné lorsqu'une période est calculée sur le SMC ` +
    `(période(s) ${smc.map((l) => l.nom).join(', ')}).`);
}

/** R4: the hiring salary is the amount of the first pay line. */
function checkSalaireEmbauche(ctx: RuleContext, out: Findings, premiere: Ligne): void {
  const salaire = ctx.cerfa.contrat.salaireEmbauche;
  const taux = premiere.ligne.taux;
  const { debut } = ctx;
  if (typeof salaire !== 'number' || !isExactCents(salaire) || typeof taux !== 'number' || !Number.isFinite(taux) || !debut) return;
  const recuCents = eurosToCents(salaire);
  const smc = premiere.ligne.typeSalaire === 'SMC' ? ctx.smcMensuelCents : undefined;
  // The SMIC of the conclusion date is accepted too: the CERFA is often filled before a revaluation.
  const bases = smc !== undefined ? [smc]
    : [smicMensuelAt(debut, ctx.departementEmployeur), smicMensuelAt(ctx.conclusion ?? debut, ctx.departementEmployeur)];
  if (bases.some((base) => Math.abs(salaireBrutCents(base, taux) - recuCents) <= TOLERANCE_CENTS)) return;
  const base = bases[0]!;
  out.add('SALAIRE_EMBAUCHE_INCOHERENT', CHAMP.salaireEmbauche,
    `Le salaire brut à l'embauche (${euros(recuCents)}) devrait être le montant de la première période de rémunération : ` +
    `${pourcent(taux)} × ${euros(base)} (${smc !== undefined ? 'SMC' : `SMIC au ${debut}`}) = ${euros(salaireBrutCents(base, taux))}.`);
}
