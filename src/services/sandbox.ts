/**
 * Sandbox mode (docs/decisions/integration-sandbox.md): the start check that keeps it away from
 * production data, the bundled NPEC sample, the shared clock, the scenarios, and the simulator that
 * plays the OPCO through the back office's own use cases.
 *
 * Entry points for jobs, tests, the demo and the typed client's example:
 * - `runSandboxStep(db, config, now)`: one pass of the simulated OPCO at the real instant `now`
 *   (every dossier and invoice untouched for SANDBOX_DELAY_SECONDS of sandbox time moves one step);
 * - `advanceClock(db, jours, now)` / `clockOf(db, now)`: the sandbox clock;
 * - `sandboxNow(db, now)`: the sandbox instant matching the real instant `now`;
 * - `leaveToBackOffice(db, objet, id)`: the simulator never touches that dossier or invoice (a data
 *   set meant to stay in every state, a back-office user playing the OPCO by hand).
 */
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Config } from '../config/config.js';
import { engagementInputOf } from '../db/dossier-changes.js';
import { importNpecRows } from '../db/financing.js';
import {
  addDays as addClockDays, claimRow, dossiersATraiter, holdsBusinessRows, remboursementsATraiter, facturesATraiter, findSandbox, markSandbox, recordScenario, setEtape, setEtapeOnly,
  type DossierATraiter, type FactureATraiter, type SandboxObjet,
} from '../db/sandbox.js';
import { parisDate } from '../domain/dates.js';
import { parseNpecCsv } from '../domain/financing/index.js';
import { Refusal } from '../domain/refusal.js';
import {
  dateRuptureSimulee, ETAPE_CONFORMITE_DEMANDEE, ETAPE_ECHEC, ETAPE_MANUEL, isScenario, nextDossierAction, nextFactureAction, SCENARIO_PAR_DEFAUT, type Scenario,
} from '../domain/sandbox.js';
import { projectPath } from '../paths.js';
import type { Actor } from './actor.js';
import { changeDossierState, setConformityRequest } from './back-office-dossiers.js';
import { moveFacture, receiveRemboursement, recordReglement } from './back-office-factures.js';
import { financingParameters } from './parametres.js';
import { clockOf, sandboxNow, type SandboxClock } from './clock.js';

export { clockOf, sandboxNow, type SandboxClock };

/** The refusal to start, in one line (src/main.ts prints it and exits 1). */
export class SandboxStartError extends Error {
  override name = 'SandboxStartError';
}

/** The NPEC sample referential loaded on every sandbox start (upserted: a vendor's own import survives unless it has the same keys). */
export const SANDBOX_NPEC_CSV = 'sandbox/npec-referentiel.csv';

/**
 * The start check, before anything is served. With SANDBOX=true: a database already marked as a
 * sandbox is fine; an unmarked one is marked only if it holds no dossier and no invoice (any would
 * have been written outside sandbox mode: production-like data), then the NPEC sample is loaded.
 * Without it: a database marked as a sandbox is refused (its data is simulated).
 */
export async function prepareSandbox(db: Knex, config: Pick<Config, 'sandbox'>): Promise<void> {
  const mark = await findSandbox(db);
  if (!config.sandbox) {
    if (mark) throw new SandboxStartError('cette base est une base sandbox (marquée au premier démarrage avec SANDBOX=true) : démarrez avec SANDBOX=true, ou utilisez une autre base');
    return;
  }
  if (!mark) {
    if (await holdsBusinessRows(db)) {
      throw new SandboxStartError('SANDBOX=true refusé : la base contient des dossiers ou des factures écrits hors mode sandbox ; utilisez une base vide (DATABASE_URL, DATABASE_SCHEMA ou DATA_DIR)');
    }
    await markSandbox(db);
  }
  const { rows, errors } = parseNpecCsv(fs.readFileSync(projectPath(SANDBOX_NPEC_CSV), 'utf8'));
  if (errors.length) throw new SandboxStartError(`${SANDBOX_NPEC_CSV} illisible (ligne ${errors[0]?.ligne})`);
  await importNpecRows(db, rows);
}

/** Moves the shared clock forward by `jours` days. */
export async function advanceClock(db: Knex, jours: number, now: Date = new Date()): Promise<SandboxClock> {
  await addClockDays(db, jours);
  return clockOf(db, now);
}

/** Keeps the scenario asked on the creating request (the first one asked stays: a replay changes nothing). */
export async function recordSandboxScenario(db: Knex, objet: SandboxObjet, objetId: string, scenario: Scenario): Promise<void> {
  await recordScenario(db, objet, objetId, scenario);
}

/** The simulator will never act on this object again. */
export async function leaveToBackOffice(db: Knex, objet: SandboxObjet, objetId: string): Promise<void> {
  await setEtapeOnly(db, objet, objetId, ETAPE_MANUEL);
}

const scenarioOf = (raw: string | null): Scenario => (raw && isScenario(raw) ? raw : SCENARIO_PAR_DEFAUT);

function simulatedOpco(): Actor {
  return {
    author: { id_requete: `sandbox:${randomUUID()}`, cle_id: null, siren: null, client_id: null, editeur: null, logiciel: null, version: null },
    acteur: 'opco:sandbox',
    keyId: '',
  };
}

export interface SandboxStepReport {
  dossiers: number;
  factures: number;
  /** Refunds declared by the CFA, now received. */
  remboursements: number;
  /** Actions a use case refused (the object is left alone from then on, see ETAPE_ECHEC). */
  echecs: number;
}

type Outcome = 'fait' | 'rien' | 'echec';

/** Rows looked at per pass: the loop comes back a second later for the rest. */
const BATCH = 50;

async function stepDossier(db: Knex, config: Config, d: DossierATraiter, aujourdHui: string): Promise<Outcome> {
  const scenario = scenarioOf(d.scenario);
  const action = nextDossierAction({ etat: d.etat, scenario, etape: d.etape, miseEnConformite: d.mise_en_conformite });
  if (action.kind === 'attendre') return 'rien';
  return db.transaction(async (trx): Promise<Outcome> => {
    // Another instance has it, or it moved since the list was read: its turn will come again.
    if (!(await claimRow(trx, 'dossiers', d.id, d.etat))) return 'rien';
    const opco = simulatedOpco();
    const parametres = financingParameters(config);
    try {
      switch (action.kind) {
        case 'transition':
          await changeDossierState(trx, opco, d.numero_interne, { vers: action.vers }, parametres);
          break;
        case 'refus':
          await changeDossierState(trx, opco, d.numero_interne, { vers: 'REFUSE', commentaire: action.commentaire }, parametres);
          break;
        case 'mise-en-conformite':
          await setConformityRequest(trx, opco, d.numero_interne, action.commentaire);
          await setEtape(trx, 'DOSSIER', d.id, scenario, ETAPE_CONFORMITE_DEMANDEE);
          break;
        case 'rupture': {
          const input = await engagementInputOf(trx, d.id);
          const dateRupture = input ? dateRuptureSimulee(aujourdHui, input.dateDebutContrat, input.dateFinContrat) : aujourdHui;
          await changeDossierState(trx, opco, d.numero_interne, { vers: 'RUPTURE', dateRupture, commentaire: 'Sandbox : rupture simulée (scénario rupture).' }, parametres);
          break;
        }
      }
      return 'fait';
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      // The engagement cannot be computed (e.g. no NPEC for this RNCP in the sample): the OPCO
      // would refuse the dossier, saying why.
      if (action.kind === 'transition' && action.vers === 'ENGAGE' && err.kind === 'unprocessable') {
        const why = err.violations.map((v) => v.description).join(' ');
        await changeDossierState(trx, opco, d.numero_interne, { vers: 'REFUSE', commentaire: `Sandbox : engagement impossible. ${why}`.slice(0, 2000) }, parametres);
        return 'fait';
      }
      await setEtape(trx, 'DOSSIER', d.id, scenario, ETAPE_ECHEC);
      return 'echec';
    }
  });
}

async function stepFacture(db: Knex, f: FactureATraiter, aujourdHui: string): Promise<Outcome> {
  const scenario = scenarioOf(f.scenario);
  const action = nextFactureAction({ etat: f.etat, scenario, montantTotalCents: f.montant_total_centimes });
  if (action.kind === 'attendre') return 'rien';
  return db.transaction(async (trx): Promise<Outcome> => {
    if (!(await claimRow(trx, 'factures', f.id, f.etat))) return 'rien';
    const opco = simulatedOpco();
    try {
      switch (action.kind) {
        case 'transition':
          await moveFacture(trx, opco, f.numero_interne, { vers: action.vers });
          break;
        case 'rejet':
          await moveFacture(trx, opco, f.numero_interne, { vers: 'REJETEE', commentaire: action.commentaire });
          break;
        case 'reglement':
          await recordReglement(trx, opco, {
            referenceVirement: `SANDBOX-${f.numero_interne}-${randomUUID().slice(0, 8)}`,
            dateReglement: aujourdHui,
            lignes: [{ numeroInterneFacture: f.numero_interne, montant: (action.montantCents / 100).toFixed(2) }],
          });
          break;
      }
      return 'fait';
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      await setEtape(trx, 'FACTURE', f.id, scenario, ETAPE_ECHEC);
      return 'echec';
    }
  });
}

/** A refund the CFA declared: the OPCO confirms it received the transfer or applied the avoir. */
async function receiveRefund(db: Knex, r: { id: string; numero_interne: string }): Promise<Outcome> {
  return db.transaction(async (trx): Promise<Outcome> => {
    if (!(await claimRow(trx, 'remboursements', r.id, 'DECLARE'))) return 'rien';
    try {
      await receiveRemboursement(trx, simulatedOpco(), r.numero_interne, 'Sandbox : réception simulée.');
      return 'fait';
    } catch (err) {
      // Received meanwhile by a back-office user: nothing to do.
      if (err instanceof Refusal) return 'rien';
      throw err;
    }
  });
}

/**
 * One pass of the simulated OPCO at the real instant `now` (sandbox time = `now` + the clock's
 * offset): each dossier and invoice left untouched for SANDBOX_DELAY_SECONDS (on the clock that
 * stamped it: moving the sandbox clock does not skip the delay) moves one step of its scenario, and refunds the CFA declared are received. Each object is claimed with SKIP LOCKED in its own
 * transaction, so instances running passes at once never act twice on one object. A no-op outside
 * a sandbox database.
 */
export async function runSandboxStep(db: Knex, config: Config, now: Date = new Date()): Promise<SandboxStepReport> {
  const report: SandboxStepReport = { dossiers: 0, factures: 0, remboursements: 0, echecs: 0 };
  if (!(await findSandbox(db))) return report;
  const maintenant = await sandboxNow(db, now);
  const aujourdHui = parisDate(maintenant);
  const delai = config.sandboxDelaySeconds * 1000;
  const attente = { avantReel: new Date(now.getTime() - delai), maintenantReel: now, avantSandbox: new Date(maintenant.getTime() - delai) };
  const count = (o: Outcome, key: 'dossiers' | 'factures' | 'remboursements'): void => {
    if (o === 'fait') report[key] += 1;
    if (o === 'echec') report.echecs += 1;
  };
  for (const d of await dossiersATraiter(db, attente, BATCH)) count(await stepDossier(db, config, d, aujourdHui), 'dossiers');
  for (const f of await facturesATraiter(db, attente, BATCH)) count(await stepFacture(db, f, aujourdHui), 'factures');
  for (const r of await remboursementsATraiter(db, attente, BATCH)) count(await receiveRefund(db, r), 'remboursements');
  return report;
}
