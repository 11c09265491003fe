/** Liveness, readiness and the norm's status routes. */
import { Router } from 'express';
import type { Knex } from 'knex';

export interface Lifecycle {
  startedAt: number;
  shuttingDown: boolean;
}

async function databaseAnswers(db: Knex, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const probe = db.raw('select 1').then(() => true, () => false);
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const SUPPORTED_VERSIONS = ['1.0', '2.0'];

export function healthRoutes(db: Knex, lifecycle: Lifecycle): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    if (lifecycle.shuttingDown) {
      res.status(503).json({ status: 'arret_en_cours' });
      return;
    }
    const ok = await databaseAnswers(db);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'base_indisponible' });
  });
  for (const version of ['v1', 'v2']) {
    router.get(`/${version}/status`, async (_req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      const ok = !lifecycle.shuttingDown && (await databaseAnswers(db));
      res.status(ok ? 200 : 503).json({
        status: ok ? 'healthy' : 'unhealthy',
        supportedVersions: SUPPORTED_VERSIONS,
        uptime: Math.floor((Date.now() - lifecycle.startedAt) / 1000),
      });
    });
  }
  return router;
}
