/**
 * Per-key rate limit (per IP before authentication). The counters live in this process: with N
 * instances behind a load balancer the effective limit is N times the setting (see README).
 */
import { rateLimit } from 'express-rate-limit';
import type { RequestHandler } from 'express';
import { errors } from '../errors.js';
import { fingerprint } from '../../domain/secrets.js';

export function perKeyRateLimit(perMinute: number): RequestHandler {
  if (perMinute === 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // The presented key is hashed: the limiter's memory must not hold keys in clear.
    keyGenerator: (req) => {
      const key = req.get('x-api-key');
      return key ? `k:${fingerprint(key)}` : `ip:${req.ip ?? 'inconnue'}`;
    },
    handler: (req, _res, next) => {
      const resetTime = (req as typeof req & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = resetTime ? Math.ceil((resetTime.getTime() - Date.now()) / 1000) : 60;
      next(errors.tooManyRequests(Math.max(1, seconds)));
    },
    validate: { keyGeneratorIpFallback: false },
  });
}
