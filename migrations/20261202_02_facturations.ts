import type { Knex } from 'knex';

/**
 * Draft facturations ("Facturation à l'OPCO"): a CFA's invoice in the making, saved at each of its
 * three steps (dossiers and kind, échéances and quantities, deposit). The lines of the drafts still
 * EN_COURS are `active`, and a partial unique index keeps an échéance × nature in one of them: two
 * drafts can never promise the same money. Money is integer cents. Choices:
 * docs/decisions/pilotage-facturations.md.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('facturations', (t) => {
    t.bigIncrements('id');
    t.string('numero_interne', 20).notNullable().unique(); // the `{id}` of the routes, 12 random digits
    t.string('cfa_siren', 9).notNullable();
    t.string('etat', 20).notNullable(); // EN_COURS | DEPOSEE | ABANDONNEE
    t.integer('etape').notNullable(); // the last step saved: 1, 2 or 3 (deposited)
    t.string('nature', 20).notNullable(); // COUT_PEDAGOGIQUE (PEDAGOGIE + MAJORATION_RQTH lines) or one frais-annexes nature
    t.integer('nombre_dossiers').notNullable().defaultTo(0);
    t.bigInteger('montant_total_centimes').notNullable().defaultTo(0);
    t.bigInteger('facture_id').references('id').inTable('factures');
    t.timestamp('creee_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('mise_a_jour_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('deposee_le', { useTz: true });
    t.index(['cfa_siren', 'id']);
  });
  await knex.raw(`alter table facturations add constraint facturations_valeurs check (
    etat in ('EN_COURS', 'DEPOSEE', 'ABANDONNEE') and etape between 1 and 3
    and nature in ('COUT_PEDAGOGIQUE', 'RESTAURATION', 'HEBERGEMENT', 'PREMIEREQUIPEMENT', 'MOBILITE')
    and nombre_dossiers >= 0 and montant_total_centimes >= 0
    and ((etat = 'DEPOSEE') = (facture_id is not null)))`);

  await knex.schema.createTable('facturations_dossiers', (t) => {
    t.bigInteger('facturation_id').notNullable().references('id').inTable('facturations').onDelete('CASCADE');
    t.bigInteger('dossier_id').notNullable().references('id').inTable('dossiers');
    t.integer('rang').notNullable(); // the order the CFA chose them in
    t.primary(['facturation_id', 'dossier_id']);
    t.index(['dossier_id']);
  });

  await knex.schema.createTable('facturations_lignes', (t) => {
    t.bigIncrements('id');
    t.bigInteger('facturation_id').notNullable().references('id').inTable('facturations').onDelete('CASCADE');
    t.integer('rang').notNullable(); // order of the invoice's lines at deposit
    t.bigInteger('dossier_id').notNullable().references('id').inTable('dossiers');
    t.integer('numero_echeance').notNullable();
    t.string('nature', 20).notNullable(); // an invoice line nature (PEDAGOGIE, MAJORATION_RQTH, RESTAURATION…)
    t.integer('quantite').notNullable();
    t.bigInteger('montant_centimes').notNullable();
    t.boolean('active').notNullable().defaultTo(true); // true while the draft is EN_COURS
    t.unique(['facturation_id', 'rang']);
  });
  await knex.raw(`alter table facturations_lignes add constraint facturations_lignes_valeurs
    check (montant_centimes > 0 and quantite > 0)`);
  // Nothing is invoiced twice through two drafts: one active line per échéance × nature.
  await knex.raw(`create unique index facturations_lignes_actives on facturations_lignes (dossier_id, numero_echeance, nature) where active`);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['facturations_lignes', 'facturations_dossiers', 'facturations']) {
    await knex.schema.dropTableIfExists(table);
  }
}
