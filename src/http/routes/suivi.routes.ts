/**
 * États de suivi of the CFA (guide OPCO pour les CFA, II): dossiers enregistrés, factures
 * enregistrées, règlements émis, remboursements — each a list with filters, search, sort, paging
 * and its xlsx / csv exports (route-table/list-route.ts). Only the caller's own rows.
 */
import { ETATS_DOSSIER, ETATS_FACTURE } from '../../domain/lifecycle/index.js';
import { ETATS_REMBOURSEMENT } from '../../domain/invoicing/index.js';
import { TYPES_DOSSIER, TYPES_FACTURE } from '../../domain/pilotage.js';
import { ORIGINES } from '../../db/dossiers.js';
import type { FacturationListRow } from '../../db/suivi.js';
import { suiviDossiers, suiviFacturations, suiviFactures, suiviReglements, suiviRemboursements, suiviSoldes } from '../../services/pilotage.js';
import {
  DOSSIER_EXPORT, dossierItem, FACTURATION_EXPORT, facturationItem, SOLDE_EXPORT, soldeItem, FACTURE_EXPORT, factureItem, linesOfReglement, REGLEMENT_EXPORT, REMBOURSEMENT_EXPORT,
} from '../presenters/pilotage.js';
import { reglementView } from '../presenters/reglement.js';
import { remboursementView } from '../presenters/remboursement.js';
import { ref } from '../route-table/components.js';
import type { ParameterDeclaration, RouteDeclaration } from '../route-table/declaration.js';
import { listRoute, oneLine, type ListDeclaration } from '../route-table/list-route.js';

const tags = ['États de suivi'];
const day = (description: string): ParameterDeclaration => ({ description: `${description} (AAAA-MM-JJ)`, schema: { type: 'string', format: 'date' } });

/** The filters of every list of dossiers. */
export const DOSSIER_FILTERS: Readonly<Record<string, ParameterDeclaration>> = {
  etat: { description: 'État du dossier', schema: { type: 'string', enum: [...ETATS_DOSSIER] } },
  origine: { description: 'Canal de réception : API CFA, saisie de l’OPCO, dépôt de l’entreprise', schema: { type: 'string', enum: [...ORIGINES] } },
  typeDossier: { description: 'Contrat initial (11), succession de contrats (21-23), avenant (31-38)', schema: { type: 'string', enum: [...TYPES_DOSSIER] } },
  recuDepuis: day('Transmis ce jour ou après'),
  recuJusquAu: day('Transmis ce jour ou avant'),
  du: day('Contrats en cours à partir de ce jour'),
  au: day('Contrats commencés ce jour ou avant'),
  diplome: { description: 'Diplôme préparé : code diplôme exact, ou partie de l’intitulé (sans distinction de casse)', schema: { type: 'string', maxLength: 200 } },
};

export const DOSSIER_SORTS = ['dateReception', 'dateMiseAJour', 'numero', 'apprenti', 'employeur', 'debutContrat', 'etat'] as const;

export const FACTURE_FILTERS: Readonly<Record<string, ParameterDeclaration>> = {
  etat: { description: 'État de la facture', schema: { type: 'string', enum: [...ETATS_FACTURE] } },
  type: { description: 'Coût contrat (pédagogie, RQTH), frais annexes, ou les deux', schema: { type: 'string', enum: [...TYPES_FACTURE] } },
  emiseDepuis: day('Factures datées de ce jour ou après'),
  emiseJusquAu: day('Factures datées de ce jour ou avant'),
  numeroInterneDossier: { description: 'Factures ayant une ligne sur ce dossier', schema: { type: 'string', maxLength: 20 } },
};

export const FACTURE_SORTS = ['dateReception', 'dateEmission', 'montant', 'numero', 'dateReglement', 'etat'] as const;

/** The list of facturations, served as an état de suivi and as the collection GET /v2/facturations. */
export const FACTURATIONS_LIST: Omit<ListDeclaration<FacturationListRow>, 'operationId' | 'path' | 'tags' | 'summary'> = {
  filters: { etat: { description: 'État de la facturation', schema: { type: 'string', enum: ['EN_COURS', 'DEPOSEE', 'ABANDONNEE'] } } },
  sorts: ['dateMiseAJour', 'dateCreation', 'montant'],
  defaultOrder: 'desc',
  itemSchema: ref('FacturationSuivi'),
  file: { name: 'facturations', title: 'Facturations' },
  source: (db, cfa, filters) => suiviFacturations(db, cfa, filters),
  item: facturationItem,
  lines: oneLine,
  columns: FACTURATION_EXPORT,
};

export const SUIVI_ROUTES: RouteDeclaration[] = [
  listRoute({
    operationId: 'suiviDossiers',
    path: '/v2/suivi/dossiers',
    tags,
    summary: 'Dossiers enregistrés (tous canaux : API CFA, entreprise, OPCO)',
    description: 'Les contrats où le CFA est nommé (SIRET de l’organisme de formation dans son SIREN), transmis à l’OPCO par n’importe quel canal.',
    filters: DOSSIER_FILTERS,
    sorts: DOSSIER_SORTS,
    defaultOrder: 'desc',
    itemSchema: ref('DossierSuivi'),
    file: { name: 'dossiers-enregistres', title: 'Dossiers enregistrés' },
    source: (db, cfa, filters) => suiviDossiers(db, cfa, filters),
    item: dossierItem,
    lines: oneLine,
    columns: DOSSIER_EXPORT,
  }),
  listRoute({
    operationId: 'suiviFactures',
    path: '/v2/suivi/factures',
    tags,
    summary: 'Factures enregistrées',
    filters: FACTURE_FILTERS,
    sorts: FACTURE_SORTS,
    defaultOrder: 'desc',
    itemSchema: ref('FactureSuivi'),
    file: { name: 'factures-enregistrees', title: 'Factures enregistrées' },
    source: (db, cfa, filters) => suiviFactures(db, cfa, filters),
    item: factureItem,
    lines: oneLine,
    columns: FACTURE_EXPORT,
  }),
  listRoute({
    operationId: 'suiviReglements',
    path: '/v2/suivi/reglements',
    tags,
    summary: 'Règlements émis par l’OPCO, avec les factures et dossiers que chacun règle',
    description: 'L’export a une ligne par facture réglée : la référence du virement de l’OPCO en face du numéro de facture du CFA.',
    filters: { regleDepuis: day('Réglés ce jour ou après'), regleJusquAu: day('Réglés ce jour ou avant') },
    sorts: ['dateReglement', 'montant', 'dateEnregistrement'],
    defaultOrder: 'desc',
    itemSchema: ref('Reglement'),
    file: { name: 'reglements', title: 'Règlements émis' },
    source: (db, cfa, filters) => suiviReglements(db, cfa, filters),
    item: (r) => reglementView(r, false),
    lines: linesOfReglement,
    columns: REGLEMENT_EXPORT,
  }),
  listRoute({
    operationId: 'suiviRemboursements',
    path: '/v2/suivi/remboursements',
    tags,
    summary: 'Remboursements (trop-perçus) et leur régularisation',
    filters: { etat: { description: 'État du remboursement', schema: { type: 'string', enum: [...ETATS_REMBOURSEMENT] } } },
    sorts: ['dateCreation', 'montant', 'etat'],
    defaultOrder: 'desc',
    itemSchema: ref('Remboursement'),
    file: { name: 'remboursements', title: 'Remboursements' },
    source: (db, cfa, filters) => suiviRemboursements(db, cfa, filters),
    item: (r) => remboursementView(r, false),
    lines: oneLine,
    columns: REMBOURSEMENT_EXPORT,
  }),
  listRoute({
    operationId: 'suiviFacturations',
    path: '/v2/suivi/facturations',
    tags,
    summary: 'Facturations (en cours, déposées, abandonnées)',
    ...FACTURATIONS_LIST,
  }),
  listRoute({
    operationId: 'suiviSoldes',
    path: '/v2/suivi/soldes',
    tags,
    summary: 'Déclarations de solde des dossiers échus',
    filters: { etat: { description: 'EN_ATTENTE (une facture est encore en cours) ou SOLDE', schema: { type: 'string', enum: ['EN_ATTENTE', 'SOLDE'] } } },
    sorts: ['dateDeclaration', 'montant'],
    defaultOrder: 'desc',
    itemSchema: ref('DeclarationSoldeSuivi'),
    file: { name: 'declarations-de-solde', title: 'Déclarations de solde' },
    source: (db, cfa, filters) => suiviSoldes(db, cfa, filters),
    item: soldeItem,
    lines: oneLine,
    columns: SOLDE_EXPORT,
  }),
];
