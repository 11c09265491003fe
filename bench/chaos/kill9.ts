/**
 * Chaos part 1: kill -9 under load, with a ledger. Concurrent clients POST distinct valid CERFAs
 * and write down every acknowledged numeroInterne (200); the gateway is killed with SIGKILL
 * mid-flight and restarted; clients resend what was not acknowledged (same bytes: a resend of the
 * same payload answers the stored dossier) and finish. Then the database must hold every
 * acknowledged numéro, and exactly one dossier per payload.
 */
import { createKey } from '../../src/db/keys.js';
import { FIXTURE_CFA_SIREN } from '../../test/fixtures/cerfa.js';
import { call, distinctCerfa, failureKind, freePort, freshSchema, sleep, startGateway, stopGateway, table, type GatewayProcess } from './common.js';

const CLIENTS = Number(process.env.CHAOS_CLIENTS ?? 12);
const LOAD_BEFORE_KILL_MS = Number(process.env.CHAOS_KILL_AFTER_MS ?? 4000);
const LOAD_AFTER_RESTART_MS = 2000;
const DEADLINE_MS = 90_000;
const MAX_PAYLOADS = 20_000;
const REQUEST_TIMEOUT_MS = 10_000;

export async function killNineUnderLoad(): Promise<boolean> {
  console.log(`\n## 1. kill -9 under load (${CLIENTS} clients, SIGKILL after ${LOAD_BEFORE_KILL_MS} ms)\n`);
  const { schema, db, drop } = await freshSchema('chaos_kill');
  const port = await freePort();
  let gateway: GatewayProcess = await startGateway(schema, port, { DATABASE_POOL_MAX: String(CLIENTS) });
  const { key } = await createKey(db, { role: 'cfa', siren: FIXTURE_CFA_SIREN });

  const ledger = new Map<number, string>(); // payload index → acknowledged numeroInterne
  const attempted = new Set<number>();
  const statuses = new Map<string, number>();
  const count = (k: string): void => { statuses.set(k, (statuses.get(k) ?? 0) + 1); };
  let replayed = 0;
  let inFlightAtKill = 0;
  let inFlight = 0;
  let next = 0;
  let stopNew = false;
  let killed = false;
  const started = Date.now();
  const url = `http://127.0.0.1:${port}/v2/dossiers`;

  async function client(): Promise<void> {
    let pending: number | undefined;
    while (Date.now() - started < DEADLINE_MS) {
      if (pending === undefined) {
        if (stopNew || next >= MAX_PAYLOADS) return;
        pending = next++;
      }
      const i = pending;
      attempted.add(i);
      inFlight += 1;
      try {
        const res = await call(url, { method: 'POST', body: distinctCerfa(i).body, headers: { 'content-type': 'application/json', 'x-api-key': key } }, REQUEST_TIMEOUT_MS);
        count(String(res.status));
        if (res.status === 200) {
          ledger.set(i, (JSON.parse(res.text) as { numeroInterne: string }).numeroInterne);
          pending = undefined;
        } else if (res.status === 503 || res.status === 429) {
          await sleep(200);
        } else {
          console.log(`unexpected ${res.status} for payload ${i}: ${res.text.slice(0, 200)}`);
          pending = undefined; // not retried: reported in the table
        }
      } catch (err) {
        count(`no answer (${failureKind(err)})`);
        await sleep(100 + Math.random() * 200);
      } finally {
        inFlight -= 1;
      }
    }
  }

  // Idempotent-Replayed answers are counted through a wrapper on the global fetch.
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (...args: Parameters<typeof fetch>) => {
    const res = await realFetch(...args);
    if (res.headers.get('idempotent-replayed') === 'true') replayed += 1;
    return res;
  }) as typeof fetch;

  let restartMs = 0;
  try {
    const clients = Array.from({ length: CLIENTS }, () => client());
    await sleep(LOAD_BEFORE_KILL_MS);
    inFlightAtKill = inFlight;
    const acknowledgedAtKill = ledger.size;
    gateway.child.kill('SIGKILL');
    killed = true;
    await stopGateway(gateway, 'SIGKILL');
    const t0 = Date.now();
    gateway = await startGateway(schema, port, { DATABASE_POOL_MAX: String(CLIENTS) });
    restartMs = Date.now() - t0;
    await sleep(LOAD_AFTER_RESTART_MS);
    stopNew = true;
    await Promise.all(clients);
    globalThis.fetch = realFetch;

    const rows = await db('dossiers').where({ cfa_siren: FIXTURE_CFA_SIREN }).select<Array<{ numero_interne: string; employeur_siret: string }>>('numero_interne', 'employeur_siret');
    const byNumero = new Map(rows.map((r) => [r.numero_interne, r.employeur_siret]));
    const perSiret = new Map<string, number>();
    for (const r of rows) perSiret.set(r.employeur_siret, (perSiret.get(r.employeur_siret) ?? 0) + 1);
    let lost = 0;
    let wrong = 0;
    for (const [i, numero] of ledger) {
      const siret = byNumero.get(numero);
      if (siret === undefined) lost += 1;
      else if (siret !== distinctCerfa(i).siret) wrong += 1;
    }
    const duplicated = [...perSiret.values()].filter((n) => n > 1).length;
    const unacknowledged = [...attempted].filter((i) => !ledger.has(i)).length;
    const orphans = rows.filter((r) => ![...ledger.values()].includes(r.numero_interne)).length;

    table(['figure', 'value'], [
      ['payloads sent (distinct)', attempted.size],
      ['acknowledged before the kill', acknowledgedAtKill],
      ['requests in flight at the kill', inFlightAtKill],
      ['gateway restart to /ready (ms)', restartMs],
      ['acknowledged in total (200)', ledger.size],
      ['of which replays of a stored payload (Idempotent-Replayed)', replayed],
      ['never acknowledged (gave up)', unacknowledged],
      ['dossiers in the database', rows.length],
      ['**acknowledged numéros lost**', lost],
      ['acknowledged numéro stored for another payload', wrong],
      ['**duplicated dossiers (payloads stored twice)**', duplicated],
      ['dossiers no client was told about', orphans],
    ]);
    console.log('');
    table(['answer', 'count'], [...statuses].sort().map(([k, v]) => [k, v]));
    return lost === 0 && duplicated === 0 && wrong === 0 && unacknowledged === 0;
  } finally {
    globalThis.fetch = realFetch;
    await stopGateway(gateway);
    await drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  killNineUnderLoad().then((ok) => process.exit(ok ? 0 : 1), (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
