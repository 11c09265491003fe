/**
 * The gateway's clock: the real time, or the sandbox's once its clock was moved forward
 * (`POST /sandbox/v1/horloge`). Whatever judges "today" (échus, deadlines) reads it here, so a
 * sandbox is judged on one calendar everywhere.
 */
import type { Knex } from 'knex';
import { findSandbox } from '../db/sandbox.js';
import { parisDate } from '../domain/dates.js';
import type { IsoDate } from '../domain/financing/index.js';

const MS_PER_DAY = 86_400_000;

export async function sandboxNow(db: Knex, now: Date = new Date()): Promise<Date> {
  const mark = await findSandbox(db);
  return mark && mark.decalage_jours ? new Date(now.getTime() + mark.decalage_jours * MS_PER_DAY) : now;
}

/** Today's Paris date on the gateway's clock. */
export async function gatewayToday(db: Knex, now: Date = new Date()): Promise<IsoDate> {
  return parisDate(await sandboxNow(db, now));
}
