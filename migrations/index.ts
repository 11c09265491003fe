/** Every migration, by name; names sort in the order they run. */
import type { Knex } from 'knex';
import * as plateforme from './20261127_01_plateforme.js';
import * as dossiers from './20261127_02_dossiers.js';
import * as financement from './20261127_03_financement.js';
import * as factures from './20261127_05_factures.js';
import * as corrections from './20261202_03_corrections.js';
import * as echus from './20261202_01_echus.js';
import * as facturations from './20261202_02_facturations.js';
import * as pilotageIndex from './20261202_05_pilotage_index.js';
import * as entreprise from './20261202_04_entreprise.js';
import * as echeancesAFacturer from './20261203_05_echeances_a_facturer.js';
import * as webhooks from './20261203_02_webhooks.js';
import * as sandbox from './20261203_03_sandbox.js';
import * as propositions from './20261203_01_propositions.js';

export const migrations: Record<string, Knex.Migration> = {
  '20261127_01_plateforme': plateforme,
  '20261127_02_dossiers': dossiers,
  '20261127_03_financement': financement,
  '20261127_05_factures': factures,
  '20261202_03_corrections': corrections,
  '20261202_01_echus': echus,
  '20261202_02_facturations': facturations,
  '20261202_05_pilotage_index': pilotageIndex,
  '20261202_04_entreprise': entreprise,
  '20261203_05_echeances_a_facturer': echeancesAFacturer,
  '20261203_02_webhooks': webhooks,
  '20261203_03_sandbox': sandbox,
  '20261203_01_propositions': propositions,
};
