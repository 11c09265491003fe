/**
 * The embedded database (PGlite in DATA_DIR) is single-process: a second process that opens the
 * same folder works on its own copy in memory and its writes are lost. So whoever opens it — the
 * server or a CLI command — first takes an exclusive lock on DATA_DIR (proper-lockfile: a
 * `.gateway.lock` directory whose mtime the holder refreshes every 5 s) and records who it is in
 * `.gateway-lock.json`, so that the one refused can say who holds it. A lock left by a process
 * killed with kill -9 goes stale after 10 s and is then taken over. PostgreSQL (DATABASE_URL) and
 * ':memory:' never lock.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';

export type LockRole = 'serveur' | 'cli';

/** A lock not refreshed for this long belongs to a dead process and is taken over. */
export const LOCK_STALE_MS = 10_000;
const LOCK_UPDATE_MS = 5_000;

export interface LockHolder {
  pid: number;
  host: string;
  role: LockRole;
  since: string;
}

export interface EmbeddedLock {
  release(): Promise<void>;
}

export interface AcquireOptions {
  role: LockRole;
  /** What the refused CLI can do instead while a server holds the database (e.g. the route to call). */
  serverAlternative?: string;
  /** Called if another process took the lock over while we held it (should never happen). */
  onCompromised?: (err: Error) => void;
}

export class EmbeddedDatabaseLockedError extends Error {
  constructor(readonly dataDir: string, readonly holder: LockHolder | undefined, message: string) {
    super(message);
    this.name = 'EmbeddedDatabaseLockedError';
  }
}

const NO_LOCK: EmbeddedLock = { release: async () => {} };

function lockPaths(dataDir: string) {
  const dir = path.resolve(dataDir);
  return { dir, lockfilePath: path.join(dir, '.gateway.lock'), ownerFile: path.join(dir, '.gateway-lock.json') };
}

function readHolder(ownerFile: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(ownerFile, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid === 'number' && (parsed.role === 'serveur' || parsed.role === 'cli')) {
      return { pid: parsed.pid, host: String(parsed.host ?? ''), role: parsed.role, since: String(parsed.since ?? '') };
    }
  } catch { /* absent or being written: holder unknown */ }
  return undefined;
}

/** True when the holder ran on this machine and its process no longer exists (killed with -9). */
function holderIsGone(holder: LockHolder | undefined): boolean {
  if (!holder || holder.host !== os.hostname() || holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function lockedMessage(dataDir: string, holder: LockHolder | undefined, options: AcquireOptions): string {
  const where = `La base embarquée (${dataDir})`;
  const expiry = `un verrou laissé par un processus tué expire seul en ${LOCK_STALE_MS / 1000} s`;
  if (!holder) return `${where} est verrouillée par un autre processus : arrêtez le serveur ou la commande qui l'utilise ; ${expiry}, réessayez ensuite.`;
  if (holderIsGone(holder)) return `${where} est encore verrouillée par un processus arrêté brutalement (pid ${holder.pid}) : ${expiry}, réessayez ensuite.`;
  if (holder.role === 'cli') return `${where} est utilisée par une commande en cours (pid ${holder.pid}) : attendez qu'elle se termine, puis réessayez.`;
  const who = `${where} est utilisée par un serveur en marche (pid ${holder.pid})`;
  if (options.role === 'serveur') return `${who} : arrêtez-le avant d'en démarrer un autre, ou partagez une base PostgreSQL (DATABASE_URL) entre plusieurs instances.`;
  return `${who} : arrêtez-le${options.serverAlternative ? `, ou ${options.serverAlternative}` : ' avant de relancer la commande'}.`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Takes the exclusive lock on DATA_DIR, or throws EmbeddedDatabaseLockedError naming the holder.
 * When the holder is known to be dead (same machine, pid gone), waits for its lock to go stale
 * rather than failing, so that a restart right after a crash succeeds.
 */
export async function acquireEmbeddedLock(dataDir: string, options: AcquireOptions): Promise<EmbeddedLock> {
  if (dataDir === ':memory:') return NO_LOCK;
  const { dir, lockfilePath, ownerFile } = lockPaths(dataDir);
  fs.mkdirSync(dir, { recursive: true });
  const lockOptions = {
    lockfilePath,
    realpath: false,
    stale: LOCK_STALE_MS,
    update: LOCK_UPDATE_MS,
    onCompromised: options.onCompromised ?? ((err: Error) => { throw err; }),
  };
  const deadline = Date.now() + LOCK_STALE_MS + 3_000;
  let unlock: () => Promise<void>;
  for (;;) {
    try {
      unlock = await lockfile.lock(dir, lockOptions);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
      const holder = readHolder(ownerFile);
      if (holderIsGone(holder) && Date.now() < deadline) {
        await sleep(1_000);
        continue;
      }
      throw new EmbeddedDatabaseLockedError(dataDir, holder, lockedMessage(dataDir, holder, options));
    }
  }
  const holder: LockHolder = { pid: process.pid, host: os.hostname(), role: options.role, since: new Date().toISOString() };
  fs.writeFileSync(ownerFile, `${JSON.stringify(holder)}\n`);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      // The owner file first: once the lock is gone, the next holder may already be writing its own.
      fs.rmSync(ownerFile, { force: true });
      await unlock().catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ERELEASED') throw err;
      });
    },
  };
}

/** Who holds the embedded database now, if anyone (a stale lock counts as free). */
export async function checkEmbeddedLock(dataDir: string): Promise<LockHolder | 'inconnu' | null> {
  if (dataDir === ':memory:') return null;
  const { dir, lockfilePath, ownerFile } = lockPaths(dataDir);
  if (!fs.existsSync(dir)) return null;
  const locked = await lockfile.check(dir, { lockfilePath, realpath: false, stale: LOCK_STALE_MS });
  return locked ? (readHolder(ownerFile) ?? 'inconnu') : null;
}
