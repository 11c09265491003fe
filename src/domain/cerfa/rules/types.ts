/** Consistency of the contract / avenant type (reference §3.4, T1–T4). */
import { CHAMP, type Findings, type RuleContext } from './context.js';

const TYPE_CONTRAT_INITIAL = 11;
const SITUATION_CONTRAT_APPRENTISSAGE = 4;

export function checkTypes(ctx: RuleContext, out: Findings): void {
  const { contrat, employeur, apprenti } = ctx.cerfa;
  const type = contrat.typeContratApp;

  // 38 is treated like the other avenants: the OPCO must know which contract is amended and when.
  if (ctx.avenant) {
    if (!rempli(contrat.numeroContratPrecedent)) {
      out.add('NUMERO_CONTRAT_PRECEDENT_OBLIGATOIRE', CHAMP.numeroContratPrecedent,
        `Le numéro du contrat modifié est obligatoire pour un avenant (type de contrat ${type}).`);
    }
    if (contrat.dateEffetAvenant === undefined || contrat.dateEffetAvenant === '') {
      out.add('DATE_EFFET_AVENANT_OBLIGATOIRE', CHAMP.dateEffetAvenant,
        `La date d'effet de l'avenant est obligatoire pour un avenant (type de contrat ${type}).`);
    }
  }

  if (rempli(contrat.numeroContratPrecedent) && !rempli(employeur?.siret)) {
    out.add('SIRET_EMPLOYEUR_OBLIGATOIRE_CONTRAT_PRECEDENT', CHAMP.employeurSiret,
      `Le SIRET de l'employeur est requis lorsqu'un numéro de contrat précédent est indiqué (${contrat.numeroContratPrecedent}).`);
  }

  if (type === TYPE_CONTRAT_INITIAL && apprenti.situationAvantContrat === SITUATION_CONTRAT_APPRENTISSAGE) {
    out.add('TYPE_CONTRAT_INITIAL_APRES_APPRENTISSAGE', CHAMP.typeContratApp,
      `Le type 11 (premier contrat d'apprentissage) est incohérent avec une situation avant contrat « contrat d'apprentissage » (4) : ` +
      `s'agit-il d'une succession de contrats (21, 22 ou 23) ?`);
  }
}

function rempli(value: string | undefined): value is string {
  return typeof value === 'string' && value.trim() !== '';
}
