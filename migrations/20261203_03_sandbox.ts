import type { Knex } from 'knex';

/**
 * Sandbox mode (docs/decisions/integration-sandbox.md). `sandbox` holds one row once the database
 * has been started in sandbox mode: the mark that refuses a normal start on it, and the sandbox
 * clock's offset shared by every instance. `sandbox_scenarios` keeps the scenario a vendor asked for
 * (`X-Sandbox-Scenario`) on a dossier or an invoice, and how far the simulated OPCO went with it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sandbox', (t) => {
    t.smallint('id').primary().defaultTo(1);
    t.integer('decalage_jours').notNullable().defaultTo(0);
    t.timestamp('marquee_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('id = 1', [], 'sandbox_une_ligne');
  });
  await knex.schema.createTable('sandbox_scenarios', (t) => {
    t.string('objet', 10).notNullable();
    t.bigInteger('objet_id').notNullable();
    t.string('scenario', 30).notNullable();
    /** The simulator's own progress where the state alone does not tell (a conformity request asked). */
    t.string('etape', 40);
    t.timestamp('cree_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['objet', 'objet_id']);
    t.check(`objet in ('DOSSIER', 'FACTURE')`, [], 'sandbox_scenarios_objet');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sandbox_scenarios');
  await knex.schema.dropTable('sandbox');
}
