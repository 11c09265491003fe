/**
 * Deep pages at a million dossiers (`npm run bench:pages`): fills one CFA with 1 000 000 small
 * dossier rows on PostgreSQL, then times GET /v2/dossiers/etats for the first, a middle and the last
 * page, and the incremental feed from the start and from near the end. Pages are rank ranges and
 * the feed is a keyset on (xid, id), so the figures should not grow with depth.
 * Settings: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_ROWS (1e6).
 */
import supertest from 'supertest';
import { loadConfig } from '../src/config/config.js';
import { createKey } from '../src/db/keys.js';
import { createGateway } from '../src/gateway.js';
import { insertDossiers } from './bulk-dossiers.js';

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SCHEMA = `bench_pages_${process.pid}`;
const SIREN = '778899112';

async function main(): Promise<void> {
  const config = loadConfig({ DATABASE_URL, DATABASE_SCHEMA: SCHEMA, LOG_LEVEL: 'warn', JOBS_ENABLED: 'false', RATE_LIMIT_PER_MINUTE: '0' });
  const gateway = await createGateway(config);
  const { db } = gateway;
  try {
    await insertDossiers(db, SIREN, ROWS);
    const { key } = await createKey(db, { role: 'cfa', siren: SIREN });
    const http = supertest(gateway.app);
    const time = async (label: string, query: Record<string, string | number>): Promise<unknown> => {
      const start = process.hrtime.bigint();
      const res = await http.get('/v2/dossiers/etats').query(query).set('X-API-KEY', key);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (res.status !== 200) throw new Error(`${label}: ${res.status}`);
      console.log(`${label.padEnd(48)} ${ms.toFixed(1).padStart(8)} ms  (count ${res.body.count})`);
      return res.body;
    };
    const t1 = Date.now();
    await gateway.jobs.runNow('attribuer-rangs');
    console.log(`ranks handed out to ${ROWS} new rows by the minute job in ${((Date.now() - t1) / 1000).toFixed(1)} s (a bulk load; steady state is a few rows a minute)`);
    await db.raw('analyze dossiers'); // what autovacuum does after such a load
    for (let run = 0; run < 2; run += 1) {
      await time('page 1', { numeroPage: 1, taillePage: 100 });
      await time('page 5 000 (middle)', { numeroPage: 5_000, taillePage: 100 });
      await time(`page ${ROWS / 100} (last)`, { numeroPage: ROWS / 100, taillePage: 100 });
      await time('page 1 000 of 1 000 items (last)', { numeroPage: ROWS / 1000, taillePage: 1000 });
      const first = (await time('feed from 0', { depuis: '0', taillePage: 1000 })) as { curseurSuivant: string };
      const last = await db('dossiers').where({ cfa_siren: SIREN }).orderBy([{ column: 'xid_modif', order: 'desc' }, { column: 'id', order: 'desc' }]).offset(500).first('xid_modif', 'id');
      await time('feed from near the end', { depuis: `${last.xid_modif}.${last.id}`, taillePage: 1000 });
      void first;
    }
  } finally {
    await db.raw('drop schema if exists ?? cascade', [SCHEMA]);
    await gateway.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
