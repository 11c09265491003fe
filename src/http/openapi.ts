/**
 * The contract lives in contracts/openapi.json and refers to the JSON Schemas of schemas/ by
 * relative file references (the schemas are the source of truth for payloads). For serving, the
 * document is bundled: each referenced schema file becomes `#/components/schemas/<name>`.
 */
import fs from 'node:fs';
import { projectPath } from '../paths.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const SCHEMA_FILE = /^(?:\.\.\/schemas\/)?([a-z0-9-]+)\.schema\.json(#.*)?$/;

function componentName(file: string): string {
  return file.replace(/(^|-)([a-z0-9])/g, (_m, _sep: string, c: string) => c.toUpperCase());
}

function rewrite(node: Json, wanted: Set<string>): Json {
  if (Array.isArray(node)) return node.map((n) => rewrite(n, wanted));
  if (node === null || typeof node !== 'object') return node;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      const m = SCHEMA_FILE.exec(value);
      if (m?.[1]) {
        wanted.add(m[1]);
        const fragment = m[2] && m[2] !== '#' ? m[2].slice(1) : '';
        out[key] = `#/components/schemas/${componentName(m[1])}${fragment}`;
        continue;
      }
    }
    if (key === '$id' || key === '$schema') continue;
    out[key] = rewrite(value, wanted);
  }
  return out;
}

let cached: Json | undefined;

export function bundledOpenApi(): Json {
  if (cached) return cached;
  const contract = JSON.parse(fs.readFileSync(projectPath('contracts/openapi.json'), 'utf8')) as { [key: string]: Json };
  const wanted = new Set<string>();
  const doc = rewrite(contract, wanted) as { [key: string]: Json };
  const components = (doc.components ?? {}) as { [key: string]: Json };
  const schemas = (components.schemas ?? {}) as { [key: string]: Json };
  const done = new Set<string>();
  while (done.size < wanted.size) {
    for (const name of [...wanted]) {
      if (done.has(name)) continue;
      done.add(name);
      const schema = JSON.parse(fs.readFileSync(projectPath(`schemas/${name}.schema.json`), 'utf8')) as Json;
      schemas[componentName(name)] = rewrite(schema, wanted);
    }
  }
  doc.components = { ...components, schemas };
  cached = doc;
  return doc;
}
