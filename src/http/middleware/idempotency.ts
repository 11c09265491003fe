/**
 * Idempotency-Key (draft-ietf-httpapi-idempotency-key-header): the first answer to a key is stored
 * (per CFA) and replayed for the same body with `Idempotent-Replayed: true`; the same key with
 * another body is refused (422), and a key whose first request is still running gets 409.
 */
import type { Knex } from 'knex';
import type { RequestHandler } from 'express';
import { abandonIdempotent, beginIdempotent, completeIdempotent } from '../../db/idempotency.js';
import { canonicalJson } from '../../domain/canonical-json.js';
import { sha256Hex } from '../../domain/secrets.js';
import { errors } from '../errors.js';

const VALID_KEY = /^[\x21-\x7e]{1,255}$/;

export function idempotency(db: Knex, leaseMs: number): RequestHandler {
  return async (req, res, next) => {
    const key = req.get('idempotency-key');
    if (key === undefined) return next();
    if (!VALID_KEY.test(key)) {
      throw errors.badRequest('IDEMPOTENCY_KEY_INVALIDE', "L'en-tête Idempotency-Key doit contenir de 1 à 255 caractères imprimables sans espace.");
    }
    const owner = req.caller?.siren ?? `opco:${req.caller?.keyId ?? 'anonyme'}`;
    const requestHash = sha256Hex(`${req.method} ${req.baseUrl}${req.path}\n${canonicalJson(req.body ?? null)}`);
    const record = await beginIdempotent(db, owner, key, requestHash, leaseMs);
    if (record.state === 'mismatch') {
      throw errors.unprocessable('IDEMPOTENCY_KEY_REUTILISEE', "Cette clé d'idempotence a déjà servi pour une requête différente.");
    }
    if (record.state === 'in-flight') {
      throw errors.conflict('IDEMPOTENCY_KEY_EN_COURS', `Une requête avec cette clé d'idempotence est encore en cours de traitement ; réessayez dans ${record.retryAfterSeconds} seconde(s).`, undefined, record.retryAfterSeconds);
    }
    if (record.state === 'done') {
      res.setHeader('Idempotent-Replayed', 'true');
      res.status(record.status).json(record.body);
      return;
    }
    // Remember the answer before it is sent, so that a retry arriving right after sees it.
    const send = res.json.bind(res);
    res.json = (body: unknown) => {
      const status = res.statusCode;
      const store = status >= 500 ? abandonIdempotent(db, owner, key) : completeIdempotent(db, owner, key, status, body);
      store.then(() => send(body), () => send(body));
      return res;
    };
    next();
  };
}
