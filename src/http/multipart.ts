/**
 * Uploads of the norm's file routes (conventions, documents): a JSON description and ONE file,
 * sent either as multipart/form-data (the norm: a JSON text part and a `fichier` part) or as
 * application/json with the file in base64 under `_files` (the Opcovia style).
 *
 * Memory is bounded: a file is counted as it streams and reading stops as soon as it passes the
 * limit (413); text parts have the JSON body limit. The file's type is decided by its first bytes,
 * never by its name or the declared content type.
 */
import { createHash } from 'node:crypto';
import busboy from 'busboy';
import type { Request } from 'express';
import type { Section, Violation } from '../domain/violation.js';
import { ApiError, errors } from './errors.js';
import { isJsonObject } from '../domain/json.js';

// ------------------------------------------------------------------------------- multipart

export interface UploadedFile {
  /** Name given by the client, kept for downloads; never used to decide the type. */
  nomFichier: string | undefined;
  contenu: Buffer;
}

export interface MultipartBody {
  fields: Record<string, string>;
  file: UploadedFile;
}

export interface MultipartSpec {
  /** Text parts that must be present (a text part sent with a file name is read as text too). */
  fields: readonly string[];
  /** Name of the file part. */
  file: string;
  fileSizeLimitBytes: number;
  /** Largest text part, in bytes. */
  fieldSizeLimitBytes: number;
  section: Section;
}

/** Headroom for part headers and boundaries when judging a declared Content-Length. */
const ENVELOPE_BYTES = 64 * 1024;
const MAX_PARTS = 20;

const malformed = (detail: string): ApiError =>
  errors.badRequest('MULTIPART_MALFORME', `Le corps multipart/form-data est mal formé : ${detail}.`);

/** `unread`: the body is not read to its end, so the connection is closed after the answer rather than drained. */
function fileTooLarge(limitBytes: number, champ: string, section: Section, unread = false): ApiError {
  const description = `Le fichier dépasse la taille maximale autorisée (${limitBytes} octets).`;
  return new ApiError(413, [{ code: 'FICHIER_TROP_VOLUMINEUX', description, champ, section }], {
    title: 'Fichier trop volumineux', detail: description, ...(unread ? { headers: { Connection: 'close' } } : {}),
  });
}

function partTooLarge(name: string, limitBytes: number, section: Section): ApiError {
  const description = `La partie « ${name} » dépasse la taille maximale autorisée (${limitBytes} octets).`;
  return new ApiError(413, [{ code: 'PARTIE_TROP_VOLUMINEUSE', description, champ: `/${name}`, section }], { title: 'Requête trop volumineuse', detail: description, headers: { Connection: 'close' } });
}

function partError(code: string, name: string, description: string, section: Section): ApiError {
  return errors.validation([{ code, description, champ: `/${name}`, section }]);
}

/**
 * Reads a multipart/form-data body: the text parts and the one file of `spec`. Rejects with an
 * ApiError: 400 for a malformed body, a missing, repeated or unexpected part; 413 beyond a limit
 * (the rest of the body is then discarded unread, never buffered).
 */
export function readMultipart(req: Request, spec: MultipartSpec): Promise<MultipartBody> {
  const { section } = spec;
  const declared = Number(req.get('content-length') ?? 0);
  const ceiling = spec.fileSizeLimitBytes + spec.fieldSizeLimitBytes * spec.fields.length + ENVELOPE_BYTES;
  if (declared > ceiling) {
    req.resume();
    return Promise.reject(fileTooLarge(spec.fileSizeLimitBytes, `/${spec.file}`, section, true));
  }
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: {
          fieldSize: spec.fieldSizeLimitBytes,
          // Our own counters below decide; busboy's limit is only a backstop one byte further.
          fileSize: Math.max(spec.fileSizeLimitBytes, spec.fieldSizeLimitBytes) + 1,
          parts: MAX_PARTS,
        },
      });
    } catch {
      reject(malformed("l'en-tête Content-Type doit indiquer la limite entre parties (boundary)"));
      return;
    }
    const fields: Record<string, string> = {};
    let file: UploadedFile | undefined;
    const seen = new Set<string>();
    let settled = false;

    const fail = (error: ApiError): void => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      req.resume(); // discard what is left of the body
      reject(error);
    };

    const accept = (name: string): boolean => {
      if (seen.has(name)) {
        fail(partError('PARTIE_EN_DOUBLE', name, `La partie « ${name} » ne doit être envoyée qu'une fois.`, section));
        return false;
      }
      seen.add(name);
      return true;
    };

    parser.on('field', (name, value, info) => {
      if (settled || !accept(name)) return;
      if (name === spec.file) {
        return fail(partError('PARTIE_INVALIDE', name, `La partie « ${name} » doit être envoyée comme un fichier (Content-Disposition avec filename=…).`, section));
      }
      if (info.valueTruncated) return fail(partTooLarge(name, spec.fieldSizeLimitBytes, section));
      fields[name] = value;
    });

    parser.on('file', (name, stream, info) => {
      const isText = spec.fields.includes(name);
      if (settled || (!isText && name !== spec.file)) {
        stream.on('error', () => undefined);
        stream.resume();
        if (!settled) {
          const expected = [...spec.fields, spec.file].join(', ');
          fail(partError('PARTIE_INATTENDUE', name, `La partie « ${name} » n'est pas attendue : ce point d'accès attend ${expected}.`, section));
        }
        return;
      }
      if (!accept(name)) {
        stream.on('error', () => undefined);
        stream.resume();
        return;
      }
      // A body cut in the middle of this part errors the part's stream too.
      stream.on('error', () => fail(malformed('corps interrompu ou illisible')));
      const limit = isText ? spec.fieldSizeLimitBytes : spec.fileSizeLimitBytes;
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > limit) {
          stream.resume();
          fail(isText ? partTooLarge(name, limit, section) : fileTooLarge(limit, `/${name}`, section, true));
          return;
        }
        chunks.push(chunk);
      });
      stream.on('end', () => {
        if (settled) return;
        const contenu = Buffer.concat(chunks, size);
        if (isText) fields[name] = contenu.toString('utf8');
        else file = { nomFichier: info.filename, contenu };
      });
    });

    parser.on('partsLimit', () => fail(malformed(`plus de ${MAX_PARTS} parties`)));
    parser.on('error', () => fail(malformed('corps interrompu ou illisible')));
    parser.on('close', () => {
      if (settled) return;
      settled = true;
      const missing: Violation[] = [...spec.fields.filter((f) => !(f in fields)), ...(file ? [] : [spec.file])]
        .map((name) => ({ code: 'PARTIE_MANQUANTE', description: `La partie « ${name} » est obligatoire.`, champ: `/${name}`, section }));
      if (missing.length || !file) reject(errors.validation(missing));
      else resolve({ fields, file });
    });
    req.pipe(parser);
  });
}

// ------------------------------------------------------------------------------ JSON parts

/** Parses a JSON text part; 400 JSON_MALFORME naming the part otherwise. */
export function parseJsonPart(text: string, name: string, section: Section): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw errors.validation([{ code: 'JSON_MALFORME', description: `La partie « ${name} » n'est pas un JSON valide.`, champ: `/${name}`, section }]);
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const DATA_URL = /^data:[^,;]*(?:;[^,;]*)*;base64,/i;

/**
 * Decodes a base64 file (standard or URL alphabet, line breaks and a `data:…;base64,` prefix
 * tolerated). The decoded size is checked BEFORE decoding: 413 beyond the limit.
 */
export function decodeBase64File(value: unknown, champ: string, limitBytes: number, section: Section): Buffer {
  if (typeof value !== 'string') {
    throw errors.validation([{ code: 'TYPE_INVALIDE', description: `Le champ ${champ.slice(1).replace(/\//g, '.')} doit être une chaîne base64.`, champ, section }]);
  }
  const text = value.replace(DATA_URL, '').replace(/\s+/g, '');
  if (!(BASE64.test(text) || BASE64URL.test(text)) || text.length % 4 === 1) {
    throw errors.validation([{ code: 'BASE64_INVALIDE', description: `Le champ ${champ.slice(1).replace(/\//g, '.')} n'est pas un contenu base64 valide.`, champ, section }]);
  }
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const decodedSize = Math.floor((text.length * 3) / 4) - padding;
  if (decodedSize > limitBytes) throw fileTooLarge(limitBytes, champ, section);
  return Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
}

// ------------------------------------------------------------------------- both transports

export interface UploadSpec {
  /** Multipart text part holding the JSON (`convention`, `infosFichier`). */
  jsonPart: string;
  /** Key of the file in `_files` for the JSON transport (`convention`, `document`). */
  base64Key: string;
  fileSizeLimitBytes: number;
  fieldSizeLimitBytes: number;
  section: Section;
}

export interface Upload {
  /** The JSON description (`_files` removed). */
  data: unknown;
  /** Where `data` sits in the request: `/convention` in multipart, `` (the body) in JSON. */
  rootPointer: string;
  file: UploadedFile;
}

const FILE_PART = 'fichier';

/** Reads an upload in either transport; 415 for any other content type. */
export async function readUpload(req: Request, spec: UploadSpec): Promise<Upload> {
  if (req.is('multipart/form-data')) {
    const body = await readMultipart(req, {
      fields: [spec.jsonPart], file: FILE_PART, fileSizeLimitBytes: spec.fileSizeLimitBytes, fieldSizeLimitBytes: spec.fieldSizeLimitBytes, section: spec.section,
    });
    return { data: parseJsonPart(body.fields[spec.jsonPart] ?? '', spec.jsonPart, spec.section), rootPointer: `/${spec.jsonPart}`, file: body.file };
  }
  if (req.is(['application/json', 'application/*+json'])) {
    const body: unknown = req.body;
    if (!isJsonObject(body)) {
      throw errors.validation([{ code: 'TYPE_INVALIDE', description: 'Le corps de la requête doit être un objet JSON.', champ: '', section: spec.section }]);
    }
    const { _files: files, ...data } = body;
    const champ = `/_files/${spec.base64Key}`;
    const encoded = isJsonObject(files) ? files[spec.base64Key] : undefined;
    if (encoded === undefined || encoded === null || encoded === '') {
      throw errors.validation([{ code: 'PARTIE_MANQUANTE', description: `Le fichier est obligatoire : contenu base64 dans _files.${spec.base64Key}.`, champ, section: spec.section }]);
    }
    const contenu = decodeBase64File(encoded, champ, spec.fileSizeLimitBytes, spec.section);
    return { data, rootPointer: '', file: { nomFichier: undefined, contenu } };
  }
  throw errors.unsupportedMediaType(`multipart/form-data (parties ${spec.jsonPart} et ${FILE_PART}) ou application/json avec le fichier en base64 dans _files.${spec.base64Key}`);
}

// ------------------------------------------------------------------------------ file checks

export const TYPES_MIME = ['application/pdf', 'image/jpeg', 'image/png'] as const;
export type TypeMime = (typeof TYPES_MIME)[number];

export const EXTENSIONS: Readonly<Record<TypeMime, string>> = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png' };

const SIGNATURES: ReadonlyArray<readonly [TypeMime, Buffer]> = [
  ['application/pdf', Buffer.from('%PDF-', 'latin1')],
  ['image/jpeg', Buffer.from([0xff, 0xd8, 0xff])],
  ['image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
];

/** The type announced by the file's first bytes (magic numbers), or undefined. */
export function typeOfContent(contenu: Buffer): TypeMime | undefined {
  for (const [type, signature] of SIGNATURES) {
    if (contenu.length >= signature.length && contenu.subarray(0, signature.length).equals(signature)) return type;
  }
  return undefined;
}

export interface CheckedFile {
  nomFichier: string | undefined;
  contenu: Buffer;
  typeMime: TypeMime;
  taille: number;
  sha256: string;
}

/** Empty file → 400; unknown content → 415; otherwise its type, size and SHA-256. */
export function checkFile(file: UploadedFile, champ: string, section: Section): CheckedFile {
  if (file.contenu.length === 0) {
    throw errors.validation([{ code: 'FICHIER_VIDE', description: 'Le fichier reçu est vide.', champ, section }]);
  }
  const typeMime = typeOfContent(file.contenu);
  if (!typeMime) {
    const description = 'Le contenu du fichier n’est ni un PDF, ni une image JPEG, ni une image PNG : seuls ces formats sont acceptés (le type est lu dans le contenu du fichier, pas dans son nom).';
    throw new ApiError(415, [{ code: 'TYPE_FICHIER_NON_SUPPORTE', description, champ, section }], { title: 'Type de fichier non pris en charge', detail: description });
  }
  return {
    nomFichier: cleanFileName(file.nomFichier),
    contenu: file.contenu,
    typeMime,
    taille: file.contenu.length,
    sha256: createHash('sha256').update(file.contenu).digest('hex'),
  };
}

/** Base name only, no control characters, at most 255 characters (the column's size). */
function cleanFileName(name: string | undefined): string | undefined {
  // eslint-disable-next-line no-control-regex
  const base = name?.split(/[\\/]/).pop()?.replace(/[\u0000-\u001f\u007f"]/g, '').trim();
  return base ? base.slice(-255) : undefined;
}

/** The PDF of an invoice (POST /factures, a facturation's deposit): a checked file that must be a PDF (415 otherwise), named after the invoice when it came unnamed. */
export function invoicePdf(file: UploadedFile, champ: string, numero: string): CheckedFile {
  const fichier = checkFile(file, champ, 'facture');
  if (fichier.typeMime !== 'application/pdf') {
    const description = 'La facture doit être un PDF.';
    throw new ApiError(415, [{ code: 'TYPE_FICHIER_NON_SUPPORTE', description, champ, section: 'facture' }], { title: 'Type de fichier non pris en charge', detail: description });
  }
  return { ...fichier, nomFichier: fichier.nomFichier ?? `${numero}.pdf` };
}
