/** What runs on a schedule. Each job is idempotent: running it late or twice does no harm. */
import type { Knex } from 'knex';
import type { Config } from '../config/config.js';
import { purgeExpiredTokens } from '../db/clients.js';

export interface JobDefinition {
  name: string;
  /** node-cron expression, Europe/Paris time. */
  schedule: string;
  run(db: Knex, config: Config): Promise<Record<string, number>>;
}

export const jobDefinitions: JobDefinition[] = [
  {
    name: 'purge-idempotence',
    schedule: '7 * * * *',
    async run(db, config) {
      const cutoff = new Date(Date.now() - config.idempotencyTtlHours * 3_600_000);
      const deleted = await db('idempotence').where('creee_le', '<', cutoff).delete();
      return { supprimees: deleted };
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
      return { supprimees: await db('executions_taches').where('debut', '<', cutoff).delete() };
    },
  },
];
