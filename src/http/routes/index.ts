/** The route table of the norm's API (CFA keys) and of the back office (OPCO keys). */
import { Router } from 'express';
import type { AppDeps } from '../app.js';
import { backOfficeDossierRoutes } from './back-office-dossiers.js';
import { backOfficeNpecRoutes } from './back-office-npec.js';
import { conventionRoutes } from './conventions.js';
import { backOfficeDocumentRoutes, documentRoutes } from './documents.js';
import { backOfficeFactureRoutes } from './back-office-factures.js';
import { factureRoutes } from './factures.js';
import { ruptureRoutes } from './ruptures.js';
import { dossierRoutes } from './dossiers.js';
import { simulationRoutes } from './simulations.js';
import { loadFinancingView } from '../../db/financing.js';

export function cfaRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use(dossierRoutes(deps.db, deps.metrics, loadFinancingView));
  router.use(conventionRoutes(deps.db, deps.config));
  router.use(documentRoutes(deps.db, deps.config));
  router.use(simulationRoutes());
  router.use(factureRoutes(deps.db, deps.config));
  router.use(ruptureRoutes(deps.db, deps.config));
  return router;
}

export function backOfficeRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use(backOfficeDossierRoutes(deps.db, deps.config));
  router.use(backOfficeNpecRoutes(deps.db));
  router.use(backOfficeDocumentRoutes(deps.db));
  router.use(backOfficeFactureRoutes(deps.db));
  return router;
}
