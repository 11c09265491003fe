import type { Knex } from 'knex';

/**
 * "Dossiers à facturer" read from the échéances side (src/db/pilotage.ts): each échéance carries
 * its dossier's CFA and whether that dossier may be invoiced (ENGAGE, RUPTURE:
 * ETATS_DOSSIER_FACTURABLES), kept by triggers so that no write path can forget them. One partial
 * index then holds exactly the CFA's échéances left to invoice, by opening date: the counter and a
 * page read a range of it (tens of thousands of entries for a large CFA) instead of probing every
 * engaged dossier's échéances (bench: 74 000 probes, 140 ms and more).
 * The states are copied here on purpose: a migration is frozen; a change of the list is a new
 * migration replacing `dossier_facturable_etat`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create function dossier_facturable_etat(etat text) returns boolean language sql immutable
    as $$ select etat in ('ENGAGE', 'RUPTURE') $$`);
  await knex.schema.alterTable('echeances', (t) => {
    t.string('cfa_siren', 9);
    t.boolean('dossier_facturable').notNullable().defaultTo(false);
  });
  await knex.raw(`update echeances e set cfa_siren = d.cfa_siren, dossier_facturable = dossier_facturable_etat(d.etat)
    from dossiers d where d.id = e.dossier_id`);
  await knex.raw('alter table echeances alter column cfa_siren set not null');

  // A new échéance takes its dossier's CFA and state.
  await knex.raw(`create function echeances_de_dossier() returns trigger language plpgsql as $$
    begin
      select d.cfa_siren, dossier_facturable_etat(d.etat) into new.cfa_siren, new.dossier_facturable
        from dossiers d where d.id = new.dossier_id;
      return new;
    end $$`);
  await knex.raw(`create trigger echeances_de_dossier before insert or update of dossier_id on echeances
    for each row execute function echeances_de_dossier()`);
  // A dossier that changes state (or CFA) passes it on to its échéances.
  await knex.raw(`create function dossier_vers_echeances() returns trigger language plpgsql as $$
    begin
      update echeances set cfa_siren = new.cfa_siren, dossier_facturable = dossier_facturable_etat(new.etat)
        where dossier_id = new.id
          and (cfa_siren is distinct from new.cfa_siren or dossier_facturable is distinct from dossier_facturable_etat(new.etat));
      return null;
    end $$`);
  await knex.raw(`create trigger dossier_vers_echeances after update of etat, cfa_siren on dossiers
    for each row when (old.etat is distinct from new.etat or old.cfa_siren is distinct from new.cfa_siren)
    execute function dossier_vers_echeances()`);

  await knex.raw(`create index echeances_cfa_a_facturer on echeances (cfa_siren, date_ouverture)
    include (dossier_id, date_limite_facturation, montant_total_centimes, montant_regle_centimes, montant_en_cours_centimes)
    where dossier_facturable and statut <> 'ANNULEE' and montant_total_centimes > montant_regle_centimes + montant_en_cours_centimes`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists echeances_cfa_a_facturer');
  await knex.raw('drop trigger if exists dossier_vers_echeances on dossiers');
  await knex.raw('drop trigger if exists echeances_de_dossier on echeances');
  await knex.raw('drop function if exists dossier_vers_echeances()');
  await knex.raw('drop function if exists echeances_de_dossier()');
  await knex.schema.alterTable('echeances', (t) => {
    t.dropColumn('dossier_facturable');
    t.dropColumn('cfa_siren');
  });
  await knex.raw('drop function if exists dossier_facturable_etat(text)');
}
