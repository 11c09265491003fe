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
import { createKeyCache } from './key-cache.js';
import { accessLog } from './middleware/access-log.js';
import { authenticateBearer, authenticateKey } from './middleware/auth.js';
import { errorHandler, notFound } from './middleware/error-handler.js';
import { perKeyRateLimit } from './middleware/rate-limit.js';
import { requestContext } from './middleware/request-context.js';
import { backOfficeKeyRoutes } from './routes/back-office-cles.js';
import { docsRoutes } from './routes/docs.js';
import { cfaRoutes, backOfficeRoutes, routeTable } from './routes/index.js';
import type { Lifecycle } from './routes/platform.routes.js';
import { registerRoutes } from './route-table/register.js';
import { responseCheck } from './route-table/response-check.js';

export interface AppDeps {
  config: Config;
  db: Knex;
  logger: Logger;
  metrics: Metrics;
  lifecycle: Lifecycle;
}

export function createApp(deps: AppDeps): Express {
  const { config, db, logger, metrics, lifecycle } = deps;
  const table = routeTable(lifecycle);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('etag', 'weak');
  app.set('query parser', 'simple');

  app.use(requestContext);
  if (config.validateResponses) app.use(responseCheck(table));
  app.use(accessLog(logger, metrics));
  app.use(helmet());

  app.use(docsRoutes(table));
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  const keys = createKeyCache(db, config.authCacheSeconds * 1000);
  const limiter = perKeyRateLimit(config.rateLimitPerMinute);
  const jsonTypes = ['application/json', 'application/*+json'];
  const smallJson = express.json({ limit: config.jsonBodyLimitBytes, type: jsonTypes });
  // Routes that accept a file inline as base64 (`_files`) get room for the file limit + 4/3 encoding.
  const fileJson = express.json({ limit: Math.ceil((config.fileSizeLimitBytes * 4) / 3) + config.jsonBodyLimitBytes, type: jsonTypes });
  const FILE_ROUTES = /^\/(conventions|documents|factures|certificats)\/?$/;
  const json: express.RequestHandler = (req, res, next) => (FILE_ROUTES.test(req.path) && req.method === 'POST' ? fileJson : smallJson)(req, res, next);

  const declared = express.Router();
  registerRoutes(declared, table, { config, db, metrics, keys, rateLimit: limiter });
  app.use(declared);
  app.use(limiter);

  const backOffice = express.Router();
  backOffice.use(authenticateKey(keys, 'opco'), json);
  backOffice.use(backOfficeKeyRoutes(db, keys));
  backOffice.use(backOfficeRoutes(deps));
  app.use('/back-office/v1', backOffice);

  const cfa = express.Router();
  cfa.use(authenticateKey(keys, 'cfa'), authenticateBearer(db, config.requireBearer), json);
  cfa.use(cfaRoutes(deps));
  app.use(['/v1', '/v2'], cfa);

  app.use(notFound);
  app.use(errorHandler(logger, config.jsonBodyLimitBytes));
  return app;
}
