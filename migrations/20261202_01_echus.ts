import type { Knex } from 'knex';

/**
 * Dossiers échus à traiter and the CFAs' declarations de solde (issue 11 §3). `dossiers_echus` is
 * rebuilt daily by the `dossiers-echus` job (src/db/echus.ts): one row per dossier that matches the
 * guide's conditions, with the reasons. `declarations_solde` keeps each CFA's declaration that it will
 * invoice nothing more on a dossier, and what that released. Rules: docs/decisions/pilotage-echus.md.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('dossiers_echus', (t) => {
    t.bigInteger('dossier_id').primary().references('id').inTable('dossiers').onDelete('CASCADE');
    t.string('cfa_siren', 9).notNullable();
    t.date('fin_periode').notNullable(); // end of the billing period (last échéance, or rupture date)
    t.bigInteger('reste_a_facturer_centimes').notNullable(); // on non-cancelled, non-prescribed échéances
    t.boolean('certificat_manquant').notNullable();
    t.timestamp('marque_le', { useTz: true }).notNullable().defaultTo(knex.fn.now()); // first marked
    t.index(['cfa_siren', 'fin_periode', 'dossier_id']);
  });

  await knex.schema.createTable('declarations_solde', (t) => {
    t.bigIncrements('id');
    t.string('numero_interne', 20).notNullable().unique(); // 12 random digits
    t.string('cfa_siren', 9).notNullable();
    t.bigInteger('dossier_id').notNullable().unique().references('id').inTable('dossiers');
    t.text('commentaire');
    t.bigInteger('montant_libere_centimes').notNullable(); // échéances + frais annexes released, all steps
    t.string('etat', 20).notNullable(); // EN_ATTENTE (an invoice or a refund still pending) | SOLDE
    t.string('acteur', 120).notNullable();
    t.timestamp('declaree_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('soldee_le', { useTz: true });
    t.index(['cfa_siren', 'id']);
  });
  await knex.raw(`alter table declarations_solde add constraint declarations_solde_etat check (etat in ('EN_ATTENTE', 'SOLDE'))`);
  await knex.raw('alter table declarations_solde add constraint declarations_solde_montant check (montant_libere_centimes >= 0)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('declarations_solde');
  await knex.schema.dropTableIfExists('dossiers_echus');
}
