/**
 * JSON-Schema validation of incoming payloads (schemas/*.schema.json, draft 2020-12) with Ajv,
 * turned into the domain's Violation list: one finding per field, French wording, stable
 * UPPER_SNAKE codes, JSON pointers from the request body root. Rejected values are never echoed
 * (they may be personal data such as a NIR).
 *
 * Everything is loaded and compiled once, at module load; validation itself is allocation-free on
 * the happy path (Ajv returns `true`, we return an empty array).
 */
import { pathToFileURL } from 'node:url';
import { projectPath } from '../../paths.js';
import { isExactCents } from '../financing/money.js';
import fs from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import {
  isCodeDiplome, isCodePostal, isDateCerfa, isDepartement, isEmail, isIdcc, isNaf, isNirShape, isNumeroDeca,
  isRncp, isSiret, isTelephone, isUai,
} from '../formats.js';
import { readTolerantly } from '../tolerant-reading.js';
import { sectionOfPointer, type Section, type Violation } from '../violation.js';

// Found from the project root, so the compiled build (dist/) reads the same files.
const SCHEMA_DIR = pathToFileURL(projectPath('schemas/'));
const SCHEMA_BASE_ID = 'https://convergence-gateway.fr/schemas/';

// ------------------------------------------------------------------------------------- formats

interface FormatSpec {
  check: (value: string) => boolean;
  code: string;
  /** What is expected, completing "Le champ X …". */
  attendu: string;
}

const FORMATS: Record<string, FormatSpec> = {
  siret: { check: isSiret, code: 'SIRET_INVALIDE', attendu: 'doit être un SIRET valide : 14 chiffres, clé de contrôle (Luhn) correcte.' },
  uai: { check: isUai, code: 'UAI_INVALIDE', attendu: 'doit être un UAI valide : 7 chiffres suivis de la lettre de contrôle (ex. 0561910X).' },
  nir: { check: isNirShape, code: 'NIR_INVALIDE', attendu: 'doit être un NIR de 15 caractères (clé comprise) ou 13 sans la clé, uniquement des chiffres sauf 2A/2B (Corse) en 6e et 7e positions.' },
  'code-postal': { check: isCodePostal, code: 'FORMAT_INVALIDE', attendu: 'doit être un code postal de 5 chiffres.' },
  departement: { check: isDepartement, code: 'FORMAT_INVALIDE', attendu: 'doit être un code département : 2 chiffres, 2A, 2B, 971 à 978, 984 à 989 ou 99 (né à l\'étranger), forme sur 3 caractères admise (ex. 075, 099).' },
  naf: { check: isNaf, code: 'FORMAT_INVALIDE', attendu: 'doit être un code NAF/APE : 4 chiffres et une lettre, point facultatif (ex. 62.02A).' },
  idcc: { check: isIdcc, code: 'FORMAT_INVALIDE', attendu: 'doit être un code IDCC de 4 chiffres (ex. 1486 ; 9999 = sans convention, 9998 = convention en cours de négociation).' },
  rncp: { check: isRncp, code: 'FORMAT_INVALIDE', attendu: 'doit être un code RNCP : 2 à 5 chiffres, préfixe RNCP facultatif (ex. RNCP35340).' },
  'code-diplome': { check: isCodeDiplome, code: 'FORMAT_INVALIDE', attendu: 'doit être un code diplôme (CFD) : 8 chiffres ou lettres majuscules, éventuellement suivis d\'une lettre.' },
  'numero-deca': { check: isNumeroDeca, code: 'FORMAT_INVALIDE', attendu: 'doit être un numéro DECA de 15 caractères : département sur 3 caractères, année, mois, NC ou 2 chiffres, 4 chiffres (ex. 02B202212000000).' },
  telephone: { check: isTelephone, code: 'FORMAT_INVALIDE', attendu: 'doit être un numéro de téléphone : 10 chiffres commençant par 0, +33 suivi de 9 chiffres, ou + suivi de 7 à 15 chiffres.' },
  courriel: { check: isEmail, code: 'FORMAT_INVALIDE', attendu: 'doit être une adresse électronique valide (254 caractères au plus).' },
  'date-cerfa': { check: isDateCerfa, code: 'DATE_INVALIDE', attendu: 'doit être une date réelle au format AAAA-MM-JJ ou une date-heure ISO 8601 (ex. 2024-09-01T00:00:00+02:00).' },
};

// -------------------------------------------------------------------------------- schema files

type SchemaNode = { [key: string]: unknown };

function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function loadSchemas(): Map<string, SchemaNode> {
  const files = new Map<string, SchemaNode>();
  for (const file of fs.readdirSync(SCHEMA_DIR)) {
    if (!file.endsWith('.schema.json')) continue;
    const parsed: unknown = JSON.parse(fs.readFileSync(new URL(file, SCHEMA_DIR), 'utf8'));
    if (!isNode(parsed) || parsed.$id !== SCHEMA_BASE_ID + file) throw new Error(`schemas/${file}: $id must be ${SCHEMA_BASE_ID}${file}`);
    files.set(file, parsed);
  }
  return files;
}

const SCHEMAS = loadSchemas();

const ajv = new Ajv2020({
  allErrors: true,
  strict: true,
  // Union types (["string", "null"]) are how optional fields accept null.
  allowUnionTypes: true,
  // We write our own French messages; verbose stays off so errors never carry the rejected data.
  messages: false,
  verbose: false,
});
// Annotation only: the French meaning of each code, read back for error messages.
ajv.addKeyword({ keyword: 'x-libelles', schemaType: 'object' });
for (const [name, spec] of Object.entries(FORMATS)) {
  // An empty string means "not provided": required fields reject it through minLength: 1.
  ajv.addFormat(name, { type: 'string', validate: (value: string) => value === '' || spec.check(value) });
}
// Money in euros must convert to whole cents exactly (never more than two decimals).
const MONTANT: Omit<FormatSpec, 'check'> = { code: 'MONTANT_INVALIDE', attendu: 'doit être un montant en euros avec au plus deux décimales.' };
ajv.addFormat('montant', { type: 'number', validate: isExactCents });
for (const schema of SCHEMAS.values()) ajv.addSchema(schema);

function validatorFor(schemaFile: string): ValidateFunction {
  const validate = ajv.getSchema(SCHEMA_BASE_ID + schemaFile);
  if (!validate) throw new Error(`unknown schema file ${schemaFile}`);
  return validate;
}

// ------------------------------------------------------------------------------- field index

/** Two or more properties of which one is required (`employeur`/`employeurV2`, date aliases). */
interface Alternatives {
  kind: 'anyOf' | 'oneOf';
  names: string[];
}

interface FieldInfo {
  required: boolean;
  description?: string;
  libelles?: Record<string, string>;
  alternatives: Alternatives[];
}

/** Field facts by path from the schema root, array indices written `*` (e.g. `/contrat/remunerationsAnnuelles/*` then `/taux`). */
type FieldIndex = Map<string, FieldInfo>;

function infoAt(index: FieldIndex, path: string): FieldInfo {
  let info = index.get(path);
  if (!info) {
    info = { required: false, alternatives: [] };
    index.set(path, info);
  }
  return info;
}

/** A combinator whose every branch only says "this property is required (and not null)". */
function alternativeNames(branches: unknown): string[] | undefined {
  if (!Array.isArray(branches)) return undefined;
  const names: string[] = [];
  for (const branch of branches) {
    if (!isNode(branch) || '$ref' in branch || !Array.isArray(branch.required)) return undefined;
    const first: unknown = branch.required[0];
    if (typeof first !== 'string') return undefined;
    names.push(first);
  }
  return names;
}

function walk(node: unknown, path: string, index: FieldIndex, depth: number): void {
  if (!isNode(node) || depth > 32) return;
  const info = infoAt(index, path);
  if (typeof node.description === 'string' && info.description === undefined) info.description = node.description;
  const libelles = node['x-libelles'];
  if (isNode(libelles)) info.libelles = libelles as Record<string, string>;
  if (typeof node.$ref === 'string') walk(SCHEMAS.get(node.$ref.split('#')[0] ?? ''), path, index, depth + 1);
  if (Array.isArray(node.required)) {
    for (const name of node.required) if (typeof name === 'string') infoAt(index, `${path}/${name}`).required = true;
  }
  if (isNode(node.properties)) {
    for (const [name, sub] of Object.entries(node.properties)) walk(sub, `${path}/${name}`, index, depth + 1);
  }
  if (node.items !== undefined) walk(node.items, `${path}/*`, index, depth + 1);
  if (Array.isArray(node.allOf)) for (const sub of node.allOf) walk(sub, path, index, depth + 1);
  for (const kind of ['anyOf', 'oneOf'] as const) {
    const branches = node[kind];
    const names = alternativeNames(branches);
    if (names) info.alternatives.push({ kind, names });
    else if (Array.isArray(branches)) for (const sub of branches) walk(sub, path, index, depth + 1);
  }
}

const indexes = new Map<string, FieldIndex>();

function indexFor(schemaFile: string): FieldIndex {
  let index = indexes.get(schemaFile);
  if (!index) {
    index = new Map();
    walk(SCHEMAS.get(schemaFile), '', index, 0);
    indexes.set(schemaFile, index);
  }
  return index;
}

// ------------------------------------------------------------------------------ error mapping

function segments(pointer: string): string[] {
  return pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function patternOf(pointer: string): string {
  return pointer.replace(/\/[0-9]+(?=\/|$)/g, '/*');
}

function valueAt(data: unknown, pointer: string): unknown {
  let current = data;
  for (const key of segments(pointer)) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** `cerfa.contrat.remunerationsAnnuelles[0].taux` — how an ERP developer reads a field path. */
function label(pointer: string): string {
  return segments(pointer).reduce((acc, s) => (/^[0-9]+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), '');
}

/** Subject of a message: "Le champ cerfa.apprenti.nom", or the body itself. */
function subject(pointer: string): string {
  return pointer === '' ? 'Le corps de la requête' : `Le champ ${label(pointer)}`;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'chaîne de caractères', integer: 'nombre entier', number: 'nombre', boolean: 'booléen (true/false)',
  object: 'objet', array: 'tableau', null: 'null',
};

function typesPhrase(types: string[]): string {
  const names = types.map((t) => TYPE_NAMES[t] ?? t);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} ou ${names[names.length - 1]}` : (names[0] ?? '');
}

const MAX_LISTING = 400;

function allowedValues(info: FieldInfo | undefined, params: Record<string, unknown>): string {
  if (info?.libelles) {
    const withMeanings = Object.entries(info.libelles).map(([k, v]) => `${k} (${v})`).join(', ');
    return withMeanings.length <= MAX_LISTING ? withMeanings : Object.keys(info.libelles).join(', ');
  }
  const values = Array.isArray(params.allowedValues) ? params.allowedValues : [];
  return [...new Set(values.filter((v) => v !== null && v !== '').map(String))].join(', ');
}

interface Draft {
  champ: string; // relative to the validated data
  code: string;
  description: string;
  /** Lower wins when several errors land on one field. */
  priority: number;
  types?: string[];
}

function draftOf(error: ErrorObject, data: unknown, index: FieldIndex, root: string): Draft {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') {
    const champ = `${error.instancePath}/${String(params.missingProperty)}`;
    return { champ, code: 'CHAMP_OBLIGATOIRE', description: `${subject(root + champ)} est obligatoire.`, priority: 0 };
  }
  const champ = error.instancePath;
  const who = subject(root + champ);
  const info = index.get(patternOf(champ));
  const value = valueAt(data, champ);
  if ((value === null || value === '') && info?.required) {
    const received = value === null ? 'valeur null reçue' : 'chaîne vide reçue';
    return { champ, code: 'CHAMP_OBLIGATOIRE', description: `${who} est obligatoire (${received}).`, priority: 0 };
  }
  const limit = String(params.limit);
  switch (error.keyword) {
    case 'type': {
      const types = String(params.type).split(',');
      return { champ, code: 'TYPE_INVALIDE', description: `${who} doit être de type ${typesPhrase(types)}.`, priority: 1, types };
    }
    case 'format': {
      const spec = params.format === 'montant' ? MONTANT : FORMATS[String(params.format)];
      return { champ, code: spec?.code ?? 'FORMAT_INVALIDE', description: `${who} ${spec?.attendu ?? 'a un format invalide.'}`, priority: 2 };
    }
    case 'enum':
    case 'const':
      return { champ, code: 'VALEUR_NON_AUTORISEE', description: `${who} a une valeur non autorisée. Valeurs admises : ${allowedValues(info, params)}.`, priority: 2 };
    case 'pattern':
      return { champ, code: 'FORMAT_INVALIDE', description: `${who} a un format invalide${info?.description ? ` (${info.description.replace(/\.$/, '')})` : ''}.`, priority: 2 };
    case 'minLength':
      return limit === '1'
        ? { champ, code: 'CHAMP_OBLIGATOIRE', description: `${who} ne doit pas être vide.`, priority: 0 }
        : { champ, code: 'LONGUEUR_INVALIDE', description: `${who} doit contenir au moins ${limit} caractères.`, priority: 3 };
    case 'maxLength':
      return { champ, code: 'LONGUEUR_INVALIDE', description: `${who} doit contenir au plus ${limit} caractères.`, priority: 3 };
    case 'minimum':
      return { champ, code: 'VALEUR_HORS_LIMITES', description: `${who} doit être supérieur ou égal à ${limit}.`, priority: 3 };
    case 'exclusiveMinimum':
      return { champ, code: 'VALEUR_HORS_LIMITES', description: `${who} doit être strictement supérieur à ${limit}.`, priority: 3 };
    case 'maximum':
      return { champ, code: 'VALEUR_HORS_LIMITES', description: `${who} doit être inférieur ou égal à ${limit}.`, priority: 3 };
    case 'exclusiveMaximum':
      return { champ, code: 'VALEUR_HORS_LIMITES', description: `${who} doit être strictement inférieur à ${limit}.`, priority: 3 };
    case 'minItems':
      return { champ, code: 'NOMBRE_ELEMENTS_INVALIDE', description: `${who} doit contenir au moins ${limit} élément(s).`, priority: 3 };
    case 'maxItems':
      return { champ, code: 'NOMBRE_ELEMENTS_INVALIDE', description: `${who} doit contenir au plus ${limit} élément(s).`, priority: 3 };
    default:
      return { champ, code: 'VALEUR_INVALIDE', description: `${who} a une valeur invalide (règle ${error.keyword}).`, priority: 4 };
  }
}

function isUnder(pointer: string, parent: string): boolean {
  return pointer === parent || pointer.startsWith(`${parent}/`);
}

/**
 * Collapses Ajv's combinator noise:
 * - "one of these names is required" (anyOf/oneOf of `required` branches) → one CHAMP_OBLIGATOIRE
 *   on the first name, or CHAMPS_INCOMPATIBLES when a oneOf matched several;
 * - other anyOf/oneOf (nullable objects): the summary error is dropped, and so is the `type: null`
 *   branch error when the value is an object with errors of its own.
 */
function collapseCombinators(errors: ErrorObject[], data: unknown, index: FieldIndex, root: string): { rest: ErrorObject[]; drafts: Draft[] } {
  const consumed = new Set<ErrorObject>();
  const drafts: Draft[] = [];
  for (const error of errors) {
    if (error.keyword !== 'anyOf' && error.keyword !== 'oneOf') continue;
    consumed.add(error);
    const alternatives = index.get(patternOf(error.instancePath))?.alternatives.find((a) => a.kind === error.keyword);
    if (!alternatives) continue;
    for (const other of errors) if (other.schemaPath.startsWith(`${error.schemaPath}/`)) consumed.add(other);
    const value = valueAt(data, error.instancePath);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue; // its type error says it all
    const names = alternatives.names;
    const base = error.instancePath;
    const passing = (error.params as Record<string, unknown>).passingSchemas;
    const sent = names.some((n) => {
      const v = (value as Record<string, unknown>)[n];
      return v !== undefined && v !== null && v !== '';
    });
    if (Array.isArray(passing)) {
      const both = passing.map((i) => label(`${root}${base}/${String(names[Number(i)])}`));
      drafts.push({
        champ: `${base}/${String(names[Number(passing[1])])}`, code: 'CHAMPS_INCOMPATIBLES', priority: 0,
        description: `Les champs ${both.join(' et ')} sont exclusifs : n'en transmettre qu'un seul.`,
      });
    } else if (!sent) { // when one is sent but wrong, its own error (type, format…) says it better
      const [first, ...others] = names.map((n) => label(`${root}${base}/${n}`));
      drafts.push({
        champ: `${base}/${String(names[0])}`, code: 'CHAMP_OBLIGATOIRE', priority: 0,
        description: `Le champ ${String(first)} (ou ${others.join(', ou ')}) est obligatoire.`,
      });
    }
  }
  let rest = errors.filter((e) => !consumed.has(e));
  rest = rest.filter((e) => {
    if (e.keyword !== 'type' || (e.params as Record<string, unknown>).type !== 'null') return true;
    return !rest.some((o) => o !== e && isUnder(o.instancePath, e.instancePath) && (o.instancePath !== e.instancePath || o.keyword !== 'type'));
  });
  return { rest, drafts };
}

/** One violation per field: the most telling error wins; type errors on one field are merged. */
function mergeByField(drafts: Draft[]): Draft[] {
  const byField = new Map<string, Draft>();
  for (const draft of drafts) {
    const seen = byField.get(draft.champ);
    if (!seen) byField.set(draft.champ, draft);
    else if (seen.types && draft.types) {
      const types = [...new Set([...seen.types, ...draft.types])];
      const sample = seen.description.replace(/de type .*\.$/, `de type ${typesPhrase(types)}.`);
      byField.set(draft.champ, { ...seen, types, description: sample });
    } else if (draft.priority < seen.priority) byField.set(draft.champ, draft);
  }
  return [...byField.values()];
}

// ------------------------------------------------------------------------------------ public

export type SectionOf = (champ: string) => Section;

/**
 * Validates `data` against `schemas/<schemaFile>` and returns every violation at once.
 * `rootPointer` is where `data` sits in the request body (`''` for the body itself, `/cerfa` when
 * validating the inner CERFA); `champ` of each violation is `rootPointer` + the path inside `data`.
 * `sectionOf` maps a champ to its section (default: the CERFA sections).
 */
export function validateAgainst(schemaFile: string, data: unknown, rootPointer: string, sectionOf: SectionOf = sectionOfPointer): Violation[] {
  const validate = validatorFor(schemaFile);
  if (validate(data)) return [];
  const index = indexFor(schemaFile);
  const { rest, drafts } = collapseCombinators(validate.errors ?? [], data, index, rootPointer);
  const all = [...drafts, ...rest.map((e) => draftOf(e, data, index, rootPointer))];
  return mergeByField(all).map((d) => {
    const champ = rootPointer + d.champ;
    return { code: d.code, description: d.description, champ, section: sectionOf(champ) };
  });
}

/** A CERFA's members by their section; the request's own members (`numeroInterne`, `origine`) are the request's. */
function dossierSection(champ: string): Section {
  return champ === '/cerfa' || champ.startsWith('/cerfa/') ? sectionOfPointer(champ) : 'requete';
}

/** Body of POST /v1|v2/dossiers: `{"cerfa": {…}}`. */
export function validateDossierRequest(body: unknown): Violation[] {
  return validateAgainst('dossier-request.schema.json', body, '', dossierSection);
}

// Compile the CERFA validators at load time, not on the first request.
validatorFor('dossier-request.schema.json');
indexFor('dossier-request.schema.json');

// ------------------------------------------------------------------------- tolerant reading

/** A schema file by name (`adresse.schema.json`), for readers that walk payloads along it. */
export function schemaNamed(file: string): SchemaNode | undefined {
  return SCHEMAS.get(file.slice(file.lastIndexOf('/') + 1));
}

export interface ReadPayload {
  /** The payload as read: conversions applied (unchanged in strict mode). */
  value: unknown;
  violations: Violation[];
  avertissements: Violation[];
}

/**
 * Reads a payload tolerantly (src/domain/tolerant-reading.ts), then validates what was read. In
 * strict mode nothing is converted: what would have been is refused, next to the schema's errors.
 */
export function readPayload(schemaFile: string, data: unknown, rootPointer: string, sectionOf: SectionOf, strict: boolean): ReadPayload {
  const reading = readTolerantly(schemaFile, data, rootPointer, schemaNamed, { strict, sectionOf });
  const violations = validateAgainst(schemaFile, reading.value, rootPointer, sectionOf);
  const reported = new Set(violations.map((v) => v.champ));
  for (const e of reading.erreurs) if (!reported.has(e.champ)) violations.push(e);
  return { value: reading.value, violations, avertissements: reading.avertissements };
}

/** A body holding a `cerfa` (POST /v1|v2/dossiers, the back office's registration), read tolerantly. */
export function readDossierRequest(body: unknown, strict: boolean, schemaFile = 'dossier-request.schema.json'): ReadPayload {
  return readPayload(schemaFile, body, '', dossierSection, strict);
}
