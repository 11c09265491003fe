/**
 * `demo [--dossiers N] [--graine N]`: fills the database with the demo data set
 * (src/services/demo-data.ts), on any database but a production one (NODE_ENV=production refuses,
 * nothing written). `npm run demo` runs it; on the embedded database, with the server stopped.
 */
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { loadConfig, type Config } from '../config/config.js';
import { Refusal } from '../domain/refusal.js';
import { DEMO_DEFAULT_DOSSIERS, DEMO_MAX_DOSSIERS, fillDemo } from '../services/demo-data.js';
import { demoKeysBanner } from '../services/demo.js';
import { financingParameters } from '../services/parametres.js';
import type { CliCommand } from './commands.js';

const USAGE = `demo [--dossiers N] [--graine N]   (jeu de démonstration : ${DEMO_DEFAULT_DOSSIERS} dossiers par défaut, au plus ${DEMO_MAX_DOSSIERS} ; refusé en production)`;

export class DemoRefusedError extends Error {}

export const DEMO_REFUSED_IN_PRODUCTION = 'Jeu de démonstration refusé : NODE_ENV=production (il ne se charge que dans une base de développement, de test ou de bac à sable).';

/** Reads a positive integer option, or throws the usage. */
function count(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new DemoRefusedError(`--${name} doit être un entier positif ; usage : ${USAGE}`);
  return Number(value);
}

/** The command on an open database with an explicit configuration (exported for tests). */
export async function runDemo(db: Knex, args: string[], out: (line: string) => void, config: Config, now = new Date()): Promise<void> {
  if (config.production) throw new DemoRefusedError(DEMO_REFUSED_IN_PRODUCTION);
  const { values } = parseArgs({ args, options: { dossiers: { type: 'string' }, graine: { type: 'string' } }, strict: true });
  const dossiers = count(values.dossiers, DEMO_DEFAULT_DOSSIERS, 'dossiers');
  const graine = count(values.graine, 1, 'graine');
  try {
    const report = await fillDemo(db, { dossiers, seed: graine, now, parametres: financingParameters(config) });
    out(`jeu de démonstration chargé : ${dossiers} dossier(s), ${report.factures} facture(s), ${report.reglements} règlement(s), ${report.remboursements} remboursement(s), ${report.echus} dossier(s) échu(s), ${report.facturations} facturation(s) en cours`);
    out(`parcours : ${Object.entries(report.paths).map(([p, n]) => `${p} ${n}`).join(', ')}`);
    if (report.keys) for (const line of demoKeysBanner(report.keys, `http://localhost:${config.port}`, false)) out(line);
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    throw new DemoRefusedError(err.violations.map((v) => v.description).join(' '));
  }
}

export const demoCommand: CliCommand = {
  name: 'demo',
  usage: USAGE,
  run: (db, args, out) => runDemo(db, args, out, loadConfig()),
};
