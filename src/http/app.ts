/**
 * The express application: the middleware chain and the route table, nothing else. Every route
 * module receives what it needs (database, settings) explicitly.
 */
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Metrics } from '../observability/metrics.js';
import { listenForRevocations } from '../db/key-revocations.js';
import { createKeyCache } from './key-cache.js';
import { accessLog } from './middleware/access-log.js';
import { errorHandler, notFound } from './middleware/error-handler.js';
import { createRateLimiting } from './middleware/rate-limit.js';
import { requestContext } from './middleware/request-context.js';
import { docsRoutes } from './routes/docs.js';
import { routeTable } from './routes/index.js';
import type { Lifecycle } from './routes/platform.routes.js';
import { refuseOtherMethods, registerRoutes } from './route-table/register.js';
import { responseCheck } from './route-table/response-check.js';

export interface AppDeps {
  config: Config;
  db: Knex;
  logger: Logger;
  metrics: Metrics;
  lifecycle: Lifecycle;
  /** Filled by the app: what the gateway must close on shutdown (Redis, listeners). */
  closers?: Array<() => Promise<void>>;
}

export function createApp(deps: AppDeps): Express {
  const { config, db, logger, metrics, lifecycle } = deps;
  const table = routeTable(lifecycle, { sandbox: config.sandbox });
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('etag', 'weak');
  app.set('query parser', 'simple');

  // Sandbox mode: every answer says so, errors and undeclared paths included.
  if (config.sandbox) app.use((_req, res, next) => { res.setHeader('X-Sandbox', 'true'); next(); });
  app.use(requestContext);
  if (config.validateResponses) app.use(responseCheck(table, { sandbox: config.sandbox }));
  app.use(accessLog(logger, metrics));
  app.use(helmet());

  app.use(docsRoutes(table, { sandbox: config.sandbox }));

  const keys = createKeyCache(db, config.authCacheSeconds * 1000);
  if (config.databaseUrl && config.authCacheSeconds > 0) {
    const revocations = listenForRevocations(config.databaseUrl, config.databaseSchema, keys, logger);
    deps.closers?.push(() => revocations.close());
  }
  const limits = createRateLimiting(config, logger);
  deps.closers?.push(() => limits.close());
  const declared = express.Router();
  registerRoutes(declared, table, { config, db, logger, metrics, keys, limits });
  app.use(declared);
  app.use(limits.perCaller);

  app.use(refuseOtherMethods(table));
  app.use(notFound);
  app.use(errorHandler(logger, config.jsonBodyLimitBytes));
  return app;
}
