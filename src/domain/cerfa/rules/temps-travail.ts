/** Weekly working time (reference §3.5, W1 and W3). */
import { CHAMP, type Findings, type RuleContext } from './context.js';

const HEURES_MAX = 40;
const HEURES_MAX_MINEUR = 35;
const AGE_MAJORITE = 18;
/**
 * R3162-1: on building, public-works and landscaping sites a minor may work up to 40 h. The
 * employer's activity stands for "the site": NAF divisions 41–43 (construction) and 81.30Z
 * (landscaping).
 */
const DIVISIONS_NAF_DEROGATOIRES = new Set(['41', '42', '43']);
const NAF_PAYSAGE = '8130Z';

export function checkTempsTravail(ctx: RuleContext, out: Findings): void {
  const { contrat, employeur } = ctx.cerfa;
  const heures = contrat.dureeTravailHebdoHeures;
  const minutes = contrat.dureeTravailHebdoMinutes ?? 0;
  if (!Number.isFinite(heures) || !Number.isFinite(minutes)) return;
  const totalMinutes = heures * 60 + minutes;
  const affichage = `${heures} h ${String(minutes).padStart(2, '0')}`;

  if (totalMinutes > HEURES_MAX * 60) {
    out.add('DUREE_TRAVAIL_HEBDO_MAXIMUM', heures > HEURES_MAX ? CHAMP.dureeTravailHeures : CHAMP.dureeTravailMinutes,
      `La durée hebdomadaire de travail ne peut pas dépasser ${HEURES_MAX} h (déclarée : ${affichage}).`);
    return;
  }

  if (ctx.ageDebut !== undefined && ctx.ageDebut < AGE_MAJORITE && totalMinutes > HEURES_MAX_MINEUR * 60
    && !secteurDerogatoire(employeur?.naf)) {
    out.add('DUREE_TRAVAIL_HEBDO_MINEUR', CHAMP.dureeTravailHeures,
      `Un(e) apprenti(e) mineur(e) ne peut pas travailler plus de ${HEURES_MAX_MINEUR} h par semaine, sauf sur les chantiers du BTP ` +
      `et du paysage (NAF 41, 42, 43, 81.30Z) où ${HEURES_MAX} h sont admises (déclarée : ${affichage}, âge au ${ctx.debut} : ` +
      `${ctx.ageDebut} ans, NAF : ${employeur?.naf ?? 'non renseigné'}).`);
  }
}

export function secteurDerogatoire(naf: string | undefined): boolean {
  if (typeof naf !== 'string') return false;
  const code = naf.replace('.', '').trim().toUpperCase();
  return DIVISIONS_NAF_DEROGATOIRES.has(code.slice(0, 2)) || code === NAF_PAYSAGE;
}
