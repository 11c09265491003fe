/**
 * Reading payloads the way the CFA software in the wild writes them, before JSON-Schema
 * validation: liberal in what is accepted, exact in what is kept, and saying what was changed
 * (docs/compatibilite.md). Walking the payload along its schema:
 * - a number, integer or boolean sent as text is converted when the text is an exact, unambiguous
 *   rendering (`"35"`, `"35.0"`, `"954.96"`, `"1,5"`, `"true"`) — never `"35 h"`, `"1e3"`, `""`;
 * - a code is kept in the form its list gives first (`"12"` → 12, `1` → `"01"`): both writings
 *   are the contract's, so this one is silent, and done in strict mode too;
 * - an empty string for an optional member that is not text (`"typeDerogation": ""`) is absent;
 * - a member named in another casing, or with accents, than the schema's (`CERFAsignatureProbante`,
 *   `mentionMobilitéInternationale`) is read under the schema's name;
 * - an unknown member is left out, and when the member meant is obvious (known one level up or
 *   down) the warning names it.
 * Each change is one `avertissement` with the member's pointer. With `strict` (STRICT_INPUT=true,
 * for a recette environment) nothing is converted: each would-be change is an error instead.
 */
import { escapePointer, isJsonObject, type JsonObject } from './json.js';
import type { Section, Violation } from './violation.js';

type Node = JsonObject;

export type SchemaLookup = (file: string) => Node | undefined;

export interface TolerantReading {
  value: unknown;
  /** What was converted, renamed or left out. */
  avertissements: Violation[];
  /** In strict mode, the same findings as errors. */
  erreurs: Violation[];
}

export interface TolerantOptions {
  strict: boolean;
  sectionOf: (pointer: string) => Section;
}

// A decimal comma takes one or two digits: `1,000` or `35,000` may be thousands, so never read.
// An integer's decimals are zeros, one or two (`35.0`, `35,00`): `1.000` may be a thousand.
const INTEGER = /^-?\d{1,15}([.,]0{1,2})?$/;
const DECIMAL = /^-?\d{1,15}(\.\d{1,15}|,\d{1,2})?$/;
const BOOLEAN = /^(true|false)$/i;

/** A member name without case or accents: `mentionMobilitéInternationale` ~ `mentionMobiliteInternationale`. */
const looseName = (name: string): string => name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

/** What a (sub)schema says about a value, with $ref and allOf/anyOf/oneOf branches merged. */
interface Facts {
  /** In the order the schema lists them: the first is the canonical form. */
  types: string[];
  enum: unknown[] | undefined;
  properties: Map<string, Node>;
  required: Set<string>;
}

function typesOf(node: Node): string[] {
  const t = node.type;
  if (typeof t === 'string') return [t];
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : [];
}

/** Gathers what `node` says into `facts`; an alternative's (anyOf/oneOf) `required` does not make a member required. */
function collect(node: Node, lookup: SchemaLookup, facts: Facts, seen: Set<Node>, countsRequired = true): void {
  if (seen.has(node)) return;
  seen.add(node);
  if (typeof node.$ref === 'string') {
    const target = lookup(node.$ref);
    if (target) collect(target, lookup, facts, seen, countsRequired);
  }
  for (const t of typesOf(node)) if (!facts.types.includes(t)) facts.types.push(t);
  if (Array.isArray(node.enum)) facts.enum = [...(facts.enum ?? []), ...node.enum];
  if (isJsonObject(node.properties)) {
    for (const [name, sub] of Object.entries(node.properties)) {
      if (!isJsonObject(sub)) continue;
      const known = facts.properties.get(name);
      // Several branches may describe one member: keep them all (merged when read).
      facts.properties.set(name, known ? { allOf: [known, sub] } : sub);
    }
  }
  if (countsRequired && Array.isArray(node.required)) for (const r of node.required) if (typeof r === 'string') facts.required.add(r);
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const branches = node[key];
    if (!Array.isArray(branches)) continue;
    for (const b of branches) if (isJsonObject(b)) collect(b, lookup, facts, seen, countsRequired && key === 'allOf');
  }
}

// Schema nodes are loaded once and never change: what they say is worked out once.
const FACTS = new WeakMap<Node, Facts>();

function factsOf(node: Node, lookup: SchemaLookup): Facts {
  const known = FACTS.get(node);
  if (known) return known;
  const facts: Facts = { types: [], enum: undefined, properties: new Map(), required: new Set() };
  collect(node, lookup, facts, new Set());
  FACTS.set(node, facts);
  return facts;
}

function itemsOf(node: Node, lookup: SchemaLookup): Node | undefined {
  if (isJsonObject(node.items)) return node.items;
  if (typeof node.$ref === 'string') {
    const target = lookup(node.$ref);
    if (target) return itemsOf(target, lookup);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const branches = node[key];
    if (!Array.isArray(branches)) continue;
    for (const b of branches) {
      const found = isJsonObject(b) ? itemsOf(b, lookup) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}

function numericCode(v: unknown): number | undefined {
  return typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,6}$/.test(v) ? Number(v) : undefined;
}

/** The same code in two writings: `12` and `"12"`, `1` and `"01"`. */
function sameCode(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const na = numericCode(a);
  return na !== undefined && na === numericCode(b);
}

/** True when the schema lists type `t`, before `string` if it lists both (the first is canonical). */
function listedBeforeText(types: string[], t: string): boolean {
  const at = types.indexOf(t);
  const text = types.indexOf('string');
  return at >= 0 && (text < 0 || at < text);
}

const shown = (value: unknown): string => (typeof value === 'string' ? `"${value}"` : String(value));

/** The value a leaf should hold, or undefined to keep it as sent. */
function converted(value: unknown, facts: Facts): { value: unknown } | undefined {
  if (facts.enum) {
    if (value === '' || value === null) return undefined;
    const canonical = facts.enum.find((e) => sameCode(e, value));
    return canonical !== undefined && canonical !== value ? { value: canonical } : undefined;
  }
  if (typeof value !== 'string') return undefined;
  // Text is kept where the schema's first form is text (a member may accept both, e.g. a street number).
  const text = value.trim();
  if (listedBeforeText(facts.types, 'integer') && INTEGER.test(text)) return { value: Number(text.replace(',', '.')) };
  if (listedBeforeText(facts.types, 'number') && DECIMAL.test(text)) return { value: Number(text.replace(',', '.')) };
  if (listedBeforeText(facts.types, 'boolean') && BOOLEAN.test(text)) return { value: text.toLowerCase() === 'true' };
  return undefined;
}

/** One reading's context: functions stay at module level (no closure made per payload on the hot path). */
interface Reader {
  lookup: SchemaLookup;
  options: TolerantOptions;
  findings: Violation[];
}

function note(r: Reader, code: string, champ: string, description: string): void {
  r.findings.push({ code, description, champ, section: r.options.sectionOf(champ) });
}

function read(r: Reader, value: unknown, schema: Node, pointer: string, parent: Facts | undefined): unknown {
  const facts = factsOf(schema, r.lookup);
  if (Array.isArray(value)) {
    const items = itemsOf(schema, r.lookup);
    if (!items) return value;
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i += 1) out.push(read(r, value[i], items, `${pointer}/${i}`, parent));
    return out;
  }
  if (isJsonObject(value)) return facts.properties.size ? readObject(r, value, facts, pointer, parent) : value;
  const change = converted(value, facts);
  if (!change) return value;
  // Both writings of a code are the contract's (`12` and `"12"`): kept in one form, silently, strict or not.
  if (facts.enum) return change.value;
  note(r, 'VALEUR_CONVERTIE', pointer, `Le champ ${pointer} a été reçu sous la forme ${shown(value)} et lu comme ${shown(change.value)}.`);
  return r.options.strict ? value : change.value;
}

function meantName(key: string, facts: Facts): string | undefined {
  const loose = looseName(key);
  for (const k of facts.properties.keys()) if (looseName(k) === loose) return k;
  return undefined;
}

function readObject(r: Reader, value: JsonObject, facts: Facts, pointer: string, parent: Facts | undefined): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(value)) {
    const member = value[key];
    let name = key;
    if (!facts.properties.has(key)) {
      const at = `${pointer}/${escapePointer(key)}`;
      const meant = meantName(key, facts);
      if (meant && !(meant in value)) {
        note(r, 'CHAMP_RENOMME', at, `Le champ ${at} a été lu comme ${pointer}/${meant} (même nom, autre casse ou accents).`);
        name = meant;
      } else {
        const elsewhere = locate(r, key, facts, pointer, parent);
        note(r, 'CHAMP_INCONNU', at, `Le champ ${at} est inconnu et a été ignoré${elsewhere ? ` : vouliez-vous écrire ${elsewhere} ?` : '.'}`);
        if (r.options.strict) out[key] = member;
        continue;
      }
    }
    const schema = facts.properties.get(name);
    if (!schema) continue;
    if (member === '') {
      const memberFacts = factsOf(schema, r.lookup);
      const typed = memberFacts.types.length > 0 || memberFacts.enum !== undefined;
      if (typed && !memberFacts.types.includes('string') && !facts.required.has(name)) {
        const at = `${pointer}/${escapePointer(key)}`;
        note(r, 'VALEUR_VIDE_IGNOREE', at, `Le champ facultatif ${at} a été reçu vide ("") et lu comme absent.`);
        if (r.options.strict) out[key] = member;
        continue;
      }
    }
    out[r.options.strict ? key : name] = read(r, member, schema, `${pointer}/${escapePointer(name)}`, facts);
  }
  return out;
}

/** Where a member unknown here is known: one level down (inside a child) or up (beside this object). */
function locate(r: Reader, key: string, facts: Facts, pointer: string, parent: Facts | undefined): string | undefined {
  for (const [child, schema] of facts.properties) {
    if (factsOf(schema, r.lookup).properties.has(key)) return `${pointer}/${child}/${key}`;
  }
  if (parent?.properties.has(key)) return `${pointer.slice(0, pointer.lastIndexOf('/'))}/${key}`;
  return undefined;
}

export function readTolerantly(schemaFile: string, data: unknown, root: string, lookup: SchemaLookup, options: TolerantOptions): TolerantReading {
  const rootSchema = lookup(schemaFile);
  if (!rootSchema) return { value: data, avertissements: [], erreurs: [] };
  const r: Reader = { lookup, options, findings: [] };
  const value = read(r, data, rootSchema, root, undefined);
  return options.strict
    ? { value: data, avertissements: [], erreurs: r.findings }
    : { value, avertissements: r.findings, erreurs: [] };
}
