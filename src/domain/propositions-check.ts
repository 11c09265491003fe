/**
 * A proposal's CERFA checked as far as it goes: the dossier's JSON Schema (every missing or wrong
 * field), then — once the schema is satisfied — the CERFA's business rules. Nothing here refuses a
 * save: the findings are reported by tab (src/domain/propositions.ts) and each step of the flow
 * decides which of them block it.
 */
import { checkCerfa } from './cerfa/validate.js';
import { readDossierRequest } from './cerfa/schema-validation.js';
import type { Cerfa, IsoDate } from './cerfa/types.js';
import { isJsonObject } from './json.js';
import type { Violation } from './violation.js';

export interface PropositionCheck {
  /** Schema findings (missing starred fields, formats, code lists). */
  schema: Violation[];
  /** Business rules' errors (only when the schema is satisfied). */
  regles: Violation[];
  /** Conversions of the tolerant reading and the rules' warnings. */
  avertissements: Violation[];
  /** The CERFA as read (conversions applied), and its typed form when every rule passes. */
  lu: Record<string, unknown>;
  cerfa: Cerfa | undefined;
}

export function checkPropositionCerfa(raw: Record<string, unknown>, strict: boolean, receivedOn: IsoDate): PropositionCheck {
  const read = readDossierRequest({ cerfa: raw }, strict);
  const lu = isJsonObject(read.value) && isJsonObject(read.value.cerfa) ? read.value.cerfa : raw;
  if (read.violations.length) {
    return { schema: read.violations, regles: [], avertissements: read.avertissements, lu, cerfa: undefined };
  }
  const rules = checkCerfa(lu, receivedOn);
  return {
    schema: [],
    regles: rules.ok ? [] : rules.erreurs,
    avertissements: [...read.avertissements, ...rules.avertissements],
    lu,
    cerfa: rules.ok ? rules.cerfa : undefined,
  };
}
