/**
 * The full check of a `{cerfa}` request: JSON Schema (shapes, formats, code lists), then — only on
 * a well-formed payload — the cross-field business rules. All errors come back at once.
 */
import type { Violation } from '../violation.js';
import { normalizeCerfa } from './normalize.js';
import { checkCerfaRules } from './rules/index.js';
import { validateDossierRequest } from './schema-validation.js';
import type { Cerfa, IsoDate } from './types.js';

export type CerfaCheck =
  | { ok: true; cerfa: Cerfa; raw: Record<string, unknown>; avertissements: Violation[] }
  | { ok: false; erreurs: Violation[]; avertissements: Violation[] };

export function checkDossierRequest(body: unknown, receivedOn: IsoDate): CerfaCheck {
  const schemaErrors = validateDossierRequest(body);
  if (schemaErrors.length > 0) return { ok: false, erreurs: schemaErrors, avertissements: [] };
  return checkCerfa((body as { cerfa: Record<string, unknown> }).cerfa, receivedOn);
}

/** The business rules of a CERFA whose request already passed the JSON Schema. */
export function checkCerfa(raw: Record<string, unknown>, receivedOn: IsoDate): CerfaCheck {
  const cerfa = normalizeCerfa(raw);
  const outcome = checkCerfaRules(cerfa, { receivedOn });
  if (outcome.erreurs.length > 0) return { ok: false, erreurs: outcome.erreurs, avertissements: outcome.avertissements };
  return { ok: true, cerfa, raw, avertissements: outcome.avertissements };
}

/** Number of errors per CERFA section, as the seed shows next to each tab's title. */
export function countBySection(violations: Violation[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of violations) counts[v.section] = (counts[v.section] ?? 0) + 1;
  return counts;
}
