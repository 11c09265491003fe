/** The route table of the norm's API (CFA keys) and of the back office (OPCO keys). */
import { Router } from 'express';
import type { AppDeps } from '../app.js';
import { dossierRoutes } from './dossiers.js';

export function cfaRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use(dossierRoutes(deps.db, deps.metrics));
  return router;
}

export function backOfficeRoutes(_deps: AppDeps): Router {
  const router = Router();
  return router;
}
