/** Request id (echoed when the client sends a sane one) and the norm's editor headers. */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function header(value: string | undefined, max: number): string | null {
  if (!value) return null;
  const trimmed = value.trim().slice(0, max);
  return trimmed === '' ? null : trimmed;
}

export const requestContext: RequestHandler = (req, res, next) => {
  const incoming = req.get('x-request-id');
  req.requestId = incoming && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', req.requestId);
  req.editor = {
    editeur: header(req.get('editeur'), 200),
    logiciel: header(req.get('logiciel'), 200),
    version: header(req.get('version'), 100),
  };
  next();
};
