/**
 * The webhook worker of a running server: every second, sends the deliveries that are due
 * (src/services/webhook-delivery.ts). Every instance runs it; the claim of each delivery
 * (`FOR UPDATE SKIP LOCKED` and a lease) makes each attempt happen in one instance only.
 */
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Metrics } from '../observability/metrics.js';
import { deliverDue } from '../services/webhook-delivery.js';

export const WEBHOOK_WORKER_INTERVAL_MS = 1000;

export interface WebhookWorker {
  stop(): Promise<void>;
}

export function startWebhookWorker(deps: { db: Knex; config: Config; logger: Logger; metrics?: Metrics }): WebhookWorker {
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = (): void => {
    if (running || stopped) return; // no overlap: a slow round delays the next one
    running = (async () => {
      try {
        // Rounds of 50 until nothing is due, so a backlog drains without waiting a second per round.
        for (;;) {
          const report = await deliverDue(deps);
          if (stopped || report.envoyees < 50) break;
        }
      } catch (err) {
        const e = err as { name?: string; code?: string };
        deps.logger.error({ erreur: { type: e?.name, code: e?.code } }, 'échec du tour de livraison des webhooks');
      } finally {
        running = undefined;
      }
    })();
  };
  const timer = setInterval(tick, WEBHOOK_WORKER_INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
