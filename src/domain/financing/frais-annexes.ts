/**
 * Frais annexes (L6332-14 I 3°, D6332-83; financement.md §3): meals, nights, first equipment,
 * international mobility — planned in the convention (`couts.*`, norme §5.2).
 *
 * They are engaged as separate ENVELOPES (`engagementsFraisAnnexe`), outside the échéances and
 * outside `engagementCents`: the norm's invoice lines carry one nature per échéance
 * (PEDAGOGIE, MAJORATION_RQTH, RESTAURATION…), meals and nights are invoiced on actual quantities
 * (Ocapiat advises separate invoices) and first equipment / mobility are one-off forfaits. So each
 * envelope is a ceiling the invoice checks consume, and `periodesFraisAnnexes` says against which
 * échéances each nature may be invoiced (docs/financing.md §"Frais annexes").
 */
import { formatEuros, type Cents } from './money.js';
import type { DetailsFacturation, EngagementFraisAnnexe, FraisAnnexesInput, NatureFrais, ParametresFinancement, PeriodeFraisAnnexes } from './types.js';

export interface FraisAnnexesEngages {
  engagements: EngagementFraisAnnexe[];
  plafondFraisPremierEquipementCents: Cents;
  plafondFraisMobiliteCents: Cents;
  explications: string[];
}

function ligne(natureFrais: NatureFrais, quantite: number, prixUnitaireCents: Cents): EngagementFraisAnnexe {
  return { natureFrais, quantite, prixUnitaireCents, montantTotalCents: quantite * prixUnitaireCents };
}

export function engageFraisAnnexes(frais: FraisAnnexesInput | undefined, parametres: ParametresFinancement): FraisAnnexesEngages {
  const engagements: EngagementFraisAnnexe[] = [];
  const explications: string[] = [];
  const repas = frais?.nombreRepas ?? 0;
  const nuitees = frais?.nombreNuitees ?? 0;
  const equipement = frais?.premierEquipementCents ?? 0;

  if (repas > 0) {
    const l = ligne('RESTAURATION', repas, parametres.prixRepasCents);
    engagements.push(l);
    explications.push(`Frais de restauration : ${repas} repas × ${formatEuros(l.prixUnitaireCents)} = ${formatEuros(l.montantTotalCents)}, facturés sur quantités réelles dans cette limite (D6332-83).`);
  }
  if (nuitees > 0) {
    const l = ligne('HEBERGEMENT', nuitees, parametres.prixNuiteeCents);
    engagements.push(l);
    explications.push(`Frais d'hébergement : ${nuitees} nuitées × ${formatEuros(l.prixUnitaireCents)} = ${formatEuros(l.montantTotalCents)}, facturés sur quantités réelles dans cette limite (D6332-83).`);
  }
  let plafondFraisPremierEquipementCents = 0;
  if (equipement > 0) {
    plafondFraisPremierEquipementCents = Math.min(equipement, parametres.plafondPremierEquipementCents);
    engagements.push(ligne('PREMIEREQUIPEMENT', 1, plafondFraisPremierEquipementCents));
    const plafonne = equipement > plafondFraisPremierEquipementCents ? ` (demandé ${formatEuros(equipement)}, plafonné)` : '';
    explications.push(`Premier équipement : ${formatEuros(plafondFraisPremierEquipementCents)}${plafonne}, une seule fois, sur la première échéance (plafond ${formatEuros(parametres.plafondPremierEquipementCents)}, D6332-83).`);
  }
  let plafondFraisMobiliteCents = 0;
  if (frais?.mobiliteInternationale === true && parametres.forfaitMobiliteCents > 0) {
    plafondFraisMobiliteCents = parametres.forfaitMobiliteCents;
    engagements.push(ligne('MOBILITE', 1, plafondFraisMobiliteCents));
    explications.push(`Mobilité internationale prévue : forfait de ${formatEuros(plafondFraisMobiliteCents)} fixé par l'OPCO (D6332-83, mission L6231-2 10°).`);
  }
  return { engagements, plafondFraisPremierEquipementCents, plafondFraisMobiliteCents, explications };
}

/**
 * First equipment is invoiced once, against échéance 1 (it is a first-year forfait); meals, nights
 * and mobility may be invoiced against any échéance, so they are listed for every échéance number.
 */
export function periodesFraisAnnexes(engagements: readonly EngagementFraisAnnexe[], numerosEcheances: readonly number[]): PeriodeFraisAnnexes[] {
  const periodes: PeriodeFraisAnnexes[] = [];
  for (const e of engagements) {
    const numeros = e.natureFrais === 'PREMIEREQUIPEMENT' ? numerosEcheances.slice(0, 1) : numerosEcheances;
    for (const numeroEcheance of numeros) periodes.push({ numeroEcheance, nature: e.natureFrais });
  }
  return periodes.sort((a, b) => a.numeroEcheance - b.numeroEcheance);
}

export function detailsFacturation(f: FraisAnnexesEngages, numerosEcheances: readonly number[]): DetailsFacturation {
  return {
    plafondFraisPremierEquipementCents: f.plafondFraisPremierEquipementCents,
    plafondFraisMobiliteCents: f.plafondFraisMobiliteCents,
    periodesFraisAnnexes: periodesFraisAnnexes(f.engagements, numerosEcheances),
  };
}
