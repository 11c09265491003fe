/**
 * Puts a contract in the local store, as the ERP's users would: `npm run add -w examples/erp-sync -- cerfa.json`
 * (a file holding `{"cerfa": {…}}` or the CERFA alone). The next run pushes it.
 */
import fs from 'node:fs';
import { isCerfa, JsonStore } from './store.js';

const file = process.argv[2];
if (!file) {
  console.error('usage : npm run add -w examples/erp-sync -- <cerfa.json>');
  process.exit(1);
}
const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
const cerfa = typeof parsed === 'object' && parsed !== null && 'cerfa' in parsed ? parsed.cerfa : parsed;
if (!isCerfa(cerfa)) {
  console.error(`${file} : un CERFA ({"cerfa": {…}} ou le CERFA seul, avec apprenti, maitre1, contrat, formation, organismeFormation) est attendu`);
  process.exit(1);
}
const contrat = await new JsonStore(process.env.STORE_FILE ?? 'erp-sync.json').addContrat(cerfa);
console.log(`contrat ${contrat.id} ajouté ; il sera transmis au prochain passage`);
