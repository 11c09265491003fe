/**
 * The v1 full list at 100 000 dossiers (`npm run bench:v1-etats`): fills one CFA with 100 000 small
 * dossier rows on PostgreSQL, then streams GET /v1/dossiers/etats (no numeroPage: the whole list as
 * one bare array) over a real socket, and prints the time to the last byte, the size, and the
 * process's RSS before and at its peak during the stream — for a client reading as fast as it can
 * and for a slow one (backpressure: the gateway must wait for it, not buffer the list).
 * Settings: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_ROWS (1e5).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../src/config/config.js';
import { createKey } from '../src/db/keys.js';
import { createGateway } from '../src/gateway.js';
import { insertDossiers } from './bulk-dossiers.js';

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const SCHEMA = `bench_v1_etats_${process.pid}`;
const SIREN = '778899112';
const MB = 1024 * 1024;

interface Run {
  ms: number;
  bytes: number;
  items: number;
  status: number;
  contentType: string | undefined;
}

/** Reads the answer without keeping it: counts bytes and items (one `"numeroInterne"` each). */
function stream(port: number, key: string, pauseMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = http.get({ port, path: '/v1/dossiers/etats', headers: { 'X-API-KEY': key } }, (res) => {
      let bytes = 0;
      let items = 0;
      let carry = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        bytes += Buffer.byteLength(chunk);
        const text = carry + chunk;
        items += text.split('"numeroInterne"').length - 1;
        carry = text.slice(-16); // a marker cut between two chunks is counted once
        items -= carry.split('"numeroInterne"').length - 1;
        if (pauseMs > 0) {
          res.pause();
          setTimeout(() => res.resume(), pauseMs);
        }
      });
      res.on('end', () => {
        items += carry.split('"numeroInterne"').length - 1;
        resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, bytes, items, status: res.statusCode ?? 0, contentType: res.headers['content-type'] });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** Runs `work` while sampling the RSS every 5 ms: the peak seen. */
async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
  try {
    const result = await work();
    return { result, peak: Math.max(peak, process.memoryUsage().rss) };
  } finally {
    clearInterval(timer);
  }
}

async function main(): Promise<void> {
  const config = loadConfig({ DATABASE_URL, DATABASE_SCHEMA: SCHEMA, LOG_LEVEL: 'warn', JOBS_ENABLED: 'false', RATE_LIMIT_PER_MINUTE: '0' });
  const gateway = await createGateway(config);
  const { db } = gateway;
  const server = http.createServer(gateway.app);
  try {
    await insertDossiers(db, SIREN, ROWS);
    const { key } = await createKey(db, { role: 'cfa', siren: SIREN });
    await gateway.jobs.runNow('attribuer-rangs');
    await db.raw('analyze dossiers'); // what autovacuum does after such a load
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;

    for (const [label, pauseMs] of [['fast client', 0], ['fast client', 0], ['slow client (5 ms pause per chunk)', 5]] as const) {
      global.gc?.();
      await sleep(50);
      const before = process.memoryUsage().rss;
      const { result: run, peak } = await peakRss(() => stream(port, key, pauseMs));
      if (run.status !== 200 || run.items !== ROWS) throw new Error(`${label}: status ${run.status}, ${run.items} items for ${ROWS}`);
      console.log(
        `${label.padEnd(36)} ${run.ms.toFixed(0).padStart(6)} ms  ${(run.bytes / MB).toFixed(1)} MB  ${run.items} items  ` +
        `${Math.round(run.items / (run.ms / 1000))} items/s  RSS ${(before / MB).toFixed(0)} → peak ${(peak / MB).toFixed(0)} MB (+${((peak - before) / MB).toFixed(1)})  ${run.contentType}`,
      );
    }
    console.log(`process peak RSS (whole run, insert included): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  } finally {
    server.close();
    await db.raw('drop schema if exists ?? cascade', [SCHEMA]);
    await gateway.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
