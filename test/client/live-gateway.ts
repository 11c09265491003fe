/**
 * A gateway listening on an ephemeral port (real HTTP), for the typed client and the sync example:
 * the same assembly as the HTTP tests (test/helpers/gateway.ts), both databases.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import type { Schemas } from '../../clients/ts/src/index.js';
import { validateDossierRequest } from '../../src/domain/cerfa/schema-validation.js';
import { validCerfaPayload } from '../fixtures/cerfa.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

export interface LiveGateway {
  t: TestGateway;
  baseUrl: string;
  close(): Promise<void>;
}

export function listen(handler: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
}

export function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}

export async function startLiveGateway(env: Record<string, string> = {}): Promise<LiveGateway> {
  const t = await startTestGateway(env);
  const { server, url } = await listen(t.gateway.app);
  return {
    t, baseUrl: url,
    async close() {
      await closeServer(server);
      await t.close();
    },
  };
}

function isDossierRequest(body: unknown): body is Schemas['DossierRequest'] {
  return validateDossierRequest(body).length === 0;
}

/** The fixture's valid CERFA, checked by the gateway's own schema so that it types as the contract's body. */
export function dossierRequest(seed: number): Schemas['DossierRequest'] {
  const body = validCerfaPayload(seed);
  if (!isDossierRequest(body)) throw new Error(`fixture ${seed} does not match the DossierRequest schema`);
  return body;
}

/**
 * Waits until every transaction that began before this call has ended, server-wide: the horizon
 * of the `depuis` feeds and of page ranks (docs/decisions.md, « Incremental feed »). On a
 * PostgreSQL shared with other work a change shows only then; on PGlite at once.
 */
export async function settled(db: Knex, timeoutMs = 30_000): Promise<void> {
  const mine = BigInt(String(((await db.raw('select pg_current_xact_id()::text as xid')) as { rows: Array<{ xid: string }> }).rows[0]?.xid));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = (await db.raw('select pg_snapshot_xmin(pg_current_snapshot())::text as xmin')) as { rows: Array<{ xmin: string }> };
    if (BigInt(String(rows[0]?.xmin)) > mine) return;
    if (Date.now() > deadline) throw new Error(`a transaction older than ${mine} is still running after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
