/**
 * The financing engine: from a contract (and its convention) to the OPCO's engagement and payment
 * schedule, and the recomputation after a rupture. Pure functions; rules and their sources are in
 * docs/financing.md (financement.md sections and Code du travail articles quoted there).
 */
import { addMonths, daysInclusive, isIsoDate } from '../dates.js';
import { splitIntoAnnees, countStartedMonths, type PeriodeAnnuelle } from './calendrier.js';
import { buildEcheances, deductParticipation, MOIS_DELAI_SOLDE } from './echeancier.js';
import { FinancementError } from './errors.js';
import { detailsFacturation, engageFraisAnnexes } from './frais-annexes.js';
import { formatEuros, percentOf, prorate, sum, type Cents } from './money.js';
import {
  computeNpecRetenu, DEROGATION_REDUCTION_DUREE, JOURS_PERIODE_PROBATOIRE, libelleProrata, montantAnnee,
  PARTICIPATION_EMPLOYEUR_CENTS, participationApplicable, rqthAnnuel, TAUX_MAJORATION_REDUCTION_DUREE_BP,
} from './montants.js';
import { libelleRegime, regimeApplicable } from './regime.js';
import type {
  AnneeExecution, Echeance, EngagementInput, EngagementResult, IsoDate, Regime, RuptureOptions, RuptureResult,
} from './types.js';

function frDate(date: IsoDate): string {
  return date.split('-').reverse().join('/');
}

function assertCount(value: number | undefined, champ: string, libelle: string): void {
  if (value === undefined) return;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new FinancementError('MONTANT_INVALIDE', `${libelle} doit être un entier positif ou nul (reçu : ${String(value)}).`, champ);
  }
}

function assertHours(value: number | undefined, champ: string, libelle: string): void {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value < 0) {
    throw new FinancementError('PARAMETRE_INVALIDE', `${libelle} doit être un nombre d'heures positif ou nul (reçu : ${String(value)}).`, champ);
  }
}

function validateInput(input: EngagementInput): void {
  for (const champ of ['dateConclusion', 'dateDebutContrat', 'dateFinContrat'] as const) {
    if (!isIsoDate(input[champ])) {
      throw new FinancementError('DATE_INVALIDE', `${champ} invalide : « ${input[champ]} » (format AAAA-MM-JJ attendu).`, `/${champ}`);
    }
  }
  if (input.dateFinContrat < input.dateDebutContrat) {
    throw new FinancementError('DATES_INCOHERENTES', `La date de fin du contrat (${frDate(input.dateFinContrat)}) précède sa date de début (${frDate(input.dateDebutContrat)}).`, '/dateFinContrat');
  }
  if (!Number.isSafeInteger(input.npecAnnuelCents) || input.npecAnnuelCents <= 0) {
    throw new FinancementError('MONTANT_INVALIDE', `Le NPEC annuel doit être un montant strictement positif en centimes (reçu : ${String(input.npecAnnuelCents)}).`, '/npecAnnuelCents');
  }
  if (![3, 4, 5, 6, 7, 8].includes(input.niveauDiplome)) {
    throw new FinancementError('NIVEAU_DIPLOME_INVALIDE', `Niveau de diplôme ${String(input.niveauDiplome)} hors de 3 à 8.`, '/niveauDiplome');
  }
  assertHours(input.dureeFormationHeures, '/dureeFormationHeures', 'La durée de formation');
  assertHours(input.heuresDistanciel, '/heuresDistanciel', 'Le nombre d’heures à distance');
  (input.rqthMontantsParAnneeCents ?? []).forEach((m, i) => assertCount(m, `/rqthMontantsParAnneeCents/${i}`, `La majoration RQTH de l'année ${i + 1}`));
  const p = input.parametres;
  assertCount(p.prixRepasCents, '/parametres/prixRepasCents', 'Le prix du repas');
  assertCount(p.prixNuiteeCents, '/parametres/prixNuiteeCents', 'Le prix de la nuitée');
  assertCount(p.plafondPremierEquipementCents, '/parametres/plafondPremierEquipementCents', 'Le plafond du premier équipement');
  assertCount(p.forfaitMobiliteCents, '/parametres/forfaitMobiliteCents', 'Le forfait mobilité');
  const f = input.fraisAnnexes;
  assertCount(f?.nombreRepas, '/fraisAnnexes/nombreRepas', 'Le nombre de repas');
  assertCount(f?.nombreNuitees, '/fraisAnnexes/nombreNuitees', 'Le nombre de nuitées');
  assertCount(f?.premierEquipementCents, '/fraisAnnexes/premierEquipementCents', 'Le montant du premier équipement');
  if (!Number.isSafeInteger((f?.nombreRepas ?? 0) * p.prixRepasCents) || !Number.isSafeInteger((f?.nombreNuitees ?? 0) * p.prixNuiteeCents)) {
    throw new FinancementError('MONTANT_INVALIDE', 'Quantités de frais annexes hors limites.', '/fraisAnnexes');
  }
}

function estContratCourt(regime: Regime, jours: number, mois: number): boolean {
  return regime === 'JOUR_40_30_20_10' ? jours < 365 : mois < 12;
}

interface Droits {
  periodes: PeriodeAnnuelle[];
  annees: AnneeExecution[];
  majorationCents: Cents;
  explications: string[];
}

/**
 * Pédagogie and RQTH amounts of each year of execution from the start date to `finExecution`
 * (the planned end, or the rupture date). `contratCourt` is decided on the PLANNED duration: a
 * rupture does not turn a multi-year contract into a "contract shorter than one year".
 */
function computeDroits(input: EngagementInput, regime: Regime, npecRetenu: Cents, finExecution: IsoDate, contratCourt: boolean): Droits {
  const periodes = splitIntoAnnees(input.dateDebutContrat, finExecution);
  const explications: string[] = [];
  const annees: AnneeExecution[] = periodes.map((p) => {
    const pedagogie = montantAnnee(regime, p, npecRetenu);
    const rqth = rqthAnnuel(input, p.annee);
    const rqthCents = rqth.montantCents > 0 ? montantAnnee(regime, p, rqth.montantCents) : 0;
    explications.push(`Année ${p.annee} (${frDate(p.dateDebut)} – ${frDate(p.dateFin)}) : ${libelleProrata(regime, p, npecRetenu, pedagogie)}.`);
    if (rqth.montantCents > 0) {
      const plafond = rqth.plafonne ? ' (montant de la convention plafonné à 4 000,00 €)' : '';
      explications.push(`Majoration RQTH année ${p.annee} : ${formatEuros(rqth.montantCents)}${plafond}, proratisée comme le NPEC → ${formatEuros(rqthCents)}, versée au même rythme (D6332-82).`);
    }
    const { mois7: _m7, mois10: _m10, ...periode } = p;
    return { ...periode, montantPedagogieCents: pedagogie, montantRqthCents: rqthCents };
  });

  let majorationCents = 0;
  const premiere = annees[0];
  if (contratCourt && input.typeDerogation === DEROGATION_REDUCTION_DUREE && premiere) {
    majorationCents = Math.max(0, Math.min(percentOf(premiere.montantPedagogieCents, TAUX_MAJORATION_REDUCTION_DUREE_BP), npecRetenu - premiere.montantPedagogieCents));
    premiere.montantPedagogieCents += majorationCents;
    explications.push(`Durée réduite par convention (dérogation 21) et contrat de moins d'un an : majoration de 10 %, ${formatEuros(majorationCents)}, total pédagogie ${formatEuros(premiere.montantPedagogieCents)} plafonné au NPEC annuel (R6332-25 IV 2°).`);
  } else if (input.typeDerogation === DEROGATION_REDUCTION_DUREE) {
    explications.push('Dérogation 21 (durée réduite) sans majoration : le contrat dure au moins un an (R6332-25 IV 2° ne vise que les contrats de moins d’un an).');
  }
  return { periodes, annees, majorationCents, explications };
}

interface Participation {
  montantCents: Cents;
  explication?: string;
}

/**
 * Employer participation (L6332-14 I 1°, R6332-25-1): 750 € for levels 6–8, contracts concluded
 * from 2025-07-01; after a rupture during the probatoire, 50 % of the NPEC prorated by contract days,
 * capped at 750 €. Never more than the pédagogie amount it is deducted from.
 */
function computeParticipation(input: EngagementInput, npecRetenu: Cents, pedagogieCents: Cents, rupture?: { jours: number; probatoire: boolean }): Participation {
  if (!participationApplicable(input)) return { montantCents: 0 };
  let legal = PARTICIPATION_EMPLOYEUR_CENTS;
  let motif = `750,00 € (niveau ${input.niveauDiplome}, contrat conclu à compter du 01/07/2025, R6332-25-1)`;
  if (rupture?.probatoire) {
    const prorata = prorate(npecRetenu, rupture.jours, 365);
    legal = Math.min(PARTICIPATION_EMPLOYEUR_CENTS, percentOf(prorata, 5_000));
    motif = `rupture pendant la période probatoire : 50 % du NPEC proratisé (${formatEuros(npecRetenu)} × ${rupture.jours} / 365 = ${formatEuros(prorata)}), plafonné à 750,00 € → ${formatEuros(legal)} (R6332-25-1)`;
  }
  const montantCents = Math.min(legal, pedagogieCents);
  const plafonne = montantCents < legal ? `, limitée au montant pédagogique de ${formatEuros(pedagogieCents)}` : '';
  return {
    montantCents,
    explication: `Participation employeur : ${motif}${plafonne} ; déduite de la première avance de la première année, le reliquat éventuel sur les échéances suivantes (R6332-25 III 1°).`,
  };
}

function libelleEcheancier(regime: Regime, contratCourt: boolean): string {
  if (contratCourt) {
    return regime === 'JOUR_40_30_20_10'
      ? 'Contrat de moins d’un an : avance unique de 50 % puis solde à la fin du contrat, à facturer dans les 4 mois avec l’attestation de réalisation (R6332-25 IV et III 4°).'
      : 'Contrat de moins d’un an : avance de 50 % puis solde à la fin du contrat (R6332-25, version du 31/12/2020).';
  }
  return regime === 'JOUR_40_30_20_10'
    ? 'Rythme par année d’exécution : 40 % à l’ouverture, 30 % au 7e mois, 20 % au 10e mois, solde de 10 % versé avec la première avance de l’année suivante, ou pour la dernière année à facturer dans les 4 mois suivant la fin du contrat (R6332-25 III). Arrondi au centime le plus proche, reliquat sur la dernière échéance de chaque année.'
    : 'Rythme par année d’exécution : 40 % à l’ouverture, 30 % au 7e mois, 30 % (solde) au 10e mois (R6332-25, version du 31/12/2020). Arrondi au centime le plus proche, reliquat sur la dernière échéance de chaque année.';
}

export function computeEngagement(input: EngagementInput): EngagementResult {
  validateInput(input);
  const regime = regimeApplicable(input.dateConclusion);
  const dureeJours = daysInclusive(input.dateDebutContrat, input.dateFinContrat);
  const mois = countStartedMonths(input.dateDebutContrat, input.dateFinContrat);
  const contratCourt = estContratCourt(regime, dureeJours, mois);
  const npec = computeNpecRetenu(input, regime);
  const droits = computeDroits(input, regime, npec.npecRetenuCents, input.dateFinContrat, contratCourt);
  const pedagogieCents = sum(droits.annees.map((a) => a.montantPedagogieCents));
  const participation = computeParticipation(input, npec.npecRetenuCents, pedagogieCents);

  const brutes = buildEcheances(
    regime,
    droits.annees.map((a, i) => ({ periode: droits.periodes[i] as PeriodeAnnuelle, pedagogieCents: a.montantPedagogieCents, rqthCents: a.montantRqthCents })),
    contratCourt,
  );
  const echeances = deductParticipation(brutes, participation.montantCents);
  const engagementCents = sum(echeances.map((e) => e.montantTotalCents));

  const frais = engageFraisAnnexes(input.fraisAnnexes, input.parametres);
  const totalFraisAnnexesCents = sum(frais.engagements.map((f) => f.montantTotalCents));
  const explications = [
    `Contrat conclu le ${frDate(input.dateConclusion)} : ${libelleRegime(regime)}.`,
    `Exécution du ${frDate(input.dateDebutContrat)} au ${frDate(input.dateFinContrat)} : ${dureeJours} jours, ${mois} mois commencés.`,
    npec.explication,
    ...droits.explications,
    ...(participation.explication ? [participation.explication] : []),
    libelleEcheancier(regime, contratCourt),
    `Engagement : ${formatEuros(engagementCents)} en ${echeances.length} échéances (pédagogie et majoration RQTH).`,
    ...frais.explications,
    ...(frais.engagements.length > 0 ? [`Frais annexes engagés à part : ${formatEuros(totalFraisAnnexesCents)}, facturés sur des lignes de leur nature, hors échéances.`] : []),
  ];

  return {
    regime,
    engagementCents,
    npecAnnuelRetenuCents: npec.npecRetenuCents,
    participationEmployeurCents: participation.montantCents,
    minorationFoad: npec.minorationFoad,
    majorationReductionDuree: droits.majorationCents > 0,
    majorationReductionDureeCents: droits.majorationCents,
    contratCourt,
    dureeJours,
    countStartedMonths: mois,
    anneesExecution: droits.annees,
    echeances,
    engagementsFraisAnnexe: frais.engagements,
    totalFraisAnnexesCents,
    detailsFacturation: detailsFacturation(frais, echeances.map((e) => e.numero)),
    explications,
  };
}

function validateReglements(paid: readonly number[], nombreEcheances: number): void {
  if (paid.length > nombreEcheances) {
    throw new FinancementError('REGLEMENTS_INVALIDES', `${paid.length} montants réglés pour ${nombreEcheances} échéances.`, '/paidPerEcheanceCents');
  }
  paid.forEach((m, i) => {
    if (!Number.isSafeInteger(m) || m < 0) {
      throw new FinancementError('REGLEMENTS_INVALIDES', `Montant réglé invalide pour l'échéance ${i + 1} : ${String(m)}.`, `/paidPerEcheanceCents/${i}`);
    }
  });
}

/**
 * Recomputes the schedule after a rupture on `dateRupture` (the last day of execution).
 * Entitlement = the engine's amounts with the end date moved to the rupture date (days executed in
 * the day regime, started months in the month regime), minus the employer participation (reduced
 * to 50 % of the prorated NPEC, ≤ 750 €, for a rupture during the probatoire), and never more than
 * the initial engagement. The numbering is kept: échéances whose period ended before the rupture
 * keep their amount, the one whose period holds the rupture date becomes PARTIELLE and carries the
 * rest of the entitlement (it closes the dossier: certificate required and, day regime, 4-month
 * invoicing deadline), later ones are ANNULEE with 0.
 */
export function computeRupture(input: EngagementInput, dateRupture: IsoDate, paidPerEcheanceCents: readonly number[], options: RuptureOptions = {}): RuptureResult {
  const initial = computeEngagement(input);
  if (!isIsoDate(dateRupture)) {
    throw new FinancementError('DATE_INVALIDE', `Date de rupture invalide : « ${dateRupture} ».`, '/dateRupture');
  }
  if (dateRupture < input.dateDebutContrat || dateRupture > input.dateFinContrat) {
    throw new FinancementError('RUPTURE_HORS_CONTRAT', `La date de rupture (${frDate(dateRupture)}) doit être comprise entre le début (${frDate(input.dateDebutContrat)}) et la fin (${frDate(input.dateFinContrat)}) du contrat.`, '/dateRupture');
  }
  validateReglements(paidPerEcheanceCents, initial.echeances.length);
  const regime = initial.regime;
  const joursExecutes = daysInclusive(input.dateDebutContrat, dateRupture);
  const mois = countStartedMonths(input.dateDebutContrat, dateRupture);
  const totalPercuCents = sum(paidPerEcheanceCents);
  const entete = regime === 'JOUR_40_30_20_10'
    ? `Rupture le ${frDate(dateRupture)} : ${joursExecutes} jours exécutés du ${frDate(input.dateDebutContrat)} au ${frDate(dateRupture)}, financés au prorata des jours (R6332-25 III).`
    : `Rupture le ${frDate(dateRupture)} : ${mois} mois commencés depuis le ${frDate(input.dateDebutContrat)}, tout mois commencé étant dû.`;

  const resultat = (echeances: Echeance[], participationEmployeurCents: Cents, explications: string[]): RuptureResult => {
    const engagementCents = sum(echeances.map((e) => e.montantTotalCents));
    const tropPercuCents = Math.max(0, totalPercuCents - engagementCents);
    const resteAPayerCents = Math.max(0, engagementCents - totalPercuCents);
    const bilan = tropPercuCents > 0
      ? `Déjà versé ${formatEuros(totalPercuCents)} pour ${formatEuros(engagementCents)} dus : trop-perçu de ${formatEuros(tropPercuCents)} à récupérer (avoir ou remboursement).`
      : `Déjà versé ${formatEuros(totalPercuCents)} pour ${formatEuros(engagementCents)} dus : reste à payer ${formatEuros(resteAPayerCents)}.`;
    return {
      regime, dateRupture, joursExecutes, countStartedMonths: mois, engagementInitialCents: initial.engagementCents, engagementCents,
      participationEmployeurCents, echeances, totalPercuCents, tropPercuCents, resteAPayerCents, explications: [...explications, bilan],
    };
  };

  if (dateRupture === input.dateFinContrat) {
    return resultat(initial.echeances, initial.participationEmployeurCents, [entete, 'La rupture coïncide avec la fin prévue du contrat : échéancier inchangé.']);
  }

  const droits = computeDroits(input, regime, initial.npecAnnuelRetenuCents, dateRupture, initial.contratCourt);
  const pedagogieBrute = sum(droits.annees.map((a) => a.montantPedagogieCents));
  const probatoire = options.ruptureEnPeriodeProbatoire ?? joursExecutes <= JOURS_PERIODE_PROBATOIRE;
  const participation = computeParticipation(input, initial.npecAnnuelRetenuCents, pedagogieBrute, { jours: joursExecutes, probatoire });
  const pedagogieInitiale = sum(initial.echeances.map((e) => e.dontMontantPedagogieCents));
  const rqthInitial = sum(initial.echeances.map((e) => e.dontMajorationRqthCents));
  const pedagogieDroit = pedagogieBrute - participation.montantCents;
  const rqthDroit = sum(droits.annees.map((a) => a.montantRqthCents));
  // The engagement notified to the CFA is the OPCO's ceiling: a rupture never raises it (this only
  // bites when a reduced probatoire participation outweighs the days lost, on tiny NPECs).
  const pedagogieDue = Math.min(pedagogieDroit, pedagogieInitiale);
  const rqthDue = Math.min(rqthDroit, rqthInitial);

  const indexPorteuse = initial.echeances.findIndex((e) => e.dateDebut <= dateRupture && dateRupture <= e.dateFin);
  let restePedagogie = pedagogieDue;
  let resteRqth = rqthDue;
  const echeances = initial.echeances.map((e, i): Echeance => {
    if (i < indexPorteuse) {
      const p = Math.min(e.dontMontantPedagogieCents, restePedagogie);
      const r = Math.min(e.dontMajorationRqthCents, resteRqth);
      restePedagogie -= p;
      resteRqth -= r;
      const reduite = p < e.dontMontantPedagogieCents || r < e.dontMajorationRqthCents;
      return reduite ? { ...e, dontMontantPedagogieCents: p, dontMajorationRqthCents: r, montantTotalCents: p + r, statut: 'PARTIELLE' } : e;
    }
    if (i === indexPorteuse) {
      const { dateLimiteFacturation: _ancienne, ...rest } = e;
      const porteuse: Echeance = {
        ...rest,
        dontMontantPedagogieCents: restePedagogie,
        dontMajorationRqthCents: resteRqth,
        montantTotalCents: restePedagogie + resteRqth,
        exigeCertificat: true,
        statut: 'PARTIELLE',
      };
      if (regime === 'JOUR_40_30_20_10') porteuse.dateLimiteFacturation = addMonths(dateRupture, MOIS_DELAI_SOLDE);
      restePedagogie = 0;
      resteRqth = 0;
      return porteuse;
    }
    const { dateLimiteFacturation: _ignoree, ...rest } = e;
    return { ...rest, dontMontantPedagogieCents: 0, dontMajorationRqthCents: 0, montantTotalCents: 0, statut: 'ANNULEE' };
  });

  const porteuse = echeances[indexPorteuse];
  const annulees = echeances.filter((e) => e.statut === 'ANNULEE').map((e) => e.codification);
  const plafonne = pedagogieDue < pedagogieDroit || rqthDue < rqthDroit
    ? ` (droits calculés ${formatEuros(pedagogieDroit + rqthDroit)}, ramenés à l’engagement initial : une rupture ne peut pas l’augmenter)`
    : '';
  const explications = [
    entete,
    ...droits.explications,
    ...(participation.explication ? [participation.explication] : []),
    `Montant dû après rupture : ${formatEuros(pedagogieDue + rqthDue)} (pédagogie ${formatEuros(pedagogieDue)}, RQTH ${formatEuros(rqthDue)})${plafonne}, contre ${formatEuros(initial.engagementCents)} engagés.`,
    ...(porteuse
      ? [`L’échéance ${porteuse.codification} (période du ${frDate(porteuse.dateDebut)} au ${frDate(porteuse.dateFin)}) contient la date de rupture : partielle, elle porte le solde des droits, ${formatEuros(porteuse.montantTotalCents)}, sur certificat de réalisation${porteuse.dateLimiteFacturation ? ` à facturer au plus tard le ${frDate(porteuse.dateLimiteFacturation)}` : ''}.`]
      : []),
    ...(annulees.length > 0 ? [`Échéances annulées : ${annulees.join(', ')}.`] : []),
  ];
  return resultat(echeances, participation.montantCents, explications);
}
