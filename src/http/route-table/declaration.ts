/**
 * What a route is, as data. Every route of the gateway is one `RouteDeclaration` in
 * src/http/routes/*.routes.ts; the express registration (register.ts), request validation
 * (parameters.ts, bodies), the OpenAPI document (openapi.ts), the typed handler input (from the
 * types openapi-typescript generates out of that document) and the route list the robustness tests
 * walk all derive from it. See docs/architecture.md.
 */
import type { Request, Response } from 'express';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import type { Scenario } from '../../domain/sandbox.js';
import type { Section } from '../../domain/violation.js';
import type { Metrics } from '../../observability/metrics.js';
import type { KeyRole } from '../../db/keys.js';
import type { Caller } from '../context.js';
import type { operations } from '../generated/openapi.js';
import type { KeyCache } from '../key-cache.js';
import type { RateLimiting } from '../middleware/rate-limit.js';
import type { UploadedFile } from '../multipart.js';

/** Who may call a route: holders of a key of that role, or anyone (`public`). */
export type Role = KeyRole | 'public';
/**
 * A route's `role`: one role, or several key roles (`['cfa', 'entreprise']`: a route both sides use).
 * Authentication accepts a key of any listed role; the handler tells them apart by `ctx.caller.role`.
 */
export type RouteRole = Role | readonly [KeyRole, ...KeyRole[]];
export type { KeyRole };
export type Version = 'v1' | 'v2';
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type JsonSchema = { readonly [key: string]: unknown };

export interface ParameterDeclaration {
  description: string;
  schema: JsonSchema;
  required?: boolean;
  /** French explanation shown for any invalid value (default: derived from the schema). */
  attendu?: string;
  /** Error code when missing or invalid (default PARAMETRE_OBLIGATOIRE / PARAMETRE_INVALIDE). */
  code?: string;
}

/** A JSON body validated by the table against a schema of schemas/ (`certificat` → schemas/certificat.schema.json). */
export interface JsonBody {
  kind: 'json';
  schema: string;
  /** Section named by the errors (`requete` unless the payload is a CERFA). */
  section?: Section;
  /** A `{cerfa}` payload: errors are also counted by CERFA section (`erreursParSection`). */
  cerfa?: boolean;
  description?: string;
  /** Room for files inline in base64 (`_files`): the body limit grows to the file limit. */
  withFiles?: boolean;
  /** A valid body, shown by the served docs (and their "Try it out"). */
  example?: unknown;
}

/** A JSON description plus a file: multipart (`part` + `fichier`) or JSON with the file in base64 under `_files[base64Key]`. */
export interface UploadBody {
  kind: 'upload';
  part: string;
  schema: string;
  base64Key: string;
  /** In the JSON transport, the description is under this member (`{"facture": {…}, "_files": …}`) instead of being the body itself. */
  jsonEnvelope?: string;
  section: Section;
  fileDescription: string;
  fileContentTypes: string;
}

export interface CsvBody {
  kind: 'csv';
  description: string;
}

/** A form (`application/x-www-form-urlencoded`), checked by its handler (OAuth2 answers in its own error shape). */
export interface FormBody {
  kind: 'form';
  schema: JsonSchema;
}

export type BodyDeclaration = JsonBody | UploadBody | CsvBody | FormBody;

export interface ResponseDeclaration {
  description: string;
  /** JSON Schema of the body; absent for error statuses (the norm's error shape) and bodiless answers. */
  schema?: JsonSchema;
  /** Content types of a file answer (a download); with `schema`, the route answers JSON or a file (a list and its exports). */
  content?: readonly string[];
}

export type OperationId = keyof operations & string;

type Parameters<K extends OperationId> = operations[K]['parameters'];
type Present<T> = [NonNullable<T>] extends [never] ? Record<string, never> : NonNullable<T>;
type RequestContent<K extends OperationId> = operations[K] extends { requestBody?: { content: infer C } } ? C : never;

export type QueryOf<K extends OperationId> = Present<Parameters<K>['query']>;
export type PathOf<K extends OperationId> = Present<Parameters<K>['path']>;
export type JsonBodyOf<K extends OperationId> = RequestContent<K> extends { 'application/json': infer B } ? B : undefined;
type MultipartOf<K extends OperationId> = RequestContent<K> extends { 'multipart/form-data': infer M } ? M : never;
/** The description part of an upload (the multipart part that is not the file). */
export type UploadDataOf<K extends OperationId> = MultipartOf<K>[Exclude<keyof MultipartOf<K>, 'fichier'>];

export interface UploadInput<T> {
  data: T;
  file: UploadedFile;
  /** Where the description sits in the request (`/convention` in multipart, `` in JSON): errors point from there. */
  rootPointer: string;
  /** Pointer of the file (`/fichier` or `/_files/<key>`). */
  filePointer: string;
}

/** What a handler receives, validated and typed from the route's own declaration. */
export interface Input<K extends OperationId> {
  path: PathOf<K>;
  query: QueryOf<K>;
  /** The JSON body, validated against its schema. */
  body: JsonBodyOf<K>;
  /** Upload routes: the description, validated, and the file. */
  upload: [UploadDataOf<K>] extends [never] ? undefined : UploadInput<UploadDataOf<K>>;
  /** CSV routes: the text. */
  text: RequestContent<K> extends { 'text/csv': string } ? string : undefined;
}

export interface RouteDeps {
  config: Config;
  db: Knex;
  logger: Logger;
  metrics: Metrics;
  keys: KeyCache;
  /** Rate limits: per caller on every route but operations probes, failed authentications per address. */
  limits: RateLimiting;
}

export interface HandlerContext {
  req: Request;
  res: Response;
  deps: RouteDeps;
  /**
   * The request's clock: the current instant, or in sandbox mode the sandbox clock's (moved forward
   * by `POST /sandbox/v1/horloge`). Routes whose rules depend on today read it.
   */
  now(): Promise<Date>;
  /** Sandbox mode, routes declared `sandboxScenario`: the validated `X-Sandbox-Scenario` (absent: the default). */
  scenario: Scenario | undefined;
  /** The authenticated caller (routes of a key role); `caller.role` tells which role of the route's list. */
  caller: Caller;
  /** The declared query parameters the request gave, however spelled (defaults not counted). */
  givenQuery: ReadonlySet<string>;
  /** The norm's version prefix the route was called under (`v1`, `v2`), when it has one. */
  version: Version | undefined;
}

/**
 * A handler returns the body to send as JSON with status 200, or `undefined` after answering
 * itself through `ctx.res` (another status, a file, a 304).
 */
export type Handler<K extends OperationId> = (input: Input<K>, ctx: HandlerContext) => unknown;

export interface RouteDeclaration<K extends OperationId = OperationId> {
  /** Unique; a route served on v1 and v2 documents its v1 operation as `<operationId>V1`. */
  operationId: K;
  method: Method;
  /** OpenAPI path template; `{version}` is replaced by each of `versions`. */
  path: string;
  versions?: readonly Version[];
  /** `'cfa'`, `'opco'`, `'entreprise'`, `'public'`, or several key roles (`['cfa', 'entreprise']`). */
  role: RouteRole;
  /** Operations probes (liveness, readiness, status) are never rate-limited. */
  unlimited?: boolean;
  /** Public routes under a version prefix still refuse a present but invalid bearer token. */
  checksBearer?: boolean;
  tags: readonly string[];
  summary: string;
  description?: string;
  pathParams?: Readonly<Record<string, ParameterDeclaration>>;
  query?: Readonly<Record<string, ParameterDeclaration>>;
  /** Writes accept `Idempotency-Key`. */
  idempotent?: boolean;
  /** Writes record the norm's editor headers (EDITEUR, LOGICIEL, VERSION). */
  editorHeaders?: boolean;
  body?: BodyDeclaration;
  /** Declared answers by status; the standard errors of the role are added (see openapi.ts). */
  responses: Readonly<Record<number, ResponseDeclaration>>;
  /** Served (and documented) only in sandbox mode (`SANDBOX=true`); elsewhere the path does not exist. */
  sandbox?: boolean;
  /** A creating request that accepts `X-Sandbox-Scenario` in sandbox mode (documented then). */
  sandboxScenario?: boolean;
  handler: Handler<K>;
}

/** Declares a route; the type parameter ties the handler's input to the generated contract types. */
export function route<K extends OperationId>(declaration: RouteDeclaration<K>): RouteDeclaration {
  // Handler input is checked against K at the declaration; the table stores routes uniformly.
  return declaration as unknown as RouteDeclaration;
}

/**
 * The key roles a route accepts (none for a public route), in the declared order. An empty list
 * (possible only by a cast) would make the route public: it stops the table from being built.
 */
export function rolesOf(declaration: Pick<RouteDeclaration, 'role'>): readonly KeyRole[] {
  const { role } = declaration;
  if (typeof role === 'string') return role === 'public' ? [] : [role];
  if (role.length === 0) throw new Error("a route's role list is empty: declare 'public' explicitly, or at least one key role");
  return role;
}

/** The concrete paths of a declaration: one per version, or its own path. */
export function concretePaths(declaration: Pick<RouteDeclaration, 'path' | 'versions'>): Array<{ path: string; version: Version | undefined }> {
  if (!declaration.path.includes('{version}')) return [{ path: declaration.path, version: undefined }];
  return (declaration.versions ?? []).map((version) => ({ path: declaration.path.replace('{version}', version), version }));
}

/** The operationId of one concrete path: the newest version keeps the declared id. */
export function operationIdFor(declaration: Pick<RouteDeclaration, 'operationId' | 'versions'>, version: Version | undefined): string {
  const versions = declaration.versions ?? [];
  const newest = versions[versions.length - 1];
  return version && version !== newest ? `${declaration.operationId}${version.toUpperCase()}` : declaration.operationId;
}
