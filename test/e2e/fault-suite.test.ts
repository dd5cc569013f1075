// The platform's fault suite (security issue, items 8): each fault is injected into a live run — simulated
// gateways (real firmware, disk queues) → a real Mosquitto → the ingest service in its own process → a real
// InfluxDB or the embedded SQLite store — and each ends with the same invariant (support/accounting.ts):
// every reading sampled is stored exactly once, or set aside with a reason, or in a gap the gateway itself
// reported; the gateways hold nothing unacknowledged. At the end the suite prints a table per fault
// (readings sent / stored / set aside / in gaps) and writes it to reports/fault-suite.json.
//
// Faults elsewhere: ingest.integration.test.ts (database hang, in process), fleet-through-ingest.test.ts
// (ingest kill -9 mid-stream, broker restart), gateway-kill.test.ts (gateway kill -9 mid-flush).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VesselId } from '@qt-led/contract';
import {
  createFleetSimulation,
  DEFAULT_TUNING,
  type FleetSimulationOptions,
  type FleetSummary,
  parseFaultSpec,
} from '@qt-led/gateway';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import { createFleetStatusService } from '@qt-led/fleet-status';
import { createLogger } from '@qt-led/runtime';
import { findGaps, type TelemetryStore } from '@qt-led/store';
import { createSqliteStore } from '@qt-led/store-sqlite';
import {
  createIsolation,
  type DedicatedServer,
  type InfluxServer,
  type MqttServer,
  startDedicatedInflux,
  startDedicatedMosquitto,
  waitFor,
} from '@qt-led/test-harness';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { accountFor, expectAccountedFor, type Tally } from './support/accounting.js';
import { startInfluxFaultProxy, type InfluxFaultProxy } from './support/influx-fault-proxy.js';
import { freshInfluxStore } from './support/influx-store.js';
import { type IngestProcessOptions, startIngestProcess } from './support/ingest-process.js';

const VESSELS = ['QT-96759-TS', 'QT-98774-TS'];
const START = Date.UTC(2024, 2, 4, 5, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CLOCK_STEP = fileURLToPath(new URL('./support/clock-step.mjs', import.meta.url));
const REPORT = fileURLToPath(new URL('../../reports/fault-suite.json', import.meta.url));

const cleanup: (() => Promise<unknown>)[] = [];
const table: (Tally & { fault: string; notes: string })[] = [];
let influx: DedicatedServer<InfluxServer>;

beforeAll(async () => {
  influx = await startDedicatedInflux();
  cleanup.push(() => influx.stop());
});

afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
  if (table.length === 0) return;
  console.info(`[fault-suite] readings per fault\n${formatTable(table)}`);
  await mkdir(join(REPORT, '..'), { recursive: true });
  await writeFile(REPORT, `${JSON.stringify({ at: new Date().toISOString(), faults: table }, null, 2)}\n`);
});

function formatTable(rows: typeof table): string {
  const header = ['fault', 'sent', 'stored', 'set aside', 'in gaps', 'notes'];
  const lines = rows.map((r) => [r.fault, r.sent, r.stored, r.setAside, r.inGaps, r.notes].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  return [header, ...lines].map((l) => l.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')).join('\n');
}

interface RunOptions {
  seed: number;
  /** Simulated days (default 1). */
  days?: number;
  /** The store ingest writes to: the embedded SQLite file, InfluxDB, or InfluxDB behind the fault proxy. */
  store: 'sqlite' | 'influx' | 'influx-via-proxy';
  broker?: MqttServer;
  faults?: string;
  ingestEnv?: NodeJS.ProcessEnv;
  simulation?: Partial<FleetSimulationOptions>;
  /** Readings stored before the fault is injected (default 500). */
  firstReadings?: number;
}

/** A live run: gateways publishing, ingest storing; the fault is injected once `firstReadings` are stored. */
async function startRun(label: string, options: RunOptions) {
  const isolation = createIsolation(`faults_${label}`);
  const dataDir = await mkdtemp(join(tmpdir(), `qtled-faults-${label}-`));
  cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
  const mqtt = options.broker ?? inject('mqtt');
  let store: TelemetryStore;
  let proxy: InfluxFaultProxy | undefined;
  const ingestOptions: IngestProcessOptions = {
    mqtt,
    topicRoot: isolation.topicRoot,
    clientId: isolation.clientId('ingest'),
    dataDir,
    // The injected faults make ingest log a warning per failed write: only errors, unless asked.
    env: { LOG_LEVEL: process.env['INGEST_LOG_LEVEL'] ?? 'error', ...options.ingestEnv },
  };
  if (options.store === 'sqlite') {
    store = createSqliteStore({ path: join(dataDir, 'telemetry.sqlite') });
  } else {
    const fresh = await freshInfluxStore(influx.info, `faults_${label}`, cleanup);
    store = fresh.store;
    ingestOptions.influx = fresh.influx;
    if (options.store === 'influx-via-proxy') {
      proxy = await startInfluxFaultProxy(influx.info.url);
      cleanup.push(() => (proxy as InfluxFaultProxy).close());
      ingestOptions.influx = { ...fresh.influx, url: proxy.url };
    }
  }
  cleanup.push(() => store.close());
  const ingest = { current: await startIngestProcess(ingestOptions) };
  cleanup.push(() => ingest.current.kill('SIGTERM'));
  const days = options.days ?? 1;
  const simulation = createFleetSimulation({
    seed: options.seed,
    startMs: START,
    endMs: START + days * DAY,
    vessels: VESSELS,
    broker: { url: mqtt.url },
    topicRoot: isolation.topicRoot,
    dataDir: join(dataDir, 'gateways'),
    clientIdPrefix: `${isolation.id}-`,
    faults: parseFaultSpec(options.faults ?? 'none'),
    queueSynchronous: 'normal',
    drain: true,
    ...options.simulation,
  });
  await simulation.start();
  const firstReadings = options.firstReadings ?? 500;
  await waitFor(async () => (await store.countReadings()) >= firstReadings, {
    timeoutMs: 60_000,
    description: `first ${firstReadings} readings stored`,
  });
  const restartIngest = async (): Promise<void> => {
    ingest.current = await startIngestProcess(ingestOptions);
  };
  return { store, ingest, ingestOptions, simulation, proxy, days, restartIngest };
}

type Run = Awaited<ReturnType<typeof startRun>>;

/** Waits for the run's end and an empty ingest backlog, checks the invariant, and adds the table line. */
async function finish(
  fault: string,
  run: Run,
  notes: (summary: FleetSummary) => Promise<string> | string = () => '',
  expectedInGaps: (summary: FleetSummary) => number = () => 0,
): Promise<{ summary: FleetSummary; tally: Tally }> {
  const summary = await run.simulation.finished;
  await waitFor(async () => (await run.ingest.current.metric('qtled_ingest_backlog_readings')) === 0, {
    timeoutMs: 30_000,
    description: 'ingest backlog drained',
  });
  const account = await accountFor(run.store, VESSELS, START + run.days * DAY);
  const tally = expectAccountedFor(summary, account, expectedInGaps(summary));
  table.push({ fault, ...tally, notes: await notes(summary) });
  return { summary, tally };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const metric = (run: Run, name: string, labels?: Record<string, string>) =>
  run.ingest.current.metric(name, labels);

describe('fault suite: the database', () => {
  it('answering HTTP 500 to every write for a while (fault proxy)', { timeout: 120_000 }, async () => {
    const run = await startRun('db500', { seed: 11, store: 'influx-via-proxy' });
    const proxy = run.proxy as InfluxFaultProxy;
    proxy.setWriteMode('fail-500');
    await waitFor(
      async () => proxy.counts().failed >= 3 && (await metric(run, 'qtled_ingest_backlog_readings')) > 0,
      {
        timeoutMs: 30_000,
        description: () => `writes answered 500 and a backlog on disk (${JSON.stringify(proxy.counts())})`,
      },
    );
    await pause(5_000);
    const failures = await metric(run, 'qtled_ingest_write_failures_total');
    proxy.setWriteMode('pass');
    expect(failures).toBeGreaterThan(0);
    await finish('database answers 500', run, () => `${proxy.counts().failed} writes answered 500`);
  });

  it('hanging (influxd SIGSTOPped): connections open, nothing answered', { timeout: 120_000 }, async () => {
    const run = await startRun('dbhang', { seed: 12, store: 'influx' });
    influx.pause();
    try {
      // The process's write timeout is 30 s: the hung writes fail, and what arrives meanwhile goes to disk.
      await waitFor(async () => (await metric(run, 'qtled_ingest_backlog_readings')) > 0, {
        timeoutMs: 60_000,
        description: 'a backlog on disk while the database hangs',
      });
    } finally {
      influx.resume();
    }
    const backlog = await metric(run, 'qtled_ingest_backlog_readings');
    await finish('database hangs', run, () => `backlog on disk during the hang: ${backlog} readings`);
  });

  it('an outage: influxd stopped and started again on the same data', { timeout: 120_000 }, async () => {
    const run = await startRun('dbdown', { seed: 13, store: 'influx' });
    await influx.restart();
    const failures = await metric(run, 'qtled_ingest_write_failures_total');
    await finish('database outage (restart)', run, () => `${failures} writes failed during the outage`);
  });
});

describe('fault suite: ingest killed', () => {
  it(
    'kill -9 mid-batch (a write in flight), restarted on the same data dir',
    { timeout: 120_000 },
    async () => {
      const run = await startRun('killbatch', { seed: 14, store: 'influx-via-proxy' });
      const proxy = run.proxy as InfluxFaultProxy;
      proxy.setWriteMode('hold');
      await waitFor(() => proxy.counts().inFlight > 0, {
        timeoutMs: 20_000,
        description: 'a write in flight',
      });
      await run.ingest.current.kill('SIGKILL');
      // The held write reaches the database after ingest died: stored, never acknowledged, sent again.
      proxy.setWriteMode('pass');
      await run.restartIngest();
      await finish('ingest kill -9 mid-batch', run, () => 'the write in flight landed after the kill');
    },
  );

  it(
    'kill -9 mid-backlog-drain (draining the disk spool after an outage), restarted on the same data dir',
    { timeout: 120_000 },
    async () => {
      const run = await startRun('killdrain', { seed: 15, store: 'influx-via-proxy' });
      const proxy = run.proxy as InfluxFaultProxy;
      proxy.setWriteMode('fail-500');
      await waitFor(async () => (await metric(run, 'qtled_ingest_backlog_readings')) >= 300, {
        timeoutMs: 60_000,
        description: 'a backlog of 300 readings on disk',
      });
      // The database is back, but slow: the drain's first write is held in flight, and ingest dies there.
      proxy.setWriteMode('hold');
      await waitFor(() => proxy.counts().inFlight > 0, {
        timeoutMs: 40_000,
        description: 'a drain write in flight',
      });
      const backlogAtKill = await metric(run, 'qtled_ingest_backlog_readings');
      await run.ingest.current.kill('SIGKILL');
      proxy.setWriteMode('pass');
      await run.restartIngest();
      await finish(
        'ingest kill -9 mid-backlog-drain',
        run,
        () => `killed with ${backlogAtKill} readings in the spool`,
      );
      expect(backlogAtKill).toBeGreaterThan(0);
    },
  );
});

describe('fault suite: clock steps', () => {
  it('on the platform: the ingest process clock steps +1 h, −2 h, +1 d', { timeout: 120_000 }, async () => {
    const steps = [HOUR, -2 * HOUR, DAY];
    const run = await startRun('ingestclock', {
      seed: 16,
      store: 'sqlite',
      days: 10,
      ingestEnv: { NODE_OPTIONS: `--import=${CLOCK_STEP}`, QTLED_TEST_CLOCK_STEPS_MS: steps.join(',') },
    });
    let offsetMs = 0;
    for (const step of steps) {
      process.kill(run.ingest.current.pid, 'SIGUSR2');
      offsetMs += step;
      // The step reached the process, and storage and acks go on: 200 readings stored with receive times
      // of the stepped clock (the gateways sample on only once acknowledged).
      const stepped = async () =>
        (await run.store.readings(VESSELS[0] as VesselId, 0, START + 30 * DAY)).filter(
          (r) => Math.abs(r.receivedAtMs - Date.now() - offsetMs) < 10 * 60_000,
        ).length;
      await waitFor(async () => (await stepped()) >= 200, {
        timeoutMs: 30_000,
        intervalMs: 250,
        description: `200 readings received at the clock stepped to ${offsetMs / HOUR} h`,
      });
    }
    await finish('ingest clock steps', run, () => `steps ${steps.map((s) => s / HOUR).join(' h, ')} h`);
  });

  it('on a gateway: its RTC jumps ahead and back by an hour and by days', { timeout: 120_000 }, async () => {
    const [a, b] = VESSELS as [string, string];
    const run = await startRun('rtcjump', {
      seed: 17,
      store: 'sqlite',
      faults: `rtc-jump-ahead:${a}@4h~1h,rtc-jump-back:${b}@4h~1h,rtc-jump-ahead:${a}@14h~3d,rtc-jump-back:${b}@14h~2d`,
    });
    const { summary } = await finish('gateway RTC jumps', run, async () => {
      const events = await run.store.deviceMessages({ kinds: ['event'], fromMs: 0, toMs: START + 30 * DAY });
      const adjusted = events.filter((m) => m.kind === 'event' && m.payload.event.type === 'clock-adjusted');
      return `${adjusted.length} clock-adjusted events`;
    });
    // The jumps happened and GPS time stepped each clock back: readings stamped off by the jump.
    for (const vesselId of VESSELS) {
      const readings = await run.store.readings(vesselId as VesselId, 0, START + 30 * DAY);
      const skews = readings.map((r) => Math.abs(r.clockSkewMs ?? 0));
      expect(Math.max(...skews), vesselId).toBeGreaterThan(HOUR / 2);
    }
    expect(summary.totals.sampled).toBeGreaterThan(0);
  });
});

describe('fault suite: a gateway disk filling', () => {
  it(
    'drops the oldest readings by the stated rule, reports queue-pressure, and the gap is visible',
    { timeout: 120_000 },
    async () => {
      const [offline] = VESSELS as [string];
      // The queue may hold ~400 readings (the simulated card's free space minus the queue, against the
      // floor); the vessel is out of coverage for 12 h (720 readings) in the middle of the day.
      const floor = 8_000_000_000 - 1_900_000_000 - 400 * 330;
      const run = await startRun('diskfull', {
        seed: 18,
        store: 'sqlite',
        simulation: {
          gatewayTuning: { ...DEFAULT_TUNING, minFreeDiskBytes: floor },
          coverage: (vesselId, ms) =>
            vesselId !== offline || ms < START + 4 * HOUR || ms >= START + 16 * HOUR,
        },
      });
      const { summary, tally } = await finish(
        'gateway disk full',
        run,
        (s) => `${s.totals.evicted} dropped by the gateway (oldest first), reported by queue-pressure`,
        (s) => s.totals.evicted,
      );
      expect(summary.totals.evicted).toBeGreaterThan(0);
      expect(tally.inGaps).toBe(summary.totals.evicted);
      // Never silent: the gateway said so, and the platform's gap ledger shows exactly what it dropped. (The
      // data-gap alarm reads the same ledger but waits for a heartbeat reporting an empty queue; the run's
      // last heartbeat reported the few readings of a live batch still waiting, so it is not checked here.)
      const events = await run.store.deviceMessages({
        kinds: ['event'],
        vesselId: offline as VesselId,
        fromMs: 0,
        toMs: START + 30 * DAY,
      });
      const pressure = events.filter((m) => m.kind === 'event' && m.payload.event.type === 'queue-pressure');
      expect(pressure.length).toBeGreaterThan(0);
      const stored = await run.store.readings(offline as VesselId, 0, START + 30 * DAY);
      const missing = findGaps(stored).reduce((n, g) => n + g.toSeq - g.fromSeq + 1, 0);
      expect(missing).toBe(summary.totals.evicted);
      // And an alarm for the officers: fleet status, evaluated an hour after the gateway said its disk was full.
      const atMs = Math.max(...pressure.map((m) => m.atMs)) + HOUR;
      const fleetStatus = createFleetStatusService({
        store: run.store,
        registry: loadFleetRegistry(),
        alarmDbPath: ':memory:',
        clock: { now: () => atMs },
        logger: createLogger({ name: 'fault-suite', level: 'silent' }),
      });
      try {
        await fleetStatus.evaluate(atMs);
        const raised = await fleetStatus.listAlarms({ state: 'raised', limit: 500 });
        expect(raised.map((a) => [a.type, a.vesselId])).toContainEqual(['readings-dropped', offline]);
      } finally {
        await fleetStatus.stop();
      }
    },
  );
});

describe('fault suite: a stale replica session', () => {
  it(
    'stale-replica: one of two ingest replicas on the shared subscription dies without ending its session',
    { timeout: 150_000 },
    async () => {
      const broker = await startDedicatedMosquitto();
      cleanup.push(() => broker.stop());
      // Half a day, and a short settle: every batch the stale session swallows stalls its boat's simulated
      // clock until the gateway's ack timeout sends it again.
      const run = await startRun('stale', {
        seed: 19,
        store: 'influx',
        broker: broker.info,
        days: 0.5,
        firstReadings: 100,
        simulation: { settleTimeoutMs: 200 },
      });
      const second = await startIngestProcess({
        ...run.ingestOptions,
        clientId: `${run.ingestOptions.clientId}-b`,
      });
      await waitFor(async () => (await second.metric('qtled_ingest_messages_total')) > 0, {
        timeoutMs: 30_000,
        description: 'the second replica receives its share',
      });
      // kill -9: no DISCONNECT; the broker keeps the persistent session and goes on queueing its share.
      await second.kill('SIGKILL');
      // The measured effect: the share of the readings published from now on that reach the live replica.
      const liveBefore = await metric(run, 'qtled_ingest_readings_total');
      const publishedBefore = run.simulation.summary().totals.published;
      const { summary } = await finish('stale replica session', run, async (s) => {
        const live = (await metric(run, 'qtled_ingest_readings_total')) - liveBefore;
        const published = s.totals.published - publishedBefore;
        const share = Math.round((100 * live) / Math.max(1, published));
        return `after the kill the live replica received ${live} of ${published} readings published (${share} %); ${s.totals.ackTimeouts} readings timed out unacknowledged and were resent`;
      });
      expect(summary.totals.ackTimeouts).toBeGreaterThan(0);
    },
  );
});
