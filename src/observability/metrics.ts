/**
 * Prometheus metrics. Labels are bounded: method, route TEMPLATE (never the raw URL, which holds
 * dossier numbers) and status code. Never a CFA, a person or a key as a label.
 */
import client from 'prom-client';

export interface Metrics {
  registry: client.Registry;
  httpRequests: client.Counter<'method' | 'route' | 'status_code'>;
  httpDuration: client.Histogram<'method' | 'route' | 'status_code'>;
  contractsReceived: client.Counter<'outcome'>;
  jobRuns: client.Counter<'job' | 'outcome'>;
  webhookAttempts: client.Counter<'outcome'>;
}

export function createMetrics(): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'gateway_' });
  return {
    registry,
    httpRequests: new client.Counter({
      name: 'gateway_http_requests_total',
      help: 'HTTP requests handled, by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      registers: [registry],
    }),
    httpDuration: new client.Histogram({
      name: 'gateway_http_request_duration_seconds',
      help: 'HTTP request duration in seconds, by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    contractsReceived: new client.Counter({
      name: 'gateway_contracts_received_total',
      help: 'Contracts received, by outcome (created, replayed, invalid, duplicate)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    jobRuns: new client.Counter({
      name: 'gateway_job_runs_total',
      help: 'Scheduled job runs, by job and outcome',
      labelNames: ['job', 'outcome'],
      registers: [registry],
    }),
    webhookAttempts: new client.Counter({
      name: 'gateway_webhook_attempts_total',
      help: 'Webhook delivery attempts, by outcome (success, failure: retried later, given_up)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}
