/**
 * JSON bodies sent under the wrong label: `curl -d` labels a body application/x-www-form-urlencoded,
 * some clients send no Content-Type at all. On a JSON route such a body is read as JSON when it is
 * one, and the answer says so (avertissement TYPE_CONTENU_CORRIGE); anything else stays a 415.
 */
import type { IncomingMessage } from 'node:http';
import express, { type Request, type RequestHandler } from 'express';
import type { Violation } from '../domain/violation.js';
import { errors } from './errors.js';
import { malformedJson } from './json-body-errors.js';

const relabelled = new WeakSet<Request>();

export function mislabelled(req: IncomingMessage): boolean {
  const type = req.headers['content-type'];
  return type === undefined || type.trim() === '' || /^application\/x-www-form-urlencoded\b/i.test(type);
}

export const wasRelabelled = (req: Request): boolean => relabelled.has(req);

export const RELABELLED: Violation = {
  code: 'TYPE_CONTENU_CORRIGE',
  description: 'Le corps a été lu comme du JSON : envoyez-le avec l’en-tête Content-Type: application/json.',
  champ: '',
  section: 'requete',
};

/** The text of a mislabelled body, then that text as JSON when it is an object or an array. */
export function relabelledJson(limit: number): RequestHandler[] {
  const text = express.text({ type: mislabelled, limit });
  const asJson: RequestHandler = (req, _res, next) => {
    const body: unknown = req.body;
    if (typeof body !== 'string') return next();
    const start = body.trimStart()[0];
    if (start === undefined) {
      // An empty body: no body, as the JSON parser would have it (the route's validation says what is missing).
      req.body = undefined;
      return next();
    }
    if (start !== '{' && start !== '[') throw errors.unsupportedMediaType('application/json');
    try {
      req.body = JSON.parse(body) as unknown;
    } catch {
      throw malformedJson(body);
    }
    relabelled.add(req);
    next();
  };
  return [text, asJson];
}
