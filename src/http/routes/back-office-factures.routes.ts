/**
 * Back office (role `opco`): search and read invoices across CFAs, move them through their life
 * cycle (ask for a correction, validate, reject), record payments (règlements), follow refunds
 * (remboursements) and confirm their receipt, see whether a dossier can be closed (SOLDE).
 */
import { centsToEuros } from '../../domain/financing/index.js';
import { ETATS_REMBOURSEMENT } from '../../domain/invoicing/index.js';
import { ETATS_FACTURE } from '../../domain/lifecycle/index.js';
import { soldeOfDossier } from '../../services/back-office-dossiers.js';
import {
  moveFacture, pageOfAllReglements, pageOfAllRemboursements, readAnyFacture, receiveRemboursement, recordReglement, searchAllFactures,
} from '../../services/back-office-factures.js';
import { detailOfFacture } from '../../services/factures.js';
import { opcoActor } from '../context.js';
import { ref } from '../route-table/components.js';
import { route, type RouteDeclaration } from '../route-table/declaration.js';
import { pageParameters } from '../route-table/paging.js';
// The invoice and refund presenters still live with the CFA-side routes.
import { etatFactureView, factureDetailView } from '../presenters/facture.js';
import { reglementView } from '../presenters/reglement.js';
import { remboursementView } from '../presenters/remboursement.js';

const tags = ['Back-office'];
const SIREN = { description: 'SIREN du CFA', schema: { type: 'string', pattern: '^[0-9]{9}$' }, attendu: 'doit contenir 9 chiffres.' };
const numeroInterneFacture = { description: 'Numéro interne de la facture', schema: { type: 'string', maxLength: 40 }, required: true };
const unknownFacture = { description: 'Facture inconnue (FACTURE_INTROUVABLE)' };

export const BACK_OFFICE_FACTURE_ROUTES: RouteDeclaration[] = [
  route({
    operationId: 'rechercherFacturesBackOffice',
    method: 'get',
    path: '/back-office/v1/factures',
    role: 'opco',
    tags,
    summary: 'Rechercher les factures de tous les CFA',
    description: 'De la plus récente à la plus ancienne.',
    query: {
      ...pageParameters(50, 500, 1_000_000),
      etat: { description: 'Filtre sur l’état', schema: { type: 'string', enum: [...ETATS_FACTURE] } },
      siren: SIREN,
    },
    responses: { 200: { description: 'Succès', schema: ref('PageFacturesBackOffice') } },
    async handler({ query }, { deps }) {
      const page = query.numeroPage ?? 1;
      const size = query.taillePage ?? 50;
      const { total, items, dossiers } = await searchAllFactures(deps.db, { page, size, etat: query.etat, siren: query.siren });
      return {
        total,
        count: items.length,
        page,
        factures: items.map((f) => ({ ...etatFactureView(f, dossiers.get(String(f.id))), cfaSiren: f.cfa_siren, recueLe: new Date(f.recue_le).toISOString() })),
      };
    },
  }),

  route({
    operationId: 'lireFactureBackOffice',
    method: 'get',
    path: '/back-office/v1/factures/{numeroInterneFacture}',
    role: 'opco',
    tags,
    summary: 'Lire une facture (lignes, montants réglés, historique nominatif)',
    pathParams: { numeroInterneFacture },
    responses: { 200: { description: 'Succès', schema: ref('FactureDetail') }, 404: unknownFacture },
    async handler({ path }, { deps }) {
      return factureDetailView(await detailOfFacture(deps.db, await readAnyFacture(deps.db, path.numeroInterneFacture)), true);
    },
  }),

  route({
    operationId: 'transitionFactureBackOffice',
    method: 'post',
    path: '/back-office/v1/factures/{numeroInterneFacture}/transitions',
    role: 'opco',
    tags,
    summary: 'Demander la correction d’une facture, la valider ou la rejeter',
    description: 'EN_ATTENTE_MISE_EN_CONFORMITE et REJETEE exigent un commentaire, montré au CFA ; un rejet libère les montants en cours d’instruction. TRANSMIS (correction du CFA) et REGLE* (règlements) ne se demandent pas ici (TRANSITION_RESERVEE).',
    pathParams: { numeroInterneFacture },
    body: { kind: 'json', schema: 'transition-facture' },
    responses: {
      200: { description: 'Facture modifiée', schema: ref('FactureDetail') },
      400: { description: 'État inconnu (ETAT_INCONNU) ou commentaire manquant (COMMENTAIRE_OBLIGATOIRE), avec `transitionsPossibles`' },
      404: unknownFacture,
      409: { description: 'Transition interdite ou réservée, avec `transitionsPossibles`' },
    },
    async handler({ path, body }, { req, deps }) {
      const facture = await moveFacture(deps.db, opcoActor(req), path.numeroInterneFacture, body);
      return factureDetailView(await detailOfFacture(deps.db, facture), true);
    },
  }),

  route({
    operationId: 'enregistrerReglement',
    method: 'post',
    path: '/back-office/v1/reglements',
    role: 'opco',
    tags,
    summary: 'Enregistrer un virement qui règle une ou plusieurs factures validées',
    description: 'Chaque ligne est répartie sur les lignes de sa facture, dans leur ordre ; les échéances passent d’« en cours d’instruction » à « réglé » et chaque facture devient REGLE_PARTIELLEMENT ou REGLE. Tous les motifs de refus sont rendus ensemble, et rien n’est écrit.',
    body: { kind: 'json', schema: 'nouveau-reglement' },
    responses: {
      200: { description: 'Règlement enregistré, avec l’état de chaque facture', schema: ref('ReglementEnregistre') },
      400: { description: 'Règlement refusé : facture inconnue, non réglable, en double ou d’un autre CFA, montant invalide ou supérieur au reste dû, référence de virement déjà utilisée, dossier clos' },
    },
    async handler({ body }, { req, deps }) {
      const { detail, factures } = await recordReglement(deps.db, opcoActor(req), body);
      return {
        ...(detail ? reglementView(detail, true) : {}),
        etatsFactures: factures.map((f) => ({
          numeroInterneFacture: f.numero_interne,
          etatFacture: f.etat,
          montantFacture: centsToEuros(Number(f.montant_total_centimes)),
          montantRegle: centsToEuros(Number(f.montant_regle_centimes)),
        })),
      };
    },
  }),

  route({
    operationId: 'listerReglementsBackOffice',
    method: 'get',
    path: '/back-office/v1/reglements',
    role: 'opco',
    tags,
    summary: 'Les règlements enregistrés, dans leur ordre d’enregistrement',
    query: { ...pageParameters(50, 500, 1_000_000), siren: SIREN },
    responses: { 200: { description: 'Succès', schema: ref('PageReglements') } },
    async handler({ query }, { deps }) {
      const page = query.numeroPage ?? 1;
      const { total, items } = await pageOfAllReglements(deps.db, { page, size: query.taillePage ?? 50, siren: query.siren });
      return { total, count: items.length, page, reglements: items.map((r) => reglementView(r, true)) };
    },
  }),

  route({
    operationId: 'listerRemboursementsBackOffice',
    method: 'get',
    path: '/back-office/v1/remboursements',
    role: 'opco',
    tags,
    summary: 'Les remboursements de trop-perçu, dans leur ordre de création',
    query: {
      ...pageParameters(50, 500, 1_000_000),
      etat: { description: 'Filtre sur l’état', schema: { type: 'string', enum: [...ETATS_REMBOURSEMENT] } },
      siren: SIREN,
    },
    responses: { 200: { description: 'Succès', schema: ref('PageRemboursements') } },
    async handler({ query }, { deps }) {
      const page = query.numeroPage ?? 1;
      const { total, items } = await pageOfAllRemboursements(deps.db, { page, size: query.taillePage ?? 50, siren: query.siren, etat: query.etat });
      return { total, count: items.length, page, remboursements: items.map((r) => remboursementView(r, true)) };
    },
  }),

  route({
    operationId: 'recevoirRemboursement',
    method: 'post',
    path: '/back-office/v1/remboursements/{idRemboursement}/reception',
    role: 'opco',
    tags,
    summary: 'Confirmer la réception d’un remboursement (virement reçu ou avoir appliqué)',
    pathParams: { idRemboursement: { description: 'Identifiant du remboursement', schema: { type: 'string', maxLength: 40 }, required: true } },
    body: { kind: 'json', schema: 'reception-remboursement' },
    responses: {
      200: { description: 'Remboursement reçu', schema: ref('Remboursement') },
      404: { description: 'Remboursement inconnu (REMBOURSEMENT_INTROUVABLE)' },
      409: { description: 'Déjà reçu, ou régularisation pas encore déclarée par le CFA (DECLARATION_ATTENDUE)' },
    },
    async handler({ path, body }, { req, deps }) {
      return remboursementView(await receiveRemboursement(deps.db, opcoActor(req), path.idRemboursement, body.commentaire), true);
    },
  }),

  route({
    operationId: 'soldeDossierBackOffice',
    method: 'get',
    path: '/back-office/v1/dossiers/{numeroInterne}/solde',
    role: 'opco',
    tags,
    summary: 'Le dossier peut-il être soldé aujourd’hui, et sinon pourquoi',
    pathParams: { numeroInterne: { description: 'Numéro interne du dossier', schema: { type: 'string', maxLength: 40 }, required: true } },
    responses: { 200: { description: 'Succès', schema: ref('SoldeDossier') }, 404: { description: 'Dossier inconnu (DOSSIER_INTROUVABLE)' } },
    async handler({ path }, { deps }) {
      const { dossier, motifs } = await soldeOfDossier(deps.db, path.numeroInterne);
      return { numeroInterne: dossier.numero_interne, etat: dossier.etat, soldable: motifs.length === 0, motifs };
    },
  }),
];
