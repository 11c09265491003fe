/**
 * Query and path parameters: validated against the declared JSON Schemas (compiled once, at start),
 * text coerced to the declared types, every problem reported at once in French with the parameter
 * as pointer. Empty values count as absent. Query names are read liberally (see resolveQueryNames);
 * undeclared ones are ignored, or refused under STRICT_INPUT.
 */
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsPkg from 'ajv-formats';
import type { Violation } from '../../domain/violation.js';
import type { JsonSchema, ParameterDeclaration } from './declaration.js';

// ajv-formats is CommonJS: its default export is the plugin.
const addFormats = addFormatsPkg as unknown as (ajv: Ajv2020) => Ajv2020;

const ajv = new Ajv2020({ coerceTypes: true, useDefaults: true, allErrors: true, strict: true, allowUnionTypes: true, messages: false });
addFormats(ajv);
ajv.addKeyword({ keyword: 'x-attendu', schemaType: 'string' });

export type ParameterReader = (raw: Record<string, unknown>) => {
  values: Record<string, unknown>;
  violations: Violation[];
  /** Declared names the request gave a non-empty value (defaults not counted). */
  given: ReadonlySet<string>;
};

/** Query parameters as read under their declared names, and what the names alone violate. */
export type QueryNameResolver = (raw: Record<string, unknown>) => { raw: Record<string, unknown>; violations: Violation[] };

/** jQuery's `cache: false` and others append `_=<timestamp>`: accepted even under STRICT_INPUT. */
const CACHE_BUSTER = '_';

// `numeroInterne[]`, `numeroInterne[0]`: the array forms PHP and jQuery clients write.
const BRACKETS = /\[\d*\]$/;

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/**
 * Query names, read liberally: an undeclared name equal to a declared one ignoring case, or written
 * as an array (`name[]`), is read as that one when the declared spelling is absent; several values
 * stay an array, refused as given more than once. Other names are ignored. Under STRICT_INPUT
 * nothing is renamed nor ignored: every undeclared name but `_` is refused, all at once.
 */
export function resolveQueryNames(declared: Readonly<Record<string, ParameterDeclaration>> = {}, strict = false): QueryNameResolver {
  const names = new Set(Object.keys(declared));
  const byLowerCase = new Map<string, string | null>();
  // Two declared names equal ignoring case would make a variant ambiguous: neither is guessed.
  for (const n of names) byLowerCase.set(n.toLowerCase(), byLowerCase.has(n.toLowerCase()) ? null : n);
  return (raw) => {
    const read: Record<string, unknown> = {};
    const variants = new Map<string, unknown[]>();
    const violations: Violation[] = [];
    for (const [key, value] of Object.entries(raw)) {
      if (names.has(key)) {
        read[key] = value;
        continue;
      }
      if (key === CACHE_BUSTER) continue;
      const meant = byLowerCase.get(key.replace(BRACKETS, '').toLowerCase()) ?? undefined;
      if (strict) {
        const hint = meant ? ` : écrivez ${meant}=<valeur>, une seule fois.` : '.';
        violations.push(violation(key, 'PARAMETRE_INCONNU', `Le paramètre ${key} est inconnu${hint}`));
      } else if (meant) {
        variants.set(meant, [...(variants.get(meant) ?? []), ...asList(value)]);
      }
    }
    for (const [name, values] of variants) {
      if (Object.hasOwn(read, name)) continue;
      read[name] = values.length === 1 ? values[0] : values;
    }
    return { raw: read, violations };
  };
}

const violation = (name: string, code: string, description: string): Violation => ({ code, description, champ: `/${name}`, section: 'requete' });

/** "doit être un entier entre 1 et 1000.", from the schema when the declaration says nothing. */
function expected(schema: JsonSchema): string {
  const s = schema as { type?: unknown; minimum?: number; maximum?: number; enum?: unknown[]; maxLength?: number; format?: string; pattern?: string };
  if (Array.isArray(s.enum)) return `doit valoir ${s.enum.join(', ')}.`;
  if (s.type === 'integer') {
    if (s.minimum !== undefined && s.maximum !== undefined) return `doit être un entier entre ${s.minimum} et ${s.maximum}.`;
    if (s.minimum !== undefined) return `doit être un entier supérieur ou égal à ${s.minimum}.`;
    return 'doit être un entier.';
  }
  if (s.type === 'boolean') return 'doit valoir true ou false.';
  if (s.format === 'date') return 'doit être une date AAAA-MM-JJ.';
  if (s.maxLength !== undefined && s.pattern === undefined) return `dépasse ${s.maxLength} caractères.`;
  return 'a un format invalide.';
}

/** Path parameters, or query parameters whose names `resolveNames` reads first. */
export function compileParameters(declared: Readonly<Record<string, ParameterDeclaration>> = {}, resolveNames?: QueryNameResolver): ParameterReader {
  const names = Object.keys(declared);
  const properties: Record<string, JsonSchema> = {};
  for (const [name, p] of Object.entries(declared)) properties[name] = p.schema;
  const required = names.filter((n) => declared[n]?.required);
  const validate = ajv.compile({ type: 'object', properties, required });
  const integers = new Set(names.filter((n) => (declared[n]?.schema as { type?: unknown }).type === 'integer'));

  return (sent) => {
    const resolved = resolveNames ? resolveNames(sent) : { raw: sent, violations: [] };
    const raw = resolved.raw;
    const values: Record<string, unknown> = {};
    const violations: Violation[] = [...resolved.violations];
    const given = new Set<string>();
    for (const name of names) {
      const value = raw[name];
      if (value === undefined || value === '') continue;
      given.add(name);
      if (typeof value !== 'string') {
        violations.push(violation(name, declared[name]?.code ?? 'PARAMETRE_INVALIDE', `Le paramètre ${name} ne doit être donné qu'une fois, en valeur simple (${name}=<valeur>).`));
        continue;
      }
      // Only plain digits are integers: ajv's coercion would also read "1e3" or " 7".
      if (integers.has(name) && !/^-?\d{1,16}$/.test(value)) {
        violations.push(violation(name, declared[name]?.code ?? 'PARAMETRE_INVALIDE', `Le paramètre ${name} ${declared[name]?.attendu ?? expected(declared[name]?.schema ?? {})}`));
        continue;
      }
      values[name] = value;
    }
    if (!validate(values)) {
      const reported = new Set(violations.map((v) => v.champ));
      for (const error of validate.errors ?? []) {
        const name = nameOf(error);
        if (!name || reported.has(`/${name}`)) continue;
        reported.add(`/${name}`);
        violations.push(error.keyword === 'required'
          ? violation(name, declared[name]?.code ?? 'PARAMETRE_OBLIGATOIRE', `Le paramètre ${name} est obligatoire.`)
          : violation(name, declared[name]?.code ?? 'PARAMETRE_INVALIDE', `Le paramètre ${name} ${declared[name]?.attendu ?? expected(declared[name]?.schema ?? {})}`));
      }
    }
    // Invalid parameters are dropped: the caller only reads values when there are no violations.
    for (const v of violations) delete values[v.champ?.slice(1) ?? ''];
    return { values, violations, given };
  };
}

function nameOf(error: ErrorObject): string | undefined {
  if (error.keyword === 'required') return String((error.params as { missingProperty?: unknown }).missingProperty);
  return error.instancePath.split('/')[1];
}
