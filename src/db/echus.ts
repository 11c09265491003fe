/**
 * The daily marking of the dossiers échus (job `dossiers-echus`): one statement computes today's
 * échus with the rules of src/domain/invoicing/echus.ts, inserts the new ones, updates the reasons
 * of the others (keeping when they were first marked) and deletes the rows that no longer match.
 * The same statement, scoped to a few dossiers and without marking, refreshes the list at once
 * after the CFA's actions (`refreshEchus`).
 */
import type { Knex } from 'knex';
import type { IsoDate } from '../domain/financing/index.js';
import { ETATS_DOSSIER_ECHUS, MOIS_AVANT_ECHU } from '../domain/invoicing/index.js';
import { ETATS_FACTURE_EN_ATTENTE } from './factures.js';

export type MarquageEchus = {
  /** Newly marked. */
  marques: number;
  /** Still échus, with other reasons or amounts. */
  actualises: number;
  /** No longer échus. */
  retires: number;
  /** Échus after the run. */
  total: number;
};

const list = (values: readonly string[]): string => values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ');

// Constants of the domain, not input: inlined so the statement reads like the rules. `scoped` limits
// it to the dossiers `:ids`, `marque` says whether new échus are inserted: the rules are written
// once, for the job (whole base, marks) and for the writes that refresh their dossiers (no marking).
const IDS = 'any(cast(:ids as bigint[]))';
const echusStatement = (scoped: boolean, marque: boolean): string => `
with candidats as (
  select d.id as dossier_id, d.cfa_siren,
         coalesce(r.date_rupture, (g.details #>> '{rupture,dateRupture}')::date, e.fin) as fin_periode,
         e.reste, e.derniere
  from dossiers d
  join engagements g on g.dossier_id = d.id
  left join ruptures r on r.dossier_id = d.id
  cross join lateral (
    select max(x.date_fin) filter (where x.statut <> 'ANNULEE') as fin,
           max(x.numero) filter (where x.statut <> 'ANNULEE') as derniere,
           coalesce(sum(greatest(0, x.montant_total_centimes - x.montant_regle_centimes - x.montant_en_cours_centimes))
             filter (where x.statut <> 'ANNULEE' and (x.date_limite_facturation is null or x.date_limite_facturation >= cast(:today as date))), 0) as reste
    from echeances x where x.dossier_id = d.id
  ) e
  where d.etat in (${list(ETATS_DOSSIER_ECHUS)}) ${scoped ? `and d.id = ${IDS}` : ''}
    and not exists (select 1 from declarations_solde s where s.dossier_id = d.id)
    and not exists (select 1 from factures_lignes l join factures f on f.id = l.facture_id
                    where l.dossier_id = d.id and f.etat in (${list(ETATS_FACTURE_EN_ATTENTE)}))
),
evalues as (
  select c.dossier_id, c.cfa_siren, c.fin_periode, c.reste,
         coalesce(dern.exige_certificat, false)
           and not exists (select 1 from certificats ce where ce.dossier_id = c.dossier_id
                           and (ce.numero_echeance = c.derniere or ce.type_certificat = 'Final'))
           and not exists (select 1 from factures_lignes l join factures f on f.id = l.facture_id
                           where l.dossier_id = c.dossier_id and l.numero_echeance = c.derniere
                             and f.est_certificat_realisation and f.etat <> 'REJETEE') as certificat_manquant
  from candidats c
  left join echeances dern on dern.dossier_id = c.dossier_id and dern.numero = c.derniere
  where c.fin_periode is not null and (c.fin_periode + interval '${MOIS_AVANT_ECHU} months')::date <= cast(:today as date)
),
echus as (select * from evalues where reste > 0 or certificat_manquant),
retires as (
  delete from dossiers_echus de where ${scoped ? `de.dossier_id = ${IDS} and ` : ''}not exists (select 1 from echus e where e.dossier_id = de.dossier_id)
  returning de.dossier_id
),
actualises as (
  update dossiers_echus de set
    cfa_siren = e.cfa_siren, fin_periode = e.fin_periode, reste_a_facturer_centimes = e.reste, certificat_manquant = e.certificat_manquant
  from echus e
  where de.dossier_id = e.dossier_id
    and (de.cfa_siren, de.fin_periode, de.reste_a_facturer_centimes, de.certificat_manquant) is distinct from (e.cfa_siren, e.fin_periode, e.reste, e.certificat_manquant)
  returning de.dossier_id
),
marques as (
  -- Every part of one statement sees the table as it was before it: "not there" means new.
  insert into dossiers_echus (dossier_id, cfa_siren, fin_periode, reste_a_facturer_centimes, certificat_manquant)
  select dossier_id, cfa_siren, fin_periode, reste, certificat_manquant from echus e
  where ${marque ? 'true' : 'false'} and not exists (select 1 from dossiers_echus de where de.dossier_id = e.dossier_id)
  returning dossier_id
)
select (select count(*) from marques) as marques,
       (select count(*) from actualises) as actualises,
       (select count(*) from retires) as retires,
       (select count(*) from echus e where ${marque} or exists (select 1 from dossiers_echus de where de.dossier_id = e.dossier_id)) as total`;

type Counts = Record<keyof MarquageEchus, string | number>;

async function runEchus(trx: Knex.Transaction, sql: string, bindings: Record<string, unknown>): Promise<MarquageEchus> {
  // Writers of declarations_solde, then of dossiers_echus, in this order in every transaction (the
  // job's locks below, declareSolde): no cycle. The job excludes the refreshes while it runs, so a
  // refresh is never overwritten by a statement that did not see its write.
  const row = (await trx.raw<{ rows: Counts[] }>(sql, bindings)).rows[0];
  return { marques: Number(row?.marques ?? 0), actualises: Number(row?.actualises ?? 0), retires: Number(row?.retires ?? 0), total: Number(row?.total ?? 0) };
}

/**
 * Marks the dossiers échus on `today` (a Paris calendar date). Declarations de solde are locked out
 * for the few moments it runs (SHARE lock): the statement then sees every committed declaration and
 * none commits meanwhile, so a dossier just declared is never marked again. The refreshes of single
 * dossiers (`refreshEchus`) are locked out too: the job waits for those in flight and sees them.
 */
export async function markDossiersEchus(db: Knex, today: IsoDate): Promise<MarquageEchus> {
  return db.transaction(async (trx) => {
    await trx.raw('lock table declarations_solde in share mode');
    await trx.raw('lock table dossiers_echus in share row exclusive mode');
    return runEchus(trx, echusStatement(false, true), { today });
  });
}

/**
 * After a write that may end a dossier's échu state or change its reasons (certificat, invoice,
 * rupture, state change): the same rules, for these dossiers only, on `today`. A row that no longer
 * matches is deleted, changed reasons are updated (`marque_le` kept); nothing is added — the job
 * alone decides when a dossier becomes échu. Call it inside the write's transaction, after any write
 * to declarations_solde.
 */
export async function refreshEchus(trx: Knex.Transaction, dossierIds: readonly string[], today: IsoDate): Promise<MarquageEchus> {
  const none = { marques: 0, actualises: 0, retires: 0, total: 0 };
  if (dossierIds.length === 0) return none;
  // The lock a write would take, taken in any case: the nightly job waits for this transaction.
  await trx.raw('lock table dossiers_echus in row exclusive mode');
  // A refresh never adds: only the listed dossiers need the rules (most writes touch none).
  const listed = (await trx('dossiers_echus').whereIn('dossier_id', [...new Set(dossierIds)]).pluck('dossier_id')) as Array<string | number>;
  if (listed.length === 0) return none;
  return runEchus(trx, echusStatement(true, false), { today, ids: listed.map(String) });
}

/** A dossier leaves the list (its solde was declared). */
export async function deleteEchu(trx: Knex.Transaction, dossierId: string): Promise<void> {
  await trx('dossiers_echus').where({ dossier_id: dossierId }).delete();
}

/** How many of the CFA's dossiers are échus now (the list's size, without its filters). */
export async function countEchus(db: Knex, siren: string): Promise<number> {
  const row = (await db('dossiers_echus').where({ cfa_siren: siren }).count({ n: '*' }).first()) as { n: string | number } | undefined;
  return Number(row?.n ?? 0);
}
