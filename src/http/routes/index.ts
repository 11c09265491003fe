/**
 * The route table: every route of the gateway, each declared once (see route-table/declaration.ts).
 * Registration, validation, the OpenAPI contract and the robustness tests all read this list.
 */
import { Router } from 'express';
import type { AppDeps } from '../app.js';
import type { RouteDeclaration } from '../route-table/declaration.js';
import { BACK_OFFICE_DOSSIER_ROUTES } from './back-office-dossiers.routes.js';
import { BACK_OFFICE_FACTURE_ROUTES } from './back-office-factures.routes.js';
import { backOfficeNpecRoutes } from './back-office-npec.js';
import { conventionRoutes } from './conventions.js';
import { backOfficeDocumentRoutes, documentRoutes } from './documents.js';
import { DOSSIER_ROUTES } from './dossiers.routes.js';
import { factureRoutes } from './factures.js';
import { platformRoutes, type Lifecycle } from './platform.routes.js';
import { ruptureRoutes } from './ruptures.js';
import { simulationRoutes } from './simulations.js';

/** The lifecycle the status routes read; the contract builder passes a placeholder. */
export function routeTable(lifecycle: Lifecycle): RouteDeclaration[] {
  return [
    ...platformRoutes(lifecycle),
    ...DOSSIER_ROUTES,
    ...BACK_OFFICE_DOSSIER_ROUTES,
    ...BACK_OFFICE_FACTURE_ROUTES,
  ];
}

export function cfaRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use(conventionRoutes(deps.db, deps.config));
  router.use(documentRoutes(deps.db, deps.config));
  router.use(simulationRoutes());
  router.use(factureRoutes(deps.db, deps.config));
  router.use(ruptureRoutes(deps.db, deps.config));
  return router;
}

export function backOfficeRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use(backOfficeNpecRoutes(deps.db));
  router.use(backOfficeDocumentRoutes(deps.db));
  return router;
}
