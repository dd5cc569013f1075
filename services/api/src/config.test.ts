import { ConfigError, loadConfig } from '@qt-led/runtime';
import { describe, expect, it } from 'vitest';
import { API_ENV_VARIABLES, apiEnvSchema } from './config.js';

describe('API configuration', () => {
  it('accepts what docker-compose sets', () => {
    const config = loadConfig('api', apiEnvSchema, {
      API_HOST: '0.0.0.0',
      API_PORT: '8080',
      DATA_DIR: '/data',
      INFLUX_URL: 'http://influxdb:8086',
      INFLUX_DATABASE: 'qtled',
      INFLUX_TOKEN: 'secret-token',
      LOG_LEVEL: 'info',
      API_DASHBOARD_DIR: '/app/dashboard',
      API_TRUST_PROXY: 'true',
    });
    expect(config).toMatchObject({
      API_PORT: 8080,
      DATA_DIR: '/data',
      API_TRUST_PROXY: true,
      API_SESSION_TTL_H: 12,
    });
  });

  it('reports every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig('api', apiEnvSchema, {
        API_PORT: '80000',
        API_LOGIN_RATE_LIMIT_PER_MIN: 'many',
        INFLUX_URL: 'influx:8086',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual(
      ['API_LOGIN_RATE_LIMIT_PER_MIN', 'API_PORT', 'INFLUX_URL'].sort(),
    );
  });

  it('lists its variables for .env.example', () => {
    expect(API_ENV_VARIABLES).toEqual(
      expect.arrayContaining(['API_HOST', 'API_PORT', 'DATA_DIR', 'INFLUX_URL']),
    );
  });
});
