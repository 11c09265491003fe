// tsc does not copy hand-written or generated .d.ts files: put the contract's types next to the build.
import fs from 'node:fs';
fs.mkdirSync(new URL('../dist/', import.meta.url), { recursive: true });
fs.copyFileSync(new URL('../src/schema.d.ts', import.meta.url), new URL('../dist/schema.d.ts', import.meta.url));
