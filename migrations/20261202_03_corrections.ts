import type { Knex } from 'knex';

/**
 * Corrections of a dossier by its CFA (answer to a mise en conformité): each CERFA a correction
 * replaced is kept, with when and by whom, so that the OPCO can read what the dossier said before.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('dossiers_versions', (t) => {
    t.bigIncrements('id');
    t.bigInteger('dossier_id').notNullable().references('id').inTable('dossiers').onDelete('CASCADE');
    t.jsonb('cerfa').notNullable(); // the CERFA as it was before the correction
    t.timestamp('remplace_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('acteur', 120).notNullable();
    t.index(['dossier_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('dossiers_versions');
}
