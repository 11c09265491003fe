/**
 * Invoices an engaged dossier, as the ERP's accountant would:
 *
 *   IBAN=FR76… npm run invoice -w examples/erp-sync -- <numeroInterne> [facture.pdf] [--certificat] [--numero F-2026-001]
 *     [--scenario facture-rejetee|paiement-partiel]   (sandbox only)
 *
 * Reads the dossier's échéancier, invoices what is left on the échéances open today (a sample PDF
 * when no file is given) and prints the invoice's number and state. The sync job then logs its
 * validation and payment.
 */
import fs from 'node:fs';
import { createGatewayClient, isGatewayError } from '@convergence-gateway/client';
import { INVOICE_SCENARIOS, invoiceDossier, isInvoiceScenario } from './invoice.js';

const usage = 'usage : IBAN=FR76… npm run invoice -w examples/erp-sync -- <numeroInterne> [facture.pdf] [--certificat] [--numero <numéro de facture>] [--scenario facture-rejetee|paiement-partiel]';
const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const valueOf = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const numero = valueOf('--numero');
const scenario = valueOf('--scenario');
const [numeroInterne, pdfFile] = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--numero' && args[i - 1] !== '--scenario');
if (scenario !== undefined && !isInvoiceScenario(scenario)) {
  console.error(`--scenario : ${INVOICE_SCENARIOS.join(', ')}`);
  process.exit(1);
}
const { GATEWAY_URL, API_KEY, IBAN } = process.env;
if (!numeroInterne || !GATEWAY_URL || !API_KEY || !IBAN) {
  console.error(`${usage}\n(GATEWAY_URL, API_KEY et IBAN, l’IBAN du CFA, sont lus dans l’environnement)`);
  process.exit(1);
}

const client = createGatewayClient({ baseUrl: GATEWAY_URL, apiKey: API_KEY, software: { editeur: 'ACME', logiciel: 'erp-sync', version: '0.1.0' } });
try {
  const r = await invoiceDossier(client, {
    numeroInterne, iban: IBAN, certificat: flag('--certificat'),
    ...(pdfFile ? { pdf: fs.readFileSync(pdfFile) } : {}),
    ...(numero ? { numero } : {}),
    ...(scenario ? { scenario } : {}),
  });
  for (const e of r.ecartees) console.log(`échéance ${e.codification} non facturée : ${e.raison}`);
  if (!r.numeroInterneFacture) {
    console.log(`rien à facturer au ${r.dateEmission} sur le dossier ${numeroInterne}`);
  } else {
    for (const l of r.lignes) console.log(`  ${l.codificationEcheance} ${l.natureLigne} ${l.montant} €`);
    console.log(`facture ${r.numero} transmise : numeroInterneFacture ${r.numeroInterneFacture}, ${r.montantCents / 100} €, état ${r.etat}`);
  }
} catch (err) {
  if (!isGatewayError(err)) throw err;
  // The gateway's reasons, in French, each with the field it concerns.
  console.error(`refus de la passerelle (HTTP ${err.status}, requête ${err.requestId ?? '?'}) ; aucune facture déposée`);
  for (const e of err.errors) console.error(`  ${e.code}${e.champ ? ` (${e.champ})` : ''} : ${e.description}`);
  process.exit(1);
}
