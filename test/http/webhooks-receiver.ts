/**
 * A local HTTP receiver for the webhook tests: records every request (headers, raw body), answers
 * the status it is told, and can be stopped and restarted on the same port (a receiver that was down).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';

export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export class Receiver {
  readonly received: Received[] = [];
  /** Status of the next answers (200 unless told). */
  status = 200;
  /** When true, requests are read but never answered (a receiver that hangs). */
  hang = false;
  port = 0;
  private server: http.Server | undefined;

  async start(): Promise<this> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
        this.received.push({ path: req.url ?? '', headers, body: Buffer.concat(chunks).toString('utf8') });
        if (this.hang) return;
        res.statusCode = this.status;
        res.end('ok');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Requests received on one path, their bodies parsed. */
  on(path: string): Array<Received & { json: { type: string; timestamp: string; data: Record<string, unknown> } }> {
    return this.received.filter((r) => r.path === path).map((r) => ({ ...r, json: JSON.parse(r.body) as { type: string; timestamp: string; data: Record<string, unknown> } }));
  }
}

/**
 * The Standard Webhooks signature computed by hand (the test's own vector, independent of the
 * library): base64 HMAC-SHA256 of `id.timestamp.body` keyed with the secret's base64 bytes.
 */
export function handSignature(secret: string, id: string, timestamp: string, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}
