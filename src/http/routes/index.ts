/**
 * The route table: every route of the gateway, each declared once (see route-table/declaration.ts).
 * Registration, validation, the OpenAPI contract and the robustness tests all read this list.
 */
import { Router } from 'express';
import type { AppDeps } from '../app.js';
import type { RouteDeclaration } from '../route-table/declaration.js';
import { backOfficeDossierRoutes } from './back-office-dossiers.js';
import { backOfficeNpecRoutes } from './back-office-npec.js';
import { conventionRoutes } from './conventions.js';
import { backOfficeDocumentRoutes, documentRoutes } from './documents.js';
import { backOfficeFactureRoutes } from './back-office-factures.js';
import { DOSSIER_ROUTES } from './dossiers.routes.js';
import { FACTURE_ROUTES } from './factures.routes.js';
import { platformRoutes, type Lifecycle } from './platform.routes.js';
import { REMBOURSEMENT_ROUTES } from './remboursements.routes.js';
import { simulationRoutes } from './simulations.js';

/** The lifecycle the status routes read; the contract builder passes a placeholder. */
export function routeTable(lifecycle: Lifecycle): RouteDeclaration[] {
  return [
    ...platformRoutes(lifecycle),
    ...DOSSIER_ROUTES,
    ...FACTURE_ROUTES,
    ...REMBOURSEMENT_ROUTES,
  ];
}

export function cfaRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use(conventionRoutes(deps.db, deps.config));
  router.use(documentRoutes(deps.db, deps.config));
  router.use(simulationRoutes());
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
