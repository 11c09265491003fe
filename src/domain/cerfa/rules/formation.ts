/** Training volume at the CFA (reference §3.6, F1 and F2). */
import { daysInclusive } from '../../dates.js';
import { CHAMP, type Findings, type RuleContext } from './context.js';

const DUREE_MIN_HEURES = 1;
const DUREE_MAX_HEURES = 9999;
/** L6211-2: at least 25 % of the contract's working time, on the legal 1 607 h a year. */
const HEURES_ANNUELLES = 1607;
const JOURS_PAR_AN = 365;
const PART_MINIMALE_DENOMINATEUR = 4; // 25 %

export function checkFormation(ctx: RuleContext, out: Findings): void {
  const { formation, apprenti } = ctx.cerfa;
  const duree = formation.dureeFormation;
  if (!Number.isFinite(duree)) return;

  if (duree < DUREE_MIN_HEURES || duree > DUREE_MAX_HEURES) {
    out.add('DUREE_FORMATION_HORS_LIMITES', CHAMP.dureeFormation,
      `La durée de formation en CFA doit être comprise entre ${DUREE_MIN_HEURES} et ${DUREE_MAX_HEURES} heures (déclarée : ${duree} h).`);
    return;
  }

  // RQTH and high-level athletes have adapted rhythms the CERFA does not describe.
  if (apprenti.handicap === true || apprenti.inscriptionSportifDeHautNiveau === true) return;
  const { debut, fin } = ctx;
  if (!debut || !fin || fin < debut) return;
  const jours = daysInclusive(debut, fin);
  // duree ≥ 1607 × jours / 365 / 4, compared in integers.
  if (duree * JOURS_PAR_AN * PART_MINIMALE_DENOMINATEUR < HEURES_ANNUELLES * jours) {
    const minimum = Math.ceil((HEURES_ANNUELLES * jours) / (JOURS_PAR_AN * PART_MINIMALE_DENOMINATEUR));
    out.add('DUREE_FORMATION_INFERIEURE_25_POURCENT', CHAMP.dureeFormation,
      `La formation en CFA doit représenter au moins 25 % de la durée du contrat, soit ${minimum} h pour ${jours} jours ` +
      `(base ${HEURES_ANNUELLES} h par an) ; déclarée : ${duree} h.`);
  }
}
