/** The single place where errors become HTTP responses. Nothing internal ever reaches a client. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ApiError, errors, problemBody } from '../errors.js';

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

/** Translates body-parser's errors (malformed JSON, too large, bad charset) into ApiErrors. */
function fromBodyParser(err: BodyParserError, jsonLimit: number): ApiError | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return errors.badRequest('JSON_MALFORME', "Le corps de la requête n'est pas un JSON valide.");
    case 'entity.too.large':
      return errors.payloadTooLarge(err.limit ?? jsonLimit);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return errors.unsupportedMediaType('application/json en UTF-8');
    case 'request.aborted':
      return errors.badRequest('REQUETE_INTERROMPUE', 'La requête a été interrompue par le client.');
    default:
      return undefined;
  }
}

export function errorHandler(logger: Logger, jsonLimit: number): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let apiError = err instanceof ApiError ? err : fromBodyParser(err as BodyParserError, jsonLimit);
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

/** 415 for a body that is not JSON on a JSON route. */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (hasBody && !req.is(['application/json', 'application/*+json'])) {
    throw errors.unsupportedMediaType('application/json');
  }
  next();
};
