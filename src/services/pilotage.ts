/**
 * "Mes actions à mener" and the états de suivi of the guide for CFAs (section II): each list is
 * the caller's rows only (its SIREN), and each counter is its list's `total` — one listing
 * counts and lists, so they cannot disagree. Choices: docs/decisions/pilotage.md.
 */
import type { Knex } from 'knex';
import type { ListFilters } from '../db/listing.js';
import { dossiersAFacturerListing, openedBy, openEcheancesOf, type DossierAFacturerRow, type EcheanceOuverteRow } from '../db/pilotage.js';
import { detailOfReglements, type ReglementDetail, type ReglementRow } from '../db/reglements.js';
import type { RemboursementListItem } from '../db/remboursements.js';
import {
  dossiersEchusListing, dossiersListing, facturationsListing, facturesListing, reglementsListing, remboursementsListing, soldesListing,
  type DeclarationSoldeRow, type DossierEchuRow, type DossierListRow, type FactureListRow, type FacturationListRow,
} from '../db/suivi.js';
import { parisDate } from '../domain/dates.js';
import type { CfaActor } from './actor.js';
import { countList, plainSource, type ListSource } from './listes.js';

type Cfa = Pick<CfaActor, 'siren'>;

export function suiviDossiers(db: Knex, cfa: Cfa, filters: ListFilters): ListSource<DossierListRow> {
  return plainSource(dossiersListing(db, cfa.siren, filters));
}

export function dossiersEnAttenteMiseEnConformite(db: Knex, cfa: Cfa, filters: ListFilters): ListSource<DossierListRow> {
  return plainSource(dossiersListing(db, cfa.siren, filters, (q) => q.where('d.mise_en_conformite', true)));
}

export function suiviFactures(db: Knex, cfa: Cfa, filters: ListFilters): ListSource<FactureListRow> {
  return plainSource(facturesListing(db, cfa.siren, filters));
}

export function facturesEnAttenteMiseEnConformite(db: Knex, cfa: Cfa, filters: ListFilters): ListSource<FactureListRow> {
  return plainSource(facturesListing(db, cfa.siren, filters, (q) => q.where('f.etat', 'EN_ATTENTE_MISE_EN_CONFORMITE')));
}

export function suiviReglements(db: Knex, cfa: Cfa, filters: ListFilters): ListSource<ReglementDetail> {
  return {
    listing: reglementsListing(db, cfa.siren, filters),
    // The listing selects the payment's own columns.
    complete: (rows) => detailOfReglements(db, rows as ReglementRow[]),
  };
}

export function suiviRemboursements(db: Knex, cfa: Cfa, filters: ListFilters): ListSource<RemboursementListItem> {
  return plainSource(remboursementsListing(db, cfa.siren, filters));
}

/** Refunds the CFA still has to regularise (declare a transfer or a credit note). */
export function remboursementsAEmettre(db: Knex, cfa: Cfa, filters: ListFilters): ListSource<RemboursementListItem> {
  return plainSource(remboursementsListing(db, cfa.siren, filters, (q) => q.where('rb.etat', 'A_REGULARISER')));
}

export function dossiersEchus(db: Knex, cfa: Cfa, filters: ListFilters): ListSource<DossierEchuRow> {
  return plainSource(dossiersEchusListing(db, cfa.siren, filters));
}

export function suiviFacturations(db: Knex, cfa: Cfa, filters: ListFilters): ListSource<FacturationListRow> {
  return plainSource(facturationsListing(db, cfa.siren, filters));
}

export function suiviSoldes(db: Knex, cfa: Cfa, filters: ListFilters): ListSource<DeclarationSoldeRow> {
  return plainSource(soldesListing(db, cfa.siren, filters));
}

export type DossierAFacturer = DossierAFacturerRow & { echeances: EcheanceOuverteRow[] };

/** Dossiers with échéances open to invoicing today, each with those échéances. */
export function dossiersAFacturer(db: Knex, cfa: Cfa, filters: ListFilters, now: Date): ListSource<DossierAFacturer> {
  const today = parisDate(now);
  return {
    listing: dossiersAFacturerListing(db, cfa.siren, filters, today),
    async complete(rows) {
      // The listing selects the dossier columns and its open échéances' summary.
      const dossiers = rows as DossierAFacturerRow[];
      const echeances = await openEcheancesOf(db, dossiers.map((d) => String(d.id)), openedBy(filters, today), today);
      return dossiers.map((d) => ({ ...d, echeances: echeances.filter((e) => String(e.dossier_id) === String(d.id)) }));
    },
  };
}

export const ACTIONS = [
  'dossiersEnAttenteMiseEnConformite', 'facturesEnAttenteMiseEnConformite', 'remboursementsAEmettre', 'dossiersAFacturer', 'dossiersEchusATraiter',
] as const;
export type Action = (typeof ACTIONS)[number];

/** The sources of the five counters, with no filter. */
function actionSources(db: Knex, cfa: Cfa, now: Date): Record<Action, ListSource<unknown>> {
  return {
    dossiersEnAttenteMiseEnConformite: dossiersEnAttenteMiseEnConformite(db, cfa, {}),
    facturesEnAttenteMiseEnConformite: facturesEnAttenteMiseEnConformite(db, cfa, {}),
    remboursementsAEmettre: remboursementsAEmettre(db, cfa, {}),
    dossiersAFacturer: dossiersAFacturer(db, cfa, {}, now),
    dossiersEchusATraiter: dossiersEchus(db, cfa, {}),
  };
}

/** "Mes actions à mener": how many items each action list holds. */
export async function countActions(db: Knex, cfa: Cfa, now: Date): Promise<Record<Action, number>> {
  const sources = actionSources(db, cfa, now);
  const counts = await Promise.all(ACTIONS.map(async (a) => [a, await countList(sources[a])] as const));
  return Object.fromEntries(counts) as Record<Action, number>;
}
