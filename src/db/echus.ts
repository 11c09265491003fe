/**
 * The daily marking of the dossiers échus (job `dossiers-echus`): one statement computes today's
 * échus with the rules of src/domain/invoicing/echus.ts, inserts the new ones, updates the reasons
 * of the others (keeping when they were first marked) and deletes the rows that no longer match.
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

// Constants of the domain, not input: inlined so the statement reads like the rules.
const ECHUS = `
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
  where d.etat in (${list(ETATS_DOSSIER_ECHUS)})
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
  delete from dossiers_echus de where not exists (select 1 from echus e where e.dossier_id = de.dossier_id)
  returning de.dossier_id
),
ecrits as (
  insert into dossiers_echus (dossier_id, cfa_siren, fin_periode, reste_a_facturer_centimes, certificat_manquant)
  select dossier_id, cfa_siren, fin_periode, reste, certificat_manquant from echus
  on conflict (dossier_id) do update set
    cfa_siren = excluded.cfa_siren, fin_periode = excluded.fin_periode,
    reste_a_facturer_centimes = excluded.reste_a_facturer_centimes, certificat_manquant = excluded.certificat_manquant
  where (dossiers_echus.cfa_siren, dossiers_echus.fin_periode, dossiers_echus.reste_a_facturer_centimes, dossiers_echus.certificat_manquant)
        is distinct from (excluded.cfa_siren, excluded.fin_periode, excluded.reste_a_facturer_centimes, excluded.certificat_manquant)
  returning dossier_id
)
-- Every part of one statement sees the table as it was before it: "not yet there" means new.
select (select count(*) from echus e where not exists (select 1 from dossiers_echus de where de.dossier_id = e.dossier_id)) as marques,
       (select count(*) from ecrits) as ecrits,
       (select count(*) from retires) as retires,
       (select count(*) from echus) as total`;

/**
 * Marks the dossiers échus on `today` (a Paris calendar date). Declarations de solde are locked out
 * for the few moments it runs (SHARE lock): the statement then sees every committed declaration and
 * none commits meanwhile, so a dossier just declared is never marked again.
 */
export async function markDossiersEchus(db: Knex, today: IsoDate): Promise<MarquageEchus> {
  return db.transaction(async (trx) => {
    await trx.raw('lock table declarations_solde in share mode');
    const result = await trx.raw<{ rows: Array<Record<'marques' | 'ecrits' | 'retires' | 'total', string | number>> }>(ECHUS, { today });
    const row = result.rows[0];
    const marques = Number(row?.marques ?? 0);
    return { marques, actualises: Number(row?.ecrits ?? 0) - marques, retires: Number(row?.retires ?? 0), total: Number(row?.total ?? 0) };
  });
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
