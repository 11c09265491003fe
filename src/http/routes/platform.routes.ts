/**
 * Operations and access: liveness, readiness, the norm's status (v1, v2), the vendors' OAuth2 token
 * endpoint and the CFA key check (`cfakeyinfo`).
 */
import type { Request, Response } from 'express';
import { authenticateClient, issueToken } from '../../db/clients.js';
import { databaseAnswers } from '../../db/connection.js';
import { findKey, keyStatus } from '../../db/keys.js';
import { parisDate } from '../../domain/dates.js';
import { refuse } from '../../domain/refusal.js';
import { hasForbiddenText } from '../middleware/input-guard.js';
import { ref } from '../route-table/components.js';
import { route, type RouteDeclaration } from '../route-table/declaration.js';

export interface Lifecycle {
  startedAt: number;
  shuttingDown: boolean;
}

export const SUPPORTED_VERSIONS = ['1.0', '2.0'];

const SYSTEME = ['Système'];
const AUTH = ['Authentification'];

function oauthError(req: Request, res: Response, status: number, error: string, description: string): undefined {
  if (status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="convergence-gateway"');
  res.setHeader('Cache-Control', 'no-store');
  res.status(status).json({ error, error_description: description, description, errors: [{ code: error.toUpperCase(), description }], status, instance: req.requestId });
  return undefined;
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

/** A form field, when it was sent once as text. */
function formField(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null || !(name in body)) return undefined;
  const value: unknown = Reflect.get(body, name);
  return typeof value === 'string' ? value : undefined;
}

export function platformRoutes(lifecycle: Lifecycle): RouteDeclaration[] {
  return [
    route({
      operationId: 'health', unlimited: true, method: 'get', path: '/health', role: 'public', tags: SYSTEME, summary: 'Vivacité',
      responses: { 200: { description: 'Le processus répond', schema: { type: 'object', properties: { status: { const: 'ok' } }, required: ['status'] } } },
      handler: () => ({ status: 'ok' }),
    }),

    route({
      operationId: 'ready', unlimited: true, method: 'get', path: '/ready', role: 'public', tags: SYSTEME, summary: 'Prêt à servir (base joignable, pas d’arrêt en cours)',
      responses: {
        200: { description: 'Prêt', schema: { type: 'object', required: ['status'], properties: { status: { const: 'ok' } } } },
        503: { description: 'Pas prêt : arrêt en cours ou base injoignable', schema: { type: 'object', required: ['status'], properties: { status: { enum: ['arret_en_cours', 'base_indisponible'] } } } },
      },
      async handler(_input, { res, deps }) {
        res.setHeader('Cache-Control', 'no-store');
        if (lifecycle.shuttingDown) {
          res.status(503).json({ status: 'arret_en_cours' });
          return undefined;
        }
        const ok = await databaseAnswers(deps.db);
        res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'base_indisponible' });
        return undefined;
      },
    }),

    route({
      operationId: 'status', unlimited: true, method: 'get', path: '/{version}/status', versions: ['v1', 'v2'], role: 'public', tags: SYSTEME, summary: 'Disponibilité de l’API (norme)',
      responses: { 200: { description: 'Disponible', schema: ref('Statut') }, 503: { description: 'Base de données indisponible', schema: ref('Statut') } },
      async handler(_input, { res, deps }) {
        res.setHeader('Cache-Control', 'no-store');
        const ok = !lifecycle.shuttingDown && (await databaseAnswers(deps.db));
        res.status(ok ? 200 : 503).json({ status: ok ? 'healthy' : 'unhealthy', supportedVersions: SUPPORTED_VERSIONS, uptime: Math.floor((Date.now() - lifecycle.startedAt) / 1000) });
        return undefined;
      },
    }),

    route({
      operationId: 'jeton', method: 'post', path: '/oauth/token', role: 'public', tags: AUTH,
      summary: 'Jeton éditeur (OAuth2 client credentials)',
      description: 'RFC 6749 §4.4 : `grant_type=client_credentials`, identifiants dans le corps ou en HTTP Basic. Les erreurs portent les membres `error` de la RFC et le tableau `errors` de la norme.',
      body: {
        kind: 'form',
        schema: { type: 'object', required: ['grant_type'], properties: { grant_type: { const: 'client_credentials' }, client_id: { type: 'string' }, client_secret: { type: 'string' }, scope: { type: 'string' } } },
      },
      responses: {
        200: { description: 'Jeton émis', schema: ref('Jeton') },
        400: { description: 'Requête OAuth2 invalide' },
        401: { description: 'Client inconnu ou secret faux' },
      },
      async handler(_input, { req, res, deps }) {
        if (!req.is('application/x-www-form-urlencoded')) return oauthError(req, res, 400, 'invalid_request', 'Le corps doit être encodé en application/x-www-form-urlencoded.');
        const body: unknown = req.body;
        if (formField(body, 'grant_type') !== 'client_credentials') return oauthError(req, res, 400, 'unsupported_grant_type', 'Seul grant_type=client_credentials est accepté.');
        await deps.limits.refuseAfterFailures(req);
        const basic = basicCredentials(req.get('authorization'));
        // Decoded credentials are input too: text PostgreSQL cannot store never reaches it.
        if (basic && (hasForbiddenText(basic.id) || hasForbiddenText(basic.secret))) {
          throw refuse.invalid([{ code: 'CARACTERE_INTERDIT', description: 'Les identifiants HTTP Basic contiennent un caractère interdit (caractère nul ou demi-paire UTF-16 isolée).', champ: '/Authorization', section: 'requete' }]);
        }
        const clientId = basic?.id ?? formField(body, 'client_id');
        const secret = basic?.secret ?? formField(body, 'client_secret');
        if (!clientId || !secret) return oauthError(req, res, 400, 'invalid_request', 'client_id et client_secret sont obligatoires.');
        const client = await authenticateClient(deps.db, clientId, secret);
        if (!client) {
          await deps.limits.recordFailure(req);
          return oauthError(req, res, 401, 'invalid_client', 'Identifiants client inconnus ou invalides.');
        }
        const scope = formField(body, 'scope')?.slice(0, 200) ?? null;
        const ttl = deps.config.tokenTtlSeconds;
        const token = await issueToken(deps.db, client, scope, ttl);
        res.setHeader('Cache-Control', 'no-store');
        return { access_token: token, token_type: 'Bearer', expires_in: ttl, ...(scope ? { scope } : {}) };
      },
    }),

    route({
      operationId: 'cfaKeyInfo', method: 'get', path: '/{version}/cfakeyinfo', versions: ['v2'], role: 'public', checksBearer: true, tags: AUTH,
      summary: 'Validité d’une clé CFA',
      description: 'La clé à vérifier vient du paramètre `XAPIKEY` ou, à défaut, de l’en-tête X-API-KEY. Un jeton Bearer présenté est vérifié comme sur les autres routes v2.',
      query: {
        siren: { description: 'SIREN du CFA', schema: { type: 'string', pattern: '^\\s*[0-9]{9}\\s*$' }, required: true, code: 'SIREN_INVALIDE', attendu: 'doit contenir 9 chiffres.' },
        XAPIKEY: { description: 'La clé à vérifier (sinon l’en-tête X-API-KEY)', schema: { type: 'string', maxLength: 400 } },
      },
      responses: { 200: { description: 'Succès', schema: ref('InfoCle') }, 400: { description: 'SIREN ou clé manquant' } },
      async handler({ query }, { req, res, deps }) {
        const siren = query.siren.trim();
        const key = query.XAPIKEY?.trim() ?? req.get('x-api-key')?.trim();
        if (!key) throw refuse.invalid([{ code: 'CLE_API_MANQUANTE', description: 'Le paramètre XAPIKEY (ou l’en-tête X-API-KEY) est obligatoire.', champ: '/XAPIKEY', section: 'requete' }]);
        res.setHeader('Cache-Control', 'no-store');
        const row = key.length <= 200 ? await findKey(deps.db, key) : undefined;
        if (!row || row.role !== 'cfa' || row.siren !== siren) return { status: 'error', dateFinValidite: null, comment: 'Clé inconnue pour ce SIREN.' };
        const status = keyStatus(row, parisDate());
        const comment = status === 'VALIDE' ? 'Clé valide.' : status === 'EXPIREE' ? 'Clé expirée.' : 'Clé révoquée.';
        return { status: status === 'VALIDE' ? 'success' : 'error', dateFinValidite: row.date_fin_validite, comment };
      },
    }),
  ];
}
