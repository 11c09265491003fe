/**
 * The norm's invoicing routes for CFAs (v1 and v2): transmit an invoice (multipart, or JSON with the
 * PDF in base64 under `_files.facture`), read invoice states (pages or incremental feed, §5.7), one
 * invoice with its lines and history, certificats de réalisation (§5.4) and the payments received.
 * Every read is scoped to the key's CFA: another CFA's invoice answers 404 like a missing one.
 */
import { ETATS_FACTURE } from '../../domain/lifecycle/index.js';
import type { Violation } from '../../domain/violation.js';
import {
  depositCertificat, depositFacture, factureStatesSince, pageOfFactureStates, pageOfOwnReglements, readFacture, type CertificatFile,
} from '../../services/factures.js';
import { cfaActor } from '../context.js';
import { ApiError } from '../errors.js';
import { checkFile, decodeBase64File, invoicePdf } from '../multipart.js';
import { certificatDeposeView } from '../presenters/certificat.js';
import { etatFactureView, factureDeposeeView, factureDetailView } from '../presenters/facture.js';
import { reglementView } from '../presenters/reglement.js';
import { ref } from '../route-table/components.js';
import { route, type RouteDeclaration } from '../route-table/declaration.js';
import { cursorOf, DEFAULT_PAGE_SIZE, DEPUIS, feedPosition, pageParameters } from '../route-table/paging.js';
import { recordSandboxScenario } from '../../services/sandbox.js';
import { readFeed } from '../../services/feed.js';

const tags = ['Factures et règlements'];
const versions = ['v1', 'v2'] as const;
const notModified = { description: 'Non modifié (If-None-Match)' };
const CHAMP_CERTIFICAT = '/_files/certificat';

/** The certificat's optional PDF in `_files.certificat`: a 400 on it (not base64, empty) is listed with the other errors; 413 / 415 stand alone. */
function certificatFile(encoded: string | null | undefined, limitBytes: number): CertificatFile {
  if (encoded === undefined || encoded === null || encoded === '') return { violations: [] };
  try {
    const contenu = decodeBase64File(encoded, CHAMP_CERTIFICAT, limitBytes, 'requete');
    return { fichier: checkFile({ nomFichier: undefined, contenu }, CHAMP_CERTIFICAT, 'requete'), violations: [] };
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 400) throw err;
    return { violations: err.errors.map((e): Violation => ({ code: e.code, description: e.description, champ: e.champ ?? CHAMP_CERTIFICAT, section: e.section ?? 'requete' })) };
  }
}

export const FACTURE_ROUTES: RouteDeclaration[] = [
  route({
    operationId: 'transmettreFacture',
    method: 'post',
    path: '/{version}/factures',
    versions,
    role: 'cfa',
    tags,
    summary: 'Transmettre une facture (norme §5.3), ou la correction d’une facture en attente de mise en conformité',
    description: 'La facture (partie `facture` en multipart, ou membre `facture` du corps JSON) et son PDF (partie `fichier`, ou `_files.facture` en base64). Chaque ligne est contrôlée contre l’échéancier du dossier ; les montants passent « en cours d’instruction ». Avec `numeroInterneFactureCorrigee`, remplace le contenu d’une facture à l’état EN_ATTENTE_MISE_EN_CONFORMITE.',
    editorHeaders: true,
    sandboxScenario: true,
    body: {
      kind: 'upload', part: 'facture', schema: 'facture', base64Key: 'facture', jsonEnvelope: 'facture', section: 'facture',
      fileDescription: 'La facture en PDF', fileContentTypes: 'application/pdf',
    },
    responses: {
      200: { description: 'Facture enregistrée à l’état TRANSMIS', schema: ref('FactureDeposee') },
      400: { description: 'Facture invalide (schéma, montants, échéances, numéro déjà utilisé…) : toutes les erreurs, avec `champ`' },
      403: { description: 'Clé refusée, ou SIRET émetteur hors du SIREN de la clé' },
      415: { description: 'Le fichier n’est pas un PDF (TYPE_FICHIER_NON_SUPPORTE), ou type de contenu non pris en charge' },
    },
    async handler({ upload }, { req, deps, now, scenario }) {
      const deposited = await depositFacture(deps.db, cfaActor(req), upload.data, (facture) => invoicePdf(upload.file, upload.filePointer, facture.numero), await now(), deps.config.strictInput);
      if (scenario) await recordSandboxScenario(deps.db, 'FACTURE', String(deposited.facture.id), scenario);
      return factureDeposeeView(deposited);
    },
  }),

  route({
    operationId: 'etatsFactures',
    method: 'get',
    path: '/{version}/factures/etats',
    versions,
    role: 'cfa',
    tags,
    summary: 'États des factures du CFA (pages, ou flux incrémental avec `depuis`)',
    description: 'Sans `depuis` : pages numérotées à partir de 1, ordre d’arrivée stable. Avec `depuis=<curseur>` (0 pour tout relire) : les factures modifiées après le curseur, dans l’ordre des modifications, et `curseurSuivant` à passer à l’appel suivant.',
    query: {
      ...pageParameters(),
      etat: { description: 'Filtre sur l’état', schema: { type: 'string', enum: [...ETATS_FACTURE] } },
      depuis: DEPUIS,
    },
    responses: {
      200: { description: 'Succès', schema: { oneOf: [ref('PageEtatsFactures'), ref('FluxEtatsFactures')] } },
      304: notModified,
    },
    async handler({ query }, { req, deps }) {
      const cfa = cfaActor(req);
      const size = query.taillePage ?? DEFAULT_PAGE_SIZE;
      const page = query.numeroPage ?? 1;
      if (query.depuis !== undefined) {
        const cursor = cursorOf(query.depuis);
        const items = await readFeed(deps.db, cursor, () => factureStatesSince(deps.db, cfa, cursor, size, query.etat));
        const position = feedPosition(items.map((i) => i.facture), query.depuis, size);
        return { count: items.length, factures: items.map((i) => etatFactureView(i.facture, i.dossiers)), ...position };
      }
      const { total, items } = await pageOfFactureStates(deps.db, cfa, page, size, query.etat);
      return { total, count: items.length, page, factures: items.map((i) => etatFactureView(i.facture, i.dossiers)) };
    },
  }),

  route({
    operationId: 'parseFacture',
    method: 'get',
    path: '/{version}/factures',
    versions,
    role: 'cfa',
    tags,
    summary: 'Lire une facture : lignes (montant facturé et réglé), dossiers, historique',
    query: { numeroInterneFacture: { description: 'Numéro interne rendu à la transmission', schema: { type: 'string', maxLength: 20 }, required: true } },
    responses: {
      200: { description: 'Succès', schema: ref('FactureDetail') },
      304: notModified,
      404: { description: 'Facture inconnue pour ce CFA (FACTURE_INTROUVABLE)' },
    },
    async handler({ query }, { req, deps }) {
      return factureDetailView(await readFacture(deps.db, cfaActor(req), query.numeroInterneFacture), false);
    },
  }),

  route({
    operationId: 'transmettreCertificat',
    method: 'post',
    path: '/{version}/certificats',
    versions,
    role: 'cfa',
    tags,
    summary: 'Transmettre un certificat de réalisation (norme §5.4), PDF facultatif en base64 dans `_files.certificat`',
    description: 'Atteste la réalisation d’une échéance d’un dossier du CFA, éventuellement pour une facture portant sur ce dossier : une facture en attente de mise en conformité repasse alors à TRANSMIS.',
    editorHeaders: true,
    body: { kind: 'json', schema: 'certificat', withFiles: true },
    responses: {
      200: { description: 'Certificat enregistré', schema: ref('CertificatDepose') },
      400: { description: 'Certificat invalide (schéma, employeur, fichier, échéance, facture) : toutes les erreurs, avec `champ`' },
      403: { description: 'Clé refusée, ou SIRET de l’organisme de formation hors du SIREN de la clé' },
      404: { description: 'Dossier inconnu pour ce CFA (DOSSIER_INTROUVABLE)' },
    },
    async handler({ body }, { req, deps }) {
      const { _files: files, ...demande } = body;
      const deposited = await depositCertificat(deps.db, cfaActor(req), demande, () => certificatFile(files?.certificat, deps.config.fileSizeLimitBytes), deps.config.strictInput);
      return { ...certificatDeposeView(deposited), avertissements: deposited.avertissements };
    },
  }),

  route({
    operationId: 'listeReglements',
    method: 'get',
    path: '/{version}/reglements',
    versions,
    role: 'cfa',
    tags,
    summary: 'Règlements reçus par le CFA, avec les factures et dossiers que chacun règle',
    query: pageParameters(),
    responses: { 200: { description: 'Succès', schema: ref('PageReglements') }, 304: notModified },
    async handler({ query }, { req, deps }) {
      const page = query.numeroPage ?? 1;
      const { total, items } = await pageOfOwnReglements(deps.db, cfaActor(req), page, query.taillePage ?? DEFAULT_PAGE_SIZE);
      return { total, count: items.length, page, reglements: items.map((r) => reglementView(r, false)) };
    },
  }),
];
