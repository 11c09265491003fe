/**
 * The webhook receiver: checks each delivery's Standard Webhooks signature on the raw body
 * (401 when it does not match), answers 204 at once, drops a delivery it already received (same
 * `webhook-id`: the gateway retries until it gets a 2xx), and wakes the sync job up. The event
 * carries ids and a feed cursor only; the job reads the changes through the API from its own cursor.
 */
import http from 'node:http';
import { verifyWebhook, webhookId, WebhookVerificationError, isWebhookEvent } from '@convergence-gateway/client';
import type { JsonStore } from './store.js';
import type { SyncLog } from './sync.js';

const KEEP_IDS = 1000;
const MAX_BODY = 256 * 1024;

export interface WebhookReceiverOptions {
  secret: string;
  store: JsonStore;
  /** What to do on a new event (the job's run). */
  onEvent: (type: string) => void;
  log?: SyncLog;
  path?: string;
}

export function webhookReceiver(options: WebhookReceiverOptions): http.RequestListener {
  const wanted = options.path ?? '/webhooks';
  return (req, res) => {
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== wanted) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        let payload: unknown;
        try {
          payload = verifyWebhook(options.secret, req.headers, body);
        } catch (err) {
          if (!(err instanceof WebhookVerificationError)) throw err;
          options.log?.error(`webhook refusé : ${err.message}`);
          res.writeHead(401).end();
          return;
        }
        const id = webhookId(req.headers) ?? '';
        const fresh = await options.store.transaction((d) => {
          if (d.webhooksRecus.includes(id)) return false;
          d.webhooksRecus = [...d.webhooksRecus, id].slice(-KEEP_IDS);
          return true;
        });
        res.writeHead(204).end();
        if (fresh) options.onEvent(isWebhookEvent(payload) ? payload.type : 'inconnu');
      })().catch((err: unknown) => {
        options.log?.error(`webhook : ${err instanceof Error ? err.message : String(err)}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
  };
}
