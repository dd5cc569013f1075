import { readFile } from 'node:fs/promises';
import type { ConfigError } from '@qt-led/runtime';
import { loadConfig } from '@qt-led/runtime';
import { describe, expect, it } from 'vitest';
import { INGEST_ENV_VARIABLES, ingestEnvSchema } from './config.js';

describe('ingest configuration', () => {
  it('runs on defaults', () => {
    const config = loadConfig('ingest', ingestEnvSchema, {});
    expect(config).toMatchObject({
      INGEST_CLIENT_ID: 'qtled-ingest-1',
      INGEST_SHARED_SUBSCRIPTION: true,
      INGEST_BATCH_MAX_READINGS: 5_000,
      INGEST_MIN_DEVICE_TIME: '2017-01-01T00:00:00Z',
    });
  });

  it('names every bad variable at once', () => {
    try {
      loadConfig('ingest', ingestEnvSchema, {
        INGEST_BATCH_MAX_READINGS: 'lots',
        INGEST_SHARED_SUBSCRIPTION: 'maybe',
        INGEST_MIN_DEVICE_TIME: '1 Jan 2017',
      });
      expect.unreachable('the configuration should be rejected');
    } catch (error) {
      expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual([
        'INGEST_BATCH_MAX_READINGS',
        'INGEST_MIN_DEVICE_TIME',
        'INGEST_SHARED_SUBSCRIPTION',
      ]);
    }
  });

  it('is documented variable by variable in .env.example', async () => {
    const text = await readFile(new URL('../../../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(INGEST_ENV_VARIABLES.filter((name) => !documented.has(name))).toEqual([]);
  });
});
