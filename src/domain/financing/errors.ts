/**
 * The one error type of the financing engine. It carries a `Violation` (../violation.ts) so the HTTP
 * layer can return it like any other finding: stable UPPER_SNAKE code, French description, JSON
 * pointer to the engine input field at fault.
 */
import type { Section, Violation } from '../violation.js';

export type FinancementErrorCode =
  /** Contract concluded before 2021-01-01: the pre-2021 regimes are documented, not computed. */
  | 'REGIME_NON_SUPPORTE'
  | 'DATE_INVALIDE'
  | 'DATES_INCOHERENTES'
  | 'MONTANT_INVALIDE'
  | 'NIVEAU_DIPLOME_INVALIDE'
  | 'PARAMETRE_INVALIDE'
  | 'RUPTURE_HORS_CONTRAT'
  | 'REGLEMENTS_INVALIDES';

/** Section of the payload each engine input field comes from (CERFA contrat/formation, convention). */
const SECTION_OF_FIELD: Readonly<Record<string, Section>> = {
  dateConclusion: 'contrat',
  dateDebutContrat: 'contrat',
  dateFinContrat: 'contrat',
  dateRupture: 'contrat',
  typeDerogation: 'contrat',
  niveauDiplome: 'formation',
  typeDiplome: 'formation',
  dureeFormationHeures: 'formation',
  heuresDistanciel: 'formation',
  rqthMontantsParAnneeCents: 'convention',
  fraisAnnexes: 'convention',
};

export class FinancementError extends Error {
  readonly code: FinancementErrorCode;
  readonly violation: Violation;

  /** @param champ JSON pointer into the engine input, e.g. `/dateConclusion`. */
  constructor(code: FinancementErrorCode, description: string, champ = '') {
    super(description);
    this.name = 'FinancementError';
    this.code = code;
    const head = champ.split('/').filter(Boolean)[0] ?? '';
    this.violation = { code, description, champ, section: SECTION_OF_FIELD[head] ?? 'requete' };
  }
}
