import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type Ack,
  type DeviceEvent,
  GatewayId,
  type Reading,
  type TelemetryBatch,
  VesselId,
  encodePayload,
  topicFor,
} from '@qt-led/contract';
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeBroker, createFakeBroker } from '../../test/fake-broker.js';
import { createTimeline } from '../sim/timeline.js';
import type { ConfigKey } from './config-key.js';
import { openDiskQueue } from './disk-queue.js';
import { type Gateway, type GatewayTuning, createGateway } from './gateway.js';
import type { GpsFix } from './ports.js';

const VESSEL = VesselId.parse('QT-90145-TS');
const GATEWAY = GatewayId.parse('gw-41a11a97');
const ROOT = 'unit';
const T0 = Date.UTC(2024, 2, 1);
const dirs: string[] = [];
const gateways: Gateway[] = [];

afterEach(async () => {
  for (const g of gateways.splice(0)) await g.stop({ graceful: false });
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Rig {
  gateway: Gateway;
  broker: FakeBroker;
  timeline: ReturnType<typeof createTimeline>;
  world: { energyKwh: number; gps: GpsFix; rtcOffsetMs: number; ledFails: boolean };
  runTo(ms: number): Promise<void>;
  telemetry(): TelemetryBatch[];
  events(): DeviceEvent['event'][];
  acking: { on: boolean };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

function rig(
  options: {
    tuning?: Partial<GatewayTuning>;
    connectAfterMs?: number;
    configKey?: ConfigKey;
    /** Writes to the queue file before the gateway opens it (what an earlier life left there). */
    prepareQueue?: (queuePath: string) => void;
  } = {},
): Rig {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qtled-gw-unit-'));
  dirs.push(dir);
  options.prepareQueue?.(path.join(dir, 'queue.sqlite'));
  const timeline = createTimeline(T0);
  const broker = createFakeBroker();
  const world = {
    energyKwh: 100,
    gps: { fix: '3d', lat: 17.2, lon: 107.5, speedKn: 0, headingDeg: 0, timeMs: 0 } as GpsFix,
    rtcOffsetMs: 0,
    ledFails: false,
  };
  const acking = { on: true };
  // The platform: stores, then acknowledges the contiguous prefix and the ranges stored beyond it, of
  // readings and of device events.
  const stored = new Map<string, Set<number>>();
  const storedEvents = new Map<string, Set<number>>();
  const confirmed = (seqs: Set<number>): { through: number; ranges: number[][] } => {
    let through = -1;
    while (seqs.has(through + 1)) through += 1;
    const beyond = [...seqs].filter((s) => s > through).sort((a, b) => a - b);
    return { through, ranges: beyond.map((s) => [s, s]).slice(0, 64) };
  };
  broker.onPublish = (m) => {
    if (!acking.on) return;
    if (m.topic.endsWith('/events')) {
      const event = JSON.parse(m.payload) as DeviceEvent;
      const seqs = storedEvents.get(event.bootId) ?? new Set<number>();
      storedEvents.set(event.bootId, seqs.add(event.eventSeq));
      if (!stored.has(event.bootId)) stored.set(event.bootId, new Set());
    } else if (m.topic.endsWith('/telemetry')) {
      const batch = JSON.parse(m.payload) as TelemetryBatch;
      for (const r of batch.readings) {
        const seqs = stored.get(r.bootId) ?? new Set<number>();
        stored.set(r.bootId, seqs.add(r.seq));
      }
    } else return;
    const boots = [...stored].map(([bootId, seqs]) => {
      const readings = confirmed(seqs);
      const events = storedEvents.has(bootId) ? confirmed(storedEvents.get(bootId) ?? new Set()) : undefined;
      return {
        bootId,
        throughSeq: readings.through,
        ...(readings.ranges.length > 0 ? { storedRanges: readings.ranges } : {}),
        ...(events === undefined ? {} : { eventsThroughSeq: events.through }),
        ...(events !== undefined && events.ranges.length > 0 ? { storedEventRanges: events.ranges } : {}),
      };
    });
    const ack = { schema: 'qtled.ack/1', vesselId: VESSEL, atMs: timeline.nowMs, boots } as unknown as Ack;
    broker.send(topicFor('ack', VESSEL, ROOT), encodePayload('ack', ack), true);
  };
  let linkUp = options.connectAfterMs === undefined;
  const gateway = createGateway({
    vesselId: VESSEL,
    gatewayId: GATEWAY,
    topicRoot: ROOT,
    clock: {
      wallMs: () => timeline.nowMs + world.rtcOffsetMs,
      setWallMs: (ms) => {
        world.rtcOffsetMs = ms - timeline.nowMs;
      },
      monotonicMs: () => timeline.nowMs,
      setTimer: (delay, fn) => timeline.schedule(timeline.nowMs + delay, fn),
    },
    ledMeter: {
      read: () => {
        if (world.ledFails) return Promise.reject(new Error('Modbus timeout'));
        world.energyKwh += 0.1;
        return Promise.resolve({
          powerW: 6000,
          energyKwh: Math.round(world.energyKwh * 100) / 100,
          lampsOn: 24,
        });
      },
    },
    gps: {
      read: () =>
        Promise.resolve(world.gps.fix === 'none' ? world.gps : { ...world.gps, timeMs: timeline.nowMs }),
    },
    disk: { freeBytes: () => 5e9 },
    queuePath: path.join(dir, 'queue.sqlite'),
    connectMqtt: (opts, handlers) => {
      // The link comes up only at `connectAfterMs`: until then the gateway buffers.
      if (linkUp) return broker.connector(opts, handlers);
      let session: ReturnType<typeof broker.connector> | undefined;
      timeline.schedule(T0 + (options.connectAfterMs ?? 0), () => {
        linkUp = true;
        session = broker.connector(opts, handlers);
      });
      return {
        get connected() {
          return session?.connected ?? false;
        },
        publish: (...args) => session?.publish(...args) ?? Promise.reject(new Error('offline')),
        subscribe: (...args) => session?.subscribe(...args) ?? Promise.reject(new Error('offline')),
        close: (graceful) => session?.close(graceful) ?? Promise.resolve(),
      };
    },
    newBootId: () => 'abcdef0123456789',
    ...(options.tuning ? { tuning: options.tuning } : {}),
    ...(options.configKey ? { configKey: options.configKey } : {}),
  });
  gateways.push(gateway);
  return {
    gateway,
    broker,
    timeline,
    world,
    acking,
    async runTo(ms) {
      for (;;) {
        await flush();
        const next = timeline.nextDueMs();
        if (next === undefined || next > ms) break;
        timeline.advanceTo(next);
      }
      await flush();
    },
    telemetry: () =>
      broker.published
        .filter((m) => m.topic.endsWith('/telemetry'))
        .map((m) => JSON.parse(m.payload) as TelemetryBatch),
    events: () =>
      broker.published
        .filter((m) => m.topic.endsWith('/events'))
        .map((m) => (JSON.parse(m.payload) as DeviceEvent).event),
  };
}

const seqsOf = (batches: TelemetryBatch[]): number[] =>
  batches.flatMap((b) => b.readings.map((r: Reading) => r.seq));

describe('the gateway', () => {
  it('drops at boot a stored config the pinned key did not sign (a forgery applied before): factory settings', async () => {
    const platform = generateKeyPairSync('ed25519');
    const forged = {
      schema: 'qtled.config/1',
      vesselId: VESSEL,
      configVersion: 9,
      issuedAtMs: T0,
      sampling: { intervalS: 3600 },
      heartbeat: { intervalS: 300 },
      upload: { batchMaxReadings: 50, batchMaxAgeS: 60, ackTimeoutS: 120, backfillMaxReadingsPerS: 1 },
    };
    const r = rig({
      configKey: platform.publicKey,
      prepareQueue: (queuePath) => {
        const queue = openDiskQueue({ path: queuePath });
        queue.setState('config', forged);
        queue.close();
      },
    });
    await r.gateway.start();
    expect(r.gateway.status()).toMatchObject({ configVersion: 0, samplingIntervalS: 60 });
  });

  it('sends live readings first while a rate-limited backlog drains oldest first', async () => {
    const r = rig({ connectAfterMs: 3 * 3_600_000 });
    // A config from the platform: small batches, slow backfill, live batches after 60 s.
    r.broker.send(
      topicFor('config', VESSEL, ROOT),
      JSON.stringify({
        schema: 'qtled.config/1',
        vesselId: VESSEL,
        configVersion: 4,
        issuedAtMs: T0,
        sampling: { intervalS: 60 },
        heartbeat: { intervalS: 300 },
        upload: { batchMaxReadings: 50, batchMaxAgeS: 60, ackTimeoutS: 120, backfillMaxReadingsPerS: 1 },
      }),
      true,
    );
    await r.gateway.start();
    await r.runTo(T0 + 3 * 3_600_000 - 1);
    expect(r.telemetry()).toEqual([]);
    expect(r.gateway.status().queueDepth).toBe(180);
    // Back in coverage (config 4 arrives with the retained message and applies from now on).
    await r.runTo(T0 + 3 * 3_600_000 + 10 * 60_000);
    const batches = r.telemetry();
    const sent = seqsOf(batches);
    // Backlog: 50-reading batches, oldest first, at most 1 reading/s after the first full bucket.
    const backlog = batches.filter((b) => b.readings.length === 50).map((b) => b.readings[0]?.seq);
    expect(backlog).toEqual([...backlog].sort((a, b) => (a ?? 0) - (b ?? 0)));
    expect(backlog.length).toBeLessThanOrEqual(1 + Math.ceil((10 * 60) / 50));
    // Live readings (seq ≥ 180) went out while the backlog was still draining.
    const firstLive = sent.findIndex((seq) => seq >= 181);
    const lastBacklog = sent.findLastIndex((seq) => seq < 180);
    expect(firstLive).toBeGreaterThan(-1);
    expect(firstLive).toBeLessThan(lastBacklog);
    expect(r.events().some((e) => e.type === 'config-applied')).toBe(true);
  });

  it('keeps at most the in-flight window unacknowledged, resends after the ack timeout, deletes on ack', async () => {
    const r = rig({ tuning: { maxInFlightReadings: 8 }, connectAfterMs: 3_600_000 });
    r.acking.on = false;
    await r.gateway.start();
    await r.runTo(T0 + 3_600_000 + 60_000);
    // 61 readings on disk, 8 in flight: the window is full.
    expect(r.gateway.status().inFlight).toBe(8);
    expect(seqsOf(r.telemetry())).toHaveLength(8);
    await r.runTo(T0 + 3_600_000 + 4 * 60_000);
    const copies = seqsOf(r.telemetry()).filter((s) => s === 0).length;
    expect(copies).toBeGreaterThanOrEqual(2);
    expect(r.gateway.status().ackTimeouts).toBeGreaterThan(0);
    expect(r.gateway.status().acked).toBe(0);
    r.acking.on = true;
    await r.runTo(T0 + 3_600_000 + 30 * 60_000);
    const s = r.gateway.status();
    expect(s.queueDepth).toBeLessThan(10);
    expect(s.acked).toBe(s.sampled - s.queueDepth);
  });

  it('steps a wrong clock to GPS time, reports a replaced meter and a GPS without fix', async () => {
    const r = rig();
    r.world.rtcOffsetMs = -T0; // the RTC restarted at 1970
    r.world.gps = { fix: 'none' };
    await r.gateway.start();
    await r.runTo(T0 + 10 * 60_000);
    r.world.gps = { fix: '3d', lat: 17.2, lon: 107.5, speedKn: 0, headingDeg: 0 };
    r.world.energyKwh = 0.05; // a new meter
    r.world.ledFails = true;
    await r.runTo(T0 + 12 * 60_000);
    r.world.ledFails = false;
    await r.runTo(T0 + 20 * 60_000);
    r.acking.on = false;
    await r.runTo(T0 + 21 * 60_000);
    await r.gateway.stop();
    // What is not acknowledged stays on disk, and the status says so after the stop.
    expect(r.gateway.status().queueDepth).toBeGreaterThan(0);
    const events = r.events();
    expect(events.find((e) => e.type === 'sensor-fault' && e.sensor === 'gps')).toBeDefined();
    expect(events.find((e) => e.type === 'sensor-recovered' && e.sensor === 'gps')).toBeDefined();
    const adjusted = events.find((e) => e.type === 'clock-adjusted');
    expect(adjusted).toMatchObject({ source: 'gps' });
    expect(adjusted?.type === 'clock-adjusted' && adjusted.fromMs < Date.UTC(1971, 0, 1)).toBe(true);
    expect(events.find((e) => e.type === 'meter-replaced')).toMatchObject({ sensor: 'led-meter' });
    expect(events.find((e) => e.type === 'sensor-fault' && e.sensor === 'led-meter')).toBeDefined();
    const readings = r.telemetry().flatMap((b) => b.readings);
    expect(readings[0]).toMatchObject({ timeSource: 'rtc', position: { fix: 'none' } });
    expect((readings[0]?.deviceTimeMs ?? 0) < Date.UTC(1971, 0, 1)).toBe(true);
    expect(readings.at(-1)?.timeSource).toBe('gps');
    expect(Math.abs((readings.at(-1)?.deviceTimeMs ?? 0) - (T0 + 20 * 60_000))).toBeLessThan(61_000);
    // The birth came first, the goodbye last.
    const presence = r.broker.published
      .filter((m) => m.topic.endsWith('/presence'))
      .map((m) => JSON.parse(m.payload) as { state: string; cause?: string });
    expect(presence[0]?.state).toBe('online');
    expect(presence.at(-1)).toMatchObject({ state: 'offline', cause: 'shutdown' });
  });
});
