/**
 * Writes contracts/openapi.json from the route table (`npm run contract`, which then regenerates
 * the handler input types). A test fails when the committed file is stale.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { routeTable } from '../src/http/routes/index.js';
import { buildOpenApi } from '../src/http/route-table/openapi.js';

export function renderContract(): string {
  // With the sandbox routes (flagged `x-sandbox`): the typed client and the handlers know them; a
  // gateway outside sandbox mode serves the document without them.
  const sandbox = { sandbox: true };
  return `${JSON.stringify(buildOpenApi(routeTable({ startedAt: 0, shuttingDown: false }, sandbox), sandbox), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  fs.writeFileSync(new URL('./openapi.json', import.meta.url), renderContract());
}
