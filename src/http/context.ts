import type { Request } from 'express';
import type { Author } from '../db/audit.js';
import type { KeyRole } from '../db/keys.js';
import type { Actor, CfaActor, EntrepriseActor } from '../services/actor.js';
import { errors } from './errors.js';

/** What the middleware chain learns about a request, attached to express's Request. */
export interface Caller {
  keyId: string;
  /** The key's role: on a route serving several roles, the one this caller holds. */
  role: KeyRole;
  /** The CFA's SIREN (role cfa) or the employer's (role entreprise). */
  siren: string | null;
  uai: string | null;
  libelle: string | null;
  /** The employer user's e-mail (role entreprise): personal data, never logged. */
  courriel: string | null;
}

export interface VendorClient {
  id: string;
  clientId: string;
  editeur: string;
}

/** The norm's editor headers, recorded with every write. */
export interface EditorHeaders {
  editeur: string | null;
  logiciel: string | null;
  version: string | null;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      requestId: string;
      caller?: Caller;
      vendor?: VendorClient;
      editor: EditorHeaders;
    }
  }
}

/** As written in histories: `cfa:<siren>`, `entreprise:<siren>`, `opco:<label or key id>`. */
export function actorOf(caller: Caller): string {
  switch (caller.role) {
    case 'cfa':
    case 'entreprise':
      return `${caller.role}:${caller.siren}`;
    case 'opco':
      return `opco:${caller.libelle ?? caller.keyId}`;
  }
}

/** Who wrote, for the audit trail: the request's id, key, vendor and editor headers. */
export function authorOf(req: Request): Author {
  return {
    id_requete: req.requestId,
    cle_id: req.caller?.keyId ?? null,
    siren: req.caller?.siren ?? null,
    client_id: req.vendor?.clientId ?? null,
    editeur: req.editor.editeur,
    logiciel: req.editor.logiciel,
    version: req.editor.version,
  };
}


/** The calling CFA, as services know it (cfa routes: authentication guarantees a CFA key). */
export function cfaActor(req: Request): CfaActor {
  const caller = req.caller;
  if (caller?.role !== 'cfa' || !caller.siren) throw errors.forbidden('CLE_API_NON_HABILITEE', 'Clé CFA requise.');
  return { author: authorOf(req), acteur: actorOf(caller), keyId: caller.keyId, siren: caller.siren, editor: req.editor };
}

/** The calling employer (role entreprise), as services know it. */
export function entrepriseActor(req: Request): EntrepriseActor {
  const caller = req.caller;
  if (caller?.role !== 'entreprise' || !caller.siren || !caller.courriel) {
    throw errors.forbidden('CLE_API_NON_HABILITEE', 'Clé entreprise requise.');
  }
  return { author: authorOf(req), acteur: actorOf(caller), keyId: caller.keyId, siren: caller.siren, courriel: caller.courriel };
}

/** The calling back-office agent, as services know it. */
export function opcoActor(req: Request): Actor {
  const caller = req.caller;
  if (caller?.role !== 'opco') throw errors.forbidden('CLE_API_NON_HABILITEE', "Ce point d'accès est réservé au back-office de l'OPCO.");
  return { author: authorOf(req), acteur: actorOf(caller), keyId: caller.keyId };
}

