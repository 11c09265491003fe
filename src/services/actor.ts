/**
 * Who asks a service to act: the audit trail's author (request, key, vendor, editor headers) and
 * the history's actor (`cfa:<siren>`, `entreprise:<siren>`, `opco:<label>`). Built by the HTTP
 * layer (src/http/context.ts: cfaActor, entrepriseActor, opcoActor), read by services.
 */
import type { Author } from '../db/audit.js';
import { refuse } from '../domain/refusal.js';

export interface Actor {
  author: Author;
  /** As written in histories: `cfa:123456789`, `entreprise:552100554`, `opco:instruction`. */
  acteur: string;
  keyId: string;
}

export interface CfaActor extends Actor {
  siren: string;
  editor: { editeur: string | null; logiciel: string | null; version: string | null };
}

/** An employer (key of role entreprise): its SIREN and the key holder's e-mail. */
export interface EntrepriseActor extends Actor {
  siren: string;
  /** The key's contact e-mail: personal data, never logged nor written to the audit trail. */
  courriel: string;
}

/**
 * The own-SIRET check, once: a CFA only writes for establishments of its own SIREN. `what` completes
 * "Le SIRET …" (`de l'organisme de formation`, `émetteur`).
 */
export function assertOwnSiret(siret: string, cfa: Pick<CfaActor, 'siren'>, champ: string, what: string): void {
  if (siret.slice(0, 9) !== cfa.siren) {
    throw refuse.forbidden('ORGANISME_FORMATION_NON_AUTORISE', `Le SIRET ${what} (${siret}) n'appartient pas au SIREN de la clé (${cfa.siren}).`, champ);
  }
}
