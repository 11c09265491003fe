/**
 * OAuth2 client-credentials token endpoint (RFC 6749 §4.4) for software vendors. Client
 * credentials come in the form body or in HTTP Basic authentication. Errors carry both the RFC's
 * `error` members and the norm's `errors` array.
 */
import express, { Router, type Response } from 'express';
import type { Knex } from 'knex';
import { authenticateClient, issueToken } from '../../db/clients.js';

function oauthError(res: Response, status: number, error: string, description: string, requestId: string): void {
  if (status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="convergence-gateway"');
  res.setHeader('Cache-Control', 'no-store');
  res.status(status).json({
    error,
    error_description: description,
    errors: [{ code: error.toUpperCase(), description }],
    status,
    instance: requestId,
  });
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const m = header ? /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim()) : null;
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  } catch {
    return undefined; // malformed percent-encoding: treated as absent credentials (400)
  }
}

export function oauthRoutes(db: Knex, tokenTtlSeconds: number): Router {
  const router = Router();
  router.post('/oauth/token', express.urlencoded({ extended: false, limit: '8kb' }), async (req, res) => {
    if (!req.is('application/x-www-form-urlencoded')) {
      oauthError(res, 400, 'invalid_request', 'Le corps doit être encodé en application/x-www-form-urlencoded.', req.requestId);
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = (name: string): string | undefined => (typeof body[name] === 'string' ? (body[name] as string) : undefined);
    if (text('grant_type') !== 'client_credentials') {
      oauthError(res, 400, 'unsupported_grant_type', 'Seul grant_type=client_credentials est accepté.', req.requestId);
      return;
    }
    const basic = basicCredentials(req.get('authorization'));
    const clientId = basic?.id ?? text('client_id');
    const secret = basic?.secret ?? text('client_secret');
    if (!clientId || !secret) {
      oauthError(res, 400, 'invalid_request', 'client_id et client_secret sont obligatoires.', req.requestId);
      return;
    }
    const client = await authenticateClient(db, clientId, secret);
    if (!client) {
      oauthError(res, 401, 'invalid_client', 'Identifiants client inconnus ou invalides.', req.requestId);
      return;
    }
    const scope = text('scope')?.slice(0, 200) ?? null;
    const token = await issueToken(db, client, scope, tokenTtlSeconds);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ access_token: token, token_type: 'Bearer', expires_in: tokenTtlSeconds, ...(scope ? { scope } : {}) });
  });
  return router;
}
