import type { Knex } from 'knex';

/**
 * Pré-saisie, platform part (docs/decisions/presaisie.md):
 * - keys of role `entreprise` (the employer side): a SIREN and a contact e-mail (`courriel`);
 * - the OPCO's register of member companies (`adherents`), imported from CSV by the back office;
 * - each CFA's own profile (`cfa_profils`), used to prefill proposals.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table cles_api alter column role type varchar(12)');
  await knex.schema.alterTable('cles_api', (t) => {
    t.string('courriel', 254); // role entreprise only: the employer user's e-mail (personal data)
  });
  await knex.raw('alter table cles_api drop constraint cles_api_role');
  await knex.raw('alter table cles_api drop constraint cles_api_siren');
  await knex.raw(`alter table cles_api add constraint cles_api_role check (role in ('cfa','opco','entreprise'))`);
  await knex.raw(`alter table cles_api add constraint cles_api_siren check ((role in ('cfa','entreprise')) = (siren is not null))`);
  await knex.raw(`alter table cles_api add constraint cles_api_courriel check ((role = 'entreprise') = (courriel is not null))`);

  await knex.schema.createTable('adherents', (t) => {
    t.string('siret', 14).primary();
    t.string('siren', 9).notNullable().index();
    t.string('raison_sociale', 255).notNullable();
    // Lower case, no accents, single spaces: what the lookup matches a prefix against.
    t.string('raison_sociale_recherche', 255).notNullable();
    t.string('adresse', 255);
    t.string('code_postal', 5);
    t.string('commune', 80);
    t.string('naf', 6);
    t.string('idcc', 4);
    t.integer('effectif');
    t.timestamp('importe_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // Prefix search (LIKE 'abc%') by an index whatever the database's collation.
  await knex.raw('create index adherents_recherche on adherents (raison_sociale_recherche varchar_pattern_ops, siret)');

  await knex.schema.createTable('cfa_profils', (t) => {
    t.string('cfa_siren', 9).primary();
    t.jsonb('contenu').notNullable(); // schemas/cfa-profil.schema.json, as last saved
    t.timestamp('mis_a_jour_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('cfa_profils');
  await knex.schema.dropTableIfExists('adherents');
  await knex('cles_api').where({ role: 'entreprise' }).delete();
  await knex.raw('alter table cles_api drop constraint cles_api_courriel');
  await knex.raw('alter table cles_api drop constraint cles_api_siren');
  await knex.raw('alter table cles_api drop constraint cles_api_role');
  await knex.raw(`alter table cles_api add constraint cles_api_role check (role in ('cfa','opco'))`);
  await knex.raw(`alter table cles_api add constraint cles_api_siren check ((role = 'cfa') = (siren is not null))`);
  await knex.schema.alterTable('cles_api', (t) => {
    t.dropColumn('courriel');
  });
  await knex.raw('alter table cles_api alter column role type varchar(8)');
}
