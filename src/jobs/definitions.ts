/** What runs on a schedule. Each job is idempotent: running it late or twice does no harm. */
import type { Knex } from 'knex';
import type { Config } from '../config/config.js';
import { purgeExpiredTokens } from '../db/clients.js';
import { markDossiersEchus } from '../db/echus.js';
import { abandonIdleFacturations } from '../db/facturations.js';
import { assignRanks, type FeedTable } from '../db/feed.js';
import { purgeEventsBefore } from '../db/webhooks.js';
import { parisDate } from '../domain/dates.js';
import { JOURS_AVANT_ABANDON_FACTURATION } from '../domain/invoicing/index.js';
import { EVENT_RETENTION_DAYS } from '../domain/webhooks.js';

export interface JobDefinition {
  name: string;
  /** node-cron expression, Europe/Paris time. */
  schedule: string;
  /** `now` is the run's clock: the scheduler passes none (the current time), or the sandbox clock's for a `clocked` job; tests pass a date. */
  run(db: Knex, config: Config, now?: Date): Promise<Record<string, number>>;
  /** Depends on today: in sandbox mode it runs at the sandbox clock's time, and again when the clock moves. */
  clocked?: boolean;
}

export const jobDefinitions: JobDefinition[] = [
  {
    name: 'purge-idempotence',
    schedule: '7 * * * *',
    async run(db, config) {
      const cutoff = new Date(Date.now() - config.idempotencyTtlHours * 3_600_000);
      // `returning` counts on both drivers (PGlite reports no affected-row count for a bare delete).
      const deleted = await db('idempotence').where('creee_le', '<', cutoff).delete().returning('cle');
      return { supprimees: deleted.length };
    },
  },
  {
    // Readers hand out ranks too; doing it every minute keeps a read from meeting a large backlog.
    name: 'attribuer-rangs',
    schedule: '* * * * *',
    async run(db) {
      let cfas = 0;
      for (const table of ['dossiers', 'factures'] as FeedTable[]) {
        const sirens = (await db(table).whereNull('rang_cfa').distinct('cfa_siren')) as Array<{ cfa_siren: string }>;
        // One CFA's failure (e.g. a lock timeout) must not keep the others waiting for the next run.
        for (const { cfa_siren } of sirens) await assignRanks(db, table, cfa_siren).catch(() => undefined);
        cfas += sirens.length;
      }
      return { cfas };
    },
  },
  {
    name: 'purge-jetons',
    schedule: '17 * * * *',
    async run(db) {
      return { supprimes: await purgeExpiredTokens(db) };
    },
  },
  {
    name: 'purge-executions',
    schedule: '27 3 * * *',
    async run(db) {
      const cutoff = new Date(Date.now() - 30 * 86_400_000);
      return { supprimees: (await db('executions_taches').where('debut', '<', cutoff).delete().returning('tache')).length };
    },
  },
  {
    // Signed webhooks: events and their delivery log are kept EVENT_RETENTION_DAYS (pending ones until sent or given up).
    name: 'purge-webhooks',
    schedule: '37 3 * * *',
    async run(db, _config, now = new Date()) {
      return { supprimes: await purgeEventsBefore(db, new Date(now.getTime() - EVENT_RETENTION_DAYS * 86_400_000)) };
    },
  },
  {
    // Dossiers échus à traiter (docs/decisions/pilotage-echus.md): early, before the CFAs' day starts.
    name: 'dossiers-echus',
    schedule: '30 5 * * *',
    clocked: true,
    async run(db, _config, now = new Date()) {
      return markDossiersEchus(db, parisDate(now));
    },
  },
  {
    // Facturations (drafts) idle for JOURS_AVANT_ABANDON_FACTURATION days give their échéances back.
    // Not clocked: drafts are stamped by the database's real clock, so a sandbox clock moved forward
    // must not make a draft saved a minute ago look idle.
    name: 'abandon-facturations',
    schedule: '47 3 * * *',
    async run(db, _config, now = new Date()) {
      return { abandonnees: await abandonIdleFacturations(db, new Date(now.getTime() - JOURS_AVANT_ABANDON_FACTURATION * 86_400_000)) };
    },
  },
];
