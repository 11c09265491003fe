/**
 * pino JSON logger. Personal data and secrets are redacted by FIELD NAME at any depth of any
 * logged object (a CERFA nested in an error, headers, query strings…), not by fixed paths: a new
 * payload shape cannot leak a NIR because nobody thought of its path.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/config.js';

const SENSITIVE_KEYS = new Set(
  [
    'nir', 'nom', 'nomUsage', 'prenom', 'dateNaissance', 'courriel', 'email', 'telephone', 'iban',
    'ibanEmetteur', 'adresse', 'adresse1', 'adresse2', 'voie', 'communeNaissance', 'responsableLegal',
    'x-api-key', 'xapikey', 'apikey', 'authorization', 'client_secret', 'clientSecret', 'access_token',
    'password', 'secret', 'cle', 'key', 'cookie', 'sexe', 'handicap', 'nationalite', 'departementNaissance',
    'lieuNaissance', 'numeroSecuriteSociale',
  ].map((k) => k.toLowerCase()),
);

export const REDACTED = '[MASQUÉ]';

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEYS.has(key.toLowerCase());
}

/** A copy of `value` where every sensitive field, at any depth, is replaced by a marker. */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (depth > 12 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: value.message, stack: value.stack };
  }
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSensitiveKey(k) ? REDACTED : redactDeep(v, depth + 1);
  }
  return out;
}

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'convergence-gateway' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redactDeep(object) as Record<string, unknown>,
      },
      // `err` is serialised by pino before `formatters.log`; keep it, but its fields pass the walk too.
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}

export type { Logger };
