/** The route table of the norm's API (CFA keys) and of the back office (OPCO keys). */
import { Router } from 'express';
import type { AppDeps } from '../app.js';
import { backOfficeDossierRoutes } from './back-office-dossiers.js';
import { dossierRoutes } from './dossiers.js';
import { loadFinancingView } from '../../db/financing.js';

export function cfaRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use(dossierRoutes(deps.db, deps.metrics, loadFinancingView));
  return router;
}

export function backOfficeRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use(backOfficeDossierRoutes(deps.db, deps.config));
  return router;
}
