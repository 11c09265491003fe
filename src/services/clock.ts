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

export interface SandboxClock {
  maintenant: Date;
  aujourdHui: string;
  decalageJours: number;
}

export async function clockOf(db: Knex, now: Date = new Date()): Promise<SandboxClock> {
  const decalageJours = (await findSandbox(db))?.decalage_jours ?? 0;
  const maintenant = new Date(now.getTime() + decalageJours * MS_PER_DAY);
  return { maintenant, aujourdHui: parisDate(maintenant), decalageJours };
}

/** The sandbox instant at the real instant `now`: `now` moved forward by the clock's offset (none outside a sandbox). */
export async function sandboxNow(db: Knex, now: Date = new Date()): Promise<Date> {
  return (await clockOf(db, now)).maintenant;
}

/** Today's Paris date on the gateway's clock. */
export async function gatewayToday(db: Knex, now: Date = new Date()): Promise<IsoDate> {
  return (await clockOf(db, now)).aujourdHui;
}
