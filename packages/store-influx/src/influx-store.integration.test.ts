import { StoreSetupError } from '@qt-led/store';
import { describeTelemetryStoreContract } from '@qt-led/store/testing';
import { createIsolation, influxAdmin } from '@qt-led/test-harness';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { createInfluxClient } from './influx-client.js';
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
  await admin.dropDatabase(`${isolation.database}_batch`);
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

describe('InfluxDB query batching', () => {
  it('joins concurrent statements into few requests; a bad statement fails only its caller', async () => {
    const db = `${isolation.database}_batch`;
    await admin.createDatabase(db);
    const client = createInfluxClient({ url: influx.url, database: db, ...auth });
    const base = Date.UTC(2026, 10, 1);
    await client.write(
      Array.from({ length: 50 }, (_, i) => `t,vessel=v${i} seq=${i}i ${(base + i * 1000) * 1_000_000}`),
    );
    const queries = vi.spyOn(globalThis, 'fetch');
    try {
      const count = (): number =>
        queries.mock.calls.filter(([url]) => url instanceof URL && url.pathname.endsWith('/query')).length;
      const seqOf = (i: number) =>
        client
          .query(`SELECT seq FROM t WHERE vessel = 'v${i}'`)
          .then((series) => series.flatMap((s) => s.values ?? []).map((row) => row[1]));

      // 250 statements in one turn: batches of at most 100, each caller its own vessel's point.
      const answers = await Promise.all(Array.from({ length: 250 }, (_, i) => seqOf(i % 50)));
      expect(answers).toEqual(Array.from({ length: 250 }, (_, i) => [i % 50]));
      expect(count()).toBeGreaterThanOrEqual(3);
      expect(count()).toBeLessThanOrEqual(5);

      // A statement InfluxDB refuses (it stops there: the later ones are "not executed") and one it cannot
      // parse (the whole request is refused): each is asked again alone; only its caller gets the error.
      queries.mockClear();
      const settled = await Promise.allSettled([
        seqOf(1),
        client.query('SELECT nosuchfunction(seq) FROM t'),
        seqOf(2),
        client.query('SELECT FROM WHERE'),
        seqOf(3),
      ]);
      expect(settled.map((s) => s.status)).toEqual([
        'fulfilled',
        'rejected',
        'fulfilled',
        'rejected',
        'fulfilled',
      ]);
      expect(settled.filter((s) => s.status === 'fulfilled').map((s) => s.value)).toEqual([[1], [2], [3]]);
      for (const s of settled) if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(StoreSetupError);
      // One batch, then each statement alone.
      expect(count()).toBe(6);
    } finally {
      queries.mockRestore();
    }
  });

  it('gives every caller of a batch the unavailability of the server', async () => {
    const client = createInfluxClient({ url: 'http://127.0.0.1:9', database: 'x', requestTimeoutMs: 2_000 });
    const settled = await Promise.allSettled(
      Array.from({ length: 3 }, (_, i) => client.query(`SELECT seq FROM t WHERE vessel = 'v${i}'`)),
    );
    for (const s of settled)
      expect(s).toMatchObject({ status: 'rejected', reason: { code: 'STORE_UNAVAILABLE' } });
  });
});
