/**
 * The pilotage benchmark's data set, loaded by set-based SQL (a few INSERT … SELECT over
 * generate_series, no row goes through node): `dossiers` dossiers over `autresCfa` + 1 CFAs, one
 * in ten for the measured CFA, interleaved in the heap as concurrent CFAs would be; 4 échéances per
 * engaged / broken / balanced dossier (older ones mostly paid, recent ones open or in progress);
 * `factures` invoices of which 3 in 5 for the measured CFA (exactly one in three of its own REGLE),
 * 1–2 lines each, their history, the OPCO's règlements and their lines, a few refunds.
 * Every draw is a hash of the row number: the same data set on every run.
 */
import type { Knex } from 'knex';

export interface PilotageDataSet {
  siren: string;
  /** All CFAs together (the measured CFA has one in ten). */
  dossiers: number;
  autresCfa: number;
  /** All CFAs together (the measured CFA has three in five). */
  factures: number;
  /** Règlements of the measured CFA (the others get one each). */
  reglements: number;
}

export const DEFAULT_DATA_SET: PilotageDataSet = {
  siren: '778899112', dossiers: 1_000_000, autresCfa: 900, factures: 500_000, reglements: 3_000,
};

/** A draw in [0, n) from row number `x` (int or bigint expression) and a seed: deterministic. */
const h = (x: string, seed: number, n: number): string => `((hashint8extended((${x})::bigint, ${seed}) % ${n} + ${n}) % ${n})::int`;

const NOMS = ['MARTIN', 'BERNARD', 'THOMAS', 'PETIT', 'ROBERT', 'RICHARD', 'DURAND', 'DUBOIS', 'MOREAU', 'LAURENT', 'SIMON', 'MICHEL',
  'LEFEBVRE', 'LEROY', 'ROUX', 'DAVID', 'BERTRAND', 'MOREL', 'FOURNIER', 'GIRARD', 'BONNET', 'DUPONT', 'LAMBERT', 'FONTAINE', 'ROUSSEAU',
  'VINCENT', 'MULLER', 'LEFEVRE', 'FAURE', 'ANDRE', 'MERCIER', 'BLANC', 'GUERIN', 'BOYER', 'GARNIER', 'CHEVALIER', 'FRANCOIS', 'LEGRAND',
  'GAUTHIER', 'GARCIA'];
const PRENOMS = ['Emma', 'Louise', 'Jade', 'Alice', 'Chloé', 'Lina', 'Léa', 'Manon', 'Inès', 'Camille', 'Gabriel', 'Léo', 'Raphaël', 'Arthur',
  'Louis', 'Jules', 'Adam', 'Maël', 'Lucas', 'Hugo', 'Noah', 'Nathan', 'Tom', 'Théo', 'Sacha', 'Yanis', 'Mohamed', 'Enzo', 'Paul', 'Ethan'];
const EMPLOYEURS = ['Boulangerie', 'Garage', 'Pharmacie', 'Restaurant', 'Coiffure', 'Menuiserie', 'Électricité', 'Plomberie', 'Transports',
  'Informatique', 'Hôtel', 'Fleuriste', 'Boucherie', 'Optique', 'Bâtiment'];
const FORMATIONS: ReadonlyArray<[string, string]> = [
  ['CAP Boulanger', '50022137'], ['BTS Management commercial opérationnel', '32031213'], ['BP Coiffure', '45033606'],
  ['Licence pro Métiers de l’informatique', '25032604'], ['CAP Cuisine', '50022135'], ['Bac pro Maintenance des véhicules', '40025214'],
  ['Titre pro Développeur web', '36T32602'], ['BTS Comptabilité et gestion', '32031411'],
];

const sqlArray = (values: readonly string[]): string => `array[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')}]`;

/** The SIREN of the other CFA number `c` (0-based): 9 digits, never the measured one. */
const otherSiren = (c: string): string => `(100000007 + (${c}) * 1000)::text`;

export interface LoadTimings {
  [step: string]: number;
}

/** The tables the load fills (unqualified: the schema is the connection's search_path). */
export const LOADED_TABLES = ['dossiers', 'echeances', 'engagements', 'factures', 'factures_lignes', 'factures_historique', 'reglements', 'reglements_lignes', 'remboursements'];

/** Foreign keys the load fills, checked once when their triggers were off: [table, column, referenced table]. */
const FOREIGN_KEYS: ReadonlyArray<[string, string, string]> = [
  ['echeances', 'dossier_id', 'dossiers'], ['factures_lignes', 'facture_id', 'factures'], ['factures_lignes', 'dossier_id', 'dossiers'],
  ['factures_historique', 'facture_id', 'factures'], ['reglements_lignes', 'reglement_id', 'reglements'],
  ['reglements_lignes', 'facture_id', 'factures'], ['reglements_lignes', 'facture_ligne_id', 'factures_lignes'],
  ['remboursements', 'dossier_id', 'dossiers'], ['engagements', 'dossier_id', 'dossiers'],
];

/**
 * Loads the data set in one transaction. As a bulk load is done: the secondary indexes (those no
 * constraint owns) are dropped and built again at the end (sorting beats a million random inserts
 * into md5-keyed b-trees), and, for a superuser, foreign-key triggers are off during the load
 * (session_replication_role = replica) and every foreign key is checked afterwards in one pass.
 */
export async function loadPilotage(db: Knex, set: PilotageDataSet = DEFAULT_DATA_SET): Promise<LoadTimings> {
  return db.transaction(async (trx) => {
    await trx.raw(`set local maintenance_work_mem = '256MB'`);
    await trx.raw(`set local work_mem = '64MB'`);
    const [role] = (await trx.raw('select rolsuper from pg_roles where rolname = current_user')).rows as Array<{ rolsuper: boolean }>;
    if (role?.rolsuper) await trx.raw('set local session_replication_role = replica');
    const indexes = (await trx.raw(`select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
      from pg_index i join pg_class t on t.oid = i.indrelid
      where t.relnamespace = current_schema()::regnamespace and t.relname = any(?)
        and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`, [LOADED_TABLES])).rows as Array<{ name: string; def: string }>;
    for (const i of indexes) await trx.raw(`drop index ${i.name}`);
    const timings = await insertAll(trx, set);
    let t0 = Date.now();
    for (const i of indexes) await trx.raw(i.def);
    timings.indexes = (Date.now() - t0) / 1000;
    if (role?.rolsuper) {
      await trx.raw('set local session_replication_role = origin');
      t0 = Date.now();
      for (const [table, column, parent] of FOREIGN_KEYS) {
        const [orphan] = (await trx.raw(`select count(*)::int as n from ?? c where not exists (select 1 from ?? p where p.id = c.??)`, [table, parent, column])).rows as Array<{ n: number }>;
        if (orphan?.n) throw new Error(`bulk load: ${orphan.n} rows of ${table}.${column} name no ${parent}`);
      }
      timings.foreign_keys_checked = (Date.now() - t0) / 1000;
    }
    return timings;
  });
}

async function insertAll(db: Knex, set: PilotageDataSet): Promise<LoadTimings> {
  const timings: LoadTimings = {};
  const step = async (name: string, sql: string, bindings: readonly Knex.Value[] = []): Promise<void> => {
    const t0 = Date.now();
    await db.raw(sql, bindings);
    timings[name] = (Date.now() - t0) / 1000;
  };
  const { siren, dossiers: N, autresCfa: C, factures: F, reglements: R } = set;
  const start = `timestamptz '2024-12-01 06:00:00+00'`;
  const span = 2 * 365 * 86400; // two years of receptions, ending before today
  const q = (s: string): string => `'${s}'`;

  // Dossiers: row g is the measured CFA's when g % 10 = 0 (its rank g / 10), else other CFA
  // k % C where k counts the other rows (rank k / C + 1). Received in g order over two years.
  await step('dossiers', `
    insert into dossiers (id, numero_interne, numero_externe, cfa_siren, rang_cfa, etat, origine, commentaire_etat, mise_en_conformite,
      cerfa, empreinte_contenu, cle_apprenti, employeur_siret, date_debut_contrat, type_contrat_app, recu_le, mis_a_jour_le)
    select g, lpad(g::text, 12, '0'), to_char(a.recu at time zone 'Europe/Paris', 'YY') || 'APP' || lpad(g::text, 8, '0'),
      a.siren, a.rang, b.etat, b.origine, case when b.mec then 'Convention de formation non signée' end, b.mec,
      jsonb_build_object(
        'apprenti', jsonb_build_object('nom', (${sqlArray(NOMS)})[1 + ${h('g', 2, NOMS.length)}], 'prenom', (${sqlArray(PRENOMS)})[1 + ${h('g', 3, PRENOMS.length)}]),
        'employeur', jsonb_build_object('denomination', (${sqlArray(EMPLOYEURS)})[1 + ${h('g', 4, EMPLOYEURS.length)}] || ' ' || ${h('g', 5, 5000)}),
        'formation', jsonb_build_object('intituleQualification', (${sqlArray(FORMATIONS.map((f) => f[0]))})[1 + b.formation],
          'codeDiplome', (${sqlArray(FORMATIONS.map((f) => f[1]))})[1 + b.formation]),
        'contrat', jsonb_build_object('dateFinContrat', to_char(b.debut + 365 * (1 + ${h('g', 6, 3)}), 'YYYY-MM-DD'))),
      md5(g::text), md5('a' || g), lpad((${h('g', 7, 900000000)} + 100000000)::text, 9, '0') || '00013', b.debut,
      case when ${h('g', 8, 10)} < 8 then 11 when ${h('g', 8, 10)} = 8 then 21 else 32 end,
      a.recu, least(a.recu + make_interval(days => ${h('g', 9, 60)}), now())
    from generate_series(1, ${N}) g
    cross join lateral (select
      case when g % 10 = 0 then ${q(siren)} else ${otherSiren(`(g - g / 10 - 1) % ${C}`)} end as siren,
      case when g % 10 = 0 then g / 10 else (g - g / 10 - 1) / ${C} + 1 end as rang,
      ${start} + make_interval(secs => (g::float8 * ${span} / ${N}) + ${h('g', 10, 600)}) as recu,
      ${h('g', 1, 100)} as r) a
    cross join lateral (select
      case when a.r < 70 then 'ENGAGE' when a.r < 78 then 'EN_COURS_INSTRUCTION' when a.r < 84 then 'TRANSMIS' when a.r < 90 then 'SOLDE'
        when a.r < 94 then 'RUPTURE' when a.r < 97 then 'REFUSE' else 'ANNULE' end as etat,
      a.r >= 70 and a.r < 78 and ${h('g', 11, 4)} = 0 as mec,
      case when ${h('g', 12, 100)} < 85 then 'API_CFA' when ${h('g', 12, 100)} < 93 then 'ENTREPRISE' else 'SAISIE_OPCO' end as origine,
      (a.recu at time zone 'Europe/Paris')::date + (${h('g', 13, 45)} - 15) as debut,
      ${h('g', 14, FORMATIONS.length)} as formation) b`);

  // 4 échéances per engaged, broken or balanced dossier, one every 6 months from the start: an
  // échéance opened more than 4 months ago is mostly paid, a recent one open or being processed;
  // a broken contract's last one is cancelled; a balanced dossier is all paid.
  await step('echeances', `
    insert into echeances (dossier_id, numero, codification, type, annee_execution, date_ouverture, date_debut, date_fin,
      montant_total_centimes, dont_pedagogie_centimes, dont_rqth_centimes, montant_regle_centimes, montant_en_cours_centimes,
      date_limite_facturation, exige_certificat, statut, cfa_siren, dossier_facturable)
    select d.id, n, 'A' || n, (array['AVANCE', 'INTERMEDIAIRE', 'SOLDE_INTERMEDIAIRE', 'SOLDE'])[n], (n + 1) / 2,
      o.ouverture, o.ouverture, o.ouverture + 181, m.total, m.total, 0, p.regle, p.en_cours,
      case when n = 4 then o.ouverture + 181 + 120 end, n = 4,
      case when m.total = 0 then 'ANNULEE' when p.regle > 0 and p.regle < m.total then 'PARTIELLE' else 'PREVUE' end,
      -- what the triggers of migration 20261203_05 would set: they are off during the load
      d.cfa_siren, dossier_facturable_etat(d.etat)
    from dossiers d
    cross join generate_series(1, 4) n
    cross join lateral (select d.date_debut_contrat + (n - 1) * 182 as ouverture, ${h('d.id * 4 + n', 21, 100)} as r) o
    cross join lateral (select case when d.etat = 'RUPTURE' and n = 4 then 0
      else (array[320000, 240000, 160000, 80000])[n] + ${h('d.id * 4 + n', 22, 40)} * 1000 end as total) m
    cross join lateral (select
      case when m.total = 0 then 0 when d.etat = 'SOLDE' then m.total when o.ouverture > current_date then 0
        when o.ouverture <= current_date - 120 then case when o.r < 88 then m.total when o.r < 92 then m.total / 2 else 0 end
        else case when o.r < 30 then m.total else 0 end end as regle,
      case when m.total > 0 and d.etat <> 'SOLDE' and o.ouverture <= current_date and o.ouverture > current_date - 120
        and o.r >= 30 and o.r < 50 then m.total else 0 end as en_cours) p
    where d.etat in ('ENGAGE', 'RUPTURE', 'SOLDE')`);

  // The engagement of every dossier with an échéancier: Σ of its échéances (the job dossiers-echus
  // reads the dossiers that have one).
  await step('engagements', `
    insert into engagements (dossier_id, regime, engagement_centimes, npec_annuel_centimes, participation_employeur_centimes, details)
    select dossier_id, 'JOUR_40_30_20_10', sum(montant_total_centimes), 800000, 0, '{}'::jsonb
    from echeances group by dossier_id`);

  // Invoices: row g is the measured CFA's when g % 5 < 3 (rank 3 (g / 5) + g % 5), else other CFA
  // j % C where j counts the other rows. One in three of a CFA's invoices (by rank) is REGLE.
  // Received in g order over two years; dated up to a month before reception.
  await step('factures', `
    insert into factures (id, numero_interne, cfa_siren, numero, rang_cfa, etat, commentaire, date_emission, montant_total_centimes,
      montant_regle_centimes, siret_emetteur, iban_emetteur, est_certificat_realisation, reference_virement, date_reglement, contenu,
      recue_le, mis_a_jour_le)
    select g, lpad((500000000000 + g)::text, 12, '0'), a.siren, 'FAC-' || lpad(a.rang::text, 7, '0'), a.rang, b.etat,
      case b.etat when 'EN_ATTENTE_MISE_EN_CONFORMITE' then 'RIB illisible' when 'REJETEE' then 'Échéance déjà facturée' end,
      b.emission, b.total,
      case b.etat when 'REGLE' then b.total when 'REGLE_PARTIELLEMENT' then b.total / 2 else 0 end,
      a.siren || '00013', 'FR7630001007941234567890185', a.rang % 7 = 0,
      case when b.etat in ('REGLE', 'REGLE_PARTIELLEMENT') then 'VIR-OPCO-' || lpad(a.reglement::text, 6, '0') end,
      case when b.etat in ('REGLE', 'REGLE_PARTIELLEMENT') then least(b.emission + 45, current_date) end,
      jsonb_build_object('numeroFacture', 'FAC-' || lpad(a.rang::text, 7, '0'), 'dateEmission', to_char(b.emission, 'YYYY-MM-DD'),
        'montantTotalHT', b.total / 100.0, 'siretEmetteur', a.siren || '00013'),
      a.recue, least(a.recue + make_interval(days => ${h('g', 31, 50)}), now())
    from generate_series(1, ${F}) g
    cross join lateral (select g % 5 < 3 as mine, 2 * (g / 5) + g % 5 - 3 as j,
      ${start} + make_interval(secs => (g::float8 * ${span} / ${F}) + ${h('g', 32, 600)}) as recue) a0
    cross join lateral (select a0.recue,
      case when a0.mine then ${q(siren)} else ${otherSiren(`a0.j % ${C}`)} end as siren,
      case when a0.mine then 3 * (g / 5) + g % 5 else a0.j / ${C} + 1 end as rang,
      case when a0.mine then 1 + (3 * (g / 5) + g % 5) % ${R} else ${R + 1} + a0.j % ${C} end as reglement) a
    cross join lateral (select
      case when a.rang % 3 = 0 then 'REGLE' when ${h('g', 33, 100)} < 35 then 'VALIDEE' when ${h('g', 33, 100)} < 50 then 'REGLE_PARTIELLEMENT'
        when ${h('g', 33, 100)} < 75 then 'TRANSMIS' when ${h('g', 33, 100)} < 80 then 'EN_ATTENTE_MISE_EN_CONFORMITE' else 'REJETEE' end as etat,
      (a.recue at time zone 'Europe/Paris')::date - ${h('g', 34, 30)} as emission,
      50000 + ${h('g', 35, 450000)} as total) b`);

  // One line on one of the CFA's dossiers; one invoice in three has a second line (RQTH or fees).
  await step('factures_lignes', `
    insert into factures_lignes (facture_id, rang, dossier_id, numero_echeance, codification, nature, quantite, montant_centimes, montant_regle_centimes)
    select f.id, l.rang, x.dossier, x.echeance, 'A' || x.echeance, l.nature, 1, l.montant, l.regle
    from factures f
    cross join lateral (select
      case when f.cfa_siren = ${q(siren)} then 10 * (1 + ${h('f.id', 41, Math.floor(N / 10))})
        else k + 1 + k / 9 end as dossier,
      1 + ${h('f.id', 42, 4)} as echeance,
      ${h('f.id', 43, 3)} = 0 as deux
      from (select (f.cfa_siren::bigint - 100000007) / 1000 + ${C} * ${h('f.id', 41, Math.floor((N - N / 10) / C))} as k) kk) x
    cross join lateral (values
      (0, 'PEDAGOGIE', case when x.deux then f.montant_total_centimes - f.montant_total_centimes / 4 else f.montant_total_centimes end,
        case f.etat when 'REGLE' then case when x.deux then f.montant_total_centimes - f.montant_total_centimes / 4 else f.montant_total_centimes end
          when 'REGLE_PARTIELLEMENT' then f.montant_total_centimes / 2 else 0 end),
      (1, (array['MAJORATION_RQTH', 'RESTAURATION', 'HEBERGEMENT'])[1 + ${h('f.id', 44, 3)}], f.montant_total_centimes / 4,
        case f.etat when 'REGLE' then f.montant_total_centimes / 4 else 0 end)
    ) as l(rang, nature, montant, regle)
    where l.rang = 0 or x.deux`);

  // History in time order: received by everyone, validated, paid, asked to correct or rejected.
  await step('factures_historique', `
    insert into factures_historique (facture_id, evenement, etat, le, acteur, commentaire)
    select facture_id, evenement, etat, le, acteur, commentaire from (
      select id as facture_id, 'ETAT' as evenement, 'TRANSMIS' as etat, recue_le as le, 'cfa:' || cfa_siren as acteur, 'Transmise par API CFA' as commentaire from factures
      union all
      select id, 'ETAT', 'VALIDEE', recue_le + interval '5 days', 'opco:bench', null from factures where etat in ('VALIDEE', 'REGLE', 'REGLE_PARTIELLEMENT')
      union all
      select id, 'REGLEMENT', etat, recue_le + interval '40 days', 'opco:bench', reference_virement from factures where etat in ('REGLE', 'REGLE_PARTIELLEMENT')
      union all
      select id, 'ETAT', etat, recue_le + interval '3 days', 'opco:bench', commentaire from factures where etat in ('EN_ATTENTE_MISE_EN_CONFORMITE', 'REJETEE')
    ) h order by le`);

  // The OPCO's transfers: R for the measured CFA, one per other CFA; each pays the invoice lines
  // that name it, and its amount is their sum.
  await step('reglements', `
    insert into reglements (id, numero_interne, cfa_siren, reference_virement, date_reglement, montant_centimes, acteur, enregistre_le)
    select k, lpad((700000000000 + k)::text, 12, '0'), case when k <= ${R} then ${q(siren)} else ${otherSiren(`k - ${R + 1}`)} end,
      'VIR-OPCO-' || lpad(k::text, 6, '0'), date '2025-01-15' + (k % ${R}) / 5, 0, 'opco:bench',
      timestamptz '2025-01-15 10:00:00+00' + make_interval(days => (k % ${R}) / 5)
    from generate_series(1, ${R + C}) k`);
  await step('reglements_lignes', `
    insert into reglements_lignes (reglement_id, facture_id, facture_ligne_id, montant_centimes)
    select substr(f.reference_virement, 10)::bigint, f.id, l.id, l.montant_regle_centimes
    from factures_lignes l join factures f on f.id = l.facture_id
    where l.montant_regle_centimes > 0`);
  await step('reglements_montants', `
    update reglements r set montant_centimes = s.total
    from (select reglement_id, sum(montant_centimes) as total from reglements_lignes group by reglement_id) s
    where s.reglement_id = r.id`);

  // Refunds of over-payments on broken contracts: all the measured CFA's, a few of the others'.
  await step('remboursements', `
    insert into remboursements (numero_interne, cfa_siren, dossier_id, montant_centimes, cause, etat, mode, cree_le, declare_le, recu_le)
    select lpad((800000000000 + d.id)::text, 12, '0'), d.cfa_siren, d.id, 10000 + ${h('d.id', 51, 200000)}, 'TROP_PERCU_RUPTURE', e.etat,
      case when e.etat <> 'A_REGULARISER' then 'VIREMENT' end, d.mis_a_jour_le,
      case when e.etat <> 'A_REGULARISER' then d.mis_a_jour_le + interval '20 days' end,
      case when e.etat = 'RECU' then d.mis_a_jour_le + interval '30 days' end
    from dossiers d
    cross join lateral (select (array['A_REGULARISER', 'A_REGULARISER', 'DECLARE', 'RECU'])[1 + ${h('d.id', 52, 4)}] as etat) e
    where d.etat = 'RUPTURE' and (d.cfa_siren = ${q(siren)} or d.id % 20 = 1)
    order by d.id`);

  // Explicit ids: the sequences continue after them.
  await step('sequences', `
    select setval(pg_get_serial_sequence('dossiers', 'id'), (select max(id) from dossiers)),
      setval('numero_externe_seq', (select max(id) from dossiers)),
      setval(pg_get_serial_sequence('factures', 'id'), (select max(id) from factures)),
      setval(pg_get_serial_sequence('reglements', 'id'), (select max(id) from reglements))`);
  return timings;
}
