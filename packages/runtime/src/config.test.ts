import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, intVar, loadConfig } from './config.js';
import { checkInfluxAuth, influxEnv, loggingEnv, mqttEnv, SHARED_ENV_VARIABLES } from './shared-env.js';

const schema = z
  .object({
    ...loggingEnv,
    ...mqttEnv,
    ...influxEnv,
    INGEST_BATCH_MAX_POINTS: intVar({ min: 1, max: 50_000, default: 5_000 }),
  })
  .superRefine(checkInfluxAuth);

function problemsOf(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    loadConfig('ingest', schema, env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('loadConfig', () => {
  it('applies defaults, converts types and freezes the result', () => {
    const config = loadConfig('ingest', schema, {
      MQTT_URL: 'mqtt://127.0.0.1:1883',
      INGEST_BATCH_MAX_POINTS: '2000',
    });
    expect(config).toMatchObject({
      LOG_LEVEL: 'info',
      MQTT_URL: 'mqtt://127.0.0.1:1883',
      MQTT_TOPIC_ROOT: 'qtled',
      INFLUX_DATABASE: 'qtled',
      INGEST_BATCH_MAX_POINTS: 2000,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('treats empty values as unset', () => {
    const config = loadConfig('ingest', schema, { MQTT_URL: '', LOG_LEVEL: '  ' });
    expect(config.MQTT_URL).toBeUndefined();
    expect(config.LOG_LEVEL).toBe('info');
  });

  it('reports every problem at once, each with its variable name', () => {
    const problems = problemsOf({
      MQTT_URL: 'http://broker',
      LOG_LEVEL: 'verbose',
      INGEST_BATCH_MAX_POINTS: '0',
      INFLUX_URL: 'not a url',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        {
          variable: 'MQTT_URL',
          message: 'expected a URL with scheme mqtt:// or mqtts:// or ws:// or wss://',
        },
        { variable: 'LOG_LEVEL', message: 'expected one of fatal, error, warn, info, debug, trace, silent' },
        { variable: 'INGEST_BATCH_MAX_POINTS', message: 'expected a whole number between 1 and 50000' },
        { variable: 'INFLUX_URL', message: 'expected a URL with scheme http:// or https://' },
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('checks variables that go together', () => {
    expect(problemsOf({ INFLUX_USERNAME: 'ingest' })).toEqual([
      { variable: 'INFLUX_PASSWORD', message: 'INFLUX_USERNAME and INFLUX_PASSWORD go together' },
    ]);
    expect(problemsOf({ INFLUX_TOKEN: 't', INFLUX_USERNAME: 'u', INFLUX_PASSWORD: 'p' })[0]?.variable).toBe(
      'INFLUX_TOKEN',
    );
  });

  it('names the process and points at .env.example in its message', () => {
    expect(() => loadConfig('ingest', schema, { INGEST_BATCH_MAX_POINTS: '1.5' })).toThrow(
      'ingest: configuration is invalid (1 problem); see .env.example\n  INGEST_BATCH_MAX_POINTS: expected a whole number between 1 and 50000',
    );
  });
});

describe('.env.example', () => {
  it('documents every shared variable', async () => {
    const text = await readFile(new URL('../../../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    const missing = SHARED_ENV_VARIABLES.filter((name) => !documented.has(name));
    expect(missing).toEqual([]);
  });
});
