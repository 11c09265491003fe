/**
 * Words of the CFA's steering screens (guide OPCO pour les CFA, section II): the kind of dossier as
 * the screens group `typeContratApp` (cerfa-model.md §2.5.a), and the type of an invoice as the
 * natures of its lines.
 */
import { NATURES_ECHEANCE, NATURES_FRAIS, type NatureLigne } from './invoicing/types.js';

export const TYPES_DOSSIER = ['CONTRAT_INITIAL', 'SUCCESSION', 'AVENANT'] as const;
export type TypeDossier = (typeof TYPES_DOSSIER)[number];

/** The `typeContratApp` codes of each kind: 11; 21–23; 31–38. */
export const CODES_TYPE_DOSSIER: Readonly<Record<TypeDossier, readonly [number, number]>> = {
  CONTRAT_INITIAL: [11, 19],
  SUCCESSION: [21, 29],
  AVENANT: [31, 39],
};

export const LIBELLES_TYPE_DOSSIER: Readonly<Record<TypeDossier, string>> = {
  CONTRAT_INITIAL: 'Contrat initial',
  SUCCESSION: 'Succession de contrats',
  AVENANT: 'Avenant',
};

export function typeDossierOf(typeContratApp: number): TypeDossier {
  if (typeContratApp >= 31) return 'AVENANT';
  if (typeContratApp >= 21) return 'SUCCESSION';
  return 'CONTRAT_INITIAL';
}

export const TYPES_FACTURE = ['COUT_CONTRAT', 'FRAIS_ANNEXES', 'MIXTE'] as const;
export type TypeFacture = (typeof TYPES_FACTURE)[number];

export const LIBELLES_TYPE_FACTURE: Readonly<Record<TypeFacture, string>> = {
  COUT_CONTRAT: 'Coût contrat (pédagogie, RQTH)',
  FRAIS_ANNEXES: 'Frais annexes',
  MIXTE: 'Coût contrat et frais annexes',
};

/** An invoice's type from the natures of its lines. */
export function typeFactureOf(natures: readonly NatureLigne[]): TypeFacture {
  const contrat = natures.some((n) => (NATURES_ECHEANCE as readonly string[]).includes(n));
  const frais = natures.some((n) => (NATURES_FRAIS as readonly string[]).includes(n));
  if (contrat && frais) return 'MIXTE';
  return frais ? 'FRAIS_ANNEXES' : 'COUT_CONTRAT';
}

/** How a dossier reached the OPCO, as the lists say it. */
export const LIBELLES_ORIGINE: Readonly<Record<string, string>> = {
  API_CFA: 'Transmis par API CFA',
  SAISIE_OPCO: 'Saisi par l’OPCO',
  ENTREPRISE: 'Déposé par l’entreprise',
};

/** `engagé` → `Engagé`: state labels at the start of a cell. */
export function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
