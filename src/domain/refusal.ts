/**
 * A use case's refusal, typed: services and domain code throw these, knowing nothing of HTTP; the
 * error handler (src/http/middleware/error-handler.ts) maps each kind to its status and the norm's
 * error body, in one place.
 */
import type { Section, Violation } from './violation.js';

/** One reason of a refusal: a Violation, whose pointer and section may be absent (a missing object). */
export interface RefusalItem {
  code: string;
  description: string;
  champ?: string;
  section?: Section;
}

export type RefusalKind = 'invalid' | 'forbidden' | 'not-found' | 'conflict' | 'unprocessable';

export interface RefusalOptions {
  /** Short French title of the answer (`Rupture refusée`). */
  title?: string;
  /** Extra top-level members of the error body (`numeroInterne` of the existing dossier…). */
  extensions?: Record<string, unknown>;
}

export class Refusal extends Error {
  constructor(readonly kind: RefusalKind, readonly violations: RefusalItem[], readonly options: RefusalOptions = {}) {
    super(violations[0]?.description ?? kind);
    this.name = 'Refusal';
  }
}

const one = (code: string, description: string, champ?: string): RefusalItem[] => [{ code, description, ...(champ ? { champ, section: 'requete' as const } : {}) }];

export const refuse = {
  invalid: (violations: Violation[], options?: RefusalOptions): Refusal => new Refusal('invalid', violations, options),
  forbidden: (code: string, description: string, champ?: string): Refusal => new Refusal('forbidden', one(code, description, champ)),
  notFound: (code: string, description: string): Refusal => new Refusal('not-found', one(code, description)),
  conflict: (code: string, description: string, options?: RefusalOptions): Refusal => new Refusal('conflict', one(code, description), options),
  conflicts: (violations: Violation[], options?: RefusalOptions): Refusal => new Refusal('conflict', violations, options),
  unprocessable: (violations: Violation[], options?: RefusalOptions): Refusal => new Refusal('unprocessable', violations, options),
};
