/**
 * Cross-field business rules of a CERFA FA13 contract (reference cerfa-model.md §3), run after
 * JSON-Schema validation and normalisation. Every finding carries an UPPER_SNAKE code from
 * `RULE_CODES`, a French description ending with the rule id ("[règle A2]"), the JSON pointer of
 * the field at fault and its CERFA section.
 */
import type { RuleOutcome } from '../../violation.js';
import type { Cerfa, IsoDate } from '../types.js';
import { checkAges } from './ages.js';
import { Findings, RuleContext } from './context.js';
import { checkDates } from './dates.js';
import { checkFormation } from './formation.js';
import { checkNir } from './nir.js';
import { checkRemuneration } from './remuneration.js';
import { checkTempsTravail } from './temps-travail.js';
import { checkTypes } from './types.js';

export { RULE_CODES, type RuleCode, type Severite } from './codes.js';

export interface RuleCheckContext {
  /** Day the OPCO received the file (Europe/Paris): "today" for future-date and deadline rules. */
  receivedOn: IsoDate;
}

/**
 * Runs every rule and returns all blocking errors and all warnings. Never throws on odd data: a
 * rule whose inputs are missing or malformed is skipped.
 */
export function checkCerfaRules(cerfa: Cerfa, ctx: RuleCheckContext): RuleOutcome {
  const context = new RuleContext(cerfa, ctx.receivedOn);
  const out = new Findings();
  checkAges(context, out);
  checkNir(context, out);
  checkDates(context, out);
  checkTypes(context, out);
  checkTempsTravail(context, out);
  checkFormation(context, out);
  checkRemuneration(context, out);
  return { erreurs: out.erreurs, avertissements: out.avertissements };
}
