/**
 * A CFA list route, declared as data like any route: the list's filters, sort keys, item schema and
 * export columns give the query parameters (`q`, `tri`, `ordre`, `numeroPage`, `taillePage`,
 * `format`, its filters), the JSON page `{total, page, items}`, and the xlsx / csv exports of the
 * same rows with the same filters.
 */
import type { Knex } from 'knex';
import type { ListFilters, Ordre } from '../../db/listing.js';
import type { CfaActor } from '../../services/actor.js';
import { batchesOfList, pageOfList, type ListSource } from '../../services/listes.js';
import { cfaActor } from '../context.js';
import { EXPORT_FORMATS, EXPORT_MEDIA_TYPES, sendExport, type ExportColumn } from '../exports.js';
import type { JsonSchema, OperationId, ParameterDeclaration, RouteDeclaration } from './declaration.js';
import { pageParameters } from './paging.js';

export const LIST_PAGE_SIZE = 50;

export interface ListDeclaration<Row, Line = Row> {
  operationId: OperationId;
  /** `/v2/...` (these lists are v2 only). */
  path: string;
  tags: readonly string[];
  summary: string;
  description?: string;
  filters?: Readonly<Record<string, ParameterDeclaration>>;
  /** Sort keys of the listing; the first is the default. */
  sorts: readonly [string, ...string[]];
  defaultOrder: Ordre;
  itemSchema: JsonSchema;
  /** Download name (without extension) and sheet title. */
  file: { name: string; title: string };
  source(db: Knex, cfa: CfaActor, filters: ListFilters, now: Date): ListSource<Row>;
  item(row: Row): unknown;
  /** The export lines of one row (`oneLine` when a row is a line). */
  lines(row: Row): Line[];
  columns: ReadonlyArray<ExportColumn<Line>>;
}

const Q: ParameterDeclaration = {
  description: 'Recherche : nom, prénom ou nom complet de l’apprenti (« prénom nom » ou « nom prénom »), numéro de dossier ou de facture, employeur (nom ou SIRET)',
  schema: { type: 'string', maxLength: 200 },
};

/** The validated query, read back with the types the declaration gave it. */
function readQuery(query: unknown, filterNames: readonly string[]): { page: number; size: number; tri?: string; ordre?: Ordre; format?: string; filters: ListFilters } {
  const q = typeof query === 'object' && query !== null ? (query as Record<string, unknown>) : {};
  const num = (v: unknown, d: number): number => (typeof v === 'number' ? v : d);
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const filters: Record<string, string | number | undefined> = {};
  for (const name of [...filterNames, 'q']) {
    const v = q[name];
    if (typeof v === 'string' || typeof v === 'number') filters[name] = v;
  }
  const ordre = str(q.ordre);
  return {
    page: num(q.numeroPage, 1),
    size: num(q.taillePage, LIST_PAGE_SIZE),
    tri: str(q.tri),
    ordre: ordre === 'asc' || ordre === 'desc' ? ordre : undefined,
    format: str(q.format),
    filters,
  };
}

export function listRoute<Row, Line = Row>(list: ListDeclaration<Row, Line>): RouteDeclaration {
  const filterNames = Object.keys(list.filters ?? {});
  const declaration: RouteDeclaration = {
    operationId: list.operationId,
    method: 'get',
    path: list.path,
    role: 'cfa',
    tags: list.tags,
    summary: list.summary,
    description: `${list.description ? `${list.description}\n\n` : ''}Filtres, recherche \`q\`, tri (\`tri\`, \`ordre\`) et pagination ; \`format=xlsx\` ou \`format=csv\` exporte toute la liste filtrée (xlsx : dates et montants typés, ligne de filtre, en-tête figé ; csv : UTF-8 avec BOM, séparateur « ; »).`,
    query: {
      q: Q,
      ...list.filters,
      tri: { description: `Tri (défaut ${list.sorts[0]})`, schema: { type: 'string', enum: [...list.sorts], default: list.sorts[0] } },
      ordre: { description: `Ordre du tri (défaut ${list.defaultOrder})`, schema: { type: 'string', enum: ['asc', 'desc'], default: list.defaultOrder } },
      ...pageParameters(LIST_PAGE_SIZE, 1000),
      format: { description: 'json (défaut) : une page ; xlsx ou csv : toute la liste en fichier', schema: { type: 'string', enum: ['json', ...EXPORT_FORMATS], default: 'json' } },
    },
    responses: {
      200: {
        description: 'Une page de la liste, ou son export (format=xlsx|csv)',
        schema: {
          type: 'object',
          required: ['total', 'page', 'items'],
          properties: { total: { type: 'integer' }, page: { type: 'integer' }, items: { type: 'array', items: list.itemSchema } },
        },
        content: EXPORT_MEDIA_TYPES,
      },
    },
    async handler(input: { query: unknown }, { req, res, deps, now }) {
      const q = readQuery(input.query, filterNames);
      const read = { tri: q.tri ?? list.sorts[0], ordre: q.ordre ?? list.defaultOrder };
      const source = list.source(deps.db, cfaActor(req), q.filters, await now());
      if (q.format === 'xlsx' || q.format === 'csv') {
        const lines = mapBatches(batchesOfList(deps.db, source, read), (rows) => rows.flatMap((r) => list.lines(r)));
        await sendExport(res, q.format, { name: `${list.file.name}-${new Date().toISOString().slice(0, 10)}`, title: list.file.title }, list.columns, lines);
        return undefined;
      }
      const { total, rows } = await pageOfList(deps.db, source, { ...read, page: q.page, size: q.size });
      return { total, page: q.page, items: rows.map((r) => list.item(r)) };
    },
  };
  return declaration;
}

/** For lists whose export has one line per row. */
export const oneLine = <T>(row: T): T[] => [row];

async function* mapBatches<A, B>(batches: AsyncIterable<A[]>, f: (rows: A[]) => B[]): AsyncGenerator<B[]> {
  for await (const rows of batches) yield f(rows);
}
