/**
 * The CFA's lists (états de suivi and the "Mes actions à mener" lists), as `Listing`s: one CFA's
 * rows, a fixed predicate for action lists, the filters each list declares, the search `q`, the
 * sort keys. The perimeter is `cfa_siren`: every dossier naming one of the CFA's SIRETs, whatever
 * channel brought it. Choices: docs/decisions/pilotage.md.
 */
import type { Knex } from 'knex';
import { CODES_TYPE_DOSSIER, TYPES_DOSSIER, type TypeDossier } from '../domain/pilotage.js';
import { NATURES_ECHEANCE, NATURES_FRAIS } from '../domain/invoicing/types.js';
import { likePattern, textFilter, type ListFilters, type Listing } from './listing.js';

const APPRENTI_NOM = `(d.cerfa->'apprenti'->>'nom')`;
const APPRENTI_PRENOM = `(d.cerfa->'apprenti'->>'prenom')`;
const EMPLOYEUR = `coalesce(d.cerfa->'employeur'->>'denomination', d.cerfa->'employeurV2'->>'denomination')`;
const FIN_CONTRAT = `left(d.cerfa->'contrat'->>'dateFinContrat', 10)`;
const CODE_DIPLOME = `(d.cerfa->'formation'->>'codeDiplome')`;
const INTITULE_DIPLOME = `(d.cerfa->'formation'->>'intituleQualification')`;

/**
 * Dossier number (interne, externe, DECA), apprentice's name or employer (name or SIRET). The
 * name matches in "prénom nom" and "nom prénom" (each contains either part alone too); runs of
 * spaces in the text count as one.
 */
export function searchDossier(w: Knex.QueryBuilder, text: string): void {
  const like = likePattern(text);
  const name = likePattern(text.replace(/\s+/g, ' ').trim() || text);
  w.where('d.numero_interne', text).orWhere('d.numero_externe', text).orWhere('d.numero_deca', text)
    .orWhere('d.employeur_siret', text)
    .orWhereRaw(`concat_ws(' ', ${APPRENTI_PRENOM}, ${APPRENTI_NOM}) ilike ?`, [name])
    .orWhereRaw(`concat_ws(' ', ${APPRENTI_NOM}, ${APPRENTI_PRENOM}) ilike ?`, [name])
    .orWhereRaw(`${EMPLOYEUR} ilike ?`, [like]);
}

/**
 * `searchDossier`, or the CFA's invoice numbered `text` (its own number or the internal one) has a
 * line on the dossier. Uncorrelated, so PostgreSQL runs it once and hashes the ids; the tenant
 * condition stays inside, so another CFA's invoice numbered alike finds nothing.
 */
export function searchDossierOrFacture(w: Knex.QueryBuilder, siren: string, text: string): void {
  searchDossier(w, text);
  w.orWhereRaw(`d.id in (select l.dossier_id from factures_lignes l join factures f on f.id = l.facture_id
      where f.cfa_siren = ? and (f.numero = ? or f.numero_interne = ?))`, [siren, text, text]);
}

function isTypeDossier(value: string): value is TypeDossier {
  return (TYPES_DOSSIER as readonly string[]).includes(value);
}

export interface DossierListRow {
  id: string;
  numero_interne: string;
  numero_externe: string;
  numero_deca: string | null;
  etat: string;
  origine: string;
  type_contrat_app: number;
  mise_en_conformite: boolean;
  commentaire_etat: string | null;
  apprenti_nom: string | null;
  apprenti_prenom: string | null;
  employeur_siret: string;
  employeur_denomination: string | null;
  diplome: string | null;
  code_diplome: string | null;
  debut_contrat: string;
  fin_contrat: string | null;
  recu_le: Date;
  mis_a_jour_le: Date;
}

export const DOSSIER_LIST_COLUMNS = (db: Knex): Array<string | Knex.Raw> => [
  'd.id', 'd.numero_interne', 'd.numero_externe', 'd.numero_deca', 'd.etat', 'd.origine', 'd.type_contrat_app',
  'd.mise_en_conformite', 'd.commentaire_etat', 'd.employeur_siret', 'd.recu_le', 'd.mis_a_jour_le',
  db.raw(`${APPRENTI_NOM} as apprenti_nom`),
  db.raw(`${APPRENTI_PRENOM} as apprenti_prenom`),
  db.raw(`${EMPLOYEUR} as employeur_denomination`),
  db.raw(`${INTITULE_DIPLOME} as diplome`),
  db.raw(`${CODE_DIPLOME} as code_diplome`),
  db.raw(`to_char(d.date_debut_contrat, 'YYYY-MM-DD') as debut_contrat`),
  db.raw(`${FIN_CONTRAT} as fin_contrat`),
];

/**
 * Dossiers enregistrés. Filters: `etat`, `origine`, `typeDossier`, `recuDepuis` / `recuJusquAu`
 * (reception days, Paris), `du` / `au` (contracts running at some point of that period), `diplome`
 * (code diplôme, or part of the qualification's title). Search: `searchDossierOrFacture`.
 */
export function dossiersListing(db: Knex, siren: string, filters: ListFilters, fixed?: (q: Knex.QueryBuilder) => void): Listing {
  const query = db('dossiers as d').where('d.cfa_siren', siren);
  fixed?.(query);
  const etat = textFilter(filters, 'etat');
  if (etat) query.where('d.etat', etat);
  const origine = textFilter(filters, 'origine');
  if (origine) query.where('d.origine', origine);
  const type = textFilter(filters, 'typeDossier');
  if (type && isTypeDossier(type)) query.whereBetween('d.type_contrat_app', [...CODES_TYPE_DOSSIER[type]]);
  const recuDepuis = textFilter(filters, 'recuDepuis');
  if (recuDepuis) query.whereRaw(`d.recu_le >= (?::date)::timestamp at time zone 'Europe/Paris'`, [recuDepuis]);
  const recuJusquAu = textFilter(filters, 'recuJusquAu');
  if (recuJusquAu) query.whereRaw(`d.recu_le < (?::date + 1)::timestamp at time zone 'Europe/Paris'`, [recuJusquAu]);
  const du = textFilter(filters, 'du');
  if (du) query.whereRaw(`${FIN_CONTRAT} >= ?`, [du]);
  const au = textFilter(filters, 'au');
  if (au) query.where('d.date_debut_contrat', '<=', au);
  const diplome = textFilter(filters, 'diplome');
  if (diplome) query.whereRaw(`(upper(${CODE_DIPLOME}) = upper(?) or ${INTITULE_DIPLOME} ilike ?)`, [diplome, likePattern(diplome)]);
  const q = textFilter(filters, 'q');
  if (q) query.where((w) => searchDossierOrFacture(w, siren, q));
  return {
    query,
    columns: DOSSIER_LIST_COLUMNS(db),
    id: 'd.id',
    sorts: {
      dateReception: 'd.recu_le',
      dateMiseAJour: 'd.mis_a_jour_le',
      numero: 'd.numero_externe',
      apprenti: `coalesce(${APPRENTI_NOM}, '')`,
      employeur: `coalesce(${EMPLOYEUR}, '')`,
      debutContrat: 'd.date_debut_contrat',
      etat: 'd.etat',
    },
  };
}

export interface FactureListRow {
  id: string;
  numero_interne: string;
  numero: string;
  etat: string;
  commentaire: string | null;
  siret_emetteur: string;
  date_emission: string;
  montant_total_centimes: string;
  montant_regle_centimes: string;
  reference_virement: string | null;
  date_reglement: string | null;
  recue_le: Date;
  validee_le: Date | null;
  natures: string[] | null;
}

const CONTRAT_LINE = `exists (select 1 from factures_lignes l where l.facture_id = f.id and l.nature in (${NATURES_ECHEANCE.map((n) => `'${n}'`).join(', ')}))`;
const FRAIS_LINE = `exists (select 1 from factures_lignes l where l.facture_id = f.id and l.nature in (${NATURES_FRAIS.map((n) => `'${n}'`).join(', ')}))`;

/**
 * Factures enregistrées. Filters: `etat`, `type` (COUT_CONTRAT, FRAIS_ANNEXES, MIXTE),
 * `emiseDepuis` / `emiseJusquAu` (invoice date), `numeroInterneDossier` (invoices with a line on
 * that dossier). Search: invoice numbers, or a dossier number / apprentice / employer of a line.
 */
export function facturesListing(db: Knex, siren: string, filters: ListFilters, fixed?: (q: Knex.QueryBuilder) => void): Listing {
  const query = db('factures as f').where('f.cfa_siren', siren);
  fixed?.(query);
  const etat = textFilter(filters, 'etat');
  if (etat) query.where('f.etat', etat);
  const type = textFilter(filters, 'type');
  if (type === 'COUT_CONTRAT') query.whereRaw(`${CONTRAT_LINE} and not ${FRAIS_LINE}`);
  if (type === 'FRAIS_ANNEXES') query.whereRaw(`${FRAIS_LINE} and not ${CONTRAT_LINE}`);
  if (type === 'MIXTE') query.whereRaw(`${FRAIS_LINE} and ${CONTRAT_LINE}`);
  const depuis = textFilter(filters, 'emiseDepuis');
  if (depuis) query.where('f.date_emission', '>=', depuis);
  const jusquAu = textFilter(filters, 'emiseJusquAu');
  if (jusquAu) query.where('f.date_emission', '<=', jusquAu);
  const dossier = textFilter(filters, 'numeroInterneDossier');
  if (dossier) {
    query.whereExists(db('factures_lignes as l').join('dossiers as d', 'd.id', 'l.dossier_id')
      .whereRaw('l.facture_id = f.id').where('d.numero_interne', dossier).select(db.raw('1')));
  }
  const q = textFilter(filters, 'q');
  if (q) {
    query.where((w) => {
      w.where('f.numero', q).orWhere('f.numero_interne', q).orWhere('f.reference_virement', q)
        .orWhereExists(db('factures_lignes as l').join('dossiers as d', 'd.id', 'l.dossier_id')
          .whereRaw('l.facture_id = f.id').where((s) => searchDossier(s, q)).select(db.raw('1')));
    });
  }
  return {
    query,
    columns: [
      'f.id', 'f.numero_interne', 'f.numero', 'f.etat', 'f.commentaire', 'f.siret_emetteur', 'f.montant_total_centimes',
      'f.montant_regle_centimes', 'f.reference_virement', 'f.recue_le',
      db.raw(`to_char(f.date_emission, 'YYYY-MM-DD') as date_emission`),
      db.raw(`to_char(f.date_reglement, 'YYYY-MM-DD') as date_reglement`),
      db.raw(`(select min(h.le) from factures_historique h where h.facture_id = f.id and h.etat = 'VALIDEE') as validee_le`),
      db.raw(`(select array_agg(distinct l.nature) from factures_lignes l where l.facture_id = f.id) as natures`),
    ],
    id: 'f.id',
    sorts: {
      dateReception: 'f.recue_le',
      dateEmission: 'f.date_emission',
      montant: 'f.montant_total_centimes',
      numero: 'f.numero',
      dateReglement: `coalesce(f.date_reglement, '-infinity'::date)`,
      etat: 'f.etat',
    },
  };
}

export interface ReglementListRow {
  id: string;
  numero_interne: string;
  cfa_siren: string;
  reference_virement: string;
  date_reglement: string;
  montant_centimes: string;
  acteur: string;
  enregistre_le: Date;
}

/**
 * Règlements émis. Filters: `regleDepuis` / `regleJusquAu` (transfer date). Search: the transfer
 * reference, or an invoice (CFA or internal number) or dossier it settled.
 */
export function reglementsListing(db: Knex, siren: string, filters: ListFilters): Listing {
  const query = db('reglements as r').where('r.cfa_siren', siren);
  const depuis = textFilter(filters, 'regleDepuis');
  if (depuis) query.where('r.date_reglement', '>=', depuis);
  const jusquAu = textFilter(filters, 'regleJusquAu');
  if (jusquAu) query.where('r.date_reglement', '<=', jusquAu);
  const q = textFilter(filters, 'q');
  if (q) {
    query.where((w) => {
      w.where('r.reference_virement', q).orWhere('r.numero_interne', q)
        .orWhereExists(db('reglements_lignes as rl').join('factures as f', 'f.id', 'rl.facture_id')
          .join('factures_lignes as l', 'l.id', 'rl.facture_ligne_id').join('dossiers as d', 'd.id', 'l.dossier_id')
          .whereRaw('rl.reglement_id = r.id')
          .where((s) => { s.where('f.numero', q).orWhere('f.numero_interne', q).orWhere((x) => searchDossier(x, q)); })
          .select(db.raw('1')));
    });
  }
  return {
    query,
    columns: ['r.id', 'r.numero_interne', 'r.cfa_siren', 'r.reference_virement', 'r.montant_centimes', 'r.acteur', 'r.enregistre_le',
      db.raw(`to_char(r.date_reglement, 'YYYY-MM-DD') as date_reglement`)],
    id: 'r.id',
    sorts: { dateReglement: 'r.date_reglement', montant: 'r.montant_centimes', dateEnregistrement: 'r.enregistre_le' },
  };
}

/**
 * Remboursements. Filters: `etat`. Search: the refund's number or its credit note's reference, or
 * as the dossier list on its dossier (a refund links no invoice: an invoice number finds the
 * refunds of the dossiers it has lines on).
 */
export function remboursementsListing(db: Knex, siren: string, filters: ListFilters, fixed?: (q: Knex.QueryBuilder) => void): Listing {
  const query = db('remboursements as rb').join('dossiers as d', 'd.id', 'rb.dossier_id').where('rb.cfa_siren', siren);
  fixed?.(query);
  const etat = textFilter(filters, 'etat');
  if (etat) query.where('rb.etat', etat);
  const q = textFilter(filters, 'q');
  if (q) query.where((w) => { w.where('rb.numero_interne', q).orWhere('rb.reference_avoir', q).orWhere((s) => searchDossierOrFacture(s, siren, q)); });
  return {
    query,
    columns: ['rb.*', 'd.numero_externe', 'd.numero_interne as dossier_numero_interne'],
    id: 'rb.id',
    sorts: { dateCreation: 'rb.cree_le', montant: 'rb.montant_centimes', etat: 'rb.etat' },
  };
}

export type DossierEchuRow = DossierListRow & { fin_periode: string; reste_a_facturer_centimes: string; certificat_manquant: boolean; marque_le: Date };

/**
 * Dossiers échus à traiter, as the `dossiers-echus` job marked them. Filters: `motif`
 * (RESTE_A_FACTURER, CERTIFICAT_MANQUANT). Search: as the dossier list.
 */
export function dossiersEchusListing(db: Knex, siren: string, filters: ListFilters): Listing {
  const query = db('dossiers_echus as x').join('dossiers as d', 'd.id', 'x.dossier_id').where('x.cfa_siren', siren);
  const motif = textFilter(filters, 'motif');
  if (motif === 'RESTE_A_FACTURER') query.where('x.reste_a_facturer_centimes', '>', 0);
  if (motif === 'CERTIFICAT_MANQUANT') query.where('x.certificat_manquant', true);
  const q = textFilter(filters, 'q');
  if (q) query.where((w) => searchDossierOrFacture(w, siren, q));
  return {
    query,
    columns: [...DOSSIER_LIST_COLUMNS(db), 'x.reste_a_facturer_centimes', 'x.certificat_manquant', 'x.marque_le',
      db.raw(`to_char(x.fin_periode, 'YYYY-MM-DD') as fin_periode`)],
    id: 'd.id',
    sorts: { finPeriode: 'x.fin_periode', reste: 'x.reste_a_facturer_centimes', numero: 'd.numero_externe' },
  };
}

export interface FacturationListRow {
  id: string;
  numero_interne: string;
  etat: string;
  etape: number;
  nature: string;
  nombre_dossiers: number;
  montant_total_centimes: string;
  facture_numero_interne: string | null;
  facture_numero: string | null;
  creee_le: Date;
  mise_a_jour_le: Date;
  deposee_le: Date | null;
}

/**
 * Facturations (drafts in progress, deposited, abandoned). Filters: `etat`. Search: the draft's or
 * its invoice's number, or as `searchDossier` on one of its dossiers.
 */
export function facturationsListing(db: Knex, siren: string, filters: ListFilters): Listing {
  const query = db('facturations as fa').leftJoin('factures as f', 'f.id', 'fa.facture_id').where('fa.cfa_siren', siren);
  const etat = textFilter(filters, 'etat');
  if (etat) query.where('fa.etat', etat);
  const q = textFilter(filters, 'q');
  if (q) {
    query.where((w) => {
      w.where('fa.numero_interne', q).orWhere('f.numero', q).orWhere('f.numero_interne', q)
        .orWhereExists(db('facturations_dossiers as fd').join('dossiers as d', 'd.id', 'fd.dossier_id')
          .whereRaw('fd.facturation_id = fa.id').where((s) => searchDossier(s, q)).select(db.raw('1')));
    });
  }
  return {
    query,
    columns: ['fa.id', 'fa.numero_interne', 'fa.etat', 'fa.etape', 'fa.nature', 'fa.nombre_dossiers', 'fa.montant_total_centimes',
      'fa.creee_le', 'fa.mise_a_jour_le', 'fa.deposee_le', 'f.numero_interne as facture_numero_interne', 'f.numero as facture_numero'],
    id: 'fa.id',
    sorts: { dateMiseAJour: 'fa.mise_a_jour_le', dateCreation: 'fa.creee_le', montant: 'fa.montant_total_centimes' },
  };
}

export type DeclarationSoldeRow = DossierListRow & {
  declaration_numero_interne: string; declaration_etat: string; commentaire: string | null; montant_libere_centimes: string; declaree_le: Date; soldee_le: Date | null;
};

/** Déclarations de solde. Filters: `etat` (EN_ATTENTE, SOLDE). Search: as the dossier list. */
export function soldesListing(db: Knex, siren: string, filters: ListFilters): Listing {
  const query = db('declarations_solde as s').join('dossiers as d', 'd.id', 's.dossier_id').where('s.cfa_siren', siren);
  const etat = textFilter(filters, 'etat');
  if (etat) query.where('s.etat', etat);
  const q = textFilter(filters, 'q');
  if (q) query.where((w) => searchDossierOrFacture(w, siren, q));
  return {
    query,
    columns: [...DOSSIER_LIST_COLUMNS(db), 's.numero_interne as declaration_numero_interne', 's.etat as declaration_etat', 's.commentaire',
      's.montant_libere_centimes', 's.declaree_le', 's.soldee_le'],
    id: 's.id',
    sorts: { dateDeclaration: 's.declaree_le', montant: 's.montant_libere_centimes' },
  };
}
