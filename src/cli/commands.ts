/** Commands added by later features (e.g. `npec import`), listed once for the CLI and its usage. */
import type { Knex } from 'knex';

/** A wrong command line: its message alone is printed, and the CLI exits with status 2. */
export class UsageError extends Error {}

export interface CliCommand {
  name: string;
  usage: string;
  run(db: Knex, args: string[], out: (line: string) => void): Promise<void>;
}


