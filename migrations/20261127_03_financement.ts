import type { Knex } from 'knex';

/**
 * Financing: the NPEC referential, each engaged dossier's engagement and échéancier, conventions
 * and documents (files are kept in PostgreSQL so that several instances share them). Money is
 * integer cents in bigint columns.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('npec_referentiel', (t) => {
    t.bigIncrements('id');
    t.string('rncp', 12).notNullable(); // digits only, "RNCP" prefix stripped
    t.string('idcc', 4).notNullable();
    t.bigInteger('npec_centimes').notNullable();
    t.date('date_effet').notNullable();
    t.timestamp('importe_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['rncp', 'idcc', 'date_effet']);
  });

  await knex.schema.createTable('engagements', (t) => {
    t.bigInteger('dossier_id').primary().references('id').inTable('dossiers').onDelete('CASCADE');
    t.string('regime', 30).notNullable();
    t.bigInteger('engagement_centimes').notNullable();
    t.bigInteger('npec_annuel_centimes').notNullable();
    t.bigInteger('participation_employeur_centimes').notNullable();
    t.bigInteger('trop_percu_centimes').notNullable().defaultTo(0);
    t.jsonb('details').notNullable(); // NPEC source, explanations, detailsFacturation
    t.timestamp('calcule_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('echeances', (t) => {
    t.bigIncrements('id');
    t.bigInteger('dossier_id').notNullable().references('id').inTable('dossiers').onDelete('CASCADE');
    t.integer('numero').notNullable();
    t.string('codification', 10).notNullable();
    t.string('type', 30).notNullable();
    t.integer('annee_execution').notNullable();
    t.date('date_ouverture').notNullable();
    t.date('date_debut').notNullable();
    t.date('date_fin').notNullable();
    t.bigInteger('montant_total_centimes').notNullable();
    t.bigInteger('dont_pedagogie_centimes').notNullable();
    t.bigInteger('dont_rqth_centimes').notNullable();
    t.bigInteger('montant_regle_centimes').notNullable().defaultTo(0);
    t.bigInteger('montant_en_cours_centimes').notNullable().defaultTo(0);
    t.date('date_limite_facturation');
    t.boolean('exige_certificat').notNullable();
    t.string('statut', 12).notNullable();
    t.unique(['dossier_id', 'numero']);
  });
  await knex.raw(`alter table echeances add constraint echeances_montants_positifs
    check (montant_total_centimes >= 0 and montant_regle_centimes >= 0 and montant_en_cours_centimes >= 0)`);

  await knex.schema.createTable('engagements_frais_annexes', (t) => {
    t.bigIncrements('id');
    t.bigInteger('dossier_id').notNullable().references('id').inTable('dossiers').onDelete('CASCADE');
    t.string('nature', 20).notNullable();
    t.integer('quantite').notNullable();
    t.bigInteger('prix_unitaire_centimes').notNullable();
    t.bigInteger('montant_total_centimes').notNullable();
    t.unique(['dossier_id', 'nature']);
  });

  await knex.schema.createTable('documents', (t) => {
    t.bigIncrements('id');
    t.string('numero_interne', 20).notNullable().unique();
    t.string('cfa_siren', 9).notNullable();
    t.string('type_fichier', 40).notNullable();
    t.string('type_mime', 40).notNullable();
    t.string('nom_fichier', 255);
    t.integer('taille').notNullable();
    t.string('sha256', 64).notNullable();
    t.binary('contenu').notNullable();
    t.string('editeur', 200);
    t.timestamp('depose_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['cfa_siren', 'sha256']);
  });

  await knex.schema.createTable('documents_objets', (t) => {
    t.bigInteger('document_id').notNullable().references('id').inTable('documents').onDelete('CASCADE');
    t.string('type_objet', 40).notNullable();
    t.string('id_objet', 40).notNullable();
    t.string('sha256', 64).notNullable(); // repeated here so a re-upload is refused by the database
    t.primary(['document_id', 'type_objet', 'id_objet']);
    t.unique(['type_objet', 'id_objet', 'sha256']);
  });

  await knex.schema.createTable('conventions', (t) => {
    t.bigIncrements('id');
    t.string('numero_interne', 20).notNullable().unique();
    t.bigInteger('dossier_id').notNullable().references('id').inTable('dossiers').onDelete('CASCADE');
    t.string('cfa_siren', 9).notNullable();
    t.jsonb('contenu').notNullable();
    t.bigInteger('document_id').references('id').inTable('documents');
    t.timestamp('recue_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['dossier_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['conventions', 'documents_objets', 'documents', 'engagements_frais_annexes', 'echeances', 'engagements', 'npec_referentiel']) {
    await knex.schema.dropTableIfExists(table);
  }
}
