/**
 * Hostile HTTP input, shared by the CI test (test/http/hostile.test.ts) and the chaos suite
 * (bench/chaos/hostile.ts): fast-check generators of whole raw requests over every route of the
 * route table, and a raw sender (node:http, exact bytes: the path is sent as written, bodies are
 * Uint8Arrays — supertest would serialise a Buffer as JSON, fetch would normalise `..` segments).
 *
 * What is generated: JSON bodies with NUL characters and lone UTF-16 surrogates in values and
 * member names (escaped and as raw invalid UTF-8), bad percent-encoding in paths and query strings,
 * corrupt gzip / deflate / non-brotli bodies under their Content-Encoding, nesting of 100 to 10 000
 * levels, huge numbers, wrong types, broken multipart, CSV and forms, bodies of the wrong kind.
 */
import http from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { concretePaths, rolesOf, type KeyRole, type RouteDeclaration } from '../../src/http/route-table/declaration.js';
import { validCerfaPayload } from '../fixtures/cerfa.js';

export type BodyKind = 'json' | 'upload' | 'csv' | 'form' | undefined;

export interface HostileRoute {
  method: string;
  /** Concrete path, path parameters still as `{name}`. */
  template: string;
  /** The key roles the route accepts (none: a public route). */
  roles: readonly KeyRole[];
  query: string[];
  body: BodyKind;
  idempotent: boolean;
}

export interface HostileRequest {
  method: string;
  /** Raw request target, sent byte for byte. */
  path: string;
  /** The key sent when `auth` is `role`: one of the route's roles (`public`: none). */
  role: KeyRole | 'public';
  /** Every role the route accepts (`other-role` sends a key of none of them). */
  roles: readonly KeyRole[];
  /** The route of the table this case aims at (`METHOD template`). */
  route: string;
  /** Which key to send: the route's role, none, or a wrong one. */
  auth: 'role' | 'none' | 'wrong' | 'other-role';
  headers: Record<string, string>;
  body?: Uint8Array;
  /** Short human description of the input (never a key). */
  description: string;
}

/** Every concrete route of the table (one per version). */
export function hostileRoutes(table: readonly RouteDeclaration[]): HostileRoute[] {
  return table.flatMap((d) => concretePaths(d).map(({ path }) => ({
    method: d.method,
    template: path,
    roles: rolesOf(d),
    query: Object.keys(d.query ?? {}),
    body: d.body?.kind,
    idempotent: Boolean(d.idempotent),
  })));
}

/** Real identifiers the path parameters may take, so that some cases reach the handlers. */
export interface HostileIds {
  numeroInterne?: string;
}

const enc = new TextEncoder();
const bytes = (text: string): Uint8Array => enc.encode(text);
const latin1 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));
const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

interface Body {
  bytes: Uint8Array;
  contentType?: string;
  description: string;
}

// ---------------------------------------------------------------------------------------------
// Path and query

/** Bad or odd percent-encodings, written raw into the request target. */
export const BAD_PERCENT = ['%C3%28', '%E0%A4%A', '%', '%%', '%ZZ', '%E0%A4', '%FF', '%C0%AF', '%ED%A0%80', '%ED%B0%80', '%00', '%F4%90%80%80', 'a%2', '%u0041'] as const;

const plausibleId = fc.constantFrom('1', '0', '-1', '123456789012', '99999999999999999999', 'abc', '1.5', '1e3', 'TRANSMIS', '0x10');
const hostileId = fc.oneof(
  fc.constantFrom(...BAD_PERCENT),
  fc.constantFrom('..', '.', '..%2F..%2Fetc%2Fpasswd', '%2F', '%27%20or%201%3D1', '%3Cscript%3E', '1%20', '%F0%9F%98%80', '%EF%BB%BF1'),
  // Long, but the whole request head stays under node's 16 KB header limit (beyond it node answers 431 itself).
  fc.integer({ min: 200, max: 3000 }).map((n) => '9'.repeat(n)),
  fc.string({ unit: 'binary', maxLength: 12 }).map((s) => encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, '')) || 'x'),
);

function pathParam(ids: HostileIds): fc.Arbitrary<{ value: string; hostile: boolean }> {
  return fc.oneof(
    { arbitrary: fc.constant(ids.numeroInterne ?? '123456789012').map((value) => ({ value, hostile: false })), weight: 2 },
    { arbitrary: plausibleId.map((value) => ({ value, hostile: false })), weight: 2 },
    { arbitrary: hostileId.map((value) => ({ value, hostile: true })), weight: 4 },
  );
}

/** A query value, written raw: either safely encoded text or a hostile raw encoding. */
const queryValue = fc.oneof(
  fc.constantFrom('1', '0', '-1', '', '2025-09-01', '2025-02-30', 'TRANSMIS', 'ENGAGE', '99999999999999999999', '1e309', '1.5', 'true', 'null').map(encodeURIComponent),
  fc.constantFrom(...BAD_PERCENT),
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 20 }).map((s) => s.replace(/[\uD800-\uDFFF]/g, '')).map(encodeURIComponent),
  fc.integer({ min: 500, max: 2000 }).map((n) => 'a'.repeat(n)),
);

function queryString(names: readonly string[]): fc.Arbitrary<string> {
  const name = fc.oneof(
    fc.constantFrom(...names, 'inconnu', 'numeroInterne', 'numeroPage'),
    fc.constantFrom(...names, 'x').map((n) => `${n}[]`),
    fc.constantFrom(...names, 'x').map((n) => `${n}[a][b]`),
    fc.constantFrom(...BAD_PERCENT),
  );
  return fc.oneof(
    { arbitrary: fc.constant(''), weight: 1 },
    { arbitrary: fc.array(fc.tuple(name, queryValue), { minLength: 1, maxLength: 5 }).map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`), weight: 5 },
    { arbitrary: fc.constantFrom('?', '?&&&', '?=', '?=%', '?%', '?%C3%28', '?a=1&a=2&a=3', '?numeroInterne&numeroInterne=', '?__proto__=1', '?constructor[prototype][x]=1', '?numeroPage=1&numeroPage=2'), weight: 1 },
  );
}

// ---------------------------------------------------------------------------------------------
// JSON values

/** Hostile strings: NUL, lone surrogates, huge, odd but legal text. */
export const hostileString = fc.oneof(
  fc.constantFrom('\u0000', 'a\u0000b', '\uD800', '\uDFFF', 'x\uDBFF', '\uDC00y', '\uD83D\uDE00', '\uFEFF', '\u202E', '%C3%28', '1e309', '-0', ' ', '', '9'.repeat(400)),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer({ min: 1, max: 200 }).map((n) => '\u0000'.repeat(n)),
);

/** Numbers written as JSON text (beyond what a double holds, negative zero, exponents). */
export const hugeNumberText = fc.oneof(
  fc.constantFrom('1e309', '-1e309', '1e999999', '1E-400', '-0', '0.0000000000000000000001', '9007199254740993', '123456789012345678901234567890', '1.7976931348623157e308', '5e-324'),
  fc.integer({ min: 20, max: 5000 }).map((n) => '9'.repeat(n)),
  fc.integer({ min: 20, max: 2000 }).map((n) => `0.${'1'.repeat(n)}`),
);

/** Values of the wrong type for any field. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(null, true, false, 0, -1, 1.5, Number.MAX_SAFE_INTEGER, -Number.MAX_VALUE, [], {}, [null], { '': null }, ['2025-09-01'], { valeur: '1' }),
  fc.double(),
  fc.integer(),
);

/** JSON text with a value hidden at a random place: `{"field": <text>}` shapes. */
const FIELD_NAMES = ['cerfa', 'convention', 'facture', 'lignes', 'numeroInterne', 'numeroInterneDossier', 'dateRupture', 'vers', 'commentaire', 'montant',
  'montantTotal', 'dateNaissance', 'dateDebutContrat', 'employeur', 'apprenti', 'contrat', 'siret', 'siren', 'referenceVirement', 'dateReglement',
  'mode', 'motif', 'typeCertificat', '_files', 'numero', 'role', 'libelle', 'numeroDeca', 'dateFinValidite', 'dossiers', 'reglements', '__proto__', 'constructor'];

/** Leaf paths of a valid CERFA where a hostile value is planted. */
function cerfaPaths(): string[][] {
  const sample = validCerfaPayload(1) as unknown as Record<string, unknown>;
  const out: string[][] = [];
  const walk = (v: unknown, path: string[]): void => {
    if (path.length > 6) return;
    if (Array.isArray(v)) v.slice(0, 2).forEach((c, i) => walk(c, [...path, String(i)]));
    else if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, [...path, k]);
    else out.push(path);
  };
  walk(sample, []);
  return out;
}
const CERFA_PATHS = cerfaPaths();

function plant(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node: Record<string, unknown> = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (!next || typeof next !== 'object') return;
    node = next as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (last !== undefined) node[last] = value;
}

function describeValue(v: unknown): string {
  if (typeof v === 'string') {
    if (v.includes('\u0000')) return 'string with NUL';
    if (/[\uD800-\uDFFF]/.test(v)) return 'string with surrogate(s)';
    return `string(${v.length})`;
  }
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

const jsonBody: fc.Arbitrary<Body> = fc.oneof(
  // A valid CERFA with one field set to a hostile or wrong-typed value.
  fc.tuple(fc.integer({ min: 1, max: 600 }), fc.constantFrom(...CERFA_PATHS), wrongValue).map(([seed, path, value]) => {
    const body = validCerfaPayload(seed) as unknown as Record<string, unknown>;
    plant(body, path, value);
    return { bytes: bytes(JSON.stringify(body)), description: `cerfa /${path.join('/')} = ${describeValue(value)}` };
  }),
  // A valid CERFA with a huge number written in place of a field.
  fc.tuple(fc.constantFrom(...CERFA_PATHS), hugeNumberText).map(([path, num]) => {
    const body = validCerfaPayload(7) as unknown as Record<string, unknown>;
    plant(body, path, '__HUGE__');
    return { bytes: bytes(JSON.stringify(body).replace('"__HUGE__"', num)), description: `cerfa /${path.join('/')} = number text(${num.length})` };
  }),
  // Objects with the norm's field names and hostile values.
  fc.dictionary(fc.constantFrom(...FIELD_NAMES), wrongValue, { minKeys: 1, maxKeys: 6 }).map((o) => ({ bytes: bytes(JSON.stringify(o)), description: `object {${Object.keys(o).join(',')}} hostile values` })),
  // Member names with NUL or a lone surrogate, at the top or inside the CERFA.
  fc.tuple(fc.constantFrom('a\u0000b', '\u0000', '\uD800', 'nom\uDC00', 'cerfa\u0000', '\uDBFF\uDBFF'), fc.boolean()).map(([name, nested]) => {
    const body = validCerfaPayload(3) as unknown as Record<string, Record<string, unknown>>;
    if (nested && body.cerfa) body.cerfa[name] = 'x';
    const o = nested ? body : { [name]: 1, cerfa: body.cerfa };
    return { bytes: bytes(JSON.stringify(o)), description: `member name with ${name.includes('\u0000') ? 'NUL' : 'lone surrogate'}${nested ? ' in cerfa' : ''}` };
  }),
  // Deep nesting, 100 to 10 000 levels, arrays or objects, bare or under a member.
  fc.tuple(fc.integer({ min: 100, max: 10_000 }), fc.constantFrom('array', 'object', 'mixed'), fc.boolean()).map(([depth, shape, wrapped]) => {
    const open = shape === 'array' ? '['.repeat(depth) : shape === 'object' ? '{"a":'.repeat(depth) : '[{"a":'.repeat(Math.ceil(depth / 2));
    const close = shape === 'array' ? ']'.repeat(depth) : shape === 'object' ? `1${'}'.repeat(depth)}` : `1${'}]'.repeat(Math.ceil(depth / 2))}`;
    const text = wrapped ? `{"cerfa":${open}${close}}` : `${open}${close}`;
    return { bytes: bytes(text), description: `nesting ${depth} levels (${shape}${wrapped ? ' under cerfa' : ''})` };
  }),
  // Huge numbers, as the whole body or a member.
  hugeNumberText.map((num) => ({ bytes: bytes(`{"montant":${num},"numeroInterne":${num},"cerfa":${num}}`), description: `members = number text(${num.length})` })),
  // Wrong types at the top.
  fc.constantFrom('[]', '""', '0', 'null', 'true', '"cerfa"', '[{"cerfa":{}}]', '{"cerfa":[]}', '{"cerfa":"x"}', '{"cerfa":null}', '{}', '{"__proto__":{"isAdmin":true}}', '{"constructor":{"prototype":{"x":1}}}')
    .map((text) => ({ bytes: bytes(text), description: `top-level ${text.slice(0, 30)}` })),
  // Raw bytes JSON.stringify would never write: invalid UTF-8, raw NUL and control bytes, BOM, truncation.
  fc.constantFrom(
    ['{"cerfa":"\xED\xA0\x80"}', 'raw lone surrogate bytes in a value'],
    ['{"\xED\xB0\x80":1}', 'raw lone surrogate bytes in a member name'],
    ['{"cerfa":"a\x00b"}', 'raw NUL byte in a string'],
    ['{"a\x00":1}', 'raw NUL byte in a member name'],
    ['{"cerfa":"\xC3\x28"}', 'invalid UTF-8 sequence'],
    ['{"cerfa":"\xFF\xFE"}', 'invalid UTF-8 bytes'],
    ['\xEF\xBB\xBF{"cerfa":{}}', 'UTF-8 BOM before the JSON'],
    ['\xFF\xFE{\x00}\x00', 'UTF-16 LE BOM'],
    ['{"cerfa":', 'truncated JSON'],
    ['{"cerfa":{}}garbage', 'trailing garbage'],
    ['{"a":"\\ud800"}', 'escaped lone surrogate'],
    ['{"a":"\\u0000"}', 'escaped NUL'],
    ['{"\\ud800\\u0000":"\\udc00"}', 'escaped NUL and surrogates in member name and value'],
    ['{"a":"\\uZZZZ"}', 'bad unicode escape'],
    ['{"a":1,"a":2}', 'duplicate member'],
    ['', 'empty body'],
  ).map(([text, description]) => ({ bytes: latin1(text), description })),
);

// ---------------------------------------------------------------------------------------------
// Other body kinds

const BOUNDARY = 'hostileBoundary7MA4YWxk';
function multipart(parts: Array<{ name: string; filename?: string; type?: string; content: Uint8Array }>, close = true): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    const disposition = `Content-Disposition: form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    chunks.push(latin1(`--${BOUNDARY}\r\n${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`), p.content, latin1('\r\n'));
  }
  if (close) chunks.push(latin1(`--${BOUNDARY}--\r\n`));
  return concat(...chunks);
}

const PDF = latin1('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

const uploadBody: fc.Arbitrary<Body> = fc.oneof(
  // A part description that is hostile JSON, with a file.
  fc.tuple(fc.constantFrom('convention', 'facture', 'document', 'infosFichier', 'a\u0000b'), jsonBody, fc.constantFrom(PDF, latin1('\x00\x01garbage'), new Uint8Array(0))).map(([name, json, file]) => ({
    bytes: multipart([{ name, type: 'application/json', content: json.bytes }, { name: 'fichier', filename: 'f.pdf', type: 'application/pdf', content: file }]),
    contentType: `multipart/form-data; boundary=${BOUNDARY}`,
    description: `multipart part ${JSON.stringify(name)} = ${json.description}`,
  })),
  // Broken multipart framing.
  fc.constantFrom(
    [multipart([{ name: 'convention', content: bytes('{}') }], false), `multipart/form-data; boundary=${BOUNDARY}`, 'multipart without closing boundary'],
    [multipart([{ name: 'convention', content: bytes('{}') }]), 'multipart/form-data', 'multipart without boundary parameter'],
    [multipart([{ name: 'convention', content: bytes('{}') }]), 'multipart/form-data; boundary=autre', 'multipart with the wrong boundary'],
    [latin1('garbage\r\n\r\n--'), `multipart/form-data; boundary=${BOUNDARY}`, 'multipart garbage'],
    [multipart([{ name: 'fichier', filename: '../../etc/passwd\u0000.pdf', content: PDF }, { name: 'fichier', filename: 'b.pdf', content: PDF }]), `multipart/form-data; boundary=${BOUNDARY}`, 'two files, hostile file name'],
    [multipart(Array.from({ length: 300 }, (_, i) => ({ name: `p${i}`, content: bytes('x') }))), `multipart/form-data; boundary=${BOUNDARY}`, '300 parts'],
  ).map(([b, contentType, description]) => ({ bytes: b as Uint8Array, contentType: contentType as string, description: description as string })),
  // The JSON transport with base64 files that are not base64, or not files.
  fc.tuple(fc.constantFrom('!!!not-base64', '', 'AAAA', '\u0000', '\uD800', 'JVBERi0xLjQK'.repeat(3)), fc.constantFrom('fichier', 'convention', 'facture', '\u0000')).map(([b64, key]) => ({
    bytes: bytes(JSON.stringify({ convention: { numeroInterne: '1' }, facture: { lignes: [] }, _files: { [key]: b64 } })),
    contentType: 'application/json',
    description: `JSON transport, _files[${JSON.stringify(key)}] = ${describeValue(b64)}`,
  })),
);

const csvBody: fc.Arbitrary<Body> = fc.oneof(
  fc.constantFrom(
    ['rncp,idcc,npec,date_effet\nRNCP35340,1486,\x00,2025-02-30\n', 'CSV with NUL'],
    ['rncp,idcc,npec,date_effet\nRNCP35340,1486,1e999999,2025-09-01\n', 'CSV huge number'],
    ['rncp,idcc,npec,date_effet\nRNCP\xED\xA0\x80,1486,8000,2025-09-01\n', 'CSV raw lone surrogate bytes'],
    ['rncp,idcc,npec,date_effet\n"RNCP1,1486,8000,2025-09-01\n', 'CSV unbalanced quote'],
    ['\xFF\xFE\x00r', 'CSV UTF-16 bytes'],
    ['', 'empty CSV'],
    [`rncp,idcc,npec,date_effet\n${'RNCP1,1,'.repeat(5000)}\n`, 'CSV very long line'],
  ).map(([text, description]) => ({ bytes: latin1(text), contentType: 'text/csv', description })),
  fc.array(fc.tuple(fc.constantFrom('RNCP35340', '', 'RNCP%C3%28', '\u0000'), fc.oneof(fc.constantFrom('1486', '-1'), hugeNumberText), hugeNumberText, fc.constantFrom('2025-09-01', '2025-02-30', '')), { maxLength: 5 })
    .map((rows) => ({ bytes: bytes(`rncp,idcc,npec,date_effet\n${rows.map((r) => r.join(',')).join('\n')}\n`), contentType: 'text/csv', description: `CSV ${rows.length} hostile rows` })),
);

const formBody: fc.Arbitrary<Body> = fc.array(fc.tuple(fc.constantFrom('grant_type', 'client_id', 'client_secret', 'scope', 'x', '%', '%C3%28'), fc.oneof(queryValue, fc.constant('client_credentials'))), { maxLength: 5 })
  .map((pairs) => ({ bytes: latin1(pairs.map(([k, v]) => `${k}=${v}`).join('&')), contentType: 'application/x-www-form-urlencoded', description: `form ${pairs.map(([k]) => k).join('&')} with hostile encodings` }));

function bodyFor(kind: BodyKind): fc.Arbitrary<Body> {
  const own = kind === 'upload' ? uploadBody : kind === 'csv' ? csvBody : kind === 'form' ? formBody : jsonBody;
  // Mostly the route's own kind; sometimes another (wrong content type, or a body on a GET).
  return fc.oneof({ arbitrary: own, weight: 6 }, { arbitrary: fc.oneof(jsonBody, uploadBody, csvBody, formBody), weight: 1 });
}

// ---------------------------------------------------------------------------------------------
// Content-Encoding and Content-Type

type Encoded = { bytes: Uint8Array; headers: Record<string, string>; description: string };

const encoding: fc.Arbitrary<(b: Uint8Array) => Encoded> = fc.oneof(
  { arbitrary: fc.constant((b: Uint8Array) => ({ bytes: b, headers: {}, description: '' })), weight: 6 },
  {
    arbitrary: fc.constantFrom<[string, string, (b: Uint8Array) => Uint8Array]>(
      ['gzip', 'valid gzip', (b) => new Uint8Array(gzipSync(b))],
      ['gzip', 'corrupt gzip', () => latin1('\x1f\x8b\x08\x00garbage')],
      ['gzip', 'truncated gzip', (b) => new Uint8Array(gzipSync(b)).slice(0, 12)],
      ['gzip', 'gzip of plain bytes (not compressed)', (b) => b],
      ['gzip', 'gzip bomb-ish (1 MB of zeros)', () => new Uint8Array(gzipSync(Buffer.alloc(1_100_000)))],
      ['br', 'non-brotli body', (b) => b],
      ['br', 'valid brotli', (b) => new Uint8Array(brotliCompressSync(b))],
      ['br', 'truncated brotli', (b) => new Uint8Array(brotliCompressSync(b)).slice(0, 5)],
      ['deflate', 'corrupt deflate', () => latin1('zz\x00\xff')],
      ['deflate', 'valid deflate', (b) => new Uint8Array(deflateSync(b))],
      ['gzip, br', 'stacked encodings, plain body', (b) => b],
      ['compress', 'unsupported encoding', (b) => b],
      ['identity', 'identity', (b) => b],
      ['GZIP', 'upper-case gzip, corrupt', () => latin1('\x1f\x8b\x08\x00\x00')],
    ).map(([name, description, f]) => (b: Uint8Array) => ({ bytes: f(b), headers: { 'Content-Encoding': name }, description })),
    weight: 3,
  },
);

const contentTypeOverride = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 8 },
  { arbitrary: fc.constantFrom('application/json; charset=utf-16', 'application/json; charset=latin1', 'application/json; charset=x-bogus', 'text/plain', 'application/vnd.api+json', 'application/json;;;', '*/*', 'multipart/form-data', 'application/x-www-form-urlencoded'), weight: 1 },
);

const idempotencyKey = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 3 },
  { arbitrary: fc.constantFrom('k-1', '', ' ', 'x'.repeat(300), '%00', 'é\xe9', '../../', 'k;k=1'), weight: 1 },
  { arbitrary: fc.uuid(), weight: 1 },
);

// ---------------------------------------------------------------------------------------------
// Whole requests

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const PATH_SUFFIX = fc.oneof({ arbitrary: fc.constant(''), weight: 12 }, { arbitrary: fc.constantFrom('/', '%', '/%C3%28', '%E0%A4%A', '//', ';x=1', '/..', '.json'), weight: 1 });

/** One hostile request aimed at one of `routes`. */
export function hostileRequest(routes: readonly HostileRoute[], ids: HostileIds = {}): fc.Arbitrary<HostileRequest> {
  return fc.constantFrom(...routes).chain((route) => {
    const params = [...route.template.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1] ?? '');
    return fc.record({
      route: fc.constant(route),
      params: fc.tuple(...params.map(() => pathParam(ids))),
      suffix: PATH_SUFFIX,
      query: queryString(route.query.length ? route.query : ['q']),
      // Writes always carry a body; reads sometimes do.
      body: route.method === 'get' || route.method === 'delete'
        ? fc.option(bodyFor(undefined), { freq: 6 })
        : fc.option(bodyFor(route.body), { freq: 12 }),
      encode: encoding,
      contentType: contentTypeOverride,
      method: fc.oneof({ arbitrary: fc.constant(route.method), weight: 15 }, { arbitrary: fc.constantFrom(...METHODS), weight: 1 }),
      auth: fc.oneof({ arbitrary: fc.constant<HostileRequest['auth']>('role'), weight: 12 }, { arbitrary: fc.constantFrom<HostileRequest['auth']>('none', 'wrong', 'other-role'), weight: 1 }),
      idempotency: route.idempotent ? idempotencyKey : fc.constant(undefined),
      // A route of several roles is called with a key of any of them.
      keyRole: route.roles.length > 1 ? fc.constantFrom(...route.roles) : fc.constant<KeyRole | 'public'>(route.roles[0] ?? 'public'),
    });
  }).map(({ route, params, suffix, query, body, encode, contentType, method, auth, idempotency, keyRole }) => {
    let i = 0;
    const described: string[] = [];
    const path = route.template.replace(/\{([A-Za-z]+)\}/g, (_m, name: string) => {
      const p = params[i++];
      if (p?.hostile) described.push(`${name}=${p.value.length > 40 ? `${p.value.slice(0, 12)}…(${p.value.length})` : p.value}`);
      return p?.value ?? '1';
    }) + suffix;
    if (suffix) described.push(`path suffix ${suffix}`);
    if (query) described.push(`query ${query.length > 80 ? `${query.slice(0, 60)}…(${query.length})` : query}`);
    const headers: Record<string, string> = {};
    let payload: Uint8Array | undefined;
    if (body) {
      const encoded = encode(body.bytes);
      payload = encoded.bytes;
      Object.assign(headers, encoded.headers);
      const type = contentType ?? body.contentType ?? 'application/json';
      headers['Content-Type'] = type;
      described.push(body.description);
      if (encoded.description) described.push(encoded.description);
      if (contentType) described.push(`Content-Type ${contentType}`);
    }
    if (idempotency !== undefined) {
      headers['Idempotency-Key'] = idempotency;
      described.push('Idempotency-Key');
    }
    if (auth !== 'role') described.push(`key: ${auth}`);
    if (method !== route.method) described.push(`method ${method.toUpperCase()} on a ${route.method.toUpperCase()} route`);
    return {
      method: method.toUpperCase(),
      path: `${path}${query}`,
      role: keyRole,
      roles: route.roles,
      route: `${route.method.toUpperCase()} ${route.template}`,
      auth,
      headers,
      body: payload,
      description: described.join('; ').slice(0, 300) || 'plain',
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Raw sending

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  ms: number;
}

/** A valid key of each role. */
export type Keys = Record<KeyRole, string>;

/** The X-API-KEY header of a case. */
export function keyHeader(req: Pick<HostileRequest, 'auth' | 'role' | 'roles'>, keys: Keys): Record<string, string> {
  switch (req.auth) {
    case 'none': return {};
    case 'wrong': return { 'X-API-KEY': 'cfa_0000000000000000000000000000000000000000000' };
    case 'other-role': {
      // A key of a role the route does not accept: the back office's, or a CFA's on a back-office route.
      const other = (['opco', 'cfa', 'entreprise'] as const).find((r) => !req.roles.includes(r));
      return other ? { 'X-API-KEY': keys[other] } : {};
    }
    default: return req.role === 'public' ? {} : { 'X-API-KEY': keys[req.role] };
  }
}

/** Sends the request byte for byte; rejects on a socket error or after `timeoutMs`. */
export function sendRaw(target: { host: string; port: number; agent?: http.Agent }, req: HostileRequest, keys: Keys, timeoutMs = 15_000): Promise<RawAnswer> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...req.headers, ...keyHeader(req, keys) };
    if (req.body) headers['Content-Length'] = req.body.byteLength;
    const outgoing = http.request({ host: target.host, port: target.port, method: req.method, path: req.path, headers, agent: target.agent, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), ms: Date.now() - started }));
      res.on('error', reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', reject);
    outgoing.end(req.body ? Buffer.from(req.body) : undefined);
  });
}

/** True when `text` is the norm's error body: `{errors: [{code, description}, …]}`. */
export function isErrorShape(text: string): boolean {
  try {
    const body = JSON.parse(text) as { errors?: unknown };
    return Array.isArray(body.errors) && body.errors.length > 0 && body.errors.every((e: unknown) => {
      if (typeof e !== 'object' || e === null) return false;
      const { code, description } = e as { code?: unknown; description?: unknown };
      return typeof code === 'string' && code.length > 0 && typeof description === 'string';
    });
  } catch {
    return false;
  }
}
