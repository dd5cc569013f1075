// End to end, issue "Lossless ingest": the simulated fleet (real gateway firmware, disk queues, faults)
// → a real Mosquitto → the ingest service in its own process → a real InfluxDB or the embedded SQLite
// store. Every reading a gateway sampled is stored exactly once or set aside with a reason, the gap
// ledger is empty, and gateways hold nothing unacknowledged — also across a kill -9 of ingest mid-batch
// and a restart of the broker.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFleetSimulation, type FleetSummary, parseFaultSpec } from '@qt-led/gateway';
import type { TelemetryStore } from '@qt-led/store';
import { createSqliteStore } from '@qt-led/store-sqlite';
import {
  createIsolation,
  type DedicatedServer,
  type MqttServer,
  startDedicatedMosquitto,
  waitFor,
} from '@qt-led/test-harness';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { accountFor, expectEveryReadingOnce } from './support/accounting.js';
import { freshInfluxStore } from './support/influx-store.js';
import { startIngestProcess } from './support/ingest-process.js';

const VESSELS = ['QT-96759-TS', 'QT-98774-TS', 'QT-01009-TS', 'QT-90145-TS'];
const START = Date.UTC(2024, 2, 4, 5, 0); // 12:00 local, 4 March 2024
const DAY = 86_400_000;
const WEEK_FAULTS =
  'realistic,reboot:QT-96759-TS@1d,duplicate-sends:QT-98774-TS@20m~6h,corrupted-frame@30m,rtc-reset:QT-01009-TS@2d,' +
  'meter-replaced:QT-98774-TS@3d,gps-loss:QT-90145-TS@4d~2h,clock-drift:QT-96759-TS@0m~3d';

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function runWeek(
  label: string,
  mqtt: MqttServer,
  storeFor: (
    dataDir: string,
  ) => Promise<{ store: TelemetryStore; influx?: Parameters<typeof startIngestProcess>[0]['influx'] }>,
) {
  const isolation = createIsolation(`e2e_${label}`);
  const dataDir = await tempDir(`qtled-e2e-${label}-`);
  const { store, influx } = await storeFor(dataDir);
  const ingest = await startIngestProcess({
    mqtt,
    topicRoot: isolation.topicRoot,
    clientId: isolation.clientId('ingest'),
    dataDir,
    ...(influx === undefined ? {} : { influx }),
  });
  cleanup.push(() => ingest.kill('SIGTERM'));
  const simulation = createFleetSimulation({
    seed: 7,
    startMs: START,
    endMs: START + 7 * DAY,
    vessels: VESSELS,
    broker: { url: mqtt.url },
    topicRoot: isolation.topicRoot,
    dataDir: join(dataDir, 'gateways'),
    clientIdPrefix: `${isolation.id}-`,
    faults: parseFaultSpec(WEEK_FAULTS),
    fuelMeters: 'all',
    queueSynchronous: 'normal',
    drain: true,
  });
  await simulation.start();
  const summary = await simulation.finished;
  await waitFor(async () => (await ingest.metric('qtled_ingest_backlog_readings')) === 0, {
    timeoutMs: 20_000,
    description: 'ingest backlog drained',
  });
  return { store, ingest, summary };
}

describe('a simulated week with faults, through the real ingest', () => {
  it(
    'into InfluxDB: every reading stored exactly once, gap ledger empty, gateways hold nothing',
    { timeout: 240_000 },
    async () => {
      const influxServer = inject('influx');
      const { store, summary, ingest } = await runWeek('influx', inject('mqtt'), () =>
        freshInfluxStore(influxServer, 'e2e_week', cleanup),
      );
      const account = await accountFor(store, VESSELS, START + 7 * DAY);
      expect(summary.totals.sampled).toBeGreaterThan(VESSELS.length * 7 * 1_400);
      expectEveryReadingOnce(summary, account);
      // The faults reached the platform and were handled: duplicates stored once, corrupted frames set aside.
      expect(summary.totals.duplicatesInjected).toBeGreaterThan(0);
      expect(summary.totals.corruptedInjected).toBeGreaterThan(0);
      const corrupted = account.letters.filter(
        (l) => l.reason === 'invalid-json' || l.reason === 'schema-violation' || l.reason === 'invalid-utf8',
      );
      expect(corrupted.length).toBe(summary.totals.corruptedInjected);
      expect(account.setAsideReadings.length).toBeGreaterThan(0); // the RTC reset to 1970
      expect(await ingest.metric('qtled_ingest_messages_total', { outcome: 'valid' })).toBeGreaterThan(0);
    },
  );

  it('into the embedded SQLite store: the same', { timeout: 240_000 }, async () => {
    const { store, summary } = await runWeek('sqlite', inject('mqtt'), (dataDir) =>
      Promise.resolve({ store: createSqliteStore({ path: join(dataDir, 'telemetry.sqlite') }) }),
    );
    expectEveryReadingOnce(summary, await accountFor(store, VESSELS, START + 7 * DAY));
    await store.close();
  });
});

describe('faults on the platform side', () => {
  async function faultRun(label: string, seed: number) {
    const broker: DedicatedServer<MqttServer> = await startDedicatedMosquitto();
    cleanup.push(() => broker.stop());
    const isolation = createIsolation(`e2e_${label}`);
    const dataDir = await tempDir(`qtled-e2e-${label}-`);
    const store = createSqliteStore({ path: join(dataDir, 'telemetry.sqlite') });
    cleanup.push(() => store.close());
    const ingestOptions = {
      mqtt: broker.info,
      topicRoot: isolation.topicRoot,
      clientId: isolation.clientId('ingest'),
      dataDir,
    };
    const ingest = { current: await startIngestProcess(ingestOptions) };
    cleanup.push(() => ingest.current.kill('SIGTERM'));
    const simulation = createFleetSimulation({
      seed,
      startMs: START,
      endMs: START + 2 * DAY,
      vessels: VESSELS.slice(0, 2),
      broker: { url: broker.info.url },
      topicRoot: isolation.topicRoot,
      dataDir: join(dataDir, 'gateways'),
      clientIdPrefix: `${isolation.id}-`,
      faults: [],
      queueSynchronous: 'normal',
      drain: true,
    });
    const log = (what: string): void => {
      if (process.env['E2E_VERBOSE'] !== undefined)
        console.info(`[e2e] ${what}: ${JSON.stringify(simulation.progress())}`);
    };
    await simulation.start();
    await waitFor(async () => (await store.countReadings()) > 1_000, {
      timeoutMs: 60_000,
      description: 'first 1,000 readings stored',
    });
    return { broker, store, ingest, ingestOptions, simulation, log };
  }

  async function finish(run: Awaited<ReturnType<typeof faultRun>>): Promise<FleetSummary> {
    const summary = await run.simulation.finished;
    await waitFor(async () => (await run.ingest.current.metric('qtled_ingest_backlog_readings')) === 0, {
      timeoutMs: 20_000,
      description: 'backlog drained',
    });
    expectEveryReadingOnce(summary, await accountFor(run.store, VESSELS.slice(0, 2), START + 2 * DAY));
    return summary;
  }

  it(
    'kill -9 of ingest mid-stream, restarted on the same data: every reading stored once',
    { timeout: 180_000 },
    async () => {
      const run = await faultRun('kill', 3);
      run.log('killing ingest');
      await run.ingest.current.kill('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      run.ingest.current = await startIngestProcess(run.ingestOptions);
      run.log('ingest back');
      await finish(run);
    },
  );

  it(
    'a broker restart mid-stream: gateways and ingest reconnect; every reading stored once',
    { timeout: 180_000 },
    async () => {
      const run = await faultRun('broker', 4);
      run.log('restarting the broker');
      await run.broker.restart();
      run.log('broker back');
      const timer = setInterval(() => {
        void Promise.all([
          run.ingest.current.metric('qtled_ingest_messages_total'),
          run.ingest.current.metric('qtled_ingest_acks_sent_total'),
          run.store.countReadings(),
        ]).then(([messages, acks, stored]) =>
          run.log(`progress (ingest: ${messages} messages, ${acks} acks, ${stored} stored)`),
        );
      }, 5_000);
      try {
        await finish(run);
      } finally {
        clearInterval(timer);
      }
    },
  );
});
