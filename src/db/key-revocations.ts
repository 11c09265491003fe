/**
 * Listens for key revocations announced by any instance or the CLI (`pg_notify` in revokeKey), on
 * a connection of its own, so that each instance's key cache forgets a revoked key at once instead
 * of after AUTH_CACHE_SECONDS. When the connection drops, notifications may have been missed: the
 * whole cache is forgotten, and the listener reconnects with backoff. PostgreSQL only: with the
 * embedded database there is one process, which forgets its own revocations directly.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import { REVOCATION_CHANNEL } from './keys.js';

export interface RevocationListener {
  /** Resolves once listening (tests). */
  ready: Promise<void>;
  close(): Promise<void>;
}

export interface RevocationHandlers {
  forget(keyId: string): void;
  forgetAll(): void;
}

export function listenForRevocations(databaseUrl: string, schema: string, handlers: RevocationHandlers, logger: Logger): RevocationListener {
  let client: pg.Client | undefined;
  let closed = false;
  let delayMs = 500;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  const reconnectLater = (): void => {
    client = undefined;
    if (closed) return;
    handlers.forgetAll();
    setTimeout(() => void connect(), delayMs).unref();
    delayMs = Math.min(delayMs * 2, 30_000);
  };

  async function connect(): Promise<void> {
    const c = new pg.Client({ connectionString: databaseUrl });
    c.on('error', () => undefined); // 'end' follows and reconnects
    c.on('end', reconnectLater);
    c.on('notification', (message) => {
      const [from, id] = (message.payload ?? '').split(':');
      if (from === schema && id) handlers.forget(id);
    });
    try {
      await c.connect();
      await c.query(`listen ${REVOCATION_CHANNEL}`);
      client = c;
      delayMs = 500;
      // Revocations made while not listening were missed.
      handlers.forgetAll();
      markReady();
    } catch (err) {
      logger.warn({ erreur: { type: err instanceof Error ? err.name : typeof err } }, 'écoute des révocations de clés impossible : nouvel essai');
      c.removeListener('end', reconnectLater);
      await c.end().catch(() => undefined);
      reconnectLater();
    }
  }

  void connect();
  return {
    ready,
    async close() {
      closed = true;
      const c = client;
      client = undefined;
      if (c) {
        c.removeListener('end', reconnectLater);
        await c.end().catch(() => undefined);
      }
    },
  };
}
