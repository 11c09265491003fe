import type { Knex } from 'knex';

/** Keys, vendor clients and their tokens, idempotency records, audit trail, scheduled-job claims. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('cles_api', (t) => {
    t.bigIncrements('id');
    t.string('role', 8).notNullable(); // 'cfa' | 'opco'
    t.string('siren', 9); // CFA keys only
    t.string('uai', 8);
    t.string('libelle', 200);
    t.string('empreinte', 64).notNullable().unique(); // SHA-256 of the key; the key itself is never stored
    t.string('prefixe', 12).notNullable(); // first characters, to recognise a key in lists
    t.date('date_fin_validite');
    t.timestamp('revoquee_le', { useTz: true });
    t.timestamp('creee_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['siren']);
  });
  await knex.raw(`alter table cles_api add constraint cles_api_role check (role in ('cfa','opco'))`);
  await knex.raw(`alter table cles_api add constraint cles_api_siren check ((role = 'cfa') = (siren is not null))`);

  await knex.schema.createTable('clients_editeurs', (t) => {
    t.bigIncrements('id');
    t.string('client_id', 64).notNullable().unique();
    t.string('empreinte_secret', 64).notNullable();
    t.string('editeur', 200).notNullable();
    t.timestamp('revoque_le', { useTz: true });
    t.timestamp('cree_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('jetons_acces', (t) => {
    t.string('empreinte', 64).primary();
    t.bigInteger('client_id').notNullable().references('id').inTable('clients_editeurs').onDelete('CASCADE');
    t.string('scope', 200);
    t.timestamp('expire_le', { useTz: true }).notNullable();
    t.index(['expire_le']);
  });

  await knex.schema.createTable('idempotence', (t) => {
    t.string('proprietaire', 32).notNullable(); // CFA SIREN, or 'opco:<key id>'
    t.string('cle', 255).notNullable();
    t.string('empreinte_requete', 64).notNullable();
    t.string('etat', 10).notNullable(); // EN_COURS | TERMINE
    t.integer('statut_http');
    t.jsonb('reponse');
    t.timestamp('creee_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['proprietaire', 'cle']);
    t.index(['creee_le']);
  });

  await knex.schema.createTable('audit_ecritures', (t) => {
    t.bigIncrements('id');
    t.timestamp('le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('id_requete', 128).notNullable();
    t.bigInteger('cle_id');
    t.string('siren', 9);
    t.string('client_id', 64);
    t.string('editeur', 200);
    t.string('logiciel', 200);
    t.string('version', 100);
    t.string('action', 60).notNullable();
    t.string('objet_type', 40);
    t.string('objet_id', 64);
    t.index(['objet_type', 'objet_id']);
  });

  await knex.schema.createTable('executions_taches', (t) => {
    t.string('tache', 60).notNullable();
    t.timestamp('prevue_le', { useTz: true }).notNullable();
    t.string('instance', 100).notNullable();
    t.timestamp('debut', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('fin', { useTz: true });
    t.string('resultat', 20);
    t.primary(['tache', 'prevue_le']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['executions_taches', 'audit_ecritures', 'idempotence', 'jetons_acces', 'clients_editeurs', 'cles_api']) {
    await knex.schema.dropTableIfExists(table);
  }
}
