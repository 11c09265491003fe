import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CERFA_EXAMPLE, renderCerfaExample, renderContract } from '../../contracts/build.js';
import { renderTypes, TYPES_FILE } from '../../contracts/generate-types.js';

describe('OpenAPI contract', () => {
  it('contracts/openapi.json is up to date with the route table (run `npm run contract`)', () => {
    const committed = fs.readFileSync(new URL('../../contracts/openapi.json', import.meta.url), 'utf8');
    expect(committed).toBe(renderContract());
  });

  it('docs/examples/cerfa.json, the README\'s sample contract, is up to date (run `npm run contract`)', () => {
    expect(fs.readFileSync(CERFA_EXAMPLE, 'utf8')).toBe(renderCerfaExample());
  });

  it('the generated TypeScript types are up to date (run `npm run contract`)', async () => {
    const committed = fs.readFileSync(TYPES_FILE, 'utf8');
    expect(committed).toBe(await renderTypes());
  }, 30_000);
});
