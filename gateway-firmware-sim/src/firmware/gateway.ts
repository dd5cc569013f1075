import { randomBytes } from 'node:crypto';
import {
  type BootId,
  type DeviceEventBody,
  type GatewayId,
  type VesselId,
  DEFAULT_TOPIC_ROOT,
  GatewayConfig as GatewayConfigSchema,
} from '@qt-led/contract';
import { type Activity, createActivity } from './activity.js';
import { type QueueSynchronous, openDiskQueue } from './disk-queue.js';
import { type EventLog, createEventLog } from './event-log.js';
import { DEFAULT_TUNING, type GatewayTuning } from './firmware-build.js';
import { type BootContext, type GatewayState, gatewayTopics, wallNowMs } from './gateway-state.js';
import type { Clock, DiskInfo, FuelMeter, GatewayLogger, Gps, LedMeter, MqttConnector } from './ports.js';
import { silentLogger } from './ports.js';
import { type MeterRegisters, type Sampler, createSampler } from './sampler.js';
import { type Session, createSession } from './session.js';
import { type ConfigKey, signedWith } from './config-key.js';
import { FACTORY_SETTINGS, settingsFromConfig } from './settings.js';
import { NOTHING_UPLOADED, type Uploader, createUploader } from './uploader.js';

export { DEFAULT_TUNING, FIRMWARE_VERSION, type GatewayTuning } from './firmware-build.js';

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
  /**
   * The platform's config key, pinned: only configs signed with it are applied, and a stored config that
   * is not is dropped at boot (factory settings). Unset: any valid config is applied (not provisioned).
   */
  configKey?: ConfigKey | undefined;
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
  /** Device events on disk, not yet acknowledged. */
  readonly eventsPending: number;
  /** Device events removed from disk because an ack confirmed them. */
  readonly eventsAcked: number;
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

/** The parts of a started gateway, wired for one boot. */
interface Parts {
  readonly boot: BootContext;
  readonly events: EventLog;
  readonly sampler: Sampler;
  readonly uploader: Uploader;
  readonly session: Session;
}

/**
 * The gateway firmware: samples the sensors, keeps every reading on disk until the platform confirms it
 * stored it, and speaks the contract over MQTT. All I/O goes through the ports in `deps`. The work is
 * done by four parts wired at start(): the sampler, the event log, the uploader and the session.
 */
export function createGateway(deps: GatewayDeps): Gateway {
  const tuning: GatewayTuning = { ...DEFAULT_TUNING, ...deps.tuning };
  const log = deps.logger ?? silentLogger;
  const state: GatewayState = { settings: FACTORY_SETTINGS, online: false, stopping: false, stopped: false };
  const activity = createActivity({ isStopped: () => state.stopped, log });
  let parts: Parts | undefined;
  let started = false;
  let stopCalled = false;
  /** Set once the queue is closed: status() reports the depth it had. */
  let depthAtStop: number | undefined;
  let eventsAtStop: number | undefined;
  const idleWaiters: (() => void)[] = [];
  let drainCheck: (() => void) | undefined;

  const isIdle = (): boolean =>
    activity.busy === 0 &&
    !(parts?.uploader.isPumping() ?? false) &&
    (!state.online ||
      ((parts?.uploader.inFlightCount() ?? 0) === 0 && (parts?.events.inFlight() ?? 0) === 0));
  activity.watch(() => {
    drainCheck?.();
    if (!isIdle()) return;
    for (const resolve of idleWaiters.splice(0)) resolve();
  });

  /** Until the queue is empty and nothing is in flight, or `timeoutMs` of monotonic time has passed. */
  const drain = (p: Parts, timeoutMs: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const cancelTimer = deps.clock.setTimer(timeoutMs, () => {
        drainCheck = undefined;
        resolve();
      });
      drainCheck = () => {
        if (p.boot.queue.depth() === 0 && p.uploader.inFlightCount() === 0 && p.events.pending() === 0) {
          drainCheck = undefined;
          cancelTimer();
          resolve();
        }
      };
      drainCheck();
    });

  return {
    start() {
      if (started) throw new Error('gateway already started');
      started = true;
      parts = bootGateway(deps, { state, activity, tuning, log });
      return Promise.resolve();
    },

    async stop(options = {}) {
      const p = parts;
      if (!p || stopCalled) return;
      stopCalled = true;
      const graceful = options.graceful ?? true;
      p.sampler.cancel();
      p.session.stopHeartbeats();
      if (graceful && options.drainTimeoutMs !== undefined && options.drainTimeoutMs > 0) {
        await drain(p, options.drainTimeoutMs);
      }
      state.stopping = true;
      if (graceful) {
        // Let the work at hand finish (a sample being written, a batch being published), for at most 2 s.
        for (let waited = 0; (activity.busy > 0 || p.uploader.isPumping()) && waited < 2_000; waited += 5) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await p.session.sayGoodbye();
      }
      p.uploader.cancelWake();
      state.stopped = true;
      state.online = false;
      await p.session.close(graceful);
      depthAtStop = p.boot.queue.depth();
      eventsAtStop = p.events.pending();
      p.boot.queue.close();
      for (const resolve of idleWaiters.splice(0)) resolve();
    },

    status() {
      const p = parts;
      const sampling = p?.sampler.counts() ?? { sampled: 0, evicted: 0 };
      const upload = p?.uploader.counts() ?? NOTHING_UPLOADED;
      return {
        bootId: p?.boot.bootId ?? null,
        online: state.online,
        configVersion: state.settings.configVersion,
        samplingIntervalS: state.settings.sampling.intervalS,
        sampled: sampling.sampled,
        published: upload.published,
        publishedFromBacklog: upload.fromBacklog,
        ackTimeouts: upload.ackTimeouts,
        batchesPublished: upload.batches,
        acked: upload.acked,
        evicted: sampling.evicted + upload.dropped,
        queueDepth: depthAtStop ?? p?.boot.queue.depth() ?? 0,
        eventsPending: eventsAtStop ?? p?.events.pending() ?? 0,
        eventsAcked: upload.eventsAcked,
        inFlight: p?.uploader.inFlightCount() ?? 0,
        lastAck: p?.uploader.lastAck() ?? null,
      };
    },

    whenIdle() {
      if (isIdle() || state.stopped) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}

/**
 * Opens the queue, begins a boot on it and wires the parts for that boot; then records the boot event,
 * starts sampling and opens the connection.
 */
function bootGateway(
  deps: GatewayDeps,
  shared: { state: GatewayState; activity: Activity; tuning: GatewayTuning; log: GatewayLogger },
): Parts {
  const { clock } = deps;
  const { state, activity, tuning, log } = shared;
  const queue = openDiskQueue({
    path: deps.queuePath,
    ...(deps.queueSynchronous === undefined ? {} : { synchronous: deps.queueSynchronous }),
  });
  const stored = GatewayConfigSchema.safeParse(queue.getState('config'));
  if (stored.success && (deps.configKey === undefined || signedWith(stored.data, deps.configKey)))
    state.settings = settingsFromConfig(stored.data);
  else if (queue.getState('config') !== undefined)
    log.warn(
      { reason: stored.success ? 'not signed with the pinned config key' : stored.error.message },
      'stored config dropped: factory settings until the platform sends one',
    );
  const draw = deps.newBootId ?? (() => randomBytes(8).toString('hex'));
  let bootId = draw() as BootId;
  // A boot id is never reused on this queue (a simulation re-run on an old data directory).
  for (let attempt = 0; queue.bootOrdinalOf(bootId) !== undefined && attempt < 100; attempt += 1)
    bootId = draw() as BootId;
  const bootMono = clock.monotonicMs();
  const bootedAtMs = wallNowMs(clock);
  const { boot: record, previous } = queue.startBoot(bootId, bootedAtMs);
  const boot: BootContext = {
    vesselId: deps.vesselId,
    gatewayId: deps.gatewayId,
    queue,
    bootId,
    ordinal: record.ordinal,
  };
  const topics = gatewayTopics(deps.vesselId, deps.topicRoot ?? DEFAULT_TOPIC_ROOT);
  const wallNow = (): number => wallNowMs(clock);
  const isStopped = (): boolean => state.stopped;

  const events = createEventLog({ boot, topic: topics.events, wallNowMs: wallNow });
  const uploader = createUploader({
    boot,
    topic: topics.telemetry,
    clock,
    wallNowMs: wallNow,
    maxInFlightReadings: tuning.maxInFlightReadings,
    state,
    events,
    activity,
    log,
  });
  const emitEvent = (event: DeviceEventBody): void => {
    events.record(event);
    uploader.request();
  };
  const sampler = createSampler({
    boot,
    clock,
    ledMeter: deps.ledMeter,
    fuelMeter: deps.fuelMeter,
    gps: deps.gps,
    disk: deps.disk,
    tuning,
    previousRegisters: savedRegisters(previous?.state),
    isStopped,
    emitEvent,
    onStored: () => {
      uploader.request();
    },
    activity,
    wallNowMs: wallNow,
    log,
  });
  const session = createSession({
    boot,
    topics,
    topicRoot: deps.topicRoot ?? DEFAULT_TOPIC_ROOT,
    clock,
    connectMqtt: deps.connectMqtt,
    clientId: deps.clientId ?? deps.gatewayId,
    keepaliveS: tuning.keepaliveS,
    bootMono,
    bootedAtMs,
    disk: deps.disk,
    state,
    uploader,
    sampler,
    emitEvent,
    activity,
    wallNowMs: wallNow,
    log,
    configKey: deps.configKey,
  });

  emitEvent({
    type: 'boot',
    reason: deps.bootReason ?? 'power-on',
    previousBootId: (previous?.bootId ?? null) as BootId | null,
  });
  log.info({ bootId, queueDepth: queue.depth(), configVersion: state.settings.configVersion }, 'boot');
  sampler.schedule(state.settings.sampling.intervalS * 1000, 0);
  session.open();
  return { boot, events, sampler, uploader, session };
}

/** The meter registers the previous boot saved with its last reading, if it saved any. */
function savedRegisters(saved: unknown): MeterRegisters {
  const registers = (saved as { registers?: { led?: unknown; fuel?: unknown } } | undefined)?.registers;
  const led = registers?.led;
  const fuel = registers?.fuel;
  return {
    ...(typeof led === 'number' ? { led } : {}),
    ...(typeof fuel === 'number' ? { fuel } : {}),
  };
}
