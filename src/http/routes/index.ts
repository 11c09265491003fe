/**
 * The route table: every route of the gateway, each declared once (see route-table/declaration.ts).
 * Registration, validation, the OpenAPI contract and the robustness tests all read this list.
 */
import type { RouteDeclaration } from '../route-table/declaration.js';
import { ADHERENT_ROUTES } from './adherents.routes.js';
import { BACK_OFFICE_DOSSIER_ROUTES } from './back-office-dossiers.routes.js';
import { BACK_OFFICE_FACTURE_ROUTES } from './back-office-factures.routes.js';
import { CFA_PROFIL_ROUTES } from './cfa-profil.routes.js';
import { CLE_ROUTES } from './cles.routes.js';
import { CLIENT_ROUTES } from './clients.routes.js';
import { CONVENTION_ROUTES } from './conventions.routes.js';
import { CORRECTION_ROUTES } from './corrections.routes.js';
import { DOCUMENT_ROUTES } from './documents.routes.js';
import { DOSSIER_ROUTES } from './dossiers.routes.js';
import { FACTURATION_ROUTES } from './facturations.routes.js';
import { FACTURE_ROUTES } from './factures.routes.js';
import { JOB_ROUTES } from './jobs.routes.js';
import { NPEC_ROUTES } from './npec.routes.js';
import { PILOTAGE_ROUTES } from './pilotage.routes.js';
import { PROPOSITION_ROUTES } from './propositions.routes.js';
import { platformRoutes, type Lifecycle } from './platform.routes.js';
import { REMBOURSEMENT_ROUTES } from './remboursements.routes.js';
import { SANDBOX_ROUTES } from './sandbox.routes.js';
import { SIMULATION_ROUTES } from './simulations.routes.js';
import { SUIVI_ROUTES } from './suivi.routes.js';
import { SOLDE_ROUTES } from './soldes.routes.js';
import { WEBHOOK_ROUTES } from './webhooks.routes.js';

export interface RouteTableOptions {
  /** Sandbox mode: the routes declared `sandbox: true` exist (contracts/openapi.json is written with them). */
  sandbox?: boolean;
}

/** The lifecycle the status routes read; the contract builder passes a placeholder. */
export function routeTable(lifecycle: Lifecycle, options: RouteTableOptions = {}): RouteDeclaration[] {
  const all: RouteDeclaration[] = [
    ...platformRoutes(lifecycle),
    ...DOSSIER_ROUTES,
    ...CORRECTION_ROUTES,
    ...CFA_PROFIL_ROUTES,
    ...PROPOSITION_ROUTES,
    ...CONVENTION_ROUTES,
    ...DOCUMENT_ROUTES,
    ...SIMULATION_ROUTES,
    ...FACTURE_ROUTES,
    ...FACTURATION_ROUTES,
    ...REMBOURSEMENT_ROUTES,
    ...PILOTAGE_ROUTES,
    ...SUIVI_ROUTES,
    ...SOLDE_ROUTES,
    ...WEBHOOK_ROUTES,
    ...CLE_ROUTES,
    ...CLIENT_ROUTES,
    ...NPEC_ROUTES,
    ...ADHERENT_ROUTES,
    ...BACK_OFFICE_DOSSIER_ROUTES,
    ...BACK_OFFICE_FACTURE_ROUTES,
    ...JOB_ROUTES,
    ...SANDBOX_ROUTES,
  ];
  return options.sandbox ? all : all.filter((d) => !d.sandbox);
}
