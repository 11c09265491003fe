/**
 * A finding about a payload: a blocking error or a warning. Every finding names the field it is
 * about (JSON pointer into the request body) and the CERFA section (tab) it belongs to, so an ERP
 * can show it next to the right input.
 */
export type Section =
  | 'cerfa'
  | 'employeur'
  | 'apprenti'
  | 'maitre1'
  | 'maitre2'
  | 'contrat'
  | 'remuneration'
  | 'formation'
  | 'organismeFormation'
  | 'lieuFormation'
  | 'convention'
  | 'facture'
  | 'document'
  | 'requete';

export interface Violation {
  /** UPPER_SNAKE machine code, stable across versions. */
  code: string;
  /** Human-readable explanation, in French. */
  description: string;
  /** JSON pointer to the field at fault, e.g. `/cerfa/employeur/siret`. */
  champ: string;
  section: Section;
}

export interface RuleOutcome {
  erreurs: Violation[];
  avertissements: Violation[];
}

/** Maps the first segment after /cerfa to the CERFA section it belongs to. */
export function sectionOfPointer(pointer: string): Section {
  const parts = pointer.split('/').filter(Boolean);
  const head = parts[0] === 'cerfa' ? parts[1] : parts[0];
  switch (head) {
    case 'employeur':
    case 'employeurV2':
      return 'employeur';
    case 'apprenti':
      return 'apprenti';
    case 'maitre1':
      return 'maitre1';
    case 'maitre2':
      return 'maitre2';
    case 'contrat':
      return parts.includes('remunerationsAnnuelles') ? 'remuneration' : 'contrat';
    case 'formation':
      return 'formation';
    case 'organismeFormation':
      return 'organismeFormation';
    case 'organismeFormationLieuFormationPrincipal':
      return 'lieuFormation';
    default:
      return 'cerfa';
  }
}
