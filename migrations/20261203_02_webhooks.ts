import type { Knex } from 'knex';

/**
 * Signed webhooks (docs/decisions/integration-webhooks.md):
 * - `webhooks`: the endpoints a CFA or an employer registered (URL, events, signing secret);
 * - `webhooks_evenements`: the outbox — one row per event, written by `webhooks_emettre()` in the
 *   transaction of the change (a rolled-back change leaves none);
 * - `webhooks_livraisons`: one delivery per (event, endpoint), with its retry schedule;
 * - `webhooks_tentatives`: every attempt (status, duration, error): the delivery log.
 * Triggers on dossiers, engagements, factures, reglements and remboursements call
 * `webhooks_emettre()`, so no write path can forget an event; other use cases (proposals) call it
 * through `recordEvent` (src/db/webhooks.ts).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webhooks', (t) => {
    t.bigIncrements('id').primary();
    t.string('role', 12).notNullable(); // cfa | entreprise: whose events
    t.string('siren', 9).notNullable();
    t.string('url', 2000).notNullable();
    t.specificType('evenements', 'text[]'); // null: every event type
    // Standard Webhooks signing secret (whsec_…): must be recoverable to sign, so kept as is, never logged.
    t.string('secret', 100).notNullable();
    // After a rotation the previous secret also signs until `secret_precedent_jusqu_au`.
    t.string('secret_precedent', 100);
    t.timestamp('secret_precedent_jusqu_au', { useTz: true });
    t.boolean('actif').notNullable().defaultTo(true);
    t.string('motif_desactivation', 20); // ECHECS_REPETES | PROPRIETAIRE
    t.timestamp('desactive_le', { useTz: true });
    t.timestamp('dernier_succes_le', { useTz: true });
    t.timestamp('cree_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['role', 'siren']);
  });
  await knex.raw(`alter table webhooks add constraint webhooks_role check (role in ('cfa','entreprise'))`);

  await knex.schema.createTable('webhooks_evenements', (t) => {
    t.bigIncrements('id').primary();
    t.string('message_id', 40).notNullable().unique(); // webhook-id: the same on every attempt and replay
    t.string('role', 12).notNullable();
    t.string('siren', 9).notNullable();
    t.string('type', 40).notNullable();
    t.jsonb('donnees').notNullable(); // ids and feed cursor, never personal data
    t.bigInteger('webhook_id').references('id').inTable('webhooks').onDelete('CASCADE'); // test event: this endpoint only
    t.timestamp('cree_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['role', 'siren', 'cree_le']);
  });

  await knex.schema.createTable('webhooks_livraisons', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('webhook_id').notNullable().references('id').inTable('webhooks').onDelete('CASCADE');
    t.bigInteger('evenement_id').notNullable().references('id').inTable('webhooks_evenements').onDelete('CASCADE');
    t.string('etat', 12).notNullable().defaultTo('EN_ATTENTE'); // EN_ATTENTE | LIVREE | ECHEC
    t.integer('tentatives').notNullable().defaultTo(0);
    // Due time while EN_ATTENTE (null while the endpoint is disabled); pushed forward by a worker's claim (lease) while it sends.
    t.timestamp('prochaine_tentative', { useTz: true });
    t.timestamp('premiere_tentative_le', { useTz: true });
    t.timestamp('derniere_tentative_le', { useTz: true });
    t.timestamp('cree_le', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['webhook_id', 'id']);
    t.index(['evenement_id']);
  });
  await knex.raw(`alter table webhooks_livraisons add constraint webhooks_livraisons_etat check (etat in ('EN_ATTENTE','LIVREE','ECHEC'))`);
  await knex.raw(`create index webhooks_livraisons_dues on webhooks_livraisons (prochaine_tentative, id) where etat = 'EN_ATTENTE'`);

  await knex.schema.createTable('webhooks_tentatives', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('livraison_id').notNullable().references('id').inTable('webhooks_livraisons').onDelete('CASCADE');
    t.timestamp('tentee_le', { useTz: true }).notNullable();
    t.boolean('succes').notNullable();
    t.integer('code_http');
    t.integer('duree_ms').notNullable();
    t.string('erreur', 200);
    t.index(['livraison_id', 'id']);
  });

  // The outbox, in the caller's transaction. Nothing is stored for a tenant without endpoints (no
  // cost on their writes); a test event (p_webhook) goes to that endpoint only, whatever it subscribes to.
  await knex.raw(`
    create function webhooks_emettre(p_role text, p_siren text, p_type text, p_donnees jsonb, p_webhook bigint default null)
    returns bigint language plpgsql as $$
    declare v_id bigint;
    begin
      if not exists (select 1 from webhooks where role = p_role and siren = p_siren) then
        return null;
      end if;
      insert into webhooks_evenements (message_id, role, siren, type, donnees, webhook_id)
      values ('msg_' || replace(gen_random_uuid()::text, '-', ''), p_role, p_siren, p_type, p_donnees, p_webhook)
      returning id into v_id;
      -- A disabled endpoint's deliveries wait unscheduled (no due time) until it is re-enabled.
      insert into webhooks_livraisons (webhook_id, evenement_id, prochaine_tentative)
      select w.id, v_id, case when w.actif then now() end from webhooks w
      where w.role = p_role and w.siren = p_siren
        and (case when p_webhook is null then w.evenements is null or p_type = any(w.evenements) else w.id = p_webhook end);
      return v_id;
    end $$`);

  // Feed cursor of a dossier or invoice changed by the current transaction (same as the feed's curseurSuivant).
  await knex.raw(`
    create function webhooks_dossier() returns trigger language plpgsql as $$
    declare v_curseur text := pg_current_xact_id()::text || '.' || new.id;
    begin
      if tg_op = 'INSERT' or old.etat is distinct from new.etat then
        perform webhooks_emettre('cfa', new.cfa_siren, 'dossier.etat',
          jsonb_build_object('numeroInterne', new.numero_interne, 'etat', new.etat, 'curseur', v_curseur));
      end if;
      if tg_op = 'UPDATE' and old.mise_en_conformite is distinct from new.mise_en_conformite then
        perform webhooks_emettre('cfa', new.cfa_siren, 'dossier.mise-en-conformite',
          jsonb_build_object('numeroInterne', new.numero_interne, 'miseEnConformite', new.mise_en_conformite, 'curseur', v_curseur));
      end if;
      return null;
    end $$`);
  await knex.raw(`create trigger webhooks_dossiers_insert after insert on dossiers for each row execute function webhooks_dossier()`);
  await knex.raw(`create trigger webhooks_dossiers_update after update of etat, mise_en_conformite on dossiers for each row
    when (old.etat is distinct from new.etat or old.mise_en_conformite is distinct from new.mise_en_conformite)
    execute function webhooks_dossier()`);

  await knex.raw(`
    create function webhooks_engagement() returns trigger language plpgsql as $$
    declare d record;
    begin
      select id, cfa_siren, numero_interne into d from dossiers where id = new.dossier_id;
      perform webhooks_emettre('cfa', d.cfa_siren, 'dossier.engagement',
        jsonb_build_object('numeroInterne', d.numero_interne, 'curseur', pg_current_xact_id()::text || '.' || d.id));
      return null;
    end $$`);
  await knex.raw(`create trigger webhooks_engagements_insert after insert on engagements for each row execute function webhooks_engagement()`);
  await knex.raw(`create trigger webhooks_engagements_update after update of engagement_centimes, trop_percu_centimes on engagements for each row
    when (old.engagement_centimes is distinct from new.engagement_centimes or old.trop_percu_centimes is distinct from new.trop_percu_centimes)
    execute function webhooks_engagement()`);

  await knex.raw(`
    create function webhooks_facture() returns trigger language plpgsql as $$
    begin
      perform webhooks_emettre('cfa', new.cfa_siren, 'facture.etat',
        jsonb_build_object('numeroInterne', new.numero_interne, 'etat', new.etat, 'curseur', pg_current_xact_id()::text || '.' || new.id));
      return null;
    end $$`);
  await knex.raw(`create trigger webhooks_factures_insert after insert on factures for each row execute function webhooks_facture()`);
  await knex.raw(`create trigger webhooks_factures_update after update of etat on factures for each row
    when (old.etat is distinct from new.etat) execute function webhooks_facture()`);

  await knex.raw(`
    create function webhooks_reglement() returns trigger language plpgsql as $$
    begin
      perform webhooks_emettre('cfa', new.cfa_siren, 'reglement.cree', jsonb_build_object('idReglement', new.numero_interne));
      return null;
    end $$`);
  await knex.raw(`create trigger webhooks_reglements_insert after insert on reglements for each row execute function webhooks_reglement()`);

  await knex.raw(`
    create function webhooks_remboursement() returns trigger language plpgsql as $$
    begin
      perform webhooks_emettre('cfa', new.cfa_siren, case when tg_op = 'INSERT' then 'remboursement.cree' else 'remboursement.etat' end,
        jsonb_build_object('idRemboursement', new.numero_interne, 'etat', new.etat,
          'numeroInterneDossier', (select numero_interne from dossiers where id = new.dossier_id)));
      return null;
    end $$`);
  await knex.raw(`create trigger webhooks_remboursements_insert after insert on remboursements for each row execute function webhooks_remboursement()`);
  await knex.raw(`create trigger webhooks_remboursements_update after update of etat on remboursements for each row
    when (old.etat is distinct from new.etat) execute function webhooks_remboursement()`);
}

export async function down(knex: Knex): Promise<void> {
  for (const [trigger, table] of [
    ['webhooks_dossiers_insert', 'dossiers'], ['webhooks_dossiers_update', 'dossiers'],
    ['webhooks_engagements_insert', 'engagements'], ['webhooks_engagements_update', 'engagements'],
    ['webhooks_factures_insert', 'factures'], ['webhooks_factures_update', 'factures'],
    ['webhooks_reglements_insert', 'reglements'],
    ['webhooks_remboursements_insert', 'remboursements'], ['webhooks_remboursements_update', 'remboursements'],
  ] as const) {
    await knex.raw(`drop trigger if exists ${trigger} on ${table}`);
  }
  for (const fn of ['webhooks_dossier', 'webhooks_engagement', 'webhooks_facture', 'webhooks_reglement', 'webhooks_remboursement']) {
    await knex.raw(`drop function if exists ${fn}()`);
  }
  await knex.raw('drop function if exists webhooks_emettre(text, text, text, jsonb, bigint)');
  await knex.schema.dropTableIfExists('webhooks_tentatives');
  await knex.schema.dropTableIfExists('webhooks_livraisons');
  await knex.schema.dropTableIfExists('webhooks_evenements');
  await knex.schema.dropTableIfExists('webhooks');
}
