/**
 * Documents (norme §5.5): a CFA attaches a file to its dossiers and invoices and lists what it
 * attached; the back office lists and downloads them. The type is read from the content (PDF,
 * JPEG, PNG); the same file sent again for the same objects is a retry (the stored document).
 */
import { TYPES_OBJET } from '../../db/documents.js';
import { allDocuments, cfaDocuments, depositDocument, findDocument, ownObjects } from '../../services/documents.js';
import { cfaActor } from '../context.js';
import { checkFile } from '../multipart.js';
import { depositView, downloadHeaders, listView } from '../presenters/document.js';
import { ref } from '../route-table/components.js';
import { route, type RouteDeclaration } from '../route-table/declaration.js';

const tags = ['Conventions et documents'];
const FICHIER = 'Le fichier : PDF, JPEG ou PNG (type lu dans le contenu), FILE_SIZE_LIMIT au plus (10 Mo par défaut)';
const listing = {
  idObjet: { description: 'numeroInterne du dossier ou numeroInterneFacture', schema: { type: 'string', maxLength: 40 }, required: true },
  typeObjet: { description: 'Type de l’objet', schema: { type: 'string', enum: [...TYPES_OBJET] } },
};

export const DOCUMENT_ROUTES: RouteDeclaration[] = [
  route({
    operationId: 'deposerDocument',
    method: 'post',
    path: '/{version}/documents',
    versions: ['v1', 'v2'],
    role: 'cfa',
    tags,
    summary: 'Rattacher un document à des dossiers ou factures du CFA',
    description: 'Partie `infosFichier` (JSON, norme §5.5) et partie `fichier`, ou JSON avec `_files.document` en base64. Un dossier est désigné par son `numeroInterne` ou par son `numeroExterne` (ex. 26APP00000042). Le même fichier (même SHA-256) renvoyé pour les mêmes objets est un renvoi : la réponse est celle du premier dépôt (même `numeroInterneDocument`), avec `Idempotent-Replayed: true`. Déjà rattaché à une partie seulement des objets, il est refusé (409 avec `numeroInterneDocument`).',
    editorHeaders: true,
    body: {
      kind: 'upload', part: 'infosFichier', schema: 'infos-fichier', base64Key: 'document', section: 'document',
      fileDescription: FICHIER, fileContentTypes: 'application/pdf, image/jpeg, image/png',
    },
    responses: {
      200: { description: 'Document enregistré (ou renvoi d’un document déjà enregistré sur ces objets)', schema: ref('DocumentDepose') },
      400: { description: 'Partie manquante, JSON malformé ou infosFichier invalide : toutes les erreurs, `champ` sous /infosFichier' },
      404: { description: 'Objet inconnu pour ce CFA (OBJET_INTROUVABLE)' },
      409: { description: 'Fichier déjà déposé sur une partie seulement des objets (DOCUMENT_DEJA_DEPOSE, `numeroInterneDocument` du document existant)' },
      413: { description: 'Fichier (FICHIER_TROP_VOLUMINEUX) ou partie JSON trop volumineux' },
      415: { description: 'Corps ni multipart/form-data ni JSON, ou fichier ni PDF, ni JPEG, ni PNG (TYPE_FICHIER_NON_SUPPORTE)' },
    },
    async handler({ upload }, { req, res, deps }) {
      const cfa = cfaActor(req);
      const objets = await ownObjects(deps.db, cfa, upload.data.objets);
      const fichier = checkFile(upload.file, upload.filePointer, 'document');
      const { outcome, document } = await depositDocument(deps.db, cfa, { typeFichier: upload.data.typeFichier, objets, fichier });
      if (outcome === 'replayed') res.setHeader('Idempotent-Replayed', 'true');
      return depositView(document);
    },
  }),

  route({
    operationId: 'listerDocuments',
    method: 'get',
    path: '/{version}/documents',
    versions: ['v1', 'v2'],
    role: 'cfa',
    tags,
    summary: 'Documents du CFA rattachés à un objet (métadonnées)',
    query: listing,
    responses: { 200: { description: 'Succès', schema: ref('ListeDocuments') } },
    async handler({ query }, { req, deps }) {
      return listView(await cfaDocuments(deps.db, cfaActor(req), query), false);
    },
  }),

  route({
    operationId: 'listerDocumentsBackOffice',
    method: 'get',
    path: '/back-office/v1/documents',
    role: 'opco',
    tags: ['Back-office'],
    summary: 'Documents rattachés à un objet, tous CFA (métadonnées)',
    query: listing,
    responses: { 200: { description: 'Succès', schema: ref('ListeDocuments') } },
    async handler({ query }, { deps }) {
      return listView(await allDocuments(deps.db, query), true);
    },
  }),

  route({
    operationId: 'telechargerDocument',
    method: 'get',
    path: '/back-office/v1/documents/{numeroInterneDocument}',
    role: 'opco',
    tags: ['Back-office'],
    summary: 'Télécharger un document',
    description: 'Rend le fichier tel que déposé, avec son type (lu dans le contenu), `Content-Disposition: attachment` (nom donné par le CFA, extension du type réel) et `Repr-Digest` (SHA-256).',
    pathParams: { numeroInterneDocument: { description: 'Numéro interne du document', schema: { type: 'string' } } },
    responses: {
      200: { description: 'Le fichier', content: ['application/pdf', 'image/jpeg', 'image/png'] },
      404: { description: 'Document inconnu (DOCUMENT_INTROUVABLE)' },
    },
    async handler({ path }, { res, deps }) {
      const { meta, contenu } = await findDocument(deps.db, path.numeroInterneDocument);
      for (const [name, value] of Object.entries(downloadHeaders(meta, contenu.length))) res.setHeader(name, value);
      res.end(contenu);
      return undefined;
    },
  }),
];
