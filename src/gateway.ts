/**
 * Assembles a running gateway from a configuration: database (migrated), logger, metrics, the
 * express app and the scheduled jobs. Used by src/main.ts and by the tests.
 */
import type { Express } from 'express';
import type { Knex } from 'knex';
import type { DestinationStream, Logger } from 'pino';
import type { Config } from './config/config.js';
import { createDatabase, type KnexLog } from './db/connection.js';
import { acquireEmbeddedLock, type EmbeddedLock } from './db/embedded-lock.js';
import { migrateLatest, wasEmpty } from './db/migrate.js';
import { createApp } from './http/app.js';
import type { Lifecycle } from './http/routes/platform.routes.js';
import { startJobs, type Jobs } from './jobs/scheduler.js';
import { startWebhookWorker } from './jobs/webhooks.js';
import { prepareSandbox, SandboxStartError } from './services/sandbox.js';
import { createLogger } from './observability/logger.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { createDemoKeys, demoKeysAtStart, type DemoKeys } from './services/demo.js';

export interface Gateway {
  config: Config;
  db: Knex;
  logger: Logger;
  metrics: Metrics;
  lifecycle: Lifecycle;
  app: Express;
  jobs: Jobs;
  /** Created by this start (first start of an empty embedded database, not in production): shown once by src/main.ts. */
  demoKeys: DemoKeys | undefined;
  close(): Promise<void>;
}

export interface GatewayOptions {
  logDestination?: DestinationStream;
  /** An already created database (tests share one per file). */
  db?: Knex;
  skipMigrations?: boolean;
}

/**
 * Knex's own messages (lost connections during an outage) as the gateway's JSON lines: one line a
 * minute per kind of message, its first line only, cut short (never a query or a row value).
 */
function knexLogTo(logger: Logger): KnexLog {
  const lastSeen = new Map<string, number>();
  const line = (level: 'warn' | 'error') => (message: unknown): void => {
    const text = (message instanceof Error ? message.message : String(message)).split('\n')[0]?.slice(0, 200) ?? '';
    const now = Date.now();
    if (now - (lastSeen.get(text) ?? 0) < 60_000) return;
    if (lastSeen.size > 100) lastSeen.clear();
    lastSeen.set(text, now);
    logger[level]({ source: 'knex' }, text);
  };
  return { warn: line('warn'), error: line('error'), deprecate: line('warn'), debug: () => undefined };
}

export async function createGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = createLogger(config.logLevel, options.logDestination);
  // The embedded database is single-process: hold DATA_DIR for the server's lifetime (throws
  // EmbeddedDatabaseLockedError when another server or a CLI command has it).
  const lock: EmbeddedLock | undefined = options.db || config.databaseUrl ? undefined : await acquireEmbeddedLock(config.dataDir, {
    role: 'serveur',
    onCompromised: (err) => {
      logger.fatal({ err }, 'verrou de la base embarquée perdu : un autre processus l’a repris');
      throw err;
    },
  });
  const db = options.db ?? createDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    schema: config.databaseSchema,
    poolMax: config.databasePoolMax,
    log: knexLogTo(logger),
  });
  let demoKeys: DemoKeys | undefined;
  try {
    if (!options.skipMigrations) {
      const applied = await migrateLatest(db, config.databaseSchema);
      if (applied.length) logger.info({ migrations: applied }, 'migrations appliquées');
      if (demoKeysAtStart(config, wasEmpty(applied))) {
        demoKeys = await createDemoKeys(db);
        logger.info('premier démarrage : clés de démonstration créées (DEMO=false pour s’en passer)');
      }
    }
    // Sandbox mode never meets production data, and a sandbox database is never served as a real one.
    // Without migrations (a caller that migrated, or a database out of reach that /ready reports),
    // only the refusal itself stops a normal start.
    await prepareSandbox(db, config).catch((err: unknown) => {
      if (err instanceof SandboxStartError || config.sandbox || !options.skipMigrations) throw err;
    });
  } catch (err) {
    if (!options.db) await db.destroy().catch(() => {});
    await lock?.release();
    throw err;
  }
  if (config.sandbox) logger.warn({ sandbox: true, delaiSecondes: config.sandboxDelaySeconds }, 'mode sandbox : un simulateur joue l’OPCO, données fictives uniquement');
  const metrics = createMetrics();
  const lifecycle: Lifecycle = { startedAt: Date.now(), shuttingDown: false };
  const closers: Array<() => Promise<void>> = [];
  const app = createApp({ config, db, logger, metrics, lifecycle, closers });
  const jobs = startJobs({ config, db, logger, metrics });
  const webhooks = config.jobsEnabled ? startWebhookWorker({ config, db, logger, metrics }) : undefined;
  return {
    config, db, logger, metrics, lifecycle, app, jobs, demoKeys,
    async close() {
      lifecycle.shuttingDown = true;
      await jobs.stop();
      await webhooks?.stop();
      await Promise.all(closers.map((close) => close()));
      try {
        if (!options.db) await db.destroy();
      } finally {
        await lock?.release();
      }
    },
  };
}
