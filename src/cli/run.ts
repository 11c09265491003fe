/** Executable entry of the CLI (`npm run cli -- …`, package bin). */
import { ConfigError } from '../config/config.js';
import { EmbeddedDatabaseLockedError } from '../db/embedded-lock.js';
import { runCli, UsageError } from './main.js';

runCli(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof EmbeddedDatabaseLockedError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  const known = err instanceof UsageError || err instanceof ConfigError;
  process.stderr.write(`${known ? (err as Error).message : `erreur : ${err instanceof Error ? err.message : String(err)}`}\n`);
  process.exit(known ? 2 : 1);
});
