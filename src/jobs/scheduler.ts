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
import { sandboxNow } from '../services/sandbox.js';
import { jobDefinitions, type JobDefinition } from './definitions.js';
import { startSandboxSimulator } from './sandbox-simulator.js';

export interface Jobs {
  stop(): Promise<void>;
  /** Runs a job now through the same claim (tests, CLI). Returns false when another instance had it. */
  runNow(name: string, scheduledFor?: Date): Promise<boolean>;
}

/** What an on-demand run did. */
export interface JobReport {
  tache: string;
  resultat: 'success' | 'failure';
  resume: Record<string, number>;
  debut: Date;
  fin: Date;
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

/** Runs a claimed job and records its end; failures are logged by shape only. */
async function execute(deps: JobDeps, job: JobDefinition, claimedAs: Date): Promise<JobReport> {
  const { db, logger, metrics } = deps;
  const debut = new Date();
  let resultat: JobReport['resultat'] = 'success';
  let resume: Record<string, number> = {};
  try {
    // On a sandbox database (whoever runs the job, the CLI included), at the sandbox clock's time.
    resume = await job.run(db, deps.config, job.clocked ? await sandboxNow(db) : undefined);
    logger.info({ job: job.name, ...resume }, 'tâche exécutée');
  } catch (err) {
    resultat = 'failure';
    // As in the HTTP error handler: the error's shape only, never a driver message quoting values.
    const e = err as { name?: string; code?: string; constraint?: string };
    logger.error({ job: job.name, erreur: { type: e?.name, code: e?.code, contrainte: e?.constraint } }, 'échec de la tâche');
  }
  metrics.jobRuns.inc({ job: job.name, outcome: resultat });
  await db('executions_taches').where({ tache: job.name, prevue_le: claimedAs }).update({ fin: db.fn.now(), resultat });
  return { tache: job.name, resultat, resume, debut, fin: new Date() };
}

async function runJob(deps: JobDeps, job: JobDefinition, scheduledFor: Date): Promise<boolean> {
  if (!(await claimRun(deps.db, job.name, scheduledFor))) {
    deps.metrics.jobRuns.inc({ job: job.name, outcome: 'skipped' });
    return false;
  }
  await execute(deps, job, minuteOf(scheduledFor));
  return true;
}

/**
 * Runs a job now, for an operator (`POST /back-office/v1/jobs/{name}`, `jobs run <name>`): claimed
 * at the exact instant, not the minute, so it never steals a scheduled tick. Jobs are idempotent,
 * so two operators asking at once do no harm. Undefined for an unknown job.
 */
export async function runJobOnDemand(deps: JobDeps, name: string): Promise<JobReport | undefined> {
  const job = jobDefinitions.find((j) => j.name === name);
  if (!job) return undefined;
  // Two runs asked in the same millisecond (two operators, a test's frozen clock) each get their own instant.
  for (let now = new Date(); ; now = new Date(now.getTime() + 1)) {
    const claimed = await deps.db('executions_taches').insert({ tache: job.name, prevue_le: now, instance: INSTANCE })
      .onConflict(['tache', 'prevue_le']).ignore().returning('tache');
    if (claimed.length === 1) return execute(deps, job, now);
  }
}

/** The jobs that depend on today, run now (claimed like an on-demand run): in sandbox mode, at the sandbox clock's time. */
export async function runClockedJobs(deps: JobDeps): Promise<JobReport[]> {
  const reports: JobReport[] = [];
  for (const job of jobDefinitions.filter((j) => j.clocked)) {
    const report = await runJobOnDemand(deps, job.name);
    if (report) reports.push(report);
  }
  return reports;
}

export interface JobState {
  tache: string;
  planification: string;
  derniereExecution: { debut: Date; fin: Date | null; resultat: string | null; instance: string } | null;
}

/** Every job with its schedule and last run (scheduled or on demand). */
export async function jobStates(db: Knex): Promise<JobState[]> {
  const rows = (await db('executions_taches')
    .distinctOn('tache')
    .orderBy([{ column: 'tache' }, { column: 'debut', order: 'desc' }])
    .select('tache', 'debut', 'fin', 'resultat', 'instance')) as Array<{ tache: string; debut: Date; fin: Date | null; resultat: string | null; instance: string }>;
  const last = new Map(rows.map((r) => [r.tache, r]));
  return jobDefinitions.map((j) => {
    const r = last.get(j.name);
    return { tache: j.name, planification: j.schedule, derniereExecution: r ? { debut: r.debut, fin: r.fin, resultat: r.resultat, instance: r.instance } : null };
  });
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
  const simulator = deps.config.sandbox && deps.config.jobsEnabled ? startSandboxSimulator(deps) : undefined;
  return {
    async stop() {
      await simulator?.stop();
      await Promise.all(tasks.map(async (t) => { await t.stop(); await t.destroy(); }));
    },
    async runNow(name, scheduledFor = new Date()) {
      const job = jobDefinitions.find((j) => j.name === name);
      if (!job) throw new Error(`unknown job ${name}`);
      return runJob(deps, job, scheduledFor);
    },
  };
}
