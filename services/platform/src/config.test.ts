import { readFile } from 'node:fs/promises';
import { ConfigError, loadConfig } from '@qt-led/runtime';
import { describe, expect, it } from 'vitest';
import { PLATFORM_ENV_VARIABLES, platformEnvSchema } from './config.js';

describe('platform configuration', () => {
  it('runs on the embedded default with nothing set, the HTTP port on loopback', () => {
    const config = loadConfig('platform', platformEnvSchema, {});
    expect(config.MQTT_URL).toBeUndefined();
    expect(config.INFLUX_URL).toBeUndefined();
    expect(config).toMatchObject({
      DATA_DIR: './data',
      API_HOST: '127.0.0.1',
      API_PORT: 8080,
      PLATFORM_BROKER_HOST: '127.0.0.1',
      PLATFORM_BROKER_PORT: 1883,
      PLATFORM_SPEED: 1,
      FLEET_SIMULATION: true,
      FLEET_SIM_VESSELS: 40,
      FLEET_SIM_HISTORY_DAYS: 30,
      INGEST_SHARED_SUBSCRIPTION: true,
      INGEST_BATCH_MAX_AGE_MS: 0,
    });
  });

  it('names each bad variable', () => {
    try {
      loadConfig('platform', platformEnvSchema, { PLATFORM_SPEED: 'fast', FLEET_SIM_VESSELS: '0' });
      expect.unreachable('the configuration should be refused');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual([
        'FLEET_SIM_VESSELS',
        'PLATFORM_SPEED',
      ]);
    }
  });

  it('is documented variable by variable in .env.example', async () => {
    const text = await readFile(new URL('../../../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(PLATFORM_ENV_VARIABLES.filter((name) => !documented.has(name))).toEqual([]);
  });
});
