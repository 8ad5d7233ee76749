import { defineConfig } from 'vitest/config';

// One root run over every package: integration tests are I/O-bound, so run files
// in parallel even on two cores (vitest 4 would otherwise use a single worker here).
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    maxWorkers: 4,
    // Integration tests share two cores with three other files: generous limits, conditions awaited inside.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
