import { StoreSetupError } from '@qt-led/store';
import { describeTelemetryStoreContract } from '@qt-led/store/testing';
import { createIsolation, influxAdmin } from '@qt-led/test-harness';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createInfluxStore, parseGoDuration } from './influx-store.js';

const influx = inject('influx');
const admin = influxAdmin(influx);
const isolation = createIsolation('store');
const auth = {
  ...(influx.token === undefined ? {} : { token: influx.token }),
  ...(influx.username === undefined ? {} : { username: influx.username }),
  ...(influx.password === undefined ? {} : { password: influx.password }),
};

afterAll(async () => {
  await admin.dropDatabase(isolation.database);
  await admin.dropDatabase(`${isolation.database}_short`);
  await admin.dropDatabase(`${isolation.database}_new`);
});

describeTelemetryStoreContract(
  `InfluxDB (${influx.flavour}, ${influx.source}) through /write and InfluxQL`,
  async () => {
    await admin.createDatabase(isolation.database);
    return createInfluxStore({
      url: influx.url,
      database: isolation.database,
      minRetentionDays: 90,
      ...auth,
    });
  },
);

describe('InfluxDB start-up checks', () => {
  it.runIf(influx.flavour === 'v1')(
    'refuses a retention shorter than the accepted backlog, or warns when told to accept it',
    async () => {
      const db = `${isolation.database}_short`;
      await admin.createDatabase(db);
      await admin.query(db, `CREATE RETENTION POLICY "week" ON "${db}" DURATION 7d REPLICATION 1 DEFAULT`);
      await expect(
        createInfluxStore({ url: influx.url, database: db, minRetentionDays: 30, ...auth }),
      ).rejects.toThrow(
        /retention of "store_[0-9a-f]+_short" is 7\.0 days, shorter than the 30 days of backlog/,
      );
      const warnings: string[] = [];
      await createInfluxStore({
        url: influx.url,
        database: db,
        minRetentionDays: 30,
        allowShortRetention: true,
        onWarning: (message) => warnings.push(message),
        ...auth,
      });
      expect(warnings).toEqual([
        expect.stringContaining('Continuing because short retention is explicitly allowed'),
      ]);
    },
  );

  it.runIf(influx.flavour === 'v1')('creates a missing 1.x database only when asked to', async () => {
    const db = `${isolation.database}_new`;
    await expect(
      createInfluxStore({ url: influx.url, database: db, minRetentionDays: 30, ...auth }),
    ).rejects.toBeInstanceOf(StoreSetupError);
    const store = await createInfluxStore({
      url: influx.url,
      database: db,
      minRetentionDays: 30,
      createDatabase: true,
      ...auth,
    });
    expect(await store.countReadings()).toBe(0);
  });

  it('reports an unreachable server as retryable', async () => {
    await expect(
      createInfluxStore({
        url: 'http://127.0.0.1:9',
        database: 'x',
        minRetentionDays: 1,
        requestTimeoutMs: 2_000,
      }),
    ).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
  });

  it('parses the durations InfluxDB prints', () => {
    expect(parseGoDuration('0s')).toBe(0);
    expect(parseGoDuration('168h0m0s')).toBe(7 * 86_400_000);
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
  });
});
