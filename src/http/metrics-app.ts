/**
 * The Prometheus endpoint, on its own port (METRICS_PORT), never on the API's: the API port faces
 * the CFAs' software, the metrics port only the operator's network.
 */
import express, { type Express } from 'express';
import type { Metrics } from '../observability/metrics.js';

export function createMetricsApp(metrics: Metrics): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return app;
}
