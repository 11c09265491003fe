import type { Knex } from 'knex';

/**
 * Pré-saisie (issue 12): proposals of contract drafted by a CFA, sent to a member employer, which
 * accepts (and completes) or refuses them, then transmits them to the OPCO as a dossier.
 * The incremental feed of both sides rests on transaction ids, as for dossiers (src/db/feed.ts).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('propositions', (t) => {
    t.bigIncrements('id');
    t.string('numero', 20).notNullable().unique(); // 12 random digits: the {id} of the routes
    t.string('cfa_siren', 9).notNullable();
    t.string('etat', 40).notNullable();
    t.jsonb('cerfa').notNullable(); // the proposal's CERFA as last saved, possibly incomplete
    // Derived from the CERFA at each save, for the lists, the search and the employer's scope.
    t.string('employeur_siren', 9); // the SIREN of employeur.siret, once it has 14 digits
    t.string('employeur_siret', 14);
    t.string('entreprise', 255);
    t.string('apprenti_nom', 255);
    t.string('apprenti_prenom', 255);
    t.string('date_debut_contrat', 10);
    t.string('date_fin_contrat', 10);
    t.text('recherche').notNullable().defaultTo(''); // normalised (searchKey) names and numbers
    t.text('motif_refus');
    t.string('dossier_numero_interne', 20);
    t.string('dossier_numero_externe', 20);
    t.specificType('xid_creation', 'xid8').notNullable().defaultTo(knex.raw('pg_current_xact_id()'));
    t.specificType('xid_modif', 'xid8').notNullable().defaultTo(knex.raw('pg_current_xact_id()'));
    t.timestamp('cree_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('mis_a_jour_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['cfa_siren', 'xid_modif', 'id']);
    t.index(['employeur_siren', 'xid_modif', 'id']);
    t.index(['cfa_siren', 'etat']);
  });

  await knex.schema.createTable('propositions_historique', (t) => {
    t.bigIncrements('id');
    t.bigInteger('proposition_id').notNullable().references('id').inTable('propositions').onDelete('CASCADE');
    t.string('evenement', 40).notNullable(); // CREEE | MODIFIEE | ENVOYEE | ACCEPTEE | REFUSEE | REPRISE | TRANSMISE_A_L_OPCO
    t.string('etat', 40).notNullable();
    t.timestamp('le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('acteur', 120).notNullable();
    t.jsonb('champs').notNullable().defaultTo('[]'); // JSON pointers of the CERFA leaves changed (never the values)
    t.text('commentaire');
    t.index(['proposition_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('propositions_historique');
  await knex.schema.dropTableIfExists('propositions');
}
