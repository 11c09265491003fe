/**
 * Registers the route table on express: for each declared route and version, authentication by
 * role, body parsing by kind, validation of path, query and body (compiled once, here), the
 * Idempotency-Key store when declared, then the handler with its typed input. Nothing answers that
 * is not declared.
 */
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { countBySection } from '../../domain/cerfa/validate.js';
import { isJsonObject } from '../../domain/json.js';
import { readDossierRequest, readPayload, type ReadPayload } from '../../domain/cerfa/schema-validation.js';
import type { Violation } from '../../domain/violation.js';
import { errors } from '../errors.js';
import { authenticateBearer, authenticateKey } from '../middleware/auth.js';
import { requireJsonBody } from '../middleware/error-handler.js';
import { idempotency } from '../middleware/idempotency.js';
import { badlyEncodedQuery, inspectInput } from '../middleware/input-guard.js';
import { readUpload } from '../multipart.js';
import {
  concretePaths, rolesOf, type BodyDeclaration, type HandlerContext, type JsonBody, type RouteDeclaration, type RouteDeps, type UploadInput, type Version,
} from './declaration.js';
import { compileParameters, resolveQueryNames, type QueryNameResolver } from './parameters.js';
import { sandboxNow } from '../../services/sandbox.js';
import { readScenario } from '../sandbox-scenario.js';
import { RELABELLED, relabelledJson, wasRelabelled } from '../json-relabelled.js';

const JSON_TYPES = ['application/json', 'application/*+json'];

export interface MatchedRoute {
  declaration: RouteDeclaration;
  /** The concrete documented path (`/v2/dossiers`). */
  path: string;
}

const matched = new WeakMap<Response, MatchedRoute>();

/** The declared route answering this response, if any (access log, contract checks). */
export function matchedRoute(res: Response): MatchedRoute | undefined {
  return matched.get(res);
}

/** `/back-office/v1/dossiers/{numeroInterne}` → `/back-office/v1/dossiers/:numeroInterne`. */
export function expressPath(path: string): string {
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}

interface Parsers {
  relabelled: RequestHandler[];
  json: RequestHandler;
  fileJson: RequestHandler;
  csv: RequestHandler;
  form: RequestHandler;
}

function parsers(deps: RouteDeps): Parsers {
  const { jsonBodyLimitBytes, fileSizeLimitBytes } = deps.config;
  return {
    // STRICT_INPUT corrects nothing: a mislabelled body stays a 415 there.
    relabelled: deps.config.strictInput ? [] : relabelledJson(jsonBodyLimitBytes),
    json: express.json({ limit: jsonBodyLimitBytes, type: JSON_TYPES }),
    // Inline base64 files (`_files`) need room for the file limit + 4/3 of encoding.
    fileJson: express.json({ limit: Math.ceil((fileSizeLimitBytes * 4) / 3) + jsonBodyLimitBytes, type: JSON_TYPES }),
    csv: express.text({ type: ['text/csv', 'text/plain'], limit: '5mb' }),
    form: express.urlencoded({ extended: false, limit: '8kb' }),
  };
}

const requireText: RequestHandler = (req, _res, next) => {
  if (typeof req.body !== 'string') throw errors.unsupportedMediaType('text/csv');
  next();
};

function bodyParser(body: BodyDeclaration | undefined, p: Parsers): RequestHandler[] {
  switch (body?.kind) {
    case undefined:
      return [];
    case 'json':
      return [...(body.withFiles ? [] : p.relabelled), requireJsonBody, body.withFiles ? p.fileJson : p.json];
    case 'upload':
      return [p.fileJson];
    case 'csv':
      return [p.csv, requireText];
    case 'form':
      return [p.form];
  }
}

const never = (): boolean => false;

/**
 * Authentication by role (a key of any of the route's roles), then the caller's rate limit (per key
 * once known, per address otherwise). REQUIRE_BEARER applies to CFA callers, whatever the route's
 * other roles.
 */
function authentication(declaration: RouteDeclaration, deps: RouteDeps): RequestHandler[] {
  const { limits } = deps;
  const limited = declaration.unlimited ? [] : [limits.perCaller];
  const roles = rolesOf(declaration);
  if (roles.length === 0) return [...(declaration.checksBearer ? [authenticateBearer(deps.db, never, limits)] : []), ...limited];
  const bearerRequired = deps.config.requireBearer && roles.includes('cfa') ? (req: Request) => req.caller?.role === 'cfa' : never;
  return [authenticateKey(deps.keys, roles, limits), authenticateBearer(deps.db, bearerRequired, limits), ...limited];
}

/** A JSON body read tolerantly then validated (conversions listed as avertissements). */
function readJsonBody(body: JsonBody, data: unknown, strict: boolean): ReadPayload & { extensions: Record<string, unknown> } {
  if (body.cerfa) {
    const read = readDossierRequest(data, strict, `${body.schema}.schema.json`);
    return { ...read, extensions: { erreursParSection: countBySection(read.violations), avertissements: read.avertissements } };
  }
  const read = readPayload(`${body.schema}.schema.json`, data, '', () => body.section ?? 'requete', strict);
  return { ...read, extensions: read.avertissements.length ? { avertissements: read.avertissements } : {} };
}

/** The answer with the reading's avertissements added to its own (objects only). */
function withWarnings(result: unknown, avertissements: readonly Violation[]): unknown {
  if (!avertissements.length || !isJsonObject(result)) return result;
  const own = Array.isArray(result.avertissements) ? result.avertissements : [];
  return { ...result, avertissements: [...avertissements, ...own] };
}

/** A query string that is not valid percent-encoded UTF-8: 400 naming each parameter, before authentication, like a bad path. */
const checkQueryEncoding: RequestHandler = (req, _res, next) => {
  const violations = badlyEncodedQuery(req.originalUrl);
  if (violations.length) throw errors.validation(violations);
  next();
};

/**
 * Refuses, before anything reads them, declared parameters and bodies holding text PostgreSQL
 * cannot store, numbers beyond the double range, or JSON nested beyond any payload of the norm
 * (see input-guard.ts). Query parameters are those read under a declared name (resolveQueryNames).
 */
function guardInput(declaration: RouteDeclaration, queryNames: QueryNameResolver): RequestHandler {
  const declared = (source: Record<string, unknown>, names: readonly string[]): Record<string, unknown> =>
    Object.fromEntries(names.filter((n) => n in source).map((n) => [n, source[n]]));
  const pathNames = Object.keys(declaration.pathParams ?? {});
  return (req, _res, next) => {
    const violations = [
      ...inspectInput(declared(req.params, pathNames), ''),
      ...inspectInput(queryNames(req.query).raw, ''),
      ...(req.body === undefined ? [] : inspectInput(req.body, '')),
    ];
    if (violations.length) throw errors.validation(violations);
    next();
  };
}

/** The declared route's handler chain, after authentication and body parsing. */
function invoke(declaration: RouteDeclaration, deps: RouteDeps, version: Version | undefined, queryNames: QueryNameResolver): RequestHandler {
  const readPath = compileParameters(declaration.pathParams);
  const readQuery = compileParameters(declaration.query, queryNames);
  const body = declaration.body;
  return async (req, res) => {
    const path = readPath(req.params);
    const query = readQuery(req.query);
    const scenario = declaration.sandboxScenario ? readScenario(req, deps.config, body?.kind === 'upload' ? 'FACTURE' : 'DOSSIER') : undefined;
    const violations = [...path.violations, ...query.violations, ...(scenario?.violations ?? [])];
    let upload: UploadInput<unknown> | undefined;
    let extensions: Record<string, unknown> | undefined;
    let data: unknown = req.body;
    const avertissements: Violation[] = [];
    // A bad path or query stops before the body is read; a bad scenario header comes back with the body's errors.
    if (body?.kind === 'json' && violations.length === (scenario?.violations.length ?? 0)) {
      const read = readJsonBody(body, req.body, deps.config.strictInput);
      violations.push(...read.violations);
      if (wasRelabelled(req)) avertissements.push(RELABELLED);
      avertissements.push(...read.avertissements);
      extensions = read.extensions;
      data = read.value;
    }
    if (violations.length) throw errors.validation(violations, extensions);
    if (body?.kind === 'upload') {
      const read = await readUpload(req, {
        jsonPart: body.part, base64Key: body.base64Key, section: body.section,
        fileSizeLimitBytes: deps.config.fileSizeLimitBytes, fieldSizeLimitBytes: deps.config.jsonBodyLimitBytes,
      });
      const multipart = read.rootPointer !== '';
      const envelope = !multipart && body.jsonEnvelope ? body.jsonEnvelope : undefined;
      const described = envelope ? (isJsonObject(read.data) ? read.data[envelope] : undefined) : read.data;
      const rootPointer = envelope ? `/${envelope}` : read.rootPointer;
      const forbidden = inspectInput(described, rootPointer);
      if (forbidden.length) throw errors.validation(forbidden);
      const payload = readPayload(`${body.schema}.schema.json`, described, rootPointer, () => body.section, deps.config.strictInput);
      const all = [...(scenario?.violations ?? []), ...payload.violations];
      if (all.length) throw errors.validation(all, payload.avertissements.length ? { avertissements: payload.avertissements } : undefined);
      avertissements.push(...payload.avertissements);
      upload = { data: payload.value, file: read.file, rootPointer, filePointer: multipart ? '/fichier' : `/_files/${body.base64Key}` };
    }
    const context: HandlerContext = {
      req, res, deps, version,
      givenQuery: query.given,
      scenario: scenario?.scenario,
      now: () => (deps.config.sandbox ? sandboxNow(deps.db, new Date()) : Promise.resolve(new Date())),
      get caller() {
        if (!req.caller) throw errors.forbidden('CLE_API_NON_HABILITEE', 'Clé requise.');
        return req.caller;
      },
    };
    const input = {
      path: path.values, query: query.values, body: data, upload, text: body?.kind === 'csv' ? req.body : undefined,
    };
    // The handler's input type is generated from the same declaration that compiled these validators.
    const result = await declaration.handler(input as never, context);
    if (result !== undefined && !res.headersSent) res.json(withWarnings(result, avertissements));
  };
}

export function registerRoutes(router: Router, table: readonly RouteDeclaration[], deps: RouteDeps): void {
  const bodyParsers = parsers(deps);
  for (const declaration of table) {
    const keyed = rolesOf(declaration).length > 0;
    const queryNames = resolveQueryNames(declaration.query, deps.config.strictInput);
    for (const { path, version } of concretePaths(declaration)) {
      const remember: RequestHandler = (_req, res, next) => {
        matched.set(res, { declaration, path });
        // Answers to keys carry personal data (names, NIR, IBAN): no cache may keep them.
        if (keyed) res.setHeader('Cache-Control', 'no-store');
        next();
      };
      router[declaration.method](
        expressPath(path),
        remember,
        checkQueryEncoding,
        ...authentication(declaration, deps),
        ...bodyParser(declaration.body, bodyParsers),
        guardInput(declaration, queryNames),
        ...(declaration.idempotent ? [idempotency(deps.db, deps.config.requestTimeoutMs)] : []),
        invoke(declaration, deps, version, queryNames),
      );
    }
  }
}

/** `/v2/dossiers/{numeroInterne}` → a pattern matching its concrete paths as express does (any case, trailing slash). */
function pathPattern(path: string): RegExp {
  const escaped = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[A-Za-z0-9_]+\}/g, '[^/]+');
  return new RegExp(`^${escaped}/?$`, 'i');
}

/**
 * After the table: a declared path called with another method answers 405 with `Allow` (HEAD
 * wherever GET is, as express serves it), so 404 ROUTE_INCONNUE stays for paths that do not exist.
 */
export function refuseOtherMethods(table: readonly RouteDeclaration[]): RequestHandler {
  const byPath = new Map<string, Set<string>>();
  for (const declaration of table) {
    for (const { path } of concretePaths(declaration)) {
      const methods = byPath.get(path) ?? new Set<string>();
      methods.add(declaration.method.toUpperCase());
      if (declaration.method === 'get') methods.add('HEAD');
      byPath.set(path, methods);
    }
  }
  const patterns = [...byPath].map(([path, methods]) => ({ pattern: pathPattern(path), methods }));
  return (req, _res, next) => {
    const allowed = new Set<string>();
    for (const { pattern, methods } of patterns) if (pattern.test(req.path)) for (const m of methods) allowed.add(m);
    if (allowed.size === 0 || allowed.has(req.method)) {
      next();
      return;
    }
    throw errors.methodNotAllowed(req.method, req.path, [...allowed].sort());
  };
}
