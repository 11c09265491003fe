/**
 * "Facturation à l'OPCO" (extension of the norm, v2): a CFA prepares one invoice over several
 * dossiers in three resumable steps, each saved — a draft (POST), its échéances (PATCH), its
 * deposit as an invoice through the checks of POST /v1/factures (POST …/depot). Another CFA's
 * draft answers 404 like a missing one. Choices: docs/decisions/pilotage-facturations.md.
 */
import { changeFacturation, createFacturation, depositFacturation, readFacturation } from '../../services/facturations.js';
import { cfaActor } from '../context.js';
import { invoicePdf } from '../multipart.js';
import { facturationDeposeeView, facturationView } from '../presenters/facturation.js';
import { ref } from '../route-table/components.js';
import { route, type ParameterDeclaration, type RouteDeclaration } from '../route-table/declaration.js';
import { listRoute } from '../route-table/list-route.js';
import { FACTURATIONS_LIST } from './suivi.routes.js';
import { recordSandboxScenario } from '../../services/sandbox.js';

const tags = ['Factures et règlements'];
const versions = ['v2'] as const;
const id: Record<'id', ParameterDeclaration> = { id: { description: 'Numéro interne de la facturation (rendu à sa création)', schema: { type: 'string', maxLength: 20 } } };
const inconnue = { description: 'Facturation inconnue pour ce CFA (FACTURATION_INTROUVABLE)' };
const close = { description: 'Facturation déposée ou abandonnée (FACTURATION_NON_MODIFIABLE), ou échéances retenues par une autre facturation (FACTURATION_CONCURRENTE, qui la nomme)' };

export const FACTURATION_ROUTES: RouteDeclaration[] = [
  // The collection itself: the same list as the état de suivi « Facturations ».
  listRoute({
    operationId: 'listerFacturations',
    path: '/v2/facturations',
    tags,
    summary: 'Les facturations du CFA (brouillons EN_COURS à reprendre, DEPOSEE, ABANDONNEE)',
    ...FACTURATIONS_LIST,
  }),

  route({
    operationId: 'creerFacturation',
    method: 'post',
    path: '/{version}/facturations',
    versions,
    role: 'cfa',
    tags,
    summary: 'Facturation à l’OPCO, étape 1 : choisir les dossiers et la nature (coût pédagogique ou un frais annexe)',
    description: 'Crée le brouillon d’une facture (EN_COURS, étape 1). Chaque dossier doit être un dossier du CFA (404 sinon, tous nommés), engagé ou rompu, avec une échéance à facturer dans cette nature aujourd’hui (409 sinon, tous listés).',
    idempotent: true,
    editorHeaders: true,
    body: { kind: 'json', schema: 'nouvelle-facturation' },
    responses: {
      201: { description: 'Facturation créée', schema: ref('Facturation') },
      400: { description: 'Corps invalide' },
      404: { description: 'Dossiers inconnus pour ce CFA (DOSSIER_INTROUVABLE, un par dossier)' },
      409: { description: 'Dossiers non facturables dans cette nature (DOSSIER_NON_FACTURABLE, RIEN_A_FACTURER)' },
    },
    async handler({ body }, { req, res, deps, now }) {
      const created = await createFacturation(deps.db, cfaActor(req), { nature: body.nature, dossiers: body.dossiers }, await now());
      res.status(201);
      return facturationView(created);
    },
  }),

  route({
    operationId: 'lireFacturation',
    method: 'get',
    path: '/{version}/facturations/{id}',
    versions,
    role: 'cfa',
    tags,
    summary: 'Reprendre une facturation : son état enregistré, ce qui reste ouvert sur ses dossiers, ce que le dépôt demande',
    pathParams: id,
    responses: { 200: { description: 'Succès', schema: ref('Facturation') }, 304: { description: 'Non modifié (If-None-Match)' }, 404: inconnue },
    async handler({ path }, { req, deps, now }) {
      return facturationView(await readFacturation(deps.db, cfaActor(req), path.id, await now()));
    },
  }),

  route({
    operationId: 'modifierFacturation',
    method: 'patch',
    path: '/{version}/facturations/{id}',
    versions,
    role: 'cfa',
    tags,
    summary: 'Facturation à l’OPCO, étapes 1 et 2 : changer dossiers ou nature, choisir les échéances (et quantités), ou abandonner',
    description: '`nature`/`dossiers` refont l’étape 1 (les lignes des dossiers retirés partent ; une autre nature les retire toutes). `lignes` (étape 2) remplace les lignes : par défaut tout le reste de l’échéance (pédagogie et RQTH), ou quantité × prix unitaire (repas, nuitées), ou le reste du forfait ; un montant peut être inférieur, jamais supérieur. Les contrôles sont ceux d’une facture datée du jour. `{"etat": "ABANDONNEE"}` abandonne le brouillon et libère ses échéances.',
    editorHeaders: true,
    pathParams: id,
    body: { kind: 'json', schema: 'modification-facturation' },
    responses: {
      200: { description: 'Facturation enregistrée', schema: ref('Facturation') },
      400: { description: 'Corps invalide, ou lignes refusées par les contrôles de facture : toutes les erreurs, avec `champ` (/lignes/i/…)' },
      404: { description: 'Facturation inconnue pour ce CFA (FACTURATION_INTROUVABLE), ou dossiers inconnus (DOSSIER_INTROUVABLE)' },
      409: close,
    },
    async handler({ path, body }, { req, deps, now }) {
      const demande = {
        ...(body.nature ? { nature: body.nature } : {}),
        ...(body.dossiers ? { dossiers: body.dossiers } : {}),
        ...(body.lignes ? { lignes: body.lignes } : {}),
        ...(body.etat ? { etat: body.etat } : {}),
      };
      return facturationView(await changeFacturation(deps.db, cfaActor(req), path.id, demande, await now()));
    },
  }),

  route({
    operationId: 'deposerFacturation',
    method: 'post',
    path: '/{version}/facturations/{id}/depot',
    versions,
    role: 'cfa',
    tags,
    summary: 'Facturation à l’OPCO, étape 3 : déposer la facture (numéro, date, PDF) couvrant tous les dossiers du brouillon',
    description: 'Partie `depot` (JSON) et partie `fichier` (PDF) en multipart, ou `{"depot": {…}, "_files": {"depot": "<base64>"}}`. La facture porte toutes les lignes du brouillon et passe les contrôles de POST /v1/factures ; refusée, rien n’est écrit et le brouillon reste EN_COURS. Acceptée, le brouillon passe DEPOSEE.',
    editorHeaders: true,
    sandboxScenario: true,
    pathParams: id,
    body: {
      kind: 'upload', part: 'depot', schema: 'depot-facturation', base64Key: 'depot', jsonEnvelope: 'depot', section: 'facture',
      fileDescription: 'La facture en PDF', fileContentTypes: 'application/pdf',
    },
    responses: {
      200: { description: 'Facture enregistrée à l’état TRANSMIS ; facturation DEPOSEE', schema: ref('FacturationDeposee') },
      400: { description: 'Facture refusée par ses contrôles : toutes les erreurs, avec `champ` (/lignes/i/… pour les lignes du brouillon, /depot/… pour le reste)' },
      403: { description: 'Clé refusée, ou SIRET émetteur hors du SIREN de la clé' },
      404: inconnue,
      409: { description: 'Facturation déjà déposée ou abandonnée (FACTURATION_NON_MODIFIABLE), ou sans ligne (FACTURATION_SANS_LIGNE)' },
      415: { description: 'Le fichier n’est pas un PDF (TYPE_FICHIER_NON_SUPPORTE), ou type de contenu non pris en charge' },
    },
    async handler({ path, upload }, { req, deps, now, scenario }) {
      const deposited = await depositFacturation(
        deps.db, cfaActor(req), path.id, upload.data, upload.rootPointer,
        (facture) => invoicePdf(upload.file, upload.filePointer, facture.numero), await now(), deps.config.strictInput,
      );
      if (scenario) await recordSandboxScenario(deps.db, 'FACTURE', String(deposited.deposited.facture.id), scenario);
      return facturationDeposeeView(deposited);
    },
  }),
];
