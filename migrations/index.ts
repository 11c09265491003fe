/** Every migration, by name; names sort in the order they run. */
import type { Knex } from 'knex';
import * as plateforme from './20261127_01_plateforme.js';
import * as dossiers from './20261127_02_dossiers.js';

export const migrations: Record<string, Knex.Migration> = {
  '20261127_01_plateforme': plateforme,
  '20261127_02_dossiers': dossiers,
};
