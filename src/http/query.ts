/** Query-string readers that collect every problem instead of stopping at the first. */
import type { Request } from 'express';
import type { Violation } from '../domain/violation.js';

export class QueryReader {
  readonly violations: Violation[] = [];
  constructor(private readonly req: Request) {}

  private fail(name: string, code: string, description: string): undefined {
    this.violations.push({ code, description, champ: `/${name}`, section: 'requete' });
    return undefined;
  }

  string(name: string, options: { required?: boolean; max?: number } = {}): string | undefined {
    const raw = this.req.query[name];
    if (raw === undefined || raw === '') {
      return options.required ? this.fail(name, 'PARAMETRE_OBLIGATOIRE', `Le paramètre ${name} est obligatoire.`) : undefined;
    }
    if (typeof raw !== 'string') return this.fail(name, 'PARAMETRE_INVALIDE', `Le paramètre ${name} ne doit être donné qu'une fois.`);
    if (options.max && raw.length > options.max) return this.fail(name, 'PARAMETRE_INVALIDE', `Le paramètre ${name} dépasse ${options.max} caractères.`);
    return raw;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      this.fail(name, 'PARAMETRE_INVALIDE', `Le paramètre ${name} doit être un entier entre ${min} et ${max}.`);
      return fallback;
    }
    return Number(raw);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (!allowed.includes(raw as T)) {
      return this.fail(name, 'PARAMETRE_INVALIDE', `Le paramètre ${name} doit valoir ${allowed.join(', ')}.`);
    }
    return raw as T;
  }

  /** Comma-separated or repeated values. */
  list(name: string, options: { required?: boolean; max: number }): string[] {
    const raw = this.req.query[name];
    const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
      .flatMap((v) => String(v).split(','))
      .map((v) => v.trim())
      .filter(Boolean);
    if (values.length === 0 && options.required) this.fail(name, 'PARAMETRE_OBLIGATOIRE', `Le paramètre ${name} est obligatoire.`);
    if (values.length > options.max) this.fail(name, 'PARAMETRE_INVALIDE', `Le paramètre ${name} accepte au plus ${options.max} valeurs.`);
    return values.slice(0, options.max);
  }

  custom(name: string, description: string): void {
    this.fail(name, 'PARAMETRE_INVALIDE', description);
  }
}
