/** One log line and the metrics for each request, written when the response is finished. */
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from '../../observability/metrics.js';
import { matchedRoute } from '../route-table/register.js';

/**
 * The declared route's template (`/v2/dossiers/etats`, `/back-office/v1/dossiers/{numeroInterne}`),
 * whatever the answer, never the raw URL with its values; `unmatched` for undeclared paths.
 */
function routeOf(res: Parameters<RequestHandler>[1]): string {
  return matchedRoute(res)?.path ?? 'unmatched';
}

export function accessLog(logger: Logger, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const route = routeOf(res);
      const labels = { method: req.method, route, status_code: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, seconds);
      const level = res.statusCode >= 500 ? 'error' : 'info';
      logger[level]({
        requestId: req.requestId,
        method: req.method,
        route,
        status: res.statusCode,
        durationMs: Math.round(seconds * 10_000) / 10,
        siren: req.caller?.siren ?? undefined,
        role: req.caller?.role,
        editeur: req.editor?.editeur ?? undefined,
      }, 'requête traitée');
    });
    next();
  };
}
