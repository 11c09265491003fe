import type { Knex } from 'knex';

/**
 * Indexes of the CFA's steering lists (src/db/suivi.ts, src/db/pilotage.ts), measured by
 * `npm run bench:pilotage` (one CFA with 100 000 dossiers and 300 000 invoices among 1 000 000
 * dossiers; figures in the README). Each list filters on the CFA first and sorts on a key then the
 * id: an index (cfa_siren, key, id) gives the first page without a sort, a deep page and the counter
 * as an index-only walk, and every export batch (keyset on key, id) as one range read.
 */
export async function up(knex: Knex): Promise<void> {
  // Dossiers enregistrés, default sort (dateReception).
  await knex.raw('create index dossiers_cfa_recu on dossiers (cfa_siren, recu_le, id)');
  // Dossiers à facturer: the CFA's ENGAGE / RUPTURE dossiers' ids from the index alone (no heap
  // read per dossier before probing its échéances). The (cfa_siren, etat, rang_cfa) index of the v1
  // lists is the same one with the id carried along.
  await knex.raw('create index dossiers_cfa_etat_rang on dossiers (cfa_siren, etat, rang_cfa) include (id)');
  await knex.raw('drop index dossiers_cfa_siren_etat_rang_cfa_index');
  // Dossiers en attente de mise en conformité: a few rows per CFA among all its dossiers (counter and list).
  await knex.raw('create index dossiers_cfa_mise_en_conformite on dossiers (cfa_siren, recu_le, id) where mise_en_conformite');
  // Factures enregistrées, default sort (dateReception), with or without a state (factures en attente
  // de mise en conformité: counter and list; `etat` filter; their exports).
  await knex.raw('create index factures_cfa_recue on factures (cfa_siren, recue_le, id)');
  await knex.raw('create index factures_cfa_etat_recue on factures (cfa_siren, etat, recue_le, id)');
  // Factures sorted by amount.
  await knex.raw('create index factures_cfa_montant on factures (cfa_siren, montant_total_centimes, id)');
  // Échéances still to invoice (not cancelled, something left): the dossiers-à-facturer probe reads
  // them from this index alone; paid échéances — most of the table — are not in it.
  await knex.raw(`create index echeances_a_facturer on echeances (dossier_id)
    include (date_ouverture, date_limite_facturation, montant_total_centimes, montant_regle_centimes, montant_en_cours_centimes)
    where statut <> 'ANNULEE' and montant_total_centimes > montant_regle_centimes + montant_en_cours_centimes`);
}

export async function down(knex: Knex): Promise<void> {
  for (const index of ['echeances_a_facturer', 'factures_cfa_montant', 'factures_cfa_etat_recue', 'factures_cfa_recue', 'dossiers_cfa_mise_en_conformite', 'dossiers_cfa_recu']) {
    await knex.raw('drop index if exists ??', [index]);
  }
  await knex.raw('create index dossiers_cfa_siren_etat_rang_cfa_index on dossiers (cfa_siren, etat, rang_cfa)');
  await knex.raw('drop index dossiers_cfa_etat_rang');
}
