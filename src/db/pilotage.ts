/**
 * "Mes actions à mener": the dossiers with échéances to invoice (the input of a facturation's
 * step 1) and the open échéances of a set of dossiers. The other action lists are états de suivi
 * with a fixed predicate (src/db/suivi.ts).
 */
import type { Knex } from 'knex';
import type { IsoDate } from '../domain/financing/index.js';
import { DOSSIER_LIST_COLUMNS, searchDossierOrFacture, type DossierListRow } from './suivi.js';
import { textFilter, type ListFilters, type Listing } from './listing.js';

/**
 * An échéance the CFA can invoice today: not cancelled, open, something left once paid and
 * pending amounts are deducted, and its invoicing deadline (balance, R6332-25 III 4°) not passed.
 */
const OPEN_ECHEANCE = `e.statut <> 'ANNULEE' and e.date_ouverture <= ?::date
  and e.montant_total_centimes > e.montant_regle_centimes + e.montant_en_cours_centimes
  and (e.date_limite_facturation is null or e.date_limite_facturation >= ?::date)`;

/** Échéances opened on or before this day count: today, or the `ouverteJusquAu` filter if earlier. */
export function openedBy(filters: ListFilters, today: IsoDate): IsoDate {
  const jusquAu = textFilter(filters, 'ouverteJusquAu');
  return jusquAu && jusquAu < today ? jusquAu : today;
}

export type DossierAFacturerRow = DossierListRow & {
  echeances_ouvertes: string | number;
  premiere_ouverture: string;
  reste_centimes: string | number;
};

/**
 * Dossiers à facturer: engaged (or broken off, for what is still due) dossiers with at least one
 * open échéance, with the count, first opening date and Σ left of those échéances. Filters: `etat`,
 * `ouverteJusquAu` (échéances opened on or before that day). Search: as the dossier list
 * (invoice numbers included).
 * Read from the échéances side: the CFA's échéances left to invoice (index
 * `echeances_cfa_a_facturer`, migration 20261203_05) grouped by dossier; the dossier is joined
 * with a LEFT JOIN so that PostgreSQL drops it from a count or a page's ids when nothing of it is
 * used (every échéance has its dossier: a foreign key).
 */
export function dossiersAFacturerListing(db: Knex, siren: string, filters: ListFilters, today: IsoDate): Listing {
  const limite = openedBy(filters, today);
  const open = db('echeances as e')
    .where('e.cfa_siren', siren)
    .where('e.dossier_facturable', true)
    .whereRaw(OPEN_ECHEANCE, [limite, today]);
  const ouvertes = open.clone()
    .groupBy('e.dossier_id')
    .select('e.dossier_id', db.raw('count(*) as nombre'), db.raw('min(e.date_ouverture) as premiere'),
      db.raw('sum(e.montant_total_centimes - e.montant_regle_centimes - e.montant_en_cours_centimes) as reste'));
  const query = db.from(ouvertes.as('o')).leftJoin('dossiers as d', 'd.id', 'o.dossier_id');
  const etat = textFilter(filters, 'etat');
  if (etat) query.where('d.etat', etat);
  const q = textFilter(filters, 'q');
  if (q) query.where((w) => searchDossierOrFacture(w, siren, q));
  return {
    query,
    columns: [...DOSSIER_LIST_COLUMNS(db), 'o.nombre as echeances_ouvertes', db.raw(`to_char(o.premiere, 'YYYY-MM-DD') as premiere_ouverture`), 'o.reste as reste_centimes'],
    id: 'o.dossier_id',
    // Without a filter on the dossier, the total is the number of dossiers among the open échéances.
    ...(etat || q ? {} : { countQuery: open.clone().select(db.raw('count(distinct e.dossier_id) as n')) }),
    sorts: {
      premiereOuverture: 'o.premiere',
      reste: 'o.reste',
      numero: 'd.numero_externe',
      apprenti: `coalesce(d.cerfa->'apprenti'->>'nom', '')`,
    },
  };
}

export interface EcheanceOuverteRow {
  dossier_id: string;
  numero: number;
  codification: string;
  type: string;
  date_ouverture: string;
  date_debut: string;
  date_fin: string;
  date_limite_facturation: string | null;
  montant_total_centimes: string;
  montant_regle_centimes: string;
  montant_en_cours_centimes: string;
  exige_certificat: boolean;
}

/** The open échéances of these dossiers (opened by `limite`), in dossier then échéance order. */
export async function openEcheancesOf(db: Knex, dossierIds: readonly string[], limite: IsoDate, today: IsoDate): Promise<EcheanceOuverteRow[]> {
  if (dossierIds.length === 0) return [];
  return (await db('echeances as e')
    .whereIn('e.dossier_id', dossierIds)
    .whereRaw(OPEN_ECHEANCE, [limite, today])
    .orderBy(['e.dossier_id', 'e.numero'])
    .select('e.dossier_id', 'e.numero', 'e.codification', 'e.type', 'e.montant_total_centimes', 'e.montant_regle_centimes',
      'e.montant_en_cours_centimes', 'e.exige_certificat',
      db.raw(`to_char(e.date_ouverture, 'YYYY-MM-DD') as date_ouverture`),
      db.raw(`to_char(e.date_debut, 'YYYY-MM-DD') as date_debut`),
      db.raw(`to_char(e.date_fin, 'YYYY-MM-DD') as date_fin`),
      db.raw(`to_char(e.date_limite_facturation, 'YYYY-MM-DD') as date_limite_facturation`))) as EcheanceOuverteRow[];
}
