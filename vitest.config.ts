import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './tests/chromium.js';

export default defineConfig({
  test: {
    projects: [
      {
        // pure, fast tests of engine modules: no subprocess, no server, no large inputs
        test: {
          name: 'unit',
          environment: 'node',
          include: ['tests/unit/**/*.test.ts'],
          globalSetup: ['tests/demo-catalog-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // CLI subprocesses, the s3rver S3 server, 10^6-row inputs, the demo catalog's ONNX reuse end to end
        test: {
          name: 'integration',
          environment: 'node',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/demo-catalog-setup.ts', 'tests/integration/fresh-demo-catalog.ts'],
          testTimeout: 240_000,
          hookTimeout: 240_000,
        },
      },
      {
        plugins: [svelte()],
        worker: { format: 'es' },
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          globalSetup: ['tests/demo-catalog-setup.ts'],
          testTimeout: 180_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({ launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/e2e/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
