import type { Knex } from 'knex';

/**
 * Apprenticeship dossiers as received through the API and their history. Pages and the
 * incremental feed rest on transaction ids (see src/db/feed.ts).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create sequence numero_externe_seq');

  await knex.schema.createTable('dossiers', (t) => {
    t.bigIncrements('id');
    t.string('numero_interne', 20).notNullable().unique();
    // 2-digit year of reception (Paris) + APP + 8 digits, as the seed's dossier numbers (21APP01032888).
    t.string('numero_externe', 20).notNullable().unique()
      .defaultTo(knex.raw(`to_char(now() at time zone 'Europe/Paris', 'YY') || 'APP' || lpad(nextval('numero_externe_seq')::text, 8, '0')`));
    t.string('numero_deca', 20);
    t.string('cfa_siren', 9).notNullable();
    t.bigInteger('rang_cfa'); // 1..n per CFA, given to settled rows by readers (src/db/feed.ts)
    t.specificType('xid_creation', 'xid8').notNullable().defaultTo(knex.raw('pg_current_xact_id()'));
    t.specificType('xid_modif', 'xid8').notNullable().defaultTo(knex.raw('pg_current_xact_id()'));
    t.string('etat', 30).notNullable();
    t.string('origine', 20).notNullable();
    t.text('commentaire_etat');
    t.boolean('mise_en_conformite').notNullable().defaultTo(false);
    t.jsonb('cerfa').notNullable(); // the payload as sent (unknown properties kept, never read)
    t.string('empreinte_contenu', 64).notNullable(); // SHA-256 of the canonical JSON of the cerfa
    t.string('cle_apprenti', 64).notNullable(); // SHA-256 of NIR, else birth name + first name + birth date
    t.string('employeur_siret', 14).notNullable();
    t.date('date_debut_contrat').notNullable();
    t.integer('type_contrat_app').notNullable();
    t.bigInteger('cle_id');
    t.string('editeur', 200);
    t.string('logiciel', 200);
    t.string('version_logiciel', 100);
    t.timestamp('recu_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('mis_a_jour_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['cfa_siren', 'rang_cfa']);
    t.index(['cfa_siren', 'xid_modif', 'id']);
    t.index(['cfa_siren', 'etat', 'rang_cfa']);
    t.index(['etat', 'recu_le']);
  });
  // One live initial contract per apprentice, employer and start date (avenants 31-38 excepted).
  await knex.raw('create index dossiers_sans_rang on dossiers (cfa_siren) where rang_cfa is null');
  // An exact resend is the same live dossier (a refused or cancelled one may be sent again).
  await knex.raw(`create unique index dossiers_contenu_unique on dossiers (cfa_siren, empreinte_contenu)
    where etat not in ('ANNULE', 'REFUSE')`);
  await knex.raw(`create unique index dossiers_contrat_unique on dossiers (cfa_siren, cle_apprenti, employeur_siret, date_debut_contrat)
    where type_contrat_app < 31 and etat not in ('ANNULE', 'REFUSE')`);

  await knex.schema.createTable('dossiers_historique', (t) => {
    t.bigIncrements('id');
    t.bigInteger('dossier_id').notNullable().references('id').inTable('dossiers').onDelete('CASCADE');
    t.string('evenement', 40).notNullable(); // ETAT | MISE_EN_CONFORMITE | CONFORMITE_RETABLIE | NUMERO_DECA …
    t.string('etat', 30).notNullable();
    t.timestamp('le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('acteur', 120).notNullable();
    t.text('commentaire');
    t.index(['dossier_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('dossiers_historique');
  await knex.schema.dropTableIfExists('dossiers');
  await knex.raw('drop sequence if exists numero_externe_seq');
}
