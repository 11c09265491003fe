/** Writes contracts/openapi.json from contracts/document.ts (`npm run contract`). */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { document } from './document.js';

export function renderContract(): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  fs.writeFileSync(new URL('./openapi.json', import.meta.url), renderContract());
}
