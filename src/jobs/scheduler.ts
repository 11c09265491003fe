/**
 * Scheduled jobs. node-cron fires on every instance; a job runs only in the instance that claims
 * the (job, scheduled minute) row in `executions_taches` — the primary key makes the claim atomic
 * across instances sharing one PostgreSQL, so a job never runs twice for the same tick.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Metrics } from '../observability/metrics.js';
import { jobDefinitions, type JobDefinition } from './definitions.js';

export interface Jobs {
  stop(): Promise<void>;
  /** Runs a job now through the same claim (tests, CLI). Returns false when another instance had it. */
  runNow(name: string, scheduledFor?: Date): Promise<boolean>;
}

export interface JobDeps {
  config: Config;
  db: Knex;
  logger: Logger;
  metrics: Metrics;
}

const INSTANCE = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

function minuteOf(date: Date): Date {
  const d = new Date(date);
  d.setUTCSeconds(0, 0);
  return d;
}

export async function claimRun(db: Knex, job: string, scheduledFor: Date): Promise<boolean> {
  const rows = await db('executions_taches')
    .insert({ tache: job, prevue_le: minuteOf(scheduledFor), instance: INSTANCE })
    .onConflict(['tache', 'prevue_le'])
    .ignore()
    .returning('tache');
  return rows.length === 1;
}

async function runJob(deps: JobDeps, job: JobDefinition, scheduledFor: Date): Promise<boolean> {
  const { db, logger, metrics } = deps;
  if (!(await claimRun(db, job.name, scheduledFor))) {
    metrics.jobRuns.inc({ job: job.name, outcome: 'skipped' });
    return false;
  }
  let outcome = 'success';
  try {
    const summary = await job.run(db, deps.config);
    logger.info({ job: job.name, ...summary }, 'tâche planifiée exécutée');
  } catch (err) {
    outcome = 'failure';
    // As in the HTTP error handler: the error's shape only, never a driver message quoting values.
    const e = err as { name?: string; code?: string; constraint?: string };
    logger.error({ job: job.name, erreur: { type: e?.name, code: e?.code, contrainte: e?.constraint } }, 'échec de la tâche planifiée');
  }
  metrics.jobRuns.inc({ job: job.name, outcome });
  await db('executions_taches')
    .where({ tache: job.name, prevue_le: minuteOf(scheduledFor) })
    .update({ fin: db.fn.now(), resultat: outcome });
  return true;
}

export function startJobs(deps: JobDeps): Jobs {
  const tasks: ScheduledTask[] = [];
  if (deps.config.jobsEnabled) {
    for (const job of jobDefinitions) {
      tasks.push(cron.schedule(job.schedule, (ctx) => runJob(deps, job, ctx.date), {
        name: job.name,
        timezone: 'Europe/Paris',
        noOverlap: true,
      }));
    }
  }
  return {
    async stop() {
      await Promise.all(tasks.map(async (t) => { await t.stop(); await t.destroy(); }));
    },
    async runNow(name, scheduledFor = new Date()) {
      const job = jobDefinitions.find((j) => j.name === name);
      if (!job) throw new Error(`unknown job ${name}`);
      return runJob(deps, job, scheduledFor);
    },
  };
}
