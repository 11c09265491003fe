/**
 * Chaos part 3: hostile input. At least 5 000 generated raw requests (test/fuzz/hostile.ts) over
 * every route of the route table, against the gateway child on PostgreSQL. Expected: no 5xx (the
 * database is up), and every error in the norm's shape. Prints the count per status and each 5xx
 * case (method, path, a description of the input; never a key).
 */
import http from 'node:http';
import fc from 'fast-check';
import { createKey } from '../../src/db/keys.js';
import { routeTable } from '../../src/http/routes/index.js';
import { FIXTURE_CFA_SIREN } from '../../test/fixtures/cerfa.js';
import { hostileRequest, hostileRoutes, isErrorShape, sendRaw, type HostileRequest } from '../../test/fuzz/hostile.js';
import { call, distinctCerfa, freePort, freshSchema, nonJsonLines, startGateway, stopGateway, table } from './common.js';

const CASES = Number(process.env.CHAOS_HOSTILE_CASES ?? 6000);
const CONCURRENCY = 4;
const SEED = Number(process.env.CHAOS_SEED ?? 20_251_127);
const TIME_BUDGET_MS = 300_000;

export async function hostileInput(): Promise<boolean> {
  console.log(`\n## 3. hostile input (${CASES} cases, seed ${SEED})\n`);
  const { schema, db, drop } = await freshSchema('chaos_hostile');
  const port = await freePort();
  const gateway = await startGateway(schema, port);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    // A decoy first: it takes key id 1, which the cases' `DELETE /back-office/v1/cles/1` revokes.
    await createKey(db, { role: 'cfa', siren: FIXTURE_CFA_SIREN, libelle: 'leurre' });
    const keys = {
      cfa: (await createKey(db, { role: 'cfa', siren: FIXTURE_CFA_SIREN })).key,
      opco: (await createKey(db, { role: 'opco', libelle: 'chaos' })).key,
      entreprise: (await createKey(db, { role: 'entreprise', siren: '552100554', courriel: 'chaos@exemple.fr' })).key,
    };
    const created = await call(`${gateway.base}/v2/dossiers`, { method: 'POST', body: distinctCerfa(1, 50_000_000).body, headers: { 'content-type': 'application/json', 'x-api-key': keys.cfa } }, 10_000);
    const numeroInterne = (JSON.parse(created.text) as { numeroInterne: string }).numeroInterne;
    const routes = hostileRoutes(routeTable({ startedAt: 0, shuttingDown: false }));
    const cases = fc.sample(hostileRequest(routes, { numeroInterne }), { numRuns: CASES, seed: SEED });

    const byStatus = new Map<string, number>();
    const byClass = new Map<string, number>();
    const serverErrors: Array<{ req: HostileRequest; status: string; body: string }> = [];
    const badShape: Array<{ req: HostileRequest; status: number; body: string }> = [];
    const routesHit = new Set<string>();
    const refusals = new Map<string, number>();
    let done = 0;
    const started = Date.now();
    let slowest = 0;

    let index = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (index < cases.length && Date.now() - started < TIME_BUDGET_MS) {
        const req = cases[index++];
        if (!req) break;
        routesHit.add(req.route);
        let status: string;
        try {
          const res = await sendRaw({ host: '127.0.0.1', port, agent }, req, keys, 15_000);
          status = String(res.status);
          slowest = Math.max(slowest, res.ms);
          if (res.status === 403 || res.status === 429) {
            const code = isErrorShape(res.text) ? (JSON.parse(res.text) as { errors: Array<{ code: string }> }).errors[0]?.code ?? '?' : '?';
            refusals.set(`${res.status} ${code}${req.auth === 'role' ? '' : ` (key: ${req.auth})`}`, (refusals.get(`${res.status} ${code}${req.auth === 'role' ? '' : ` (key: ${req.auth})`}`) ?? 0) + 1);
          }
          if (res.status >= 500) serverErrors.push({ req, status, body: res.text.slice(0, 200) });
          else if (res.status >= 400 && !isErrorShape(res.text)) badShape.push({ req, status: res.status, body: res.text.slice(0, 120) });
        } catch (err) {
          status = `no answer (${(err as { code?: string }).code ?? (err as Error).message})`;
          serverErrors.push({ req, status, body: '' });
        }
        byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
        const cls = /^\d{3}$/.test(status) ? `${status[0]}xx` : 'no answer';
        byClass.set(cls, (byClass.get(cls) ?? 0) + 1);
        done += 1;
      }
    }));
    const seconds = (Date.now() - started) / 1000;

    table(['status', 'count'], [...byStatus].sort().map(([k, v]) => [k, v]));
    console.log('');
    table(['figure', 'value'], [
      ['cases sent', done],
      ['routes of the table aimed at (method + concrete path)', `${routesHit.size}/${routes.length}`],
      ['by class', [...byClass].sort().map(([k, v]) => `${k}: ${v}`).join(', ')],
      ['**5xx or no answer**', serverErrors.length],
      ['4xx not in the error shape {errors:[{code, description}]}', badShape.length],
      ['slowest answer (ms)', slowest],
      ['duration (s)', seconds.toFixed(1)],
      ['gateway process alive', gateway.alive() ? 'yes' : 'NO'],
      ['non-JSON lines in the gateway output', nonJsonLines(gateway).length],
    ]);
    if (refusals.size) console.log(`\nrefusals before the routes' checks: ${[...refusals].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ×${v}`).join(', ')}`);
    for (const { req, status, body } of serverErrors.slice(0, 30)) {
      console.log(`5xx: ${status} ${req.method} ${req.path.slice(0, 160)} — ${req.description} — ${body.replace(/"instance":"[^"]*"/, '')}`);
    }
    for (const { req, status, body } of badShape.slice(0, 10)) console.log(`shape: ${status} ${req.method} ${req.path.slice(0, 160)} — ${req.description} — ${body}`);
    return serverErrors.length === 0 && badShape.length === 0 && done >= Math.min(CASES, 5000) && gateway.alive();
  } finally {
    agent.destroy();
    await stopGateway(gateway);
    await drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  hostileInput().then((ok) => process.exit(ok ? 0 : 1), (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
