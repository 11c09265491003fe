/**
 * Builds the engine's input from what the OPCO holds: the CERFA (dates, diploma, derogation,
 * training hours), the convention's costs (RQTH, frais annexes) and the NPEC that applies.
 */
import type { Cerfa } from '../cerfa/types.js';
import { eurosToCents } from './money.js';
import { niveauDiplome } from './npec.js';
import type { EngagementInput, ParametresFinancement } from './types.js';

/** `couts` of a convention (norme-api-cfa.md §5.2), amounts in euros as sent. */
export interface CoutsConvention {
  coutTotalPedagogieCFA?: number | null;
  montantRQTHAnnee1?: number | null;
  montantRQTHAnnee2?: number | null;
  montantRQTHAnnee3?: number | null;
  montantRQTHAnnee4?: number | null;
  nombreRepasTotaux?: number | null;
  nombreHebergementTotaux?: number | null;
  montantPremierEquipement?: number | null;
  mentionMobiliteInternationale?: boolean | null;
  accompagnementDROM?: boolean | null;
}

const cents = (euros: number | null | undefined): number => (euros === null || euros === undefined ? 0 : eurosToCents(euros));

export function buildEngagementInput(
  cerfa: Cerfa,
  couts: CoutsConvention | undefined,
  npecAnnuelCents: number,
  parametres: ParametresFinancement,
): EngagementInput {
  const rqth = couts
    ? [couts.montantRQTHAnnee1, couts.montantRQTHAnnee2, couts.montantRQTHAnnee3, couts.montantRQTHAnnee4].map(cents)
    : [];
  return {
    dateConclusion: cerfa.contrat.dateConclusion,
    dateDebutContrat: cerfa.contrat.dateDebutContrat,
    dateFinContrat: cerfa.contrat.dateFinContrat,
    npecAnnuelCents,
    niveauDiplome: niveauDiplome(cerfa.formation.typeDiplome),
    typeDerogation: cerfa.contrat.typeDerogation ?? null,
    dureeFormationHeures: cerfa.formation.dureeFormation,
    heuresDistanciel: cerfa.formation.nombreHeuresEnDistanciel,
    // RQTH majoration only for an apprentice declared RQTH (or with the *13 extended rights).
    rqthMontantsParAnneeCents: cerfa.apprenti.handicap || cerfa.apprenti.droitsRqthEquivalenceJeune || cerfa.apprenti.droitsRqthExtensionBOE ? rqth : [],
    fraisAnnexes: couts
      ? {
          nombreRepas: couts.nombreRepasTotaux ?? undefined,
          nombreNuitees: couts.nombreHebergementTotaux ?? undefined,
          premierEquipementCents: couts.montantPremierEquipement ? cents(couts.montantPremierEquipement) : undefined,
          mobiliteInternationale: couts.mentionMobiliteInternationale ?? undefined,
        }
      : undefined,
    parametres,
  };
}
