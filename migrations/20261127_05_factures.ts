import type { Knex } from 'knex';

/**
 * Invoicing: the CFAs' invoices (lines per dossier × échéance × nature, history), the OPCO's
 * payments (règlements, spread over invoice lines), certificats de réalisation, declared ruptures
 * and the refunds (remboursements) they cause. Money is integer cents in bigint columns. Rules and
 * choices: docs/decisions/factures.md.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('factures', (t) => {
    t.bigIncrements('id');
    t.string('numero_interne', 20).notNullable().unique(); // numeroInterneFacture, 12 random digits
    t.string('cfa_siren', 9).notNullable();
    t.string('numero', 60).notNullable(); // the CFA's own invoice number (referenceFactureCFA)
    t.bigInteger('rang_cfa'); // 1..n per CFA, given to settled rows by readers (src/db/feed.ts)
    t.specificType('xid_creation', 'xid8').notNullable().defaultTo(knex.raw('pg_current_xact_id()'));
    t.specificType('xid_modif', 'xid8').notNullable().defaultTo(knex.raw('pg_current_xact_id()'));
    t.string('etat', 30).notNullable();
    t.text('commentaire'); // last state comment (correction asked, rejection reason…)
    t.date('date_emission').notNullable();
    t.bigInteger('montant_total_centimes').notNullable();
    t.bigInteger('montant_regle_centimes').notNullable().defaultTo(0);
    t.string('siret_emetteur', 14).notNullable();
    t.string('iban_emetteur', 34).notNullable();
    t.boolean('est_certificat_realisation').notNullable().defaultTo(false);
    t.string('reference_virement', 100); // of the latest payment
    t.date('date_reglement'); // of the latest payment
    t.bigInteger('document_id').references('id').inTable('documents');
    t.jsonb('contenu').notNullable(); // the `facture` JSON as sent (latest correction)
    t.integer('corrections').notNullable().defaultTo(0);
    t.bigInteger('cle_id');
    t.string('editeur', 200);
    t.string('logiciel', 200);
    t.string('version_logiciel', 100);
    t.timestamp('recue_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('mis_a_jour_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['cfa_siren', 'numero']);
    t.unique(['cfa_siren', 'rang_cfa']);
    t.index(['cfa_siren', 'xid_modif', 'id']);
    t.index(['etat', 'recue_le']);
  });
  await knex.raw('create index factures_sans_rang on factures (cfa_siren) where rang_cfa is null');
  await knex.raw(`alter table factures add constraint factures_montants
    check (montant_total_centimes > 0 and montant_regle_centimes >= 0 and montant_regle_centimes <= montant_total_centimes)`);

  await knex.schema.createTable('factures_lignes', (t) => {
    t.bigIncrements('id');
    t.bigInteger('facture_id').notNullable().references('id').inTable('factures').onDelete('CASCADE');
    t.integer('rang').notNullable(); // index in `lignes` (payments are spread in this order)
    t.bigInteger('dossier_id').notNullable().references('id').inTable('dossiers');
    t.integer('numero_echeance').notNullable();
    t.string('codification', 10).notNullable();
    t.string('nature', 20).notNullable();
    t.integer('quantite').notNullable();
    t.bigInteger('montant_centimes').notNullable();
    t.bigInteger('montant_regle_centimes').notNullable().defaultTo(0);
    t.unique(['facture_id', 'rang']);
    t.index(['dossier_id', 'numero_echeance', 'nature']);
  });
  await knex.raw(`alter table factures_lignes add constraint factures_lignes_montants
    check (montant_centimes > 0 and montant_regle_centimes >= 0 and montant_regle_centimes <= montant_centimes and quantite > 0)`);

  await knex.schema.createTable('factures_historique', (t) => {
    t.bigIncrements('id');
    t.bigInteger('facture_id').notNullable().references('id').inTable('factures').onDelete('CASCADE');
    t.string('evenement', 40).notNullable(); // ETAT | CORRECTION | REGLEMENT | CERTIFICAT
    t.string('etat', 30).notNullable();
    t.timestamp('le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('acteur', 120).notNullable();
    t.text('commentaire');
    t.index(['facture_id', 'id']);
  });

  await knex.schema.createTable('reglements', (t) => {
    t.bigIncrements('id');
    t.string('numero_interne', 20).notNullable().unique(); // idReglement
    t.string('cfa_siren', 9).notNullable(); // one transfer pays one CFA
    t.string('reference_virement', 100).notNullable();
    t.date('date_reglement').notNullable();
    t.bigInteger('montant_centimes').notNullable();
    t.string('acteur', 120).notNullable();
    t.timestamp('enregistre_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['cfa_siren', 'reference_virement']); // the same transfer is never recorded twice
    t.index(['cfa_siren', 'id']);
  });

  await knex.schema.createTable('reglements_lignes', (t) => {
    t.bigIncrements('id');
    t.bigInteger('reglement_id').notNullable().references('id').inTable('reglements').onDelete('CASCADE');
    t.bigInteger('facture_id').notNullable().references('id').inTable('factures');
    t.bigInteger('facture_ligne_id').notNullable().references('id').inTable('factures_lignes');
    t.bigInteger('montant_centimes').notNullable();
    t.index(['reglement_id']);
    t.index(['facture_id']);
  });
  await knex.raw('alter table reglements_lignes add constraint reglements_lignes_montant check (montant_centimes > 0)');

  await knex.schema.createTable('certificats', (t) => {
    t.bigIncrements('id');
    t.string('numero_interne', 20).notNullable().unique();
    t.string('cfa_siren', 9).notNullable();
    t.bigInteger('dossier_id').notNullable().references('id').inTable('dossiers');
    t.integer('numero_echeance').notNullable();
    t.bigInteger('facture_id').references('id').inTable('factures');
    t.string('type_certificat', 20).notNullable(); // Intermediaire | Final
    t.jsonb('contenu').notNullable();
    t.bigInteger('document_id').references('id').inTable('documents');
    t.timestamp('recu_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['dossier_id', 'numero_echeance']);
  });

  await knex.schema.createTable('ruptures', (t) => {
    t.bigIncrements('id');
    t.bigInteger('dossier_id').notNullable().unique().references('id').inTable('dossiers');
    t.string('cfa_siren', 9).notNullable();
    t.date('date_rupture').notNullable();
    t.string('motif', 40).notNullable();
    t.string('initiative', 20).notNullable();
    t.text('commentaire');
    t.string('acteur', 120).notNullable();
    t.timestamp('declaree_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('remboursements', (t) => {
    t.bigIncrements('id');
    t.string('numero_interne', 20).notNullable().unique(); // idRemboursement
    t.string('cfa_siren', 9).notNullable();
    t.bigInteger('dossier_id').notNullable().references('id').inTable('dossiers');
    t.bigInteger('montant_centimes').notNullable();
    t.string('cause', 40).notNullable(); // TROP_PERCU_RUPTURE
    t.string('etat', 20).notNullable(); // A_REGULARISER → DECLARE → RECU
    t.string('mode', 20); // VIREMENT | AVOIR_DEDUCTION
    t.string('reference_avoir', 100);
    t.text('commentaire');
    t.timestamp('cree_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('declare_le', { useTz: true });
    t.timestamp('recu_le', { useTz: true });
    t.string('acteur_reception', 120);
    t.unique(['dossier_id', 'cause']);
    t.index(['cfa_siren', 'id']);
  });
  await knex.raw('alter table remboursements add constraint remboursements_montant check (montant_centimes > 0)');
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['remboursements', 'ruptures', 'certificats', 'reglements_lignes', 'reglements', 'factures_historique', 'factures_lignes', 'factures']) {
    await knex.schema.dropTableIfExists(table);
  }
}
