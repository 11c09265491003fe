/**
 * Command-line administration, on the same DATA_DIR / DATABASE_URL as the server:
 *   keys create --role cfa --siren <9 digits> [--uai <UAI>] [--label <text>] [--expires YYYY-MM-DD]
 *   keys create --role entreprise --siren <9 digits> --courriel <e-mail> [--label <text>] [--expires YYYY-MM-DD]
 *   keys create --role opco [--label <text>]
 *   keys list | keys revoke <id>
 *   clients create --editeur <name>
 *   adherents import <file.csv>
 *   demo [--dossiers N] [--graine N]   (not in production)
 *   migrate
 * The embedded database (PGlite) is single-process: a command locks DATA_DIR while it runs and is
 * refused (EmbeddedDatabaseLockedError, one line, exit 1) while a server holds it; on a running
 * server use the back office (POST /back-office/v1/cles) instead.
 */
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { loadConfig } from '../config/config.js';
import { createDatabase } from '../db/connection.js';
import { acquireEmbeddedLock } from '../db/embedded-lock.js';
import { migrateLatest } from '../db/migrate.js';
import { createKey, listKeys, revokeKey } from '../db/keys.js';
import { createClient } from '../db/clients.js';
import { isIsoDate } from '../domain/dates.js';
import { isEmail } from '../domain/formats.js';
import { adherentsCommand } from './adherents.js';
import { DEMO_REFUSED_IN_PRODUCTION, demoCommand } from './demo.js';
import { UsageError, type CliCommand } from './commands.js';

export { UsageError };
import { jobsCommand } from './jobs.js';
import { npecCommand } from './npec.js';

const extraCommands: CliCommand[] = [npecCommand, adherentsCommand, jobsCommand, demoCommand];


const USAGE = `usage :
  convergence-gateway keys create --role cfa --siren <9 chiffres> [--uai <UAI>] [--label <texte>] [--expires AAAA-MM-JJ]
  convergence-gateway keys create --role entreprise --siren <9 chiffres> --courriel <adresse> [--label <texte>] [--expires AAAA-MM-JJ]
  convergence-gateway keys create --role opco [--label <texte>]
  convergence-gateway keys list
  convergence-gateway keys revoke <id>
  convergence-gateway clients create --editeur <nom>
  convergence-gateway migrate
${extraCommands.map((c) => `  convergence-gateway ${c.usage}`).join('\n')}`;

type Out = (line: string) => void;

/** `keys create | list | revoke`, on an open database (exported for tests). */
export async function keysCommand(db: Knex, args: string[], out: Out): Promise<void> {
  const [action, ...rest] = args;
  if (action === 'create') {
    const { values } = parseArgs({
      args: rest,
      options: {
        role: { type: 'string' }, siren: { type: 'string' }, uai: { type: 'string' }, courriel: { type: 'string' },
        label: { type: 'string' }, expires: { type: 'string' },
      },
      strict: true,
    });
    const role = values.role;
    if (role !== 'cfa' && role !== 'opco' && role !== 'entreprise') throw new UsageError('--role doit valoir cfa, entreprise ou opco');
    if (role === 'cfa' && !/^\d{9}$/.test(values.siren ?? '')) throw new UsageError('--siren (9 chiffres) est obligatoire pour une clé CFA');
    if (role === 'entreprise' && !/^\d{9}$/.test(values.siren ?? '')) throw new UsageError("--siren (9 chiffres, SIREN de l'entreprise) est obligatoire pour une clé entreprise");
    if (role === 'entreprise' && !isEmail(values.courriel?.trim() ?? '')) throw new UsageError("--courriel (adresse électronique valide de l'utilisateur) est obligatoire pour une clé entreprise");
    if (role !== 'entreprise' && values.courriel !== undefined) throw new UsageError('--courriel est réservé aux clés entreprise');
    if (role !== 'cfa' && values.uai !== undefined) throw new UsageError('--uai est réservé aux clés CFA');
    if (values.uai !== undefined && !/^\d{7}[A-Za-z]$/.test(values.uai)) throw new UsageError('--uai doit contenir 7 chiffres et une lettre');
    if (values.expires !== undefined && !isIsoDate(values.expires)) throw new UsageError('--expires doit être une date AAAA-MM-JJ');
    const { key, row } = await createKey(db, {
      role, siren: values.siren, uai: values.uai, courriel: values.courriel?.trim(), libelle: values.label, dateFinValidite: values.expires,
    });
    out(`clé ${row.role} créée : id=${row.id}${row.siren ? ` siren=${row.siren}` : ''}${row.date_fin_validite ? ` fin de validité=${row.date_fin_validite}` : ''}`);
    out('conservez-la maintenant, elle ne sera plus jamais affichée :');
    out(key);
    return;
  }
  if (action === 'list') {
    for (const k of await listKeys(db)) {
      const state = k.revoquee_le ? 'révoquée' : 'active';
      out([k.id, k.role, k.siren ?? '-', k.uai ?? '-', k.courriel ?? '-', k.prefixe + '…', k.date_fin_validite ?? '-', state, k.libelle ?? ''].join('\t'));
    }
    return;
  }
  if (action === 'revoke') {
    const id = rest[0];
    if (!id) throw new UsageError('keys revoke <id>');
    if (!(await revokeKey(db, id))) throw new UsageError(`aucune clé active d'id ${id}`);
    out(`clé ${id} révoquée`);
    return;
  }
  throw new UsageError(USAGE);
}

async function clients(db: Knex, args: string[], out: Out): Promise<void> {
  const [action, ...rest] = args;
  if (action !== 'create') throw new UsageError(USAGE);
  const { values } = parseArgs({ args: rest, options: { editeur: { type: 'string' } }, strict: true });
  if (!values.editeur) throw new UsageError('--editeur est obligatoire');
  const { clientId, clientSecret } = await createClient(db, values.editeur);
  out(`client_id=${clientId}`);
  out(`client_secret=${clientSecret}`);
}

export async function runCli(argv: string[], out: Out = (l) => process.stdout.write(`${l}\n`)): Promise<void> {
  const [command, ...args] = argv;
  if (!command || command === 'help' || command === '--help') {
    out(USAGE);
    return;
  }
  const config = loadConfig();
  // Before the database is even opened (no migration either): the demo data set never goes into production.
  if (command === 'demo' && config.production) throw new UsageError(DEMO_REFUSED_IN_PRODUCTION);
  // Throws EmbeddedDatabaseLockedError (nothing written) while a server or another command holds DATA_DIR.
  const lock = config.databaseUrl ? undefined : await acquireEmbeddedLock(config.dataDir, {
    role: 'cli',
    serverAlternative: serverAlternative(command, args),
  });
  const db = createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, schema: config.databaseSchema, poolMax: 2 });
  try {
    const applied = await migrateLatest(db, config.databaseSchema);
    if (command === 'migrate') {
      out(applied.length ? `migrations appliquées : ${applied.join(', ')}` : 'base déjà à jour');
      return;
    }
    if (command === 'keys') return await keysCommand(db, args, out);
    if (command === 'clients') return await clients(db, args, out);
    const extra = extraCommands.find((c) => c.name === command);
    if (extra) return await extra.run(db, args, out);
    throw new UsageError(USAGE);
  } finally {
    try {
      await db.destroy();
    } finally {
      await lock?.release();
    }
  }
}

/** What to do on the running server instead of this command, when there is a route for it (CFA and employer keys, vendors' clients, the register of members). */
function serverAlternative(command: string, args: string[]): string | undefined {
  if (command === 'adherents' && args[0] === 'import') return 'importez le fichier sur le serveur avec POST /back-office/v1/adherents';
  if (command === 'clients' && args[0] === 'create') return 'créez le client sur le serveur avec POST /back-office/v1/clients';
  if (command !== 'keys') return undefined;
  if (args[0] === 'create' && !args.some((a) => a === 'opco' || a === '--role=opco')) return 'créez la clé sur le serveur avec POST /back-office/v1/cles';
  if (args[0] === 'list') return 'listez les clés sur le serveur avec GET /back-office/v1/cles';
  if (args[0] === 'revoke') return 'révoquez la clé sur le serveur avec DELETE /back-office/v1/cles/{id}';
  return undefined;
}
