// Test code: what the unit tests of the gateway's parts share: a queue in a temporary folder with a boot
// begun on it, a clock on a discrete-event timeline, and an MQTT session that records what is published.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BootId, GatewayId, VesselId } from '@qt-led/contract';
import { type DiskQueue, openDiskQueue } from '../src/firmware/disk-queue.js';
import type { BootContext, GatewayState } from '../src/firmware/gateway-state.js';
import type { Clock, GatewayLogger, MqttSession } from '../src/firmware/ports.js';
import { FACTORY_SETTINGS, type GatewaySettings } from '../src/firmware/settings.js';
import { type Timeline, createTimeline } from '../src/sim/timeline.js';

export const VESSEL = VesselId.parse('QT-90145-TS');
export const GATEWAY = GatewayId.parse('gw-41a11a97');
export const BOOT = BootId.parse('abcdef0123456789');
export const T0 = Date.UTC(2024, 2, 1);

const cleanups: (() => void)[] = [];

/** Closes the queues and removes the folders made since the last call (call it in afterEach). */
export function cleanUpParts(): void {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
}

/** A queue with one boot begun on it. */
export function bootOnTempQueue(): BootContext & { readonly dir: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qtled-gw-part-'));
  const queue = openDiskQueue({ path: path.join(dir, 'queue.sqlite'), synchronous: 'normal' });
  cleanups.push(() => {
    try {
      queue.close();
    } catch {
      // closed by the test already
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const { boot } = queue.startBoot(BOOT, T0);
  return { vesselId: VESSEL, gatewayId: GATEWAY, queue, bootId: BOOT, ordinal: boot.ordinal, dir };
}

/** The gateway's clock on a timeline: monotonic = timeline time, the wall clock off by `offsetMs`. */
export function timelineClock(timeline: Timeline): Clock & { offsetMs: number } {
  const clock = {
    offsetMs: 0,
    wallMs: () => timeline.nowMs + clock.offsetMs,
    setWallMs: (ms: number) => {
      clock.offsetMs = ms - timeline.nowMs;
    },
    monotonicMs: () => timeline.nowMs,
    setTimer: (delayMs: number, fn: () => void) => timeline.schedule(timeline.nowMs + delayMs, fn),
  };
  return clock;
}

export function newTimeline(): Timeline {
  return createTimeline(T0);
}

export function runningState(settings: Partial<GatewaySettings> = {}): GatewayState {
  return { settings: { ...FACTORY_SETTINGS, ...settings }, online: true, stopping: false, stopped: false };
}

export interface RecordedPublish {
  readonly topic: string;
  readonly payload: string;
  readonly qos: 0 | 1;
  readonly retain: boolean;
}

/** An MQTT session that records publishes; `failing` makes them reject, as on a dropped connection. */
export interface RecordingSession extends MqttSession {
  readonly published: RecordedPublish[];
  readonly subscribed: string[];
  connected: boolean;
  failing: boolean;
  closedGracefully: boolean | undefined;
}

export function recordingSession(): RecordingSession {
  const session: RecordingSession = {
    published: [],
    subscribed: [],
    connected: true,
    failing: false,
    closedGracefully: undefined,
    async publish(topic, payload, options) {
      await Promise.resolve();
      if (session.failing) throw new Error('not connected');
      session.published.push({ topic, payload, qos: options.qos, retain: options.retain });
    },
    async subscribe(filters) {
      await Promise.resolve();
      session.subscribed.push(...filters);
    },
    async close(graceful) {
      await Promise.resolve();
      session.connected = false;
      session.closedGracefully = graceful;
    },
  };
  return session;
}

/** Lets every promise chain started so far run to its end. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

/** Advances the timeline event by event up to `ms`, letting the async work of each event finish. */
export async function runTo(timeline: Timeline, ms: number): Promise<void> {
  for (;;) {
    await flush();
    const next = timeline.nextDueMs();
    if (next === undefined || next > ms) break;
    timeline.advanceTo(next);
  }
  timeline.advanceTo(ms);
  await flush();
}

/** A logger that keeps what it is told, to check that a failure was reported. */
export function recordingLogger(): GatewayLogger & { readonly lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const at =
    (level: string) =>
    (_object: object, message?: string): void => {
      lines.push({ level, message: message ?? '' });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Appends `n` readings to the queue, `stepMs` apart in monotonic time from `fromMono`. */
export function appendReadings(boot: BootContext, n: number, fromMono: number, stepMs = 60_000): void {
  const queue: DiskQueue = boot.queue;
  for (let i = 0; i < n; i += 1) {
    const mono = fromMono + i * stepMs;
    queue.appendReading(boot.ordinal, mono, (seq) => ({
      deviceTimeMs: mono,
      body: JSON.stringify({
        vesselId: boot.vesselId,
        bootId: boot.bootId,
        seq,
        deviceTimeMs: mono,
        timeSource: 'gps',
        led: { powerW: 6000, energyKwh: 100 + seq / 10, lampsOn: 24 },
      }),
    }));
  }
}
