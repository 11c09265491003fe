/**
 * Documents (norme §5.5): a CFA attaches a file to its dossiers and invoices and lists what it
 * attached; the back office lists and downloads them. The type is read from the content (PDF,
 * JPEG, PNG); the same file cannot be attached twice to one object (409 with the existing number).
 */
import { Router } from 'express';
import type { Knex } from 'knex';
import type { Config } from '../../config/config.js';
import { recordWrite } from '../../db/audit.js';
import { authorOf } from '../context.js';
import { depositDocument, documentsOn, findDocument, missingObjects, TYPES_OBJET, type DocumentMeta, type ObjetRef, type TypeFichier } from '../../db/documents.js';
import { validateAgainst } from '../../domain/cerfa/schema-validation.js';
import { errors } from '../errors.js';
import { checkFile, EXTENSIONS, readUpload, type TypeMime } from '../multipart.js';
import { QueryReader } from '../query.js';
import { cfaOf } from '../context.js';

interface InfosFichier {
  typeFichier: TypeFichier;
  objets: ObjetRef[];
}

function documentView(d: DocumentMeta, forOpco: boolean): Record<string, unknown> {
  return {
    numeroInterneDocument: d.numero_interne,
    typeFichier: d.type_fichier,
    typeMime: d.type_mime,
    taille: d.taille,
    sha256: d.sha256,
    nomFichier: d.nom_fichier,
    deposeLe: new Date(d.depose_le).toISOString(),
    objets: d.objets,
    ...(forOpco ? { cfaSiren: d.cfa_siren, editeur: d.editeur } : {}),
  };
}

/** Reads `idObjet` (required) and `typeObjet` (optional) of a listing. */
function listingQuery(q: QueryReader): { idObjet: string; typeObjet: (typeof TYPES_OBJET)[number] | undefined } {
  const idObjet = q.string('idObjet', { required: true, max: 40 });
  const typeObjet = q.oneOf('typeObjet', TYPES_OBJET);
  if (q.violations.length || !idObjet) throw errors.validation(q.violations);
  return { idObjet, typeObjet };
}

/** The name a download is saved under: the client's, with the extension of the real type. */
export function downloadName(d: Pick<DocumentMeta, 'numero_interne' | 'nom_fichier' | 'type_mime'>): string {
  const extension = EXTENSIONS[d.type_mime as TypeMime] ?? 'bin';
  const name = d.nom_fichier ?? d.numero_interne;
  const current = /\.([A-Za-z0-9]{1,5})$/.exec(name)?.[1]?.toLowerCase();
  const same = current === extension || (extension === 'jpg' && current === 'jpeg');
  return same ? name : `${name}.${extension}`;
}

/** RFC 6266: an ASCII fallback and the UTF-8 name (RFC 8187). */
function contentDisposition(name: string): string {
  const ascii = name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function documentRoutes(db: Knex, config: Config): Router {
  const router = Router();

  router.post('/documents', async (req, res) => {
    const caller = cfaOf(req);
    const upload = await readUpload(req, {
      jsonPart: 'infosFichier', base64Key: 'document', fileSizeLimitBytes: config.fileSizeLimitBytes, fieldSizeLimitBytes: config.jsonBodyLimitBytes, section: 'document',
    });
    const violations = validateAgainst('infos-fichier.schema.json', upload.data, upload.rootPointer, () => 'document');
    if (violations.length) throw errors.validation(violations);
    const infos = upload.data as InfosFichier;
    // The same object listed twice is one link.
    const objets = [...new Map(infos.objets.map((o) => [`${o.typeObjet}:${o.idObjet}`, { typeObjet: o.typeObjet, idObjet: o.idObjet }])).values()];
    const missing = await missingObjects(db, caller.siren, objets);
    if (missing.length) {
      const list = missing.map((o) => `${o.typeObjet} ${o.idObjet}`).join(', ');
      throw errors.notFound(`Objet(s) inconnu(s) pour ce CFA : ${list}.`, 'OBJET_INTROUVABLE');
    }
    const fichier = checkFile(upload.file, upload.rootPointer === '' ? '/_files/document' : '/fichier', 'document');

    const outcome = await depositDocument(db, {
      ...fichier,
      cfaSiren: caller.siren,
      typeFichier: infos.typeFichier,
      editeur: req.editor.editeur,
      objets,
    }, (trx, d) => recordWrite(trx, authorOf(req), 'DOCUMENT_DEPOSE', { type: 'DOCUMENT', id: d.numero_interne }));
    if (outcome.kind === 'duplicate') {
      throw errors.conflict(
        'DOCUMENT_DEJA_DEPOSE',
        `Ce fichier (même empreinte SHA-256) est déjà rattaché à cet objet : document ${outcome.numeroInterne}.`,
        { numeroInterneDocument: outcome.numeroInterne },
      );
    }
    const d = outcome.document;
    res.json({ numeroInterneDocument: d.numero_interne, sha256: d.sha256, typeMime: d.type_mime, taille: d.taille });
  });

  router.get('/documents', async (req, res) => {
    const caller = cfaOf(req);
    const { idObjet, typeObjet } = listingQuery(new QueryReader(req));
    const documents = await documentsOn(db, idObjet, { siren: caller.siren, typeObjet });
    res.json({ count: documents.length, documents: documents.map((d) => documentView(d, false)) });
  });

  return router;
}

export function backOfficeDocumentRoutes(db: Knex): Router {
  const router = Router();

  router.get('/documents', async (req, res) => {
    const { idObjet, typeObjet } = listingQuery(new QueryReader(req));
    const documents = await documentsOn(db, idObjet, { typeObjet });
    res.json({ count: documents.length, documents: documents.map((d) => documentView(d, true)) });
  });

  router.get('/documents/:numeroInterneDocument', async (req, res) => {
    const numero = String(req.params.numeroInterneDocument);
    const found = /^\d{1,20}$/.test(numero) ? await findDocument(db, numero) : undefined;
    if (!found) throw errors.notFound(`Aucun document ${numero}.`, 'DOCUMENT_INTROUVABLE');
    const { meta, contenu } = found;
    res.setHeader('Content-Type', meta.type_mime);
    res.setHeader('Content-Disposition', contentDisposition(downloadName(meta)));
    res.setHeader('Content-Length', String(contenu.length));
    res.setHeader('Repr-Digest', `sha-256=:${Buffer.from(meta.sha256, 'hex').toString('base64')}:`);
    res.setHeader('Cache-Control', 'private, no-store');
    res.end(contenu);
  });

  return router;
}
