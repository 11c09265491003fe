/**
 * Back office (role `opco`): search dossiers across CFAs, read one, see which NPEC applies, move it
 * through its life cycle, ask for / clear a mise en conformité, set its DECA number.
 */
import { ETATS_DOSSIER } from '../../db/dossiers.js';
import { centsToEuros } from '../../domain/financing/index.js';
import {
  changeDossierState, clearConformityRequest, npecOfDossier, readAnyDossier, searchAllDossiers, setConformityRequest, setNumeroDeca,
} from '../../services/back-office-dossiers.js';
import { registerDossier } from '../../services/dossiers.js';
import { financingParameters } from '../../services/parametres.js';
import { opcoActor } from '../context.js';
import { backOfficeDossierView, dossierView, financingView, historyView } from '../presenters/dossier.js';
import { ref } from '../route-table/components.js';
import { route, type RouteDeclaration } from '../route-table/declaration.js';
import { pageParameters } from '../route-table/paging.js';

const tags = ['Back-office'];
const numeroInterne = { description: 'Numéro interne du dossier', schema: { type: 'string', maxLength: 40 }, required: true };
const pathParams = { numeroInterne };
const unknownDossier = { description: 'Dossier inconnu (DOSSIER_INTROUVABLE)' };
const SIREN = { description: 'SIREN du CFA', schema: { type: 'string', pattern: '^[0-9]{9}$' }, attendu: 'doit contenir 9 chiffres.' };
const changed = { description: 'Dossier modifié', schema: ref('DossierBackOffice') };

export const BACK_OFFICE_DOSSIER_ROUTES: RouteDeclaration[] = [
  route({
    operationId: 'enregistrerDossier',
    method: 'post',
    path: '/back-office/v1/dossiers',
    role: 'opco',
    tags,
    summary: 'Enregistrer un CERFA reçu hors API (saisi par l’OPCO, déposé par l’entreprise)',
    description: 'Même validation qu’une transmission par API CFA (schéma, formats, règles métier, doublons). Le dossier est à l’état TRANSMIS, avec l’origine donnée, et appartient au CFA dont le SIREN est celui du SIRET de l’organisme de formation : il figure dans ses flux, listes et lectures comme tout autre dossier.',
    body: { kind: 'json', schema: 'enregistrement-dossier', cerfa: true },
    idempotent: true,
    responses: {
      200: {
        description: 'Dossier enregistré (ou renvoi d’un dossier déjà enregistré)',
        schema: {
          allOf: [ref('DossierCree'), {
            type: 'object',
            required: ['origine', 'cfaSiren'],
            properties: { origine: { type: 'string', enum: ['SAISIE_OPCO', 'ENTREPRISE'] }, cfaSiren: { type: 'string', pattern: '^[0-9]{9}$' } },
          }],
        },
      },
      400: { description: 'CERFA invalide : toutes les erreurs, avec `champ`, `section` et `erreursParSection`' },
      409: { description: 'Contrat déjà enregistré pour cet apprenti, cet employeur et cette date de début (`numeroInterne` du dossier existant)' },
    },
    async handler({ body }, { req, res, deps }) {
      const origine = body.origine ?? 'SAISIE_OPCO';
      const { outcome, dossier, avertissements, cfaSiren } = await registerDossier(deps.db, opcoActor(req), body.cerfa, origine, new Date());
      if (outcome === 'replayed') res.setHeader('Idempotent-Replayed', 'true');
      return { numeroInterne: dossier.numero_interne, numeroExterne: dossier.numero_externe, etat: dossier.etat, origine, cfaSiren, avertissements };
    },
  }),

  route({
    operationId: 'rechercherDossiersBackOffice',
    method: 'get',
    path: '/back-office/v1/dossiers',
    role: 'opco',
    tags,
    summary: 'Rechercher les dossiers de tous les CFA',
    description: 'Du plus récent au plus ancien. `q` cherche un numéro (interne, externe, DECA) ou le SIRET de l’employeur à l’identique, le nom de l’apprenti ou la dénomination de l’employeur en partie.',
    query: {
      ...pageParameters(50, 500, 1_000_000),
      etat: { description: 'Filtre sur l’état', schema: { type: 'string', enum: [...ETATS_DOSSIER] } },
      siren: SIREN,
      recuDepuis: { description: 'Reçus ce jour ou après (AAAA-MM-JJ)', schema: { type: 'string', format: 'date' } },
      recuJusquAu: { description: 'Reçus ce jour ou avant (AAAA-MM-JJ)', schema: { type: 'string', format: 'date' } },
      q: { description: 'Texte cherché', schema: { type: 'string', maxLength: 100 } },
    },
    responses: { 200: { description: 'Succès', schema: ref('PageDossiersBackOffice') } },
    async handler({ query }, { deps }) {
      const page = query.numeroPage ?? 1;
      const size = query.taillePage ?? 50;
      const { total, items } = await searchAllDossiers(deps.db, {
        page, size, etat: query.etat, siren: query.siren, recuDepuis: query.recuDepuis, recuJusquAu: query.recuJusquAu, texte: query.q,
      });
      return { total, count: items.length, page, dossiers: items.map(backOfficeDossierView) };
    },
  }),

  route({
    operationId: 'lireDossierBackOffice',
    method: 'get',
    path: '/back-office/v1/dossiers/{numeroInterne}',
    role: 'opco',
    tags,
    summary: 'Lire un dossier (CERFA, engagement, échéancier, historique nominatif)',
    pathParams,
    responses: { 200: { description: 'Succès', schema: ref('DossierBackOfficeDetail') }, 404: unknownDossier },
    async handler({ path }, { deps }) {
      const { dossier, financing, history } = await readAnyDossier(deps.db, path.numeroInterne);
      return { ...backOfficeDossierView(dossier), ...dossierView(dossier, financingView(dossier, financing)), historique: historyView(history, true) };
    },
  }),

  route({
    operationId: 'npecDossierBackOffice',
    method: 'get',
    path: '/back-office/v1/dossiers/{numeroInterne}/npec',
    role: 'opco',
    tags,
    summary: 'Le NPEC qui s’applique au dossier, et pourquoi',
    pathParams,
    responses: { 200: { description: 'Succès', schema: ref('NpecDossier') }, 404: unknownDossier },
    async handler({ path }, { deps }) {
      const npec = await npecOfDossier(deps.db, path.numeroInterne);
      return { npecAnnuel: centsToEuros(npec.npecCents), source: npec.source, dateEffet: npec.dateEffet ?? null, explication: npec.explication };
    },
  }),

  route({
    operationId: 'transitionDossierBackOffice',
    method: 'post',
    path: '/back-office/v1/dossiers/{numeroInterne}/transitions',
    role: 'opco',
    tags,
    summary: 'Faire passer un dossier à un autre état',
    description: 'ENGAGE calcule l’engagement et l’échéancier ; RUPTURE (avec `dateRupture`) les recalcule et crée le remboursement d’un éventuel trop-perçu ; SOLDE exige que tout soit réglé et la fin du contrat atteinte ; ANNULE qu’aucun montant n’ait été réglé ni soit en cours.',
    pathParams,
    body: { kind: 'json', schema: 'transition-dossier' },
    responses: {
      200: { description: 'Dossier modifié, avec son engagement', schema: ref('DossierChange') },
      400: { description: 'État inconnu (ETAT_INCONNU), commentaire ou date de rupture manquant ou invalide, avec `transitionsPossibles`' },
      404: unknownDossier,
      409: { description: 'Transition interdite par le cycle de vie (avec `transitionsPossibles`), ou bloquée par les montants (SOLDE, ANNULE)' },
      422: { description: 'Engagement impossible (données de financement manquantes ou incohérentes)' },
    },
    async handler({ path, body }, { req, deps }) {
      const { dossier, financing } = await changeDossierState(deps.db, opcoActor(req), path.numeroInterne, body, financingParameters(deps.config));
      return { ...backOfficeDossierView(dossier), ...dossierView(dossier, financingView(dossier, financing)) };
    },
  }),

  route({
    operationId: 'demanderMiseEnConformite',
    method: 'post',
    path: '/back-office/v1/dossiers/{numeroInterne}/mise-en-conformite',
    role: 'opco',
    tags,
    summary: 'Demander au CFA une mise en conformité du dossier (en cours d’instruction)',
    pathParams,
    body: { kind: 'json', schema: 'mise-en-conformite' },
    responses: {
      200: changed,
      400: { description: 'Commentaire manquant (COMMENTAIRE_OBLIGATOIRE) ou invalide' },
      404: unknownDossier,
      409: { description: 'Dossier pas en cours d’instruction (MISE_EN_CONFORMITE_INTERDITE)' },
    },
    async handler({ path, body }, { req, deps }) {
      return backOfficeDossierView(await setConformityRequest(deps.db, opcoActor(req), path.numeroInterne, body.commentaire ?? undefined));
    },
  }),

  route({
    operationId: 'leverMiseEnConformite',
    method: 'delete',
    path: '/back-office/v1/dossiers/{numeroInterne}/mise-en-conformite',
    role: 'opco',
    tags,
    summary: 'Lever la demande de mise en conformité',
    pathParams,
    responses: { 200: changed, 404: unknownDossier, 409: { description: 'Aucune mise en conformité en attente (AUCUNE_MISE_EN_CONFORMITE)' } },
    async handler({ path }, { req, deps }) {
      return backOfficeDossierView(await clearConformityRequest(deps.db, opcoActor(req), path.numeroInterne));
    },
  }),

  route({
    operationId: 'enregistrerNumeroDeca',
    method: 'put',
    path: '/back-office/v1/dossiers/{numeroInterne}/numero-deca',
    role: 'opco',
    tags,
    summary: 'Enregistrer le numéro de dépôt DECA du dossier',
    pathParams,
    body: { kind: 'json', schema: 'numero-deca' },
    responses: { 200: changed, 400: { description: 'Numéro DECA invalide (NUMERO_DECA_INVALIDE)' }, 404: unknownDossier },
    async handler({ path, body }, { req, deps }) {
      return backOfficeDossierView(await setNumeroDeca(deps.db, opcoActor(req), path.numeroInterne, body.numeroDeca));
    },
  }),
];
