/** The single place where errors become HTTP responses. Nothing internal ever reaches a client. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../../db/connection.js';
import { Refusal, type RefusalKind } from '../../domain/refusal.js';
import { ApiError, errors, problemBody } from '../errors.js';
import { malformedJson } from '../json-body-errors.js';
import { wasRelabelled } from '../json-relabelled.js';

interface BodyParserError {
  name?: string;
  type?: string;
  status?: number;
  expose?: boolean;
  code?: string;
  limit?: number;
  /** The raw text, on a JSON parse failure. */
  body?: unknown;
}

/** Seconds an ERP should wait before retrying while the database is out of reach. */
export const RETRY_AFTER_UNAVAILABLE_SECONDS = 5;

/**
 * Translates the errors of express's parsing (malformed JSON, too large, bad charset, undecodable
 * compression, bad percent-encoding in the path) into ApiErrors.
 */
function fromRequestParsing(err: BodyParserError, jsonLimit: number): ApiError | undefined {
  if (err.name === 'URIError' && err.status === 400) {
    return errors.badRequest('CHEMIN_INVALIDE', 'Le chemin de la requête contient un encodage « pourcent » invalide.');
  }
  if (err.status === 400 && err.expose && /^(Z_|ERR__)/.test(err.code ?? '')) {
    return errors.badRequest('CORPS_ILLISIBLE', 'Le corps compressé ne peut pas être décodé selon son en-tête Content-Encoding.');
  }
  switch (err.type) {
    case 'entity.parse.failed':
      return malformedJson(err.body);
    case 'entity.too.large':
      return errors.payloadTooLarge(err.limit ?? jsonLimit);
    case 'encoding.unsupported':
      return errors.unsupportedMediaType('un corps non compressé, ou compressé en gzip, deflate ou br');
    case 'charset.unsupported':
      return errors.unsupportedMediaType('application/json en UTF-8');
    case 'request.aborted':
      return errors.badRequest('REQUETE_INTERROMPUE', 'La requête a été interrompue par le client.');
    default:
      // Any other client error express reports as safe to show: its status, a generic code.
      if (err.expose && typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
        return new ApiError(err.status, [{ code: 'REQUETE_INVALIDE', description: 'La requête ne peut pas être lue.' }], { title: 'Requête invalide' });
      }
      return undefined;
  }
}

const REFUSALS: Record<RefusalKind, { status: number; title: string }> = {
  invalid: { status: 400, title: 'Requête invalide' },
  forbidden: { status: 403, title: 'Accès refusé' },
  'not-found': { status: 404, title: 'Introuvable' },
  conflict: { status: 409, title: 'Conflit' },
  unprocessable: { status: 422, title: 'Requête non traitable' },
};

/** A use case's refusal → the norm's error answer. */
function fromRefusal(refusal: Refusal): ApiError {
  const { status, title } = REFUSALS[refusal.kind];
  const detail = refusal.kind === 'invalid' && refusal.violations.length > 1
    ? `${refusal.violations.length} erreur(s) de validation`
    : refusal.violations.map((v) => v.description).join(' ');
  return new ApiError(status, refusal.violations, { title: refusal.options.title ?? title, detail, extensions: refusal.options.extensions });
}

export function errorHandler(logger: Logger, jsonLimit: number): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let apiError = err instanceof ApiError ? err
      : err instanceof Refusal ? fromRefusal(err)
        : isDatabaseUnavailable(err) ? errors.unavailable('La base de données est momentanément injoignable : réessayez dans quelques secondes.', RETRY_AFTER_UNAVAILABLE_SECONDS)
          : fromRequestParsing(err as BodyParserError, jsonLimit);
    if (apiError?.status === 503) logger.warn({ requestId: req.requestId, erreur: { type: (err as Error).name, code: (err as { code?: unknown }).code } }, 'base de données injoignable');
    if (!apiError) {
      // Only the error's shape is logged: driver messages and details can quote row values.
      const e = err as { name?: string; code?: string; constraint?: string; stack?: string };
      logger.error({ requestId: req.requestId, erreur: { type: e?.name, code: e?.code, contrainte: e?.constraint, pile: e?.stack?.split('\n').slice(1, 8).join('\n') } }, 'erreur inattendue');
      apiError = errors.internal();
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    for (const [name, value] of Object.entries(apiError.options.headers ?? {})) res.setHeader(name, value);
    res.setHeader('Cache-Control', 'no-store');
    res.status(apiError.status).json(problemBody(apiError, req.requestId));
  };
}

export const notFound: RequestHandler = (req) => {
  throw errors.notFound(`Aucune route ne correspond à ${req.method} ${req.path}.`, 'ROUTE_INCONNUE');
};

/** 415 for a body that is not JSON on a JSON route (a JSON body read under the wrong label passes: json-relabelled.ts). */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (hasBody && !wasRelabelled(req) && !req.is(['application/json', 'application/*+json'])) {
    throw errors.unsupportedMediaType('application/json');
  }
  next();
};
