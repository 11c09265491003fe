/**
 * Sandbox mode: the simulated OPCO's loop. Every second (at most one pass at a time in this
 * process) it runs `runSandboxStep` (src/services/sandbox.ts); every instance may run it, since each
 * object is claimed with SKIP LOCKED and moves one step per pass. Failures are logged by shape only.
 */
import { runSandboxStep } from '../services/sandbox.js';
import type { JobDeps } from './scheduler.js';

const TICK_MS = 1000;

export interface SandboxSimulator {
  stop(): Promise<void>;
}

export function startSandboxSimulator(deps: JobDeps): SandboxSimulator {
  let running: Promise<void> | undefined;
  let stopped = false;
  const pass = async (): Promise<void> => {
    try {
      const report = await runSandboxStep(deps.db, deps.config, new Date());
      if (report.dossiers || report.factures || report.remboursements || report.echecs) deps.logger.info({ sandbox: true, ...report }, 'sandbox : OPCO simulé');
    } catch (err) {
      const e = err as { name?: string; code?: string };
      deps.logger.warn({ sandbox: true, erreur: { type: e?.name, code: e?.code } }, 'sandbox : passe du simulateur en échec');
    }
  };
  const timer = setInterval(() => {
    if (stopped || running) return;
    running = pass().finally(() => { running = undefined; });
  }, TICK_MS);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
