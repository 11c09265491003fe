/** Ages of the apprentice and of the maîtres d'apprentissage (reference §3.1, A1–A10). */
import { fullYearsBetween } from '../../dates.js';
import type { Maitre } from '../types.js';
import { CHAMP, dateValide, type Findings, type RuleContext } from './context.js';

const AGE_MINIMUM = 15;
const AGE_SANS_DEROGATION = 16;
/** "29 ans révolus" (L6222-1): 30 and over needs an exception. */
const AGE_MAXIMUM_EXCLU = 30;
/** D6222-1: the higher-diploma / involuntary-termination exceptions stop at 35 at conclusion. */
const AGE_MAXIMUM_DEROGATION = 35;
const AGE_MAJORITE = 18;
const AGE_MAITRE_MINIMUM = 18;

const DEROGATION_MOINS_DE_16 = 11;
const DEROGATION_PLUS_DE_29 = 12;
const DEROGATION_CUMUL = 50;
const NATIONALITE_HORS_UE = 3;

export function checkAges(ctx: RuleContext, out: Findings): void {
  checkApprenti(ctx, out);
  checkMaitre(ctx, out, 'maitre1', ctx.cerfa.maitre1);
  checkMaitre(ctx, out, 'maitre2', ctx.cerfa.maitre2);
  checkMaitre2Complet(ctx, out);
}

function checkApprenti(ctx: RuleContext, out: Findings): void {
  const { apprenti, contrat } = ctx.cerfa;
  const { naissance, debut, ageDebut, ageConclusion, ageFin } = ctx;
  const derogation = contrat.typeDerogation;

  if (naissance && ctx.receivedOn && naissance > ctx.receivedOn) {
    out.add('AGE_APPRENTI_DATE_NAISSANCE_FUTURE', CHAMP.apprentiDateNaissance,
      `La date de naissance de l'apprenti(e) ne peut pas être dans le futur (${naissance} postérieure au ${ctx.receivedOn}).`);
  }

  if (ageDebut !== undefined && debut) {
    if (ageDebut < AGE_MINIMUM) {
      out.add('AGE_APPRENTI_MINIMUM', CHAMP.apprentiDateNaissance,
        `L'apprenti(e) doit avoir au moins ${AGE_MINIMUM} ans au début du contrat (âge au ${debut} : ${ageDebut} ans).`);
    } else if (ageDebut < AGE_SANS_DEROGATION && derogation !== DEROGATION_MOINS_DE_16 && derogation !== DEROGATION_CUMUL) {
      out.add('AGE_APPRENTI_MOINS_DE_16_ANS_SANS_DEROGATION', CHAMP.typeDerogation,
        `Un(e) apprenti(e) de moins de ${AGE_SANS_DEROGATION} ans au début du contrat doit relever de la dérogation 11 (ou 50) : ` +
        `âge au ${debut} : ${ageDebut} ans, dérogation déclarée : ${derogation ?? 'aucune'}.`);
    }

    if (derogation === DEROGATION_MOINS_DE_16 && ageDebut >= AGE_SANS_DEROGATION) {
      out.add('DEROGATION_AGE_MOINS_DE_16_ANS_INCOHERENTE', CHAMP.typeDerogation,
        `La dérogation 11 est réservée aux apprenti(e)s de moins de ${AGE_SANS_DEROGATION} ans au début du contrat (âge au ${debut} : ${ageDebut} ans).`);
    }
    // S2 accepts 12 from 29 (option offered ahead of the 30th birthday); 30+ is where it is needed.
    if (derogation === DEROGATION_PLUS_DE_29 && ageDebut < AGE_MAXIMUM_EXCLU - 1) {
      out.add('DEROGATION_AGE_PLUS_DE_29_ANS_INCOHERENTE', CHAMP.typeDerogation,
        `La dérogation 12 est réservée aux apprenti(e)s de plus de 29 ans au début du contrat (âge au ${debut} : ${ageDebut} ans).`);
    }

    const sansLimite = apprenti.handicap === true || apprenti.droitsRqthExtensionBOE === true
      || apprenti.inscriptionSportifDeHautNiveau === true || apprenti.projetCreationRepriseEntreprise === true;
    if (ageDebut >= AGE_MAXIMUM_EXCLU && !sansLimite) {
      if (derogation !== DEROGATION_PLUS_DE_29 && derogation !== DEROGATION_CUMUL) {
        out.add('AGE_APPRENTI_MAXIMUM', CHAMP.apprentiDateNaissance,
          `L'apprenti(e) doit avoir au plus 29 ans révolus au début du contrat, sauf exception légale (RQTH, sportif de haut niveau, ` +
          `projet de création ou reprise d'entreprise, ou dérogation 12) : âge au ${debut} : ${ageDebut} ans.`);
      } else if (ageConclusion !== undefined && ageConclusion > AGE_MAXIMUM_DEROGATION) {
        out.add('AGE_APPRENTI_MAXIMUM_DEROGATION', CHAMP.apprentiDateNaissance,
          `Avec la dérogation ${derogation}, l'apprenti(e) doit avoir au plus ${AGE_MAXIMUM_DEROGATION} ans à la conclusion du contrat ` +
          `(âge au ${ctx.conclusion} : ${ageConclusion} ans).`);
      }
    }
  }

  if (ageConclusion !== undefined && ageConclusion < AGE_MAJORITE
    && apprenti.apprentiMineurNonEmancipe !== false && !nonVide(apprenti.responsableLegal?.nom)) {
    out.add('REPRESENTANT_LEGAL_OBLIGATOIRE', CHAMP.responsableLegalNom,
      `Le représentant légal doit être renseigné lorsque l'apprenti(e) est mineur(e) non émancipé(e) à la conclusion du contrat ` +
      `(âge au ${ctx.conclusion} : ${ageConclusion} ans).`);
  }

  if (apprenti.nationalite === NATIONALITE_HORS_UE) {
    if (ageDebut !== undefined && ageFin !== undefined && ageDebut < AGE_MAJORITE && ageFin >= AGE_MAJORITE) {
      out.add('APPRENTI_HORS_UE_MAJORITE_EN_COURS_DE_CONTRAT', CHAMP.apprentiNationalite,
        `Apprenti(e) de nationalité hors Union européenne qui aura ${AGE_MAJORITE} ans en cours de contrat (${ageDebut} ans au ${debut}, ` +
        `${ageFin} ans au ${ctx.fin}) : son titre de séjour et son autorisation de travail devront être renouvelés à sa majorité.`);
    } else {
      out.add('APPRENTI_HORS_UE_AUTORISATION_TRAVAIL', CHAMP.apprentiNationalite,
        `Apprenti(e) de nationalité hors Union européenne : l'employeur doit s'assurer de la détention d'une autorisation de travail valide pendant tout le contrat.`);
    }
  }
}

function checkMaitre(ctx: RuleContext, out: Findings, cle: 'maitre1' | 'maitre2', maitre: Maitre | undefined): void {
  const naissance = dateValide(maitre?.dateNaissance);
  if (!naissance) return;
  const champ = `/cerfa/${cle}/dateNaissance`;
  const numero = cle === 'maitre1' ? '1' : '2';
  if (ctx.receivedOn && naissance > ctx.receivedOn) {
    out.add('AGE_MAITRE_DATE_NAISSANCE_FUTURE', champ,
      `La date de naissance du maître d'apprentissage ${numero} ne peut pas être dans le futur (${naissance} postérieure au ${ctx.receivedOn}).`);
    return;
  }
  if (ctx.debut) {
    const age = fullYearsBetween(naissance, ctx.debut);
    if (age < AGE_MAITRE_MINIMUM) {
      out.add('AGE_MAITRE_MINIMUM', champ,
        `Le maître d'apprentissage ${numero} doit être majeur au début du contrat (âge au ${ctx.debut} : ${age} ans).`);
    }
  }
}

function checkMaitre2Complet(ctx: RuleContext, out: Findings): void {
  const maitre2 = ctx.cerfa.maitre2;
  if (!maitre2) return;
  const champs: readonly [keyof Maitre, string, string | undefined][] = [
    ['nom', 'nom', maitre2.nom], ['prenom', 'prénom', maitre2.prenom], ['dateNaissance', 'date de naissance', maitre2.dateNaissance],
  ];
  const remplis = champs.filter(([, , valeur]) => nonVide(valeur)).length;
  if (remplis === 0 || remplis === champs.length) return;
  for (const [cle, libelle, valeur] of champs) {
    if (!nonVide(valeur)) {
      out.add('MAITRE2_INCOMPLET', `/cerfa/maitre2/${cle}`,
        `Le maître d'apprentissage 2 est partiellement renseigné : nom, prénom et date de naissance sont tous requis (manquant : ${libelle}).`);
    }
  }
}

function nonVide(value: string | undefined): value is string {
  return typeof value === 'string' && value.trim() !== '';
}
