/**
 * The OpenAPI 3.1 document, written from the route table. It is self-contained: the payload
 * schemas of schemas/ are bundled as `#/components/schemas/<Name>`, so code generators and
 * validators work on it alone. Served at /openapi.json and written to contracts/openapi.json
 * (`npm run contract`, which also regenerates the handler input types).
 */
import fs from 'node:fs';
import { SCENARIOS } from '../../domain/sandbox.js';
import { projectPath } from '../../paths.js';
import { COMPONENT_SCHEMAS, file, ref } from './components.js';
import {
  concretePaths, operationIdFor, rolesOf, type BodyDeclaration, type JsonSchema, type ParameterDeclaration, type ResponseDeclaration, type RouteDeclaration,
} from './declaration.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: unknown };

const errorResponse = (description: string): Obj => ({ description, content: { 'application/json': { schema: ref('Erreurs') } } });

/** The errors any route of a role can answer, besides those it declares. */
export function standardResponses(declaration: RouteDeclaration): Record<number, ResponseDeclaration> {
  const out: Record<number, ResponseDeclaration> = {
    429: { description: 'Trop de requêtes : réessayer après Retry-After secondes' },
    500: { description: 'Erreur interne : communiquer `instance` au support' },
  };
  if (!declaration.unlimited) out[503] = { description: 'Base de données momentanément injoignable : réessayer après Retry-After secondes' };
  // Every route has a query string: a badly encoded one (or, under STRICT_INPUT, an unknown parameter) is a 400.
  out[400] = { description: 'Requête invalide : toutes les erreurs sont listées, avec `champ` (pointeur JSON)' };
  const roles = rolesOf(declaration);
  if (roles.length || declaration.checksBearer) out[401] = { description: 'Jeton Bearer invalide ou expiré (ou absent quand il est obligatoire)' };
  if (roles.length) {
    const which = roles.length > 1 ? ` (clés admises : ${roles.join(', ')})` : '';
    out[403] = { description: `Clé X-API-KEY absente, inconnue, révoquée, expirée ou non habilitée${which}` };
  }
  if (declaration.body) {
    out[413] = { description: 'Corps (ou fichier) trop volumineux' };
    out[415] = { description: 'Type de contenu non pris en charge' };
  }
  if (declaration.idempotent) {
    out[409] = { description: 'Idempotency-Key encore en cours de traitement' };
    out[422] = { description: 'Idempotency-Key déjà utilisée pour un autre corps' };
  }
  return out;
}

/** Declared answers over the standard ones: what the route may answer, status by status. */
export function responsesOf(declaration: RouteDeclaration): Record<number, ResponseDeclaration> {
  return { ...standardResponses(declaration), ...declaration.responses };
}

function parameter(name: string, where: 'query' | 'path', p: ParameterDeclaration): Obj {
  return { name, in: where, required: where === 'path' ? true : Boolean(p.required), description: p.description, schema: p.schema };
}

function uploadContent(body: Extract<BodyDeclaration, { kind: 'upload' }>): Obj {
  const fichier = { type: 'string', format: 'binary', description: body.fileDescription };
  const base64 = { type: 'object', required: [body.base64Key], properties: { [body.base64Key]: { type: 'string', contentEncoding: 'base64', description: 'Le fichier en base64' } } };
  const json = body.jsonEnvelope
    ? { type: 'object', required: [body.jsonEnvelope, '_files'], properties: { [body.jsonEnvelope]: file(body.schema), _files: base64 } }
    : { allOf: [file(body.schema), { type: 'object', required: ['_files'], properties: { _files: base64 } }] };
  return {
    'multipart/form-data': {
      schema: { type: 'object', required: [body.part, 'fichier'], properties: { [body.part]: file(body.schema), fichier } },
      encoding: { [body.part]: { contentType: 'application/json' }, fichier: { contentType: body.fileContentTypes } },
    },
    'application/json': { schema: json },
  };
}

function requestBody(body: BodyDeclaration): Obj {
  switch (body.kind) {
    case 'json':
      return {
        required: true,
        ...(body.description ? { description: body.description } : {}),
        content: { 'application/json': { schema: file(body.schema), ...(body.example === undefined ? {} : { example: body.example }) } },
      };
    case 'upload':
      return { required: true, content: uploadContent(body) };
    case 'csv':
      return { required: true, description: body.description, content: { 'text/csv': { schema: { type: 'string' } } } };
    case 'form':
      return { required: true, content: { 'application/x-www-form-urlencoded': { schema: body.schema } } };
  }
}

/** What reading a body tolerantly may add to an answer (see src/domain/tolerant-reading.ts). */
const WITH_WARNINGS: Obj = {
  type: 'object',
  properties: { avertissements: { type: 'array', items: ref('Erreur'), description: 'Ce qui a été converti, renommé ou ignoré à la lecture (docs/compatibilite.md)' } },
};

function response(status: number, r: ResponseDeclaration, readsBody: boolean): Obj {
  if (status >= 400 && !r.schema) return errorResponse(r.description);
  // Files (downloads, exports) are binary; a route may answer JSON or a file (a list and its export).
  const files = Object.fromEntries((r.content ?? []).map((type) => [type, { schema: { type: 'string', format: 'binary' } }]));
  if (!r.schema) return r.content ? { description: r.description, content: files } : { description: r.description };
  const schema = readsBody && status < 300 ? { allOf: [r.schema, WITH_WARNINGS] } : r.schema;
  return { description: r.description, content: { 'application/json': { schema }, ...files } };
}

/**
 * The key alone, or with the vendor's token when a CFA may call (the token is its software
 * vendor's); `x-roles` names the key roles the route accepts.
 */
function security(declaration: RouteDeclaration): Obj {
  const roles = rolesOf(declaration);
  if (!roles.length) return {};
  return {
    security: roles.includes('cfa') ? [{ cleApi: [] }, { cleApi: [], jetonEditeur: [] }] : [{ cleApi: [] }],
    'x-roles': [...roles],
  };
}

function operation(declaration: RouteDeclaration, operationId: string, options: OpenApiOptions): Obj {
  const parameters = [
    ...Object.entries(declaration.pathParams ?? {}).map(([n, p]) => parameter(n, 'path', p)),
    ...Object.entries(declaration.query ?? {}).map(([n, p]) => parameter(n, 'query', p)),
    ...(declaration.editorHeaders ? ['Editeur', 'Logiciel', 'Version'].map((n) => ({ $ref: `#/components/parameters/${n}` })) : []),
    ...(declaration.idempotent ? [{ $ref: '#/components/parameters/IdempotencyKey' }] : []),
    ...(declaration.sandboxScenario && options.sandbox ? [{ $ref: '#/components/parameters/SandboxScenario' }] : []),
  ];
  const readsBody = declaration.body?.kind === 'json' || declaration.body?.kind === 'upload';
  const responses = Object.fromEntries(Object.entries(responsesOf(declaration)).map(([status, r]) => [status, response(Number(status), r, readsBody)]));
  return {
    tags: declaration.tags,
    summary: declaration.summary,
    ...(declaration.description ? { description: declaration.description } : {}),
    operationId,
    ...security(declaration),
    ...(parameters.length ? { parameters } : {}),
    ...(declaration.body ? { requestBody: requestBody(declaration.body) } : {}),
    responses,
    ...(declaration.sandbox ? { 'x-sandbox': true } : {}),
  };
}

// ------------------------------------------------------------------------------------ bundling

const SCHEMA_FILE = /^(?:\.\.\/schemas\/)?([a-z0-9-]+)\.schema\.json(#.*)?$/;

/** `dossier-request` → `DossierRequest`. */
export function componentName(stem: string): string {
  return stem.replace(/(^|-)([a-z0-9])/g, (_m, _sep: string, c: string) => c.toUpperCase());
}

/** Rewrites file references into component references, collecting the files wanted. */
function rewrite(node: unknown, wanted: Set<string>): Json {
  if (Array.isArray(node)) return node.map((n) => rewrite(n, wanted));
  if (node === null || typeof node !== 'object') return node as Json;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      const m = SCHEMA_FILE.exec(value);
      if (m?.[1]) {
        wanted.add(m[1]);
        const fragment = m[2] && m[2] !== '#' ? m[2].slice(1) : '';
        out[key] = `#/components/schemas/${componentName(m[1])}${fragment}`;
        continue;
      }
    }
    if (key === '$id' || key === '$schema') continue;
    out[key] = rewrite(value, wanted);
  }
  return out;
}

const SANDBOX_TAG = 'Sandbox';

const SANDBOX_SCENARIO_PARAMETER: Obj = {
  name: 'X-Sandbox-Scenario',
  in: 'header',
  required: false,
  schema: { type: 'string', enum: [...SCENARIOS] },
  description: 'Mode sandbox seulement : ce que l’OPCO simulé fera de l’objet créé (défaut `engagement`). Sur une facture : `engagement` (validée et payée), `facture-rejetee`, `paiement-partiel` ; sans en-tête, une facture suit le scénario de facture de son dossier.',
};

const TAGS = ['Système', 'Authentification', 'Dossiers', 'Pré-saisie', 'Conventions et documents', 'Simulations', 'Factures et règlements', 'Pilotage', 'États de suivi', 'Webhooks', 'Back-office'];

export interface OpenApiOptions {
  /**
   * Sandbox mode: the sandbox routes (of the table given) and the `X-Sandbox-Scenario` header are
   * documented. contracts/openapi.json is written with them, flagged `x-sandbox`.
   */
  sandbox?: boolean;
}

export function buildOpenApi(table: readonly RouteDeclaration[], options: OpenApiOptions = {}): { [key: string]: Json } {
  const paths: Obj = {};
  for (const declaration of table) {
    for (const { path, version } of concretePaths(declaration)) {
      const item = (paths[path] ??= {}) as Obj;
      item[declaration.method] = operation(declaration, operationIdFor(declaration, version), options);
    }
  }
  const wanted = new Set<string>();
  const document = rewrite({
    openapi: '3.1.0',
    info: {
      title: 'convergence-gateway — API CFA (norme d’échange inter-OPCO)',
      version: '0.1.0',
      description: 'Côté OPCO de la norme d’échange « API CFA » (API Convergence CFA/OPCO). Authentification : clé CFA dans `X-API-KEY` sur chaque appel ; jeton éditeur `Authorization: Bearer` (OAuth2 client credentials sur `/oauth/token`) vérifié quand il est présent. Erreurs : `{errors:[{code, description, champ, section}]}` étendu des membres RFC 9457.',
    },
    servers: [{ url: '/' }],
    tags: [...TAGS, ...(options.sandbox ? [SANDBOX_TAG] : [])].map((name) => ({ name, ...(name === SANDBOX_TAG ? { description: 'Seulement en mode sandbox (SANDBOX=true) : ces chemins n’existent pas ailleurs.' } : {}) })),
    paths,
    components: {
      securitySchemes: {
        cleApi: { type: 'apiKey', in: 'header', name: 'X-API-KEY', description: 'Clé du CFA, de l’entreprise ou du back-office OPCO : chaque opération nomme les rôles admis (`x-roles`)' },
        jetonEditeur: { type: 'http', scheme: 'bearer', description: 'Jeton de l’éditeur obtenu sur /oauth/token' },
      },
      parameters: {
        Editeur: { name: 'EDITEUR', in: 'header', required: false, schema: { type: 'string' }, description: 'Nom de l’éditeur du logiciel (enregistré avec chaque écriture)' },
        Logiciel: { name: 'LOGICIEL', in: 'header', required: false, schema: { type: 'string' }, description: 'Nom du logiciel' },
        Version: { name: 'VERSION', in: 'header', required: false, schema: { type: 'string' }, description: 'Version du logiciel appelant' },
        IdempotencyKey: { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 }, description: 'Clé d’idempotence (par CFA, conservée 24 h au moins)' },
        ...(options.sandbox ? { SandboxScenario: SANDBOX_SCENARIO_PARAMETER } : {}),
      },
      schemas: COMPONENT_SCHEMAS,
    },
  }, wanted) as { [key: string]: Json };

  const schemas = (document.components as { [key: string]: Json }).schemas as { [key: string]: Json };
  const done = new Set<string>();
  while (done.size < wanted.size) {
    for (const stem of [...wanted]) {
      if (done.has(stem)) continue;
      done.add(stem);
      if (componentName(stem) in COMPONENT_SCHEMAS) throw new Error(`schemas/${stem}.schema.json and a response schema are both named ${componentName(stem)}`);
      const schema: unknown = JSON.parse(fs.readFileSync(projectPath(`schemas/${stem}.schema.json`), 'utf8'));
      const name = componentName(stem);
      // A payload file must not silently replace a response schema of components.ts.
      if (name in COMPONENT_SCHEMAS) throw new Error(`schemas/${stem}.schema.json would replace the component ${name}: rename one of them`);
      schemas[name] = rewrite(schema, wanted);
    }
  }
  return document;
}

export type { JsonSchema };
