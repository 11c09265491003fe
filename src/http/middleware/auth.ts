/**
 * Authentication as in the norm: the CFA (or back-office) key in X-API-KEY on every call, and the
 * vendor's OAuth2 bearer token, checked when present and required when REQUIRE_BEARER is on.
 */
import type { Knex } from 'knex';
import type { Request, RequestHandler } from 'express';
import { findValidToken } from '../../db/clients.js';
import { keyStatus, type KeyRole } from '../../db/keys.js';
import type { KeyCache } from '../key-cache.js';
import { parisDate } from '../../domain/dates.js';
import { ApiError, errors } from '../errors.js';
import type { RateLimiting } from './rate-limit.js';

/** What authentication needs of the rate limits: refuse an address that failed too often, count a failure. */
export type FailureCounter = Pick<RateLimiting, 'refuseAfterFailures' | 'recordFailure'>;

/**
 * Runs a check; a 401/403 it throws is counted against the client address. An address past its
 * failures is refused before a check that would cost a lookup (`costsLookup`); a key already in
 * memory, or no bearer at all, costs none, so the counters are not read on that hot path.
 */
function counted(failures: FailureCounter, costsLookup: (req: Request) => boolean, check: RequestHandler): RequestHandler {
  return async (req, res, next) => {
    if (costsLookup(req)) await failures.refuseAfterFailures(req);
    try {
      await check(req, res, next);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) await failures.recordFailure(req);
      throw err;
    }
  };
}

const ROLE_NAMES: Record<KeyRole, string> = { cfa: 'clés CFA', entreprise: 'clés entreprise', opco: "clés du back-office de l'OPCO" };

/** The refusal's text for a key of another role: whom the route is for. */
function reservedTo(roles: readonly KeyRole[]): string {
  if (roles.length === 1 && roles[0] === 'opco') return "Ce point d'accès est réservé au back-office de l'OPCO.";
  return `Ce point d'accès est réservé aux ${roles.map((r) => ROLE_NAMES[r]).join(' et aux ')}.`;
}

/**
 * The X-API-KEY check of a route: a valid key of one of `roles` (the route's declared roles),
 * else 403 with the norm's codes (CLE_API_NON_HABILITEE for a key of another role).
 */
export function authenticateKey(keys: KeyCache, roles: readonly KeyRole[], failures: FailureCounter): RequestHandler {
  const refusal = reservedTo(roles);
  const costsLookup = (req: Request): boolean => {
    const presented = req.get('x-api-key');
    return !presented || presented.length > 200 || !keys.isFresh(presented.trim());
  };
  return counted(failures, costsLookup, async (req, _res, next) => {
    const presented = req.get('x-api-key');
    if (!presented) {
      throw errors.forbidden('CLE_API_MANQUANTE', "L'en-tête X-API-KEY est obligatoire.");
    }
    const row = presented.length <= 200 ? await keys.find(presented.trim()) : undefined;
    if (!row) throw errors.forbidden('CLE_API_INVALIDE', "La clé d'API présentée est inconnue.");
    const status = keyStatus(row, parisDate());
    if (status === 'REVOQUEE') throw errors.forbidden('CLE_API_REVOQUEE', "La clé d'API présentée a été révoquée.");
    if (status === 'EXPIREE') {
      throw errors.forbidden('CLE_API_EXPIREE', `La clé d'API présentée a expiré le ${row.date_fin_validite}.`);
    }
    if (!roles.includes(row.role)) throw errors.forbidden('CLE_API_NON_HABILITEE', refusal);
    req.caller = { keyId: row.id, role: row.role, siren: row.siren, uai: row.uai, libelle: row.libelle, courriel: row.courriel };
    next();
  });
}

/**
 * The vendor's bearer token: checked when present; when absent, refused if `required` says so for
 * this request (REQUIRE_BEARER applies to CFA callers: the token is their software vendor's).
 */
export function authenticateBearer(db: Knex, required: (req: Request) => boolean, failures: FailureCounter): RequestHandler {
  return counted(failures, (req) => req.get('authorization') !== undefined, async (req, _res, next) => {
    const authorization = req.get('authorization');
    if (!authorization) {
      if (required(req)) throw errors.unauthorized("Un jeton d'accès (Authorization: Bearer) est obligatoire : obtenez-le sur POST /oauth/token.");
      return next();
    }
    const m = /^Bearer\s+(\S{1,400})$/i.exec(authorization.trim());
    if (!m?.[1]) throw errors.unauthorized("L'en-tête Authorization doit avoir la forme « Bearer <jeton> ».");
    const owner = await findValidToken(db, m[1]);
    if (!owner) throw errors.unauthorized("Le jeton d'accès est invalide ou a expiré : demandez-en un nouveau sur POST /oauth/token.");
    req.vendor = owner;
    next();
  });
}
