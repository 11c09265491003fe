/**
 * erp-sync: the scheduled job of an ERP that keeps it in sync with convergence-gateway.
 *
 *   GATEWAY_URL=http://localhost:8080 API_KEY=cfa_… npm start -w examples/erp-sync
 *
 * Settings (environment): GATEWAY_URL, API_KEY (the CFA's key), CLIENT_ID and CLIENT_SECRET (the
 * vendor's OAuth2 client, optional), STORE_FILE (default ./erp-sync.json), SYNC_CRON (default every
 * 30 s), WEBHOOK_PORT and WEBHOOK_SECRET (the `whsec_…` shown at registration; no receiver without),
 * WEBHOOK_URL (the address the gateway reaches the receiver at: without WEBHOOK_SECRET, the job
 * registers it through the client and prints the secret to keep).
 */
import http from 'node:http';
import cron from 'node-cron';
import { createGatewayClient, ok } from '@convergence-gateway/client';
import { JsonStore } from './store.js';
import { ErpSync, type SyncLog } from './sync.js';
import { webhookReceiver } from './webhooks.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} est obligatoire (voir examples/erp-sync/README.md)`);
    process.exit(1);
  }
  return value;
}

const log: SyncLog = {
  info: (m) => console.log(`${new Date().toISOString()} ${m}`),
  error: (m) => console.error(`${new Date().toISOString()} ${m}`),
};

const clientId = process.env.CLIENT_ID;
const clientSecret = process.env.CLIENT_SECRET;
const client = createGatewayClient({
  baseUrl: required('GATEWAY_URL'),
  apiKey: required('API_KEY'),
  ...(clientId && clientSecret ? { bearer: { clientId, clientSecret } } : {}),
  software: { editeur: 'ACME', logiciel: 'erp-sync', version: '0.1.0' },
});
const store = new JsonStore(process.env.STORE_FILE ?? 'erp-sync.json');
const job = new ErpSync({ client, store, log });

async function run(origin: string): Promise<void> {
  try {
    const r = await job.run();
    if (r.pousses + r.refuses + r.dossiers + r.factures + r.reglements > 0) {
      log.info(`${origin} : ${r.pousses} contrat(s) transmis, ${r.refuses} refusé(s) ; changements lus : ${r.dossiers} dossier(s), ${r.factures} facture(s), ${r.reglements} règlement(s)`);
    }
  } catch (err) {
    log.error(`${origin} : ${err instanceof Error ? err.message : String(err)} (nouvel essai au prochain passage)`);
  }
}

const task = cron.schedule(process.env.SYNC_CRON ?? '*/30 * * * * *', () => run('passage planifié'), { noOverlap: true });
void run('démarrage');

let receiver: http.Server | undefined;
let secret = process.env.WEBHOOK_SECRET;
const webhookUrl = process.env.WEBHOOK_URL;
if (!secret && webhookUrl) {
  // First start: register the receiver (every event). The secret is shown once: keep it.
  const registered = await ok(client.POST('/v2/webhooks', { body: { url: webhookUrl } }));
  secret = registered.secret;
  log.info(`webhook ${registered.id} enregistré pour ${webhookUrl} ; à garder pour les prochains démarrages : WEBHOOK_SECRET=${registered.secret}`);
}
if (secret) {
  const port = Number(process.env.WEBHOOK_PORT ?? 8090);
  receiver = http.createServer(webhookReceiver({ secret, store, log, onEvent: (type) => void run(`webhook ${type}`) }));
  receiver.listen(port, () => log.info(`webhooks reçus sur http://localhost:${port}/webhooks`));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void task.stop();
    receiver?.close();
    log.info('arrêt');
  });
}
