/**
 * The reliability suite (`npm run chaos`): three parts against the gateway as a child process on
 * loopback and a PostgreSQL schema of their own; each prints a short table. Bounded in requests
 * and time; stops by itself; exit code 1 when a part's expectation is not met.
 *
 *   1. kill -9 under load, with a ledger of acknowledged numéros   (bench/chaos/kill9.ts)
 *   2. PostgreSQL restarted under load (the cluster is really stopped: other users of it are cut)
 *                                                                  (bench/chaos/pg-restart.ts)
 *   3. hostile input, ≥ 5 000 generated raw requests over the route table (bench/chaos/hostile.ts)
 *
 * CHAOS_PARTS=1,3 runs a subset. Settings of each part: see their files and bench/chaos/common.ts.
 */
import { hostileInput } from './hostile.js';
import { killNineUnderLoad } from './kill9.js';
import { postgresRestartUnderLoad } from './pg-restart.js';

const PARTS: Array<[string, string, () => Promise<boolean>]> = [
  ['1', 'kill -9 under load', killNineUnderLoad],
  ['2', 'PostgreSQL restart under load', postgresRestartUnderLoad],
  ['3', 'hostile input', hostileInput],
];

async function main(): Promise<void> {
  const wanted = new Set((process.env.CHAOS_PARTS ?? '1,2,3').split(',').map((s) => s.trim()));
  const results: Array<[string, string]> = [];
  for (const [id, name, run] of PARTS) {
    if (!wanted.has(id)) continue;
    try {
      results.push([`${id}. ${name}`, (await run()) ? 'as expected' : 'NOT AS EXPECTED']);
    } catch (err) {
      console.error(err);
      results.push([`${id}. ${name}`, `FAILED TO RUN: ${err instanceof Error ? err.message : String(err)}`]);
    }
  }
  console.log('\n## Summary\n');
  console.log('| part | outcome |\n|---|---|');
  for (const [part, outcome] of results) console.log(`| ${part} | ${outcome} |`);
  process.exit(results.every(([, outcome]) => outcome === 'as expected') ? 0 : 1);
}

void main();
