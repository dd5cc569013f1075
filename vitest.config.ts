import { defineConfig } from 'vitest/config';

/**
 * Three projects, one run (`npm test`):
 * - unit: pure code beside its sources, no servers;
 * - integration: per-service tests against a real Mosquitto and a real InfluxDB (global setup);
 * - e2e: whole flows at the root (simulator → broker → ingest → store → API → browser).
 * Workspace packages resolve to their TypeScript sources through the `source` export condition,
 * so tests never run against stale build output.
 */
const resolve = { conditions: ['source'] };
const ssr = { resolve: { conditions: ['source'], externalConditions: ['source'] } };
const realServices = { globalSetup: ['packages/test-harness/src/global-setup.ts'] };

export default defineConfig({
  test: {
    reporters: process.env['CI'] ? ['default', 'json'] : ['default'],
    outputFile: { json: 'reports/vitest.json' },
    projects: [
      {
        resolve,
        ssr,
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'services/*/src/**/*.test.ts',
            'gateway-firmware-sim/src/**/*.test.ts',
            'dashboard/src/**/*.test.ts',
          ],
          exclude: ['**/*.integration.test.ts', '**/node_modules/**'],
          // Some unit tests compute a simulated fleet-month (seconds of CPU); with every project running
          // in parallel on two cores the default 5 s cut one of them off. A limit, not a speed check.
          testTimeout: 30_000,
        },
      },
      {
        resolve,
        ssr,
        test: {
          name: 'integration',
          include: ['**/*.integration.test.ts'],
          exclude: ['**/node_modules/**', 'test/e2e/**'],
          ...realServices,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve,
        ssr,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          ...realServices,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
