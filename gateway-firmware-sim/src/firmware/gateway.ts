import { randomBytes } from 'node:crypto';
import {
  type Ack,
  type BootId,
  type DeviceEventBody,
  type GatewayConfig,
  type GatewayId,
  type Heartbeat,
  type Presence,
  type Reading,
  type TelemetryBatch,
  type VesselId,
  DEFAULT_TOPIC_ROOT,
  GatewayConfig as GatewayConfigSchema,
  MAX_READINGS_PER_BATCH,
  Reading as ReadingSchema,
  decodeMessage,
  encodePayload,
  topicFor,
} from '@qt-led/contract';
import { type DiskQueue, type QueueSynchronous, type QueuedReading, openDiskQueue } from './disk-queue.js';
import type {
  Cancel,
  Clock,
  DiskInfo,
  FuelMeter,
  GatewayLogger,
  Gps,
  GpsFix,
  LedMeter,
  MqttConnector,
  MqttSession,
} from './ports.js';
import { silentLogger } from './ports.js';
import { FACTORY_SETTINGS, type GatewaySettings, settingsFromConfig } from './settings.js';

export const FIRMWARE_VERSION = '1.0.0';

/** Tuning that is not part of the downlink config: fixed per firmware build. */
export interface GatewayTuning {
  /** Readings published and not yet acknowledged, at most; more waits for acks (never outruns ingest). */
  maxInFlightReadings: number;
  /** Step the wall clock to GPS time when they differ by more than this. */
  clockStepThresholdMs: number;
  /** Report the GPS as faulty after this long without a fix. */
  gpsFaultAfterS: number;
  /** Below this much free disk, the oldest readings are dropped (the registers keep the energy). */
  minFreeDiskBytes: number;
  keepaliveS: number;
}

export const DEFAULT_TUNING: GatewayTuning = {
  maxInFlightReadings: 2 * MAX_READINGS_PER_BATCH,
  clockStepThresholdMs: 2_000,
  gpsFaultAfterS: 300,
  minFreeDiskBytes: 50 * 1024 * 1024,
  keepaliveS: 60,
};

export type BootReason = 'power-on' | 'watchdog' | 'software-update' | 'crash' | 'unknown';

export interface GatewayDeps {
  vesselId: VesselId;
  gatewayId: GatewayId;
  /** First topic segment(s); default `qtled`. */
  topicRoot?: string;
  clock: Clock;
  ledMeter: LedMeter;
  /** Absent on boats without a fuel totaliser. */
  fuelMeter?: FuelMeter | undefined;
  gps: Gps;
  disk: DiskInfo;
  /** The SQLite file of the outbound queue. */
  queuePath: string;
  queueSynchronous?: QueueSynchronous;
  connectMqtt: MqttConnector;
  /** Default: the gateway id. */
  clientId?: string;
  /** Draws the id of this boot; default 16 random hex digits. */
  newBootId?: () => string;
  bootReason?: BootReason;
  logger?: GatewayLogger;
  tuning?: Partial<GatewayTuning>;
}

export interface GatewayStatus {
  readonly bootId: string | null;
  /** Connected, subscribed and announced: publishing. */
  readonly online: boolean;
  readonly configVersion: number;
  readonly samplingIntervalS: number;
  /** Readings taken this boot. */
  readonly sampled: number;
  /** Readings published this boot, resends included. */
  readonly published: number;
  /** Readings published from the backlog: taken offline, or sent before and not acknowledged. */
  readonly publishedFromBacklog: number;
  /** Readings whose acknowledgement timed out (they are sent again, from the backlog). */
  readonly ackTimeouts: number;
  readonly batchesPublished: number;
  /** Readings removed from disk because an ack confirmed them. */
  readonly acked: number;
  /** Readings dropped because the disk was full. */
  readonly evicted: number;
  /** Readings on disk, not yet acknowledged. */
  readonly queueDepth: number;
  readonly inFlight: number;
  readonly lastAck: { bootId: string; throughSeq: number } | null;
}

export interface Gateway {
  start(): Promise<void>;
  /**
   * `graceful` (default): finish the work at hand, announce `offline/shutdown`, disconnect. Otherwise halt
   * at once as on power loss: the connection drops (the broker publishes the last will); everything not
   * acknowledged is on disk already. `drainTimeoutMs` (graceful only): first stop sampling and keep
   * uploading until the queue is empty or that much monotonic time has passed (a boat docking for the
   * season).
   */
  stop(options?: { graceful?: boolean; drainTimeoutMs?: number }): Promise<void>;
  status(): GatewayStatus;
  /** Resolves when there is nothing to do right now: no work running, nothing in flight while online. */
  whenIdle(): Promise<void>;
}

interface InFlightBatch {
  readonly fromId: number;
  readonly toId: number;
  count: number;
  readonly sentMono: number;
}

type SensorName = 'led-meter' | 'fuel-meter' | 'gps';

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The gateway firmware: samples the sensors, keeps every reading on disk until the platform confirms it
 * stored it (design.md §1), and speaks the contract over MQTT. All I/O goes through the ports in `deps`.
 */
export function createGateway(deps: GatewayDeps): Gateway {
  const { vesselId, gatewayId, clock } = deps;
  const root = deps.topicRoot ?? DEFAULT_TOPIC_ROOT;
  const tuning: GatewayTuning = { ...DEFAULT_TUNING, ...deps.tuning };
  const log = deps.logger ?? silentLogger;
  const topics = {
    telemetry: topicFor('telemetry', vesselId, root),
    presence: topicFor('presence', vesselId, root),
    heartbeat: topicFor('heartbeat', vesselId, root),
    events: topicFor('events', vesselId, root),
    ack: topicFor('ack', vesselId, root),
    config: topicFor('config', vesselId, root),
  };

  let queue: DiskQueue | undefined;
  let session: MqttSession | undefined;
  let settings: GatewaySettings = FACTORY_SETTINGS;
  let bootId: BootId | undefined;
  let bootOrdinal = 0;
  let bootMono = 0;
  let bootedAtMs = 0;
  let started = false;
  let stopCalled = false;
  let stopping = false;
  let stopped = false;
  let online = false;

  // Upload state (memory only: after a restart everything unacknowledged is simply sent again).
  let inFlight: InFlightBatch[] = [];
  let liveFromId = 1;
  let tokens = 0;
  let tokensAtMono = 0;
  let pumping = false;
  let pumpAgain = false;
  let wake: { at: number; cancel: Cancel } | undefined;
  let samplingTimer: Cancel | undefined;
  let heartbeatTimer: Cancel | undefined;
  let busy = 0;
  const idleWaiters: (() => void)[] = [];

  // Sensor and clock state.
  const faulty = new Set<SensorName>();
  let noFixSinceMono: number | undefined;
  let lastTimeCheckMono: number | undefined;
  let lastRegisters: { led?: number; fuel?: number } = {};
  let diskPressure = false;

  const stats = {
    sampled: 0,
    published: 0,
    fromBacklog: 0,
    ackTimeouts: 0,
    batches: 0,
    acked: 0,
    evicted: 0,
  };
  let lastAck: { bootId: string; throughSeq: number } | null = null;
  /** The queue depth when the queue was closed, for status() after stop(). */
  let depthAtStop = 0;

  // Read through functions: these flags change while an upload awaits the broker.
  const isStopped = (): boolean => stopped;
  const againRequested = (): boolean => pumpAgain;
  const isOnline = (): boolean => online;
  const wallNow = (): number => Math.max(0, Math.round(clock.wallMs()));
  const inFlightCount = (): number => inFlight.reduce((n, b) => n + b.count, 0);
  const isIdle = (): boolean => busy === 0 && !pumping && (!online || inFlightCount() === 0);

  let drainCheck: (() => void) | undefined;
  const notify = (): void => {
    drainCheck?.();
    if (!isIdle()) return;
    for (const resolve of idleWaiters.splice(0)) resolve();
  };

  /** Runs background work, counted for `whenIdle`; its failure is logged, never thrown at a timer. */
  const track = (work: () => Promise<void>): void => {
    busy += 1;
    void work()
      .catch((error: unknown) => {
        if (!stopped) log.error({ err: error }, 'gateway task failed');
      })
      .finally(() => {
        busy -= 1;
        notify();
      });
  };

  const requireQueue = (): DiskQueue => {
    if (!queue) throw new Error('gateway not started');
    return queue;
  };

  // --- events -----------------------------------------------------------------------------------
  const emitEvent = (event: DeviceEventBody): void => {
    const q = requireQueue();
    const id = bootId;
    if (id === undefined) return;
    q.appendEvent(bootOrdinal, (eventSeq) =>
      encodePayload('events', {
        schema: 'qtled.event/1',
        vesselId,
        gatewayId,
        bootId: id,
        eventSeq,
        atMs: wallNow(),
        event,
      }),
    );
    requestPump();
  };

  // --- sampling ---------------------------------------------------------------------------------
  const sensorFailed = (sensor: SensorName, detail: string): void => {
    if (faulty.has(sensor)) return;
    faulty.add(sensor);
    emitEvent({ type: 'sensor-fault', sensor, detail: detail.slice(0, 500) });
  };
  const sensorWorks = (sensor: SensorName): void => {
    if (!faulty.delete(sensor)) return;
    emitEvent({ type: 'sensor-recovered', sensor });
  };

  const disciplineClock = (fix: GpsFix, mono: number): void => {
    if (fix.fix === 'none' || fix.timeMs === undefined) return;
    const wall = clock.wallMs();
    if (Math.abs(fix.timeMs - wall) > tuning.clockStepThresholdMs) {
      clock.setWallMs(fix.timeMs);
      emitEvent({
        type: 'clock-adjusted',
        fromMs: Math.round(wall),
        toMs: Math.max(0, Math.round(fix.timeMs)),
        source: 'gps',
      });
    }
    lastTimeCheckMono = mono;
  };

  const sample = async (): Promise<void> => {
    const mono = clock.monotonicMs();
    const [led, fuel, gps] = await Promise.allSettled([
      deps.ledMeter.read(),
      deps.fuelMeter ? deps.fuelMeter.read() : Promise.resolve(undefined),
      deps.gps.read(),
    ]);
    if (stopped) return;
    const q = requireQueue();
    const id = bootId;
    if (id === undefined) return;

    let position: Reading['position'];
    if (gps.status === 'fulfilled') {
      const fix = gps.value;
      disciplineClock(fix, mono);
      if (fix.fix === 'none') {
        noFixSinceMono ??= mono;
        if (mono - noFixSinceMono >= tuning.gpsFaultAfterS * 1000) {
          sensorFailed('gps', `no fix for ${Math.round((mono - noFixSinceMono) / 1000)} s`);
        }
        position = { fix: 'none' };
      } else {
        noFixSinceMono = undefined;
        sensorWorks('gps');
        position = {
          fix: fix.fix,
          lat: fix.lat,
          lon: fix.lon,
          speedKn: fix.speedKn,
          headingDeg: fix.headingDeg,
          ...(fix.satellites === undefined ? {} : { satellites: fix.satellites }),
          ...(fix.hdop === undefined ? {} : { hdop: fix.hdop }),
        };
      }
    } else {
      sensorFailed('gps', errorMessage(gps.reason));
    }

    let ledSample: Reading['led'];
    if (led.status === 'fulfilled') {
      sensorWorks('led-meter');
      ledSample = led.value;
      const last = lastRegisters.led;
      if (last !== undefined && ledSample.energyKwh < last - 0.5) {
        emitEvent({
          type: 'meter-replaced',
          sensor: 'led-meter',
          lastRegister: last,
          firstRegister: ledSample.energyKwh,
        });
      }
    } else {
      sensorFailed('led-meter', errorMessage(led.reason));
    }

    let fuelSample: Reading['fuel'];
    if (fuel.status === 'fulfilled') {
      if (fuel.value) {
        sensorWorks('fuel-meter');
        fuelSample = fuel.value;
        const last = lastRegisters.fuel;
        if (last !== undefined && fuelSample.totalL < last - 0.5) {
          emitEvent({
            type: 'meter-replaced',
            sensor: 'fuel-meter',
            lastRegister: last,
            firstRegister: fuelSample.totalL,
          });
        }
      }
    } else {
      sensorFailed('fuel-meter', errorMessage(fuel.reason));
    }

    if (!ledSample && !fuelSample && !position) return;
    const deviceTimeMs = wallNow();
    const timeSource =
      lastTimeCheckMono !== undefined && mono - lastTimeCheckMono <= 3_600_000
        ? ('gps' as const)
        : ('rtc' as const);
    lastRegisters = {
      ...(ledSample
        ? { led: ledSample.energyKwh }
        : lastRegisters.led === undefined
          ? {}
          : { led: lastRegisters.led }),
      ...(fuelSample
        ? { fuel: fuelSample.totalL }
        : lastRegisters.fuel === undefined
          ? {}
          : { fuel: lastRegisters.fuel }),
    };
    q.appendReading(
      bootOrdinal,
      mono,
      (seq) => {
        const reading = {
          vesselId,
          bootId: id,
          seq,
          deviceTimeMs,
          timeSource,
          ...(ledSample ? { led: ledSample } : {}),
          ...(fuelSample ? { fuel: fuelSample } : {}),
          ...(position ? { position } : {}),
        };
        // Validated when taken, so that nothing on disk can ever fail the contract when it is sent.
        const checked = ReadingSchema.safeParse(reading);
        if (!checked.success) throw new Error(`invalid reading: ${checked.error.message}`);
        return { deviceTimeMs, body: JSON.stringify(reading) };
      },
      { registers: lastRegisters },
    );
    stats.sampled += 1;
    checkDisk(q);
    requestPump();
  };

  const checkDisk = (q: DiskQueue): void => {
    const free = deps.disk.freeBytes();
    if (free >= tuning.minFreeDiskBytes) {
      if (free > 2 * tuning.minFreeDiskBytes) diskPressure = false;
      return;
    }
    // Keep sampling: the newest readings matter most, and the registers carry the energy across a gap.
    const evicted = q.evictOldest(Math.max(100, Math.ceil(q.depth() / 100)));
    stats.evicted += evicted;
    if (!diskPressure) {
      diskPressure = true;
      emitEvent({ type: 'queue-pressure', depth: q.depth(), diskFreeBytes: Math.floor(free) });
    }
    log.warn({ evicted, free }, 'disk nearly full: oldest readings dropped');
  };

  // --- upload -----------------------------------------------------------------------------------
  const scheduleWake = (atMono: number): void => {
    if (stopped) return;
    if (wake && wake.at <= atMono) return;
    wake?.cancel();
    const delay = Math.max(0, atMono - clock.monotonicMs());
    const cancel = clock.setTimer(delay, () => {
      if (wake?.cancel === cancel) wake = undefined;
      requestPump();
    });
    wake = { at: atMono, cancel };
  };

  const requestPump = (): void => {
    if (stopped || stopping || !online) return;
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    busy += 1;
    void (async () => {
      try {
        do {
          pumpAgain = false;
          await pumpOnce();
        } while (againRequested() && isOnline() && !isStopped());
      } catch (error) {
        if (!isStopped() && isOnline()) log.warn({ err: error }, 'upload interrupted');
      } finally {
        pumping = false;
        busy -= 1;
        notify();
      }
    })();
  };

  /** Unsent readings in [fromId, toId]: the first contiguous run outside the batches in flight. */
  const nextRun = (q: DiskQueue, fromId: number, toId: number, limit: number): QueuedReading[] => {
    let cursor = fromId;
    for (const batch of inFlight) {
      if (batch.toId < cursor) continue;
      if (batch.fromId > toId) break;
      if (batch.fromId > cursor) {
        const rows = q.readingsBetween(cursor, Math.min(batch.fromId - 1, toId), limit);
        if (rows.length > 0) return rows;
      }
      cursor = Math.max(cursor, batch.toId + 1);
    }
    return cursor <= toId ? q.readingsBetween(cursor, toId, limit) : [];
  };

  const expireInFlight = (q: DiskQueue, now: number): void => {
    const timeoutMs = settings.upload.ackTimeoutS * 1000;
    inFlight = inFlight.filter((batch) => {
      if (now - batch.sentMono < timeoutMs) return true;
      const remaining = q.countBetween(batch.fromId, batch.toId);
      if (remaining > 0) {
        stats.ackTimeouts += remaining;
        // Resent as backlog: oldest first and rate-limited, behind live readings.
        liveFromId = Math.max(liveFromId, batch.toId + 1);
        log.info({ fromId: batch.fromId, toId: batch.toId, remaining }, 'ack timed out: will resend');
      }
      return false;
    });
  };

  const sendBatch = async (
    s: MqttSession,
    rows: readonly QueuedReading[],
    backlog: boolean,
  ): Promise<void> => {
    const first = rows[0];
    const last = rows.at(-1);
    if (!first || !last) return;
    const batch = {
      schema: 'qtled.telemetry/1',
      vesselId,
      gatewayId,
      sentAtMs: wallNow(),
      readings: rows.map((r) => JSON.parse(r.body) as Reading),
    } satisfies TelemetryBatch;
    let payload: string;
    try {
      payload = encodePayload('telemetry', batch);
    } catch (error) {
      // Cannot happen for readings validated when taken; never let one poison the queue for ever.
      log.error(
        { err: error, fromId: first.id, toId: last.id },
        'stored readings fail the contract: dropped',
      );
      stats.evicted += requireQueue().dropBetween(first.id, last.id);
      return;
    }
    const record: InFlightBatch = {
      fromId: first.id,
      toId: last.id,
      count: rows.length,
      sentMono: clock.monotonicMs(),
    };
    inFlight.push(record);
    inFlight.sort((a, b) => a.fromId - b.fromId);
    try {
      await s.publish(topics.telemetry, payload, { qos: 1, retain: false });
    } catch (error) {
      inFlight = inFlight.filter((b) => b !== record);
      throw error;
    }
    stats.batches += 1;
    stats.published += rows.length;
    if (backlog) stats.fromBacklog += rows.length;
  };

  const pumpOnce = async (): Promise<void> => {
    const s = session;
    if (!online || !s || stopped) return;
    const q = requireQueue();
    expireInFlight(q, clock.monotonicMs());

    // Events first: few, small, and what an officer looks at.
    for (;;) {
      const [event] = q.pendingEvents(1);
      if (!event) break;
      await s.publish(topics.events, event.body, { qos: 1, retain: false });
      if (isStopped()) return;
      q.deleteEvent(event.id);
    }

    const { batchMaxReadings, batchMaxAgeS, backfillMaxReadingsPerS } = settings.upload;
    const batchMax = Math.min(batchMaxReadings, MAX_READINGS_PER_BATCH);
    // Live readings (taken since this connection came up): never held back by the backlog.
    for (;;) {
      const room = tuning.maxInFlightReadings - inFlightCount();
      if (room <= 0) break;
      const rows = nextRun(q, liveFromId, Number.MAX_SAFE_INTEGER, Math.min(batchMax, room));
      const oldest = rows[0];
      if (!oldest) break;
      const now = clock.monotonicMs();
      const due =
        rows.length >= batchMax || rows.length >= room || now - oldest.monoMs >= batchMaxAgeS * 1000;
      if (!due) {
        scheduleWake(oldest.monoMs + batchMaxAgeS * 1000);
        break;
      }
      await sendBatch(s, rows, false);
      if (isStopped() || !isOnline()) return;
    }
    // The backlog (taken offline, or sent before without an ack): oldest first, rate-limited.
    for (;;) {
      const room = tuning.maxInFlightReadings - inFlightCount();
      if (room <= 0) break;
      const rows = nextRun(q, 1, liveFromId - 1, Math.min(batchMax, room));
      if (rows.length === 0) break;
      const now = clock.monotonicMs();
      tokens = Math.min(batchMax, tokens + ((now - tokensAtMono) / 1000) * backfillMaxReadingsPerS);
      tokensAtMono = now;
      if (tokens < rows.length) {
        scheduleWake(now + Math.ceil(((rows.length - tokens) / backfillMaxReadingsPerS) * 1000));
        break;
      }
      tokens -= rows.length;
      await sendBatch(s, rows, true);
      if (isStopped() || !isOnline()) return;
    }
    for (const batch of inFlight) scheduleWake(batch.sentMono + settings.upload.ackTimeoutS * 1000);
  };

  // --- downlink ---------------------------------------------------------------------------------
  const onAck = (ack: Ack): void => {
    const q = queue;
    if (!q || stopped) return;
    let removed = 0;
    for (const boot of ack.boots) {
      removed += q.acknowledge(boot.bootId, boot.throughSeq, boot.storedRanges ?? []);
    }
    const mine = ack.boots.find((b) => b.bootId === bootId) ?? ack.boots[0];
    if (mine) lastAck = { bootId: mine.bootId, throughSeq: mine.throughSeq };
    stats.acked += removed;
    if (removed > 0) {
      inFlight = inFlight.filter((batch) => {
        batch.count = q.countBetween(batch.fromId, batch.toId);
        return batch.count > 0;
      });
      requestPump();
    }
    notify();
  };

  const applySettings = (next: GatewaySettings): void => {
    const samplingChanged = next.sampling.intervalS !== settings.sampling.intervalS;
    const heartbeatChanged = next.heartbeat.intervalS !== settings.heartbeat.intervalS;
    settings = next;
    if (samplingChanged) scheduleSampling(settings.sampling.intervalS * 1000);
    if (heartbeatChanged) scheduleHeartbeat(settings.heartbeat.intervalS * 1000);
  };

  const onConfig = (topic: string, payload: Uint8Array): void => {
    const q = queue;
    if (!q || stopped) return;
    const decoded = decodeMessage(topic, payload, { root });
    if (decoded.ok && decoded.channel === 'config') {
      const config: GatewayConfig = decoded.payload;
      if (config.configVersion <= settings.configVersion) return;
      q.setState('config', config);
      applySettings(settingsFromConfig(config));
      emitEvent({ type: 'config-applied', configVersion: config.configVersion });
      log.info({ configVersion: config.configVersion }, 'config applied');
      if (online) track(publishBirth);
      return;
    }
    // Say no to a config we cannot use, if it is new enough to matter and tells its version.
    const version = configVersionOf(payload);
    if (version !== undefined && version > settings.configVersion && !decoded.ok) {
      emitEvent({ type: 'config-rejected', configVersion: version, reason: decoded.message.slice(0, 500) });
      log.warn({ configVersion: version, reason: decoded.message }, 'config rejected');
    }
  };

  const onMessage = (topic: string, payload: Uint8Array): void => {
    if (topic === topics.ack) {
      const decoded = decodeMessage(topic, payload, { root });
      if (decoded.ok && decoded.channel === 'ack') onAck(decoded.payload);
      else if (!decoded.ok) log.warn({ code: decoded.code, reason: decoded.message }, 'ack set aside');
    } else if (topic === topics.config) {
      onConfig(topic, payload);
    }
  };

  // --- presence and heartbeat ---------------------------------------------------------------------
  const publishBirth = async (): Promise<void> => {
    const s = session;
    const id = bootId;
    if (!s || id === undefined || stopped) return;
    const birth: Presence = {
      schema: 'qtled.presence/1',
      state: 'online',
      vesselId,
      gatewayId,
      bootId: id,
      firmware: FIRMWARE_VERSION,
      configVersion: settings.configVersion,
      bootedAtMs,
      connectedAtMs: wallNow(),
    };
    await s.publish(topics.presence, encodePayload('presence', birth), { qos: 1, retain: true });
  };

  const onConnect = (): void => {
    track(async () => {
      const s = session;
      if (!s || stopped) return;
      await s.subscribe([topics.ack, topics.config], 1);
      // The birth's PUBACK comes after the retained ack and config the subscription brought, so those
      // are handled before anything is sent (nothing already stored is sent again needlessly).
      await publishBirth();
      if (isStopped() || !s.connected) return;
      inFlight = [];
      liveFromId = requireQueue().nextReadingId();
      tokens = Math.min(settings.upload.batchMaxReadings, MAX_READINGS_PER_BATCH);
      tokensAtMono = clock.monotonicMs();
      online = true;
      log.info({ bootId, depth: requireQueue().depth() }, 'online');
      requestPump();
    });
  };

  const onClose = (): void => {
    if (online) log.info({ bootId }, 'offline');
    online = false;
    inFlight = [];
    wake?.cancel();
    wake = undefined;
    notify();
  };

  const heartbeat = async (): Promise<void> => {
    const s = session;
    const q = queue;
    const id = bootId;
    if (!s || !q || id === undefined || !online || stopped) return;
    const oldest = q.oldestDeviceTimeMs();
    const now = wallNow();
    const beat: Heartbeat = {
      schema: 'qtled.heartbeat/1',
      vesselId,
      gatewayId,
      bootId: id,
      atMs: now,
      firmware: FIRMWARE_VERSION,
      uptimeS: Math.round((clock.monotonicMs() - bootMono) / 1000),
      queue: {
        depth: q.depth(),
        oldestUnsentAgeS: oldest === null ? null : Math.max(0, Math.round((now - oldest) / 1000)),
        bytesOnDisk: q.bytesInUse(),
      },
      diskFreeBytes: Math.max(0, Math.floor(deps.disk.freeBytes())),
      lastAck: lastAck as Heartbeat['lastAck'],
    };
    await s.publish(topics.heartbeat, encodePayload('heartbeat', beat), { qos: 0, retain: false });
  };

  const scheduleSampling = (periodMs: number, firstDelayMs = periodMs): void => {
    samplingTimer?.();
    const tick = (): void => {
      if (stopped) return;
      samplingTimer = clock.setTimer(periodMs, tick);
      track(sample);
    };
    samplingTimer = clock.setTimer(firstDelayMs, tick);
  };

  const scheduleHeartbeat = (periodMs: number): void => {
    heartbeatTimer?.();
    const tick = (): void => {
      if (stopped) return;
      heartbeatTimer = clock.setTimer(periodMs, tick);
      track(heartbeat);
    };
    heartbeatTimer = clock.setTimer(periodMs, tick);
  };

  return {
    start() {
      if (started) throw new Error('gateway already started');
      started = true;
      const q = openDiskQueue({
        path: deps.queuePath,
        ...(deps.queueSynchronous === undefined ? {} : { synchronous: deps.queueSynchronous }),
      });
      queue = q;
      const stored = GatewayConfigSchema.safeParse(q.getState('config'));
      if (stored.success) settings = settingsFromConfig(stored.data);
      const draw = deps.newBootId ?? (() => randomBytes(8).toString('hex'));
      let id = draw() as BootId;
      // A boot id is never reused on this queue (a simulation re-run on an old data directory).
      for (let attempt = 0; q.bootOrdinalOf(id) !== undefined && attempt < 100; attempt += 1)
        id = draw() as BootId;
      bootId = id;
      bootMono = clock.monotonicMs();
      bootedAtMs = wallNow();
      const { boot, previous } = q.startBoot(id, bootedAtMs);
      bootOrdinal = boot.ordinal;
      // The meter registers the previous boot saw last, to notice a meter replaced while powered off.
      const saved = previous?.state as { registers?: { led?: unknown; fuel?: unknown } } | undefined;
      const led = saved?.registers?.led;
      const fuel = saved?.registers?.fuel;
      lastRegisters = {
        ...(typeof led === 'number' ? { led } : {}),
        ...(typeof fuel === 'number' ? { fuel } : {}),
      };
      emitEvent({
        type: 'boot',
        reason: deps.bootReason ?? 'power-on',
        previousBootId: (previous?.bootId ?? null) as BootId | null,
      });
      log.info({ bootId: id, queueDepth: q.depth(), configVersion: settings.configVersion }, 'boot');
      scheduleSampling(settings.sampling.intervalS * 1000, 0);
      scheduleHeartbeat(settings.heartbeat.intervalS * 1000);
      const offline: Presence = {
        schema: 'qtled.presence/1',
        state: 'offline',
        vesselId,
        gatewayId,
        bootId: id,
        cause: 'connection-lost',
      };
      session = deps.connectMqtt(
        {
          clientId: deps.clientId ?? gatewayId,
          keepaliveS: tuning.keepaliveS,
          will: { topic: topics.presence, payload: encodePayload('presence', offline), qos: 1, retain: true },
        },
        { onConnect, onClose, onMessage },
      );
      return Promise.resolve();
    },

    async stop(options = {}) {
      if (!started || stopCalled) return;
      stopCalled = true;
      const graceful = options.graceful ?? true;
      samplingTimer?.();
      heartbeatTimer?.();
      const s = session;
      const id = bootId;
      if (graceful && options.drainTimeoutMs !== undefined && options.drainTimeoutMs > 0 && queue) {
        const q = queue;
        await new Promise<void>((resolve) => {
          const cancelTimer = clock.setTimer(options.drainTimeoutMs ?? 0, () => {
            drainCheck = undefined;
            resolve();
          });
          drainCheck = () => {
            if (q.depth() === 0 && inFlightCount() === 0 && q.pendingEvents(1).length === 0) {
              drainCheck = undefined;
              cancelTimer();
              resolve();
            }
          };
          drainCheck();
        });
      }
      stopping = true;
      if (graceful) {
        // Let the work at hand finish (a sample being written, a batch being published), for at most 2 s.
        for (let waited = 0; (busy > 0 || pumping) && waited < 2_000; waited += 5) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        if (s?.connected && id !== undefined) {
          const goodbye: Presence = {
            schema: 'qtled.presence/1',
            state: 'offline',
            vesselId,
            gatewayId,
            bootId: id,
            cause: 'shutdown',
          };
          await s
            .publish(topics.presence, encodePayload('presence', goodbye), { qos: 1, retain: true })
            .catch(() => undefined);
        }
      }
      wake?.cancel();
      stopped = true;
      online = false;
      await s?.close(graceful);
      depthAtStop = queue?.depth() ?? depthAtStop;
      queue?.close();
      queue = undefined;
      for (const resolve of idleWaiters.splice(0)) resolve();
    },

    status() {
      return {
        bootId: bootId ?? null,
        online,
        configVersion: settings.configVersion,
        samplingIntervalS: settings.sampling.intervalS,
        sampled: stats.sampled,
        published: stats.published,
        publishedFromBacklog: stats.fromBacklog,
        ackTimeouts: stats.ackTimeouts,
        batchesPublished: stats.batches,
        acked: stats.acked,
        evicted: stats.evicted,
        queueDepth: queue?.depth() ?? depthAtStop,
        inFlight: inFlightCount(),
        lastAck,
      };
    },

    whenIdle() {
      if (isIdle() || stopped) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}

/** The configVersion of a config that fails the schema, if it states one. */
function configVersionOf(payload: Uint8Array): number | undefined {
  try {
    const value = JSON.parse(Buffer.from(payload).toString('utf8')) as unknown;
    if (value && typeof value === 'object' && 'configVersion' in value) {
      const version = value.configVersion;
      if (typeof version === 'number' && Number.isInteger(version) && version >= 1) return version;
    }
  } catch {
    return undefined;
  }
  return undefined;
}
