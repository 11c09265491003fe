/** Document rows → the norm's JSON shapes (§5.5), and the headers of a download. */
import type { DocumentMeta } from '../../db/documents.js';
import { EXTENSIONS, type TypeMime } from '../multipart.js';

/** The answer to a deposit (first or replayed). */
export function depositView(d: Pick<DocumentMeta, 'numero_interne' | 'sha256' | 'type_mime' | 'taille'>): Record<string, unknown> {
  return { numeroInterneDocument: d.numero_interne, sha256: d.sha256, typeMime: d.type_mime, taille: d.taille };
}

/** One document of a listing; the back office also sees the CFA and the editor. */
export function documentView(d: DocumentMeta, forOpco: boolean): Record<string, unknown> {
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

export function listView(documents: DocumentMeta[], forOpco: boolean): Record<string, unknown> {
  return { count: documents.length, documents: documents.map((d) => documentView(d, forOpco)) };
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
export function contentDisposition(name: string): string {
  const ascii = name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** The headers of a download: real type, attachment name, size, digest, never cached. */
export function downloadHeaders(meta: DocumentMeta, size: number): Record<string, string> {
  return {
    'Content-Type': meta.type_mime,
    'Content-Disposition': contentDisposition(downloadName(meta)),
    'Content-Length': String(size),
    'Repr-Digest': `sha-256=:${Buffer.from(meta.sha256, 'hex').toString('base64')}:`,
    'Cache-Control': 'private, no-store',
  };
}
