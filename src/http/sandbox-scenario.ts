/**
 * `X-Sandbox-Scenario` on a creating request (sandbox mode only; ignored elsewhere): read and
 * checked with the request's other input, so that an unknown value comes back with every other
 * error, in the norm's shape, before anything is written.
 */
import type { Request } from 'express';
import type { Config } from '../config/config.js';
import { isScenario, scenarioSpelling, SCENARIOS, SCENARIOS_FACTURE, type Scenario } from '../domain/sandbox.js';
import type { Violation } from '../domain/violation.js';

export const SCENARIO_HEADER = 'X-Sandbox-Scenario';

export interface ScenarioReading {
  scenario: Scenario | undefined;
  violations: Violation[];
}

/** `objet` FACTURE accepts only the invoice scenarios. The header is named by `champ` (it is not in the body). */
export function readScenario(req: Request, config: Pick<Config, 'sandbox'>, objet: 'DOSSIER' | 'FACTURE'): ScenarioReading {
  if (!config.sandbox) return { scenario: undefined, violations: [] };
  const header = req.get(SCENARIO_HEADER)?.trim();
  if (header === undefined || header === '') return { scenario: undefined, violations: [] };
  const raw = scenarioSpelling(header);
  const allowed = objet === 'FACTURE' ? SCENARIOS_FACTURE : SCENARIOS;
  if (isScenario(raw) && allowed.includes(raw)) return { scenario: raw, violations: [] };
  const code = isScenario(raw) ? 'SCENARIO_SANDBOX_INAPPLICABLE' : 'SCENARIO_SANDBOX_INCONNU';
  const what = objet === 'FACTURE' ? 'sur un dépôt de facture' : 'sur une transmission de dossier';
  return {
    scenario: undefined,
    violations: [{ code, description: `L’en-tête ${SCENARIO_HEADER} doit valoir ${allowed.join(', ')} ${what}.`, champ: SCENARIO_HEADER, section: 'requete' }],
  };
}
