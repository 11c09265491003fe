/**
 * The one error model of the HTTP layer. Every failure becomes an ApiError, and the error handler
 * (middleware/error-handler.ts) renders it in the norm's shape
 * `{errors:[{code, description, champ?, section?}], description}` extended with RFC 9457 members.
 */
import type { Section, Violation } from '../domain/violation.js';

export interface ErrorItem {
  code: string;
  description: string;
  champ?: string;
  section?: Section;
}

export interface ApiErrorOptions {
  title: string;
  detail?: string;
  headers?: Record<string, string>;
  /** Extra top-level members of the body (e.g. erreursParSection, numeroInterne). */
  extensions?: Record<string, unknown>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ErrorItem[],
    readonly options: ApiErrorOptions,
  ) {
    super(errors[0]?.description ?? options.title);
    this.name = 'ApiError';
  }
}

const one = (code: string, description: string, champ?: string): ErrorItem[] =>
  [{ code, description, ...(champ ? { champ } : {}) }];

export const errors = {
  validation(violations: Violation[], extensions?: Record<string, unknown>): ApiError {
    return new ApiError(400, violations, {
      title: 'Requête invalide',
      detail: `${violations.length} erreur(s) de validation`,
      extensions,
    });
  },
  badRequest(code: string, description: string, champ?: string): ApiError {
    return new ApiError(400, one(code, description, champ), { title: 'Requête invalide', detail: description });
  },
  unauthorized(description: string): ApiError {
    return new ApiError(401, one('JETON_INVALIDE', description), {
      title: 'Authentification requise',
      detail: description,
      headers: { 'WWW-Authenticate': 'Bearer realm="convergence-gateway", error="invalid_token"' },
    });
  },
  forbidden(code: string, description: string, champ?: string): ApiError {
    return new ApiError(403, one(code, description, champ), { title: 'Accès refusé', detail: description });
  },
  notFound(description = "La ressource demandée n'existe pas.", code = 'RESSOURCE_INTROUVABLE'): ApiError {
    return new ApiError(404, one(code, description), { title: 'Introuvable', detail: description });
  },
  methodNotAllowed(method: string, path: string, allowed: readonly string[]): ApiError {
    const description = `La méthode ${method} n'est pas acceptée sur ${path} : méthodes acceptées ${allowed.join(', ')}.`;
    return new ApiError(405, one('METHODE_NON_AUTORISEE', description), {
      title: 'Méthode non autorisée', detail: description, headers: { Allow: allowed.join(', ') },
    });
  },
  conflict(code: string, description: string, extensions?: Record<string, unknown>, retryAfterSeconds?: number): ApiError {
    const headers = retryAfterSeconds === undefined ? undefined : { 'Retry-After': String(retryAfterSeconds) };
    return new ApiError(409, one(code, description), { title: 'Conflit', detail: description, extensions, ...(headers ? { headers } : {}) });
  },
  unprocessable(code: string, description: string): ApiError {
    return new ApiError(422, one(code, description), { title: 'Requête non traitable', detail: description });
  },
  payloadTooLarge(limitBytes: number): ApiError {
    const description = `Le corps de la requête dépasse la taille maximale autorisée (${limitBytes} octets).`;
    return new ApiError(413, one('CORPS_TROP_VOLUMINEUX', description), { title: 'Requête trop volumineuse', detail: description });
  },
  unsupportedMediaType(expected: string): ApiError {
    const description = `Type de contenu non pris en charge : ce point d'accès attend ${expected}.`;
    return new ApiError(415, one('TYPE_CONTENU_NON_SUPPORTE', description), { title: 'Type de contenu non pris en charge', detail: description });
  },
  tooManyRequests(retryAfterSeconds: number, cause = 'Trop de requêtes pour cette clé.'): ApiError {
    const description = `${cause} Réessayez dans ${retryAfterSeconds} seconde(s).`;
    return new ApiError(429, one('TROP_DE_REQUETES', description), {
      title: 'Trop de requêtes',
      detail: description,
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  },
  unavailable(description: string, retryAfterSeconds: number): ApiError {
    return new ApiError(503, one('SERVICE_INDISPONIBLE', description), {
      title: 'Service indisponible',
      detail: description,
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  },
  internal(): ApiError {
    const description = "Une erreur inattendue s'est produite. Communiquez l'identifiant de la requête (instance) au support.";
    return new ApiError(500, one('ERREUR_INTERNE', description), { title: 'Erreur interne', detail: description });
  },
};

/**
 * The top-level `description` (optional in the norm; some clients print nothing else): the error's
 * own text when there is one, else « 3 erreurs : <the first one's text> (…) ».
 */
export function summaryOf(items: readonly ErrorItem[], fallback: string): string {
  const [first] = items;
  if (!first) return fallback;
  if (items.length === 1) return first.description;
  return `${items.length} erreurs : ${first.description} (…)`;
}

/** The body sent for an ApiError. */
export function problemBody(error: ApiError, requestId: string): Record<string, unknown> {
  return {
    errors: error.errors,
    description: summaryOf(error.errors, error.options.detail ?? error.options.title),
    type: `https://convergence-gateway.fr/problemes/${error.status}`,
    title: error.options.title,
    status: error.status,
    detail: error.options.detail ?? error.options.title,
    instance: requestId,
    ...error.options.extensions,
  };
}
