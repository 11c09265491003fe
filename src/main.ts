/**
 * Entry point: `npm start`. Reads the configuration (exit 1 on a bad value), migrates, serves, and
 * shuts down gracefully on SIGTERM/SIGINT: stop accepting, let in-flight requests finish within
 * SHUTDOWN_TIMEOUT_MS, close the database, exit 0.
 */
import http from 'node:http';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { createGateway } from './gateway.js';
import { createMetricsApp } from './http/metrics-app.js';
import { demoKeysBanner } from './services/demo.js';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`configuration invalide : ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const gateway = await createGateway(config);
  const { logger } = gateway;
  const server = http.createServer(gateway.app);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // Also the Idempotency-Key lease: no request outlives it.
  server.requestTimeout = config.requestTimeoutMs;

  // First start of an empty embedded database: the demo keys, shown this once (never logged) —
  // even when the port is busy, since they exist from now on.
  const showDemoKeys = (port: number): void => {
    if (!gateway.demoKeys) return;
    // The database this server opened: its own DATA_DIR when not the default one.
    const demoCommand = config.dataDir === path.resolve('./data') ? 'npm run demo' : `DATA_DIR=${config.dataDir} npm run demo`;
    process.stdout.write(`${demoKeysBanner(gateway.demoKeys, `http://localhost:${port}`, true, demoCommand).join('\n')}\n`);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, resolve);
    });
  } catch (err) {
    showDemoKeys(config.port);
    throw err;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ port, database: config.databaseUrl ? 'postgresql' : `embarquée (${config.dataDir})` }, 'passerelle à l’écoute');
  if (config.webhookAllowPrivateUrls && !config.sandbox) {
    // Right for tests and a developer's machine; on a server, an opening towards its network.
    logger.warn('webhooks : URL http et adresses privées acceptées (NODE_ENV n’est pas production) — en production, NODE_ENV=production ou WEBHOOK_ALLOW_PRIVATE_URLS=false');
  }
  showDemoKeys(port);

  // Prometheus metrics on their own port, never on the API's.
  const metricsServer = config.metricsPort > 0 ? http.createServer(createMetricsApp(gateway.metrics)) : undefined;
  if (metricsServer) {
    // A busy metrics port costs the metrics, not the API.
    metricsServer.once('error', (err: NodeJS.ErrnoException) => logger.error({ port: config.metricsPort, code: err.code }, 'métriques indisponibles : port occupé'));
    metricsServer.listen(config.metricsPort, () => logger.info({ port: config.metricsPort }, 'métriques à l’écoute (/metrics)'));
  }

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'arrêt demandé : fin des requêtes en cours');
    gateway.lifecycle.shuttingDown = true;
    metricsServer?.close();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const deadline = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), config.shutdownTimeoutMs).unref());
    if ((await Promise.race([closed, deadline])) === 'timeout') {
      logger.warn('délai d’arrêt dépassé : connexions restantes fermées');
      server.closeAllConnections();
    }
    await gateway.close();
    logger.info('arrêt terminé');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // `npm start` runs the server under a shell that does not pass a SIGTERM sent to npm on: npm and
  // the shell exit, the server is left to init. Stop then, as on SIGTERM (and release DATA_DIR).
  // Only under npm: a server started otherwise (nohup, a script that exits) keeps running.
  const parent = process.ppid;
  if (process.env.npm_lifecycle_event === 'start' && parent > 1) {
    setInterval(() => { if (process.ppid !== parent) void shutdown('parent arrêté'); }, 500).unref();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`démarrage impossible : ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
