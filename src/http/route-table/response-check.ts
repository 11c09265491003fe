/**
 * Development and test mode (VALIDATE_RESPONSES=true): every JSON answer is checked against what
 * its route declares — the status must be declared (or standard for the role) and the body must
 * match the status's schema, error bodies included. A drift answers 500 REPONSE_HORS_CONTRAT with
 * the differences, so any HTTP test that meets it fails.
 */
import type { RequestHandler } from 'express';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { RouteDeclaration } from './declaration.js';
import { buildOpenApi, responsesOf, type OpenApiOptions } from './openapi.js';
import { matchedRoute, type MatchedRoute } from './register.js';

type Node = { [key: string]: unknown };
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

export function responseCheck(table: readonly RouteDeclaration[], options: OpenApiOptions = {}): RequestHandler {
  const document = buildOpenApi(table, options);
  const components = document.components;
  // Structure only: the payload schemas' custom formats (siret, montant…) are the input's business.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, allowUnionTypes: true });
  const compiled = new Map<string, ValidateFunction>();

  /** The documented schema of one answer, with the document's components so its $refs resolve. */
  function validatorFor(path: string, method: string, status: number): ValidateFunction | undefined {
    const key = `${method} ${path} ${status}`;
    const known = compiled.get(key);
    if (known) return known;
    const paths = document.paths;
    const operation = isNode(paths) && isNode(paths[path]) ? (paths[path] as Node)[method] : undefined;
    const responses = isNode(operation) ? operation.responses : undefined;
    const answer = isNode(responses) ? responses[String(status)] : undefined;
    const content = isNode(answer) && isNode(answer.content) ? answer.content['application/json'] : undefined;
    const schema = isNode(content) && isNode(content.schema) ? content.schema : undefined;
    if (!schema) return undefined;
    const validate = ajv.compile({ ...schema, components });
    compiled.set(key, validate);
    return validate;
  }
  const errorBody = ajv.compile({ $ref: '#/components/schemas/Erreurs', components });

  function problem(route: MatchedRoute | undefined, status: number, body: unknown): string | undefined {
    if (!route) {
      if (status < 400 || errorBody(body)) return undefined;
      return `corps d'erreur hors du format de la norme : ${ajv.errorsText(errorBody.errors)}`;
    }
    const { declaration, path } = route;
    if (!(status in responsesOf(declaration))) return `statut ${status} non déclaré pour ${declaration.method.toUpperCase()} ${path}`;
    const validate = validatorFor(path, declaration.method, status) ?? (status >= 400 ? errorBody : undefined);
    if (!validate) return `réponse JSON non déclarée (statut ${status}) pour ${declaration.method.toUpperCase()} ${path}`;
    if (validate(body)) return undefined;
    return `${declaration.method.toUpperCase()} ${path} ${status} : ${ajv.errorsText(validate.errors, { separator: ' ; ' })}`;
  }

  return (req, res, next) => {
    const send = res.json.bind(res);
    res.json = (body: unknown) => {
      const found = problem(matchedRoute(res), res.statusCode, body);
      if (!found) return send(body);
      res.status(500);
      return send({ errors: [{ code: 'REPONSE_HORS_CONTRAT', description: found }], status: 500, instance: req.requestId });
    };
    next();
  };
}
