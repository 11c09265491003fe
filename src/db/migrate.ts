/**
 * Runs the knex migrations of `migrations/`. The list is imported statically (migrations/index.ts)
 * so that it works the same under tsx, vitest and the compiled build.
 */
import type { Knex } from 'knex';
import { migrations } from '../../migrations/index.js';

const source: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const migration = migrations[name];
    if (!migration) throw new Error(`unknown migration ${name}`);
    return migration;
  },
};

/** True when `applied` (what migrateLatest just ran) starts from the very first migration: the database was empty. */
export function wasEmpty(applied: readonly string[]): boolean {
  const first = Object.keys(migrations).sort()[0];
  return first !== undefined && applied.includes(first);
}

export async function migrateLatest(db: Knex, schema: string): Promise<string[]> {
  if (schema !== 'public') await db.raw('create schema if not exists ??', [schema]);
  const [, applied] = (await db.migrate.latest({ migrationSource: source, schemaName: schema === 'public' ? undefined : schema })) as [number, string[]];
  return applied;
}
