/**
 * Writes contracts/openapi.json from the route table (`npm run contract`, which then regenerates
 * the handler input types), and docs/examples/cerfa.json, the valid contract the README sends. A
 * test fails when either committed file is stale.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { routeTable } from '../src/http/routes/index.js';
import { buildOpenApi } from '../src/http/route-table/openapi.js';
import { sampleCerfaPayload } from '../src/domain/cerfa/sample.js';

export function renderContract(): string {
  // With the sandbox routes (flagged `x-sandbox`): the typed client and the handlers know them; a
  // gateway outside sandbox mode serves the document without them.
  const sandbox = { sandbox: true };
  return `${JSON.stringify(buildOpenApi(routeTable({ startedAt: 0, shuttingDown: false }, sandbox), sandbox), null, 2)}\n`;
}

/** A contract of the demo CFA (SIREN 778899112): what `curl -d @docs/examples/cerfa.json` sends. */
export function renderCerfaExample(): string {
  return `${JSON.stringify(sampleCerfaPayload(), null, 2)}\n`;
}

export const CERFA_EXAMPLE = new URL('../docs/examples/cerfa.json', import.meta.url);

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  fs.writeFileSync(new URL('./openapi.json', import.meta.url), renderContract());
  fs.mkdirSync(new URL('.', CERFA_EXAMPLE), { recursive: true });
  fs.writeFileSync(CERFA_EXAMPLE, renderCerfaExample());
}
