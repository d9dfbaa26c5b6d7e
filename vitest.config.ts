import { defineConfig } from 'vitest/config';

// Two projects: fast unit/interop tests run in parallel; browser end-to-end tests run one file at a time
// because they start servers and Chromium, which a 2-core machine cannot multiply.
export default defineConfig({
  test: {
    globalSetup: ['scripts/vitest-global-setup.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'server/**/*.test.ts', 'scripts/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
