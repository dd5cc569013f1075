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

  it('takes the broker TLS files only with a TLS URL, and a client certificate only with its key', () => {
    const config = loadConfig('ingest', ingestEnvSchema, {
      MQTT_URL: 'mqtts://mosquitto:8883',
      MQTT_CA_PATH: '/tls/ca.crt',
    });
    expect(config.MQTT_CA_PATH).toBe('/tls/ca.crt');
    try {
      loadConfig('ingest', ingestEnvSchema, {
        MQTT_URL: 'mqtt://mosquitto:1883',
        MQTT_CA_PATH: '/tls/ca.crt',
        MQTT_CERT_PATH: '/tls/ingest.crt',
      });
      expect.unreachable('the configuration should be rejected');
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        { variable: 'MQTT_KEY_PATH', message: 'MQTT_CERT_PATH and MQTT_KEY_PATH go together' },
        {
          variable: 'MQTT_CA_PATH',
          message: 'MQTT_CA_PATH needs a TLS broker URL: set MQTT_URL to mqtts://host:8883 (or wss://)',
        },
      ]);
    }
  });

  it('is documented variable by variable in .env.example', async () => {
    const text = await readFile(new URL('../../../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(INGEST_ENV_VARIABLES.filter((name) => !documented.has(name))).toEqual([]);
  });
});
