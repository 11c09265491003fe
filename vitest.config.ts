import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The sync example imports the client by its package name; tests run it on the client's sources.
  resolve: { alias: { '@convergence-gateway/client': new URL('./clients/ts/src/index.ts', import.meta.url).pathname } },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
