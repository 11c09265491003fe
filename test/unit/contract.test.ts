import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderContract } from '../../contracts/build.js';
import { renderTypes, TYPES_FILE } from '../../contracts/generate-types.js';
import { bundledOpenApi } from '../../src/http/openapi.js';

describe('OpenAPI contract', () => {
  it('contracts/openapi.json is up to date with contracts/document.ts (run `npm run contract`)', () => {
    const committed = fs.readFileSync(new URL('../../contracts/openapi.json', import.meta.url), 'utf8');
    expect(committed).toBe(renderContract());
  });

  it('the generated TypeScript types are up to date (run `npm run contract`)', async () => {
    const committed = fs.readFileSync(TYPES_FILE, 'utf8');
    expect(committed).toBe(await renderTypes());
  }, 30_000);

  it('the served document is self-contained: every $ref points inside it', () => {
    const doc = bundledOpenApi() as Record<string, unknown>;
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    const schemas = (doc.components as { schemas: Record<string, unknown> }).schemas;
    for (const r of refs) {
      const target = r.slice(8, -1);
      expect(target.startsWith('#/components/')).toBe(true);
      const name = target.split('/')[3] ?? '';
      if (target.startsWith('#/components/schemas/')) expect(schemas[name], target).toBeDefined();
    }
  });
});
