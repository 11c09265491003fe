/**
 * "Mes actions à mener" (guide OPCO pour les CFA, II): five counters, each with the route of its
 * list, and those lists — filtered, paged, exportable; a list's `total` is its counter.
 */
import { ETATS_DOSSIER_FACTURABLES } from '../../domain/invoicing/index.js';
import {
  ACTIONS, countActions, dossiersAFacturer, dossiersEchus, dossiersEnAttenteMiseEnConformite, facturesEnAttenteMiseEnConformite, remboursementsAEmettre, type Action,
} from '../../services/pilotage.js';
import { cfaActor } from '../context.js';
import {
  DOSSIER_ECHU_EXPORT, dossierEchuItem, DOSSIER_EXPORT, dossierAFacturerItem, dossierItem, ECHEANCE_EXPORT, FACTURE_EXPORT, factureItem, linesOfDossierAFacturer, REMBOURSEMENT_EXPORT,
} from '../presenters/pilotage.js';
import { remboursementView } from '../presenters/remboursement.js';
import { ref } from '../route-table/components.js';
import { route, type RouteDeclaration } from '../route-table/declaration.js';
import { listRoute, oneLine } from '../route-table/list-route.js';
import { DOSSIER_FILTERS, DOSSIER_SORTS, FACTURE_FILTERS, FACTURE_SORTS } from './suivi.routes.js';

const tags = ['Pilotage'];

/** The list behind each counter. */
export const ACTION_LISTS: Readonly<Record<Action, string>> = {
  dossiersEnAttenteMiseEnConformite: '/v2/pilotage/dossiers-en-attente-mise-en-conformite',
  facturesEnAttenteMiseEnConformite: '/v2/pilotage/factures-en-attente-mise-en-conformite',
  remboursementsAEmettre: '/v2/pilotage/remboursements-a-emettre',
  dossiersAFacturer: '/v2/pilotage/echeances-a-facturer',
  dossiersEchusATraiter: '/v2/pilotage/dossiers-echus',
};

const { etat: _etatFacture, ...FACTURE_FILTERS_SANS_ETAT } = FACTURE_FILTERS;

export const PILOTAGE_ROUTES: RouteDeclaration[] = [
  route({
    operationId: 'actionsAMener',
    method: 'get',
    path: '/v2/pilotage/actions',
    role: 'cfa',
    tags,
    summary: 'Mes actions à mener : les cinq compteurs, chacun avec la route de sa liste',
    responses: { 200: { description: 'Succès', schema: ref('ActionsAMener') } },
    async handler(_input, { req, deps, now }) {
      const counts = await countActions(deps.db, cfaActor(req), await now());
      return Object.fromEntries(ACTIONS.map((a) => [a, { nombre: counts[a], liste: ACTION_LISTS[a] }]));
    },
  }),
  listRoute({
    operationId: 'dossiersEnAttenteMiseEnConformite',
    path: ACTION_LISTS.dossiersEnAttenteMiseEnConformite,
    tags,
    summary: 'Dossiers en attente de mise en conformité',
    description: 'Dossiers pour lesquels l’OPCO attend une correction : répondre par POST /v2/dossiers/correction (CERFA corrigé) ou joindre un document (POST /v2/documents). `commentaireEtat` dit ce qui est demandé.',
    filters: DOSSIER_FILTERS,
    sorts: DOSSIER_SORTS,
    defaultOrder: 'asc',
    itemSchema: ref('DossierSuivi'),
    file: { name: 'dossiers-en-attente-mise-en-conformite', title: 'Dossiers à mettre en conformité' },
    source: (db, cfa, filters) => dossiersEnAttenteMiseEnConformite(db, cfa, filters),
    item: dossierItem,
    lines: oneLine,
    columns: DOSSIER_EXPORT,
  }),
  listRoute({
    operationId: 'facturesEnAttenteMiseEnConformite',
    path: ACTION_LISTS.facturesEnAttenteMiseEnConformite,
    tags,
    summary: 'Factures en attente de mise en conformité',
    description: `Factures que l’OPCO demande de corriger (état EN_ATTENTE_MISE_EN_CONFORMITE) : renvoyer la facture corrigée (POST /v2/factures avec numeroInterneFactureCorrigee) ou le certificat manquant (POST /v2/certificats).`,
    filters: FACTURE_FILTERS_SANS_ETAT,
    sorts: FACTURE_SORTS,
    defaultOrder: 'asc',
    itemSchema: ref('FactureSuivi'),
    file: { name: 'factures-en-attente-mise-en-conformite', title: 'Factures à mettre en conformité' },
    source: (db, cfa, filters) => facturesEnAttenteMiseEnConformite(db, cfa, filters),
    item: factureItem,
    lines: oneLine,
    columns: FACTURE_EXPORT,
  }),
  listRoute({
    operationId: 'remboursementsAEmettre',
    path: ACTION_LISTS.remboursementsAEmettre,
    tags,
    summary: 'Remboursements à émettre (trop-perçus à régulariser)',
    description: 'Déclarer chacun par POST /v2/remboursements/{idRemboursement}/declaration (virement ou avoir déduit).',
    sorts: ['dateCreation', 'montant'],
    defaultOrder: 'asc',
    itemSchema: ref('Remboursement'),
    file: { name: 'remboursements-a-emettre', title: 'Remboursements à émettre' },
    source: (db, cfa, filters) => remboursementsAEmettre(db, cfa, filters),
    item: (r) => remboursementView(r, false),
    lines: oneLine,
    columns: REMBOURSEMENT_EXPORT,
  }),
  listRoute({
    operationId: 'echeancesAFacturer',
    path: ACTION_LISTS.dossiersAFacturer,
    tags,
    summary: 'Dossiers à facturer, avec leurs échéances ouvertes (étape 1 d’une facturation)',
    description: 'Un élément par dossier engagé (ou rompu, pour le reste dû) ayant au moins une échéance ouverte à la facturation aujourd’hui : ouverte, non annulée, avec un reste une fois déduits le réglé et l’en cours, délai de facturation non dépassé. L’export a une ligne par échéance.',
    filters: {
      etat: { description: 'État du dossier', schema: { type: 'string', enum: [...ETATS_DOSSIER_FACTURABLES] } },
      ouverteJusquAu: { description: 'Seulement les échéances ouvertes ce jour ou avant (AAAA-MM-JJ)', schema: { type: 'string', format: 'date' } },
    },
    sorts: ['premiereOuverture', 'reste', 'numero', 'apprenti'],
    defaultOrder: 'asc',
    itemSchema: ref('DossierAFacturer'),
    file: { name: 'echeances-a-facturer', title: 'Échéances à facturer' },
    source: (db, cfa, filters, now) => dossiersAFacturer(db, cfa, filters, now),
    item: dossierAFacturerItem,
    lines: linesOfDossierAFacturer,
    columns: ECHEANCE_EXPORT,
  }),
  listRoute({
    operationId: 'dossiersEchus',
    path: ACTION_LISTS.dossiersEchusATraiter,
    tags,
    summary: 'Dossiers échus à traiter',
    description: 'Dossiers dont la période de facturation est terminée depuis au moins 2 mois, sans facture en cours de traitement, avec un reste à facturer et/ou un certificat de réalisation manquant (`motifs`), marqués chaque jour par la tâche dossiers-echus ; un certificat, une facture ou une rupture déclarés mettent aussitôt à jour le dossier dans la liste (ou l’en retirent). Actions : déclarer le certificat (POST /v2/certificats), déclarer une rupture (POST /v2/dossiers/rupture/employeur) ou le solde (POST /v2/dossiers/solde).',
    filters: { motif: { description: 'La condition qui vaut', schema: { type: 'string', enum: ['RESTE_A_FACTURER', 'CERTIFICAT_MANQUANT'] } } },
    sorts: ['finPeriode', 'reste', 'numero'],
    defaultOrder: 'asc',
    itemSchema: ref('DossierEchu'),
    file: { name: 'dossiers-echus', title: 'Dossiers échus' },
    source: (db, cfa, filters) => dossiersEchus(db, cfa, filters),
    item: dossierEchuItem,
    lines: oneLine,
    columns: DOSSIER_ECHU_EXPORT,
  }),
];
