/** One log line and the metrics for each request, written when the response is finished. */
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from '../../observability/metrics.js';

/** The route template (`/v2/dossiers/etats`), never the raw URL with its query values. */
function routeOf(req: Parameters<RequestHandler>[0]): string {
  const route = req.route as { path?: string } | undefined;
  if (route?.path) return `${req.baseUrl}${route.path}`;
  return req.baseUrl || 'unmatched';
}

export function accessLog(logger: Logger, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const route = routeOf(req);
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
