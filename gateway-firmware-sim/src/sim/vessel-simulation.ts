import type { ConfigKey } from '../firmware/config-key.js';
import { MeterId, type RegistryIndex, VesselId } from '@qt-led/contract';
import type { QueueSynchronous } from '../firmware/disk-queue.js';
import type { Gateway, GatewayTuning } from '../firmware/gateway.js';
import { type GatewayTls, createMqttJsConnector } from '../firmware/mqtt-connector.js';
import type { GatewayLogger, MqttConnector } from '../firmware/ports.js';
import { type FuelMeterPolicy, registrySetup } from '../world/registry-setup.js';
import { type Random, createRandom, keyed } from '../world/rng.js';
import type { Weather } from '../world/sky-and-weather.js';
import {
  type VesselWorld,
  type WorldFaults,
  createVesselWorld,
  emptyWorldFaults,
} from '../world/vessel-world.js';
import { type FaultEvent, RTC_JUMP_GPS_TIME_OUTAGE_MS } from './faults.js';
import type { Pacer } from './pacer.js';
import { settle } from './settle.js';
import { type Rtc, createRtc, simulatedSensors } from './simulated-devices.js';
import { type CorruptionKind, type CoverageGate, createCoverageGate } from './simulated-link.js';
import { type Timeline, createTimeline } from './timeline.js';
import { type Boot, type BootTotals, type VesselBoots, createVesselBoots } from './vessel-boots.js';

export interface BrokerOptions {
  url: string;
  /** Per-gateway credentials (each gateway has its own on a production broker). */
  credentials?: (vesselId: string, gatewayId: string) => { username: string; password: string } | undefined;
  /** The CA (and a client certificate) for an `mqtts://` broker, the same for every gateway. */
  tls?: GatewayTls | undefined;
  /** Pause before reconnecting after an unexpected drop (real time, default 200 ms). */
  reconnectDelayMs?: number;
}

export interface VesselSimulationOptions {
  seed: number;
  vesselId: string;
  registry: RegistryIndex;
  weather: Weather;
  /** The world starts here (boats in port), before `startMs`, so that the fleet is mid-season at the start. */
  worldStartMs: number;
  startMs: number;
  /** Simulated end; Infinity runs until `requestStop()`. */
  endMs: number;
  topicRoot: string;
  dataDir: string;
  broker: BrokerOptions;
  clientIdPrefix?: string;
  queueSynchronous?: QueueSynchronous;
  /** The platform's config key, pinned on the gateway (only configs it signed are applied). */
  configKey?: ConfigKey;
  fuelMeters?: FuelMeterPolicy;
  faults: readonly FaultEvent[];
  pacer: Pacer;
  /** Give up waiting for the gateway to settle (acks, reconnects) after this much real time. */
  settleTimeoutMs?: number;
  gatewayTuning?: Partial<GatewayTuning>;
  logger?: GatewayLogger;
  /** Replaces the coverage model (scenarios: "out of coverage for 3 days"); default: the world's. */
  coverage?: (ms: number) => boolean;
  /** Replaces the MQTT adapter (tests without a broker). */
  connector?: (gate: ReturnType<typeof createCoverageGate>) => MqttConnector;
}

/** A vessel's gateway over every boot of the run; `pending` as it stands at the end. */
export interface VesselTotals extends BootTotals {
  readonly vesselId: string;
}

export interface VesselSimulation {
  readonly vesselId: string;
  readonly world: VesselWorld;
  readonly nowMs: number;
  readonly gateway: Gateway | undefined;
  /** Runs until the end; then shuts the gateway down (after draining its queue, if asked). */
  run(options?: { drain?: boolean; drainTimeoutMs?: number }): Promise<void>;
  /** Ends the run at the current instant. */
  requestStop(): void;
  totals(): VesselTotals;
}

const MINUTE_MS = 60_000;
const CORRUPTIONS: readonly CorruptionKind[] = ['invalid-json', 'schema-violation', 'truncated'];

export function createVesselSimulation(options: VesselSimulationOptions): VesselSimulation {
  const vesselId = VesselId.parse(options.vesselId);
  const vessel = options.registry.vessel(vesselId);
  if (!vessel) throw new Error(`vessel ${vesselId} is not in the fleet registry`);
  const { seed, startMs, endMs } = options;
  const random = createRandom(keyed(seed, vesselId, 'simulation'));
  // World faults are known before anything is computed, so the registers include them from the start.
  const worldFaults = worldFaultsFrom(options.faults, random, (atMs, taken) =>
    replacementMeterId(seed, vesselId, atMs, [...vessel.versions.map((v) => v.meter.meterId), ...taken]),
  );
  const world = createVesselWorld({
    seed,
    vessel,
    setupAt: registrySetup(options.registry, vesselId, options.fuelMeters),
    weather: options.weather,
    fromMs: options.worldStartMs,
    faults: worldFaults,
  });
  const rtc: Rtc = createRtc({
    startTrueMs: options.worldStartMs,
    initialOffsetMs: random.between(-800, 800),
    baselinePpm: random.between(-8, 8),
    drifts: worldFaults.rtcDrifts,
  });
  const timeline = createTimeline(startMs);
  const coverageAt = options.coverage ?? ((ms: number) => world.inCoverage(ms));
  const gate = createCoverageGate(coverageAt(startMs));

  let stopRequested = false;
  const isStopRequested = (): boolean => stopRequested;
  const pendingOps = new Set<Promise<void>>();
  const simTimers: (() => void)[] = [];
  /** The next world tick: one timer, replaced every simulated minute (kept apart so a month holds one). */
  let cancelWorldTick: (() => void) | undefined;
  let pendingCorruptions = 0;
  let corruptionCount = 0;

  const track = (op: Promise<void>): void => {
    pendingOps.add(op);
    void op.finally(() => pendingOps.delete(op));
  };
  const schedule = (atMs: number, fn: () => void): void => {
    simTimers.push(timeline.schedule(atMs, fn));
  };
  const boots = createVesselBoots({
    seed,
    vesselId,
    world,
    timeline,
    rtc,
    sensors: simulatedSensors(world, timeline),
    topicRoot: options.topicRoot,
    dataDir: options.dataDir,
    clientIdPrefix: options.clientIdPrefix,
    queueSynchronous: options.queueSynchronous,
    configKey: options.configKey,
    gatewayTuning: options.gatewayTuning,
    logger: options.logger,
    connectorFor: (gatewayId) => connectorFor(options, vesselId, gatewayId, gate),
    track,
    schedule,
    isStopRequested,
  });

  /** Once a simulated minute: the radio follows the boat's position; queued corruptions go out. */
  const worldTick = (): void => {
    gate.set(coverageAt(timeline.nowMs));
    const faults = boots.linkFaults;
    if (pendingCorruptions > 0 && boots.current?.gateway.status().online && faults) {
      const kind = CORRUPTIONS[corruptionCount % CORRUPTIONS.length] ?? 'invalid-json';
      corruptionCount += 1;
      pendingCorruptions -= 1;
      track(
        faults.publishCorrupted(kind).then((sent) => {
          if (!sent) pendingCorruptions += 1;
        }),
      );
    }
    cancelWorldTick = timeline.schedule(timeline.nowMs + MINUTE_MS, worldTick);
  };

  const settled = (): Promise<void> =>
    settle({
      pendingOps,
      gate,
      gateway: () => boots.current?.gateway,
      timeoutMs: options.settleTimeoutMs ?? 2_000,
    });

  const run = async (runOptions: { drain?: boolean; drainTimeoutMs?: number } = {}): Promise<void> => {
    boots.powerOn('power-on');
    cancelWorldTick = timeline.schedule(startMs + MINUTE_MS, worldTick);
    scheduleFaults(options.faults, {
      timeline,
      random,
      startMs,
      endMs,
      schedule,
      boots,
      rtc,
      queueCorruption: () => {
        pendingCorruptions += 1;
      },
    });
    while (!stopRequested) {
      await settled();
      const next = timeline.nextDueMs();
      if (next === undefined || next >= endMs) break;
      await options.pacer.waitUntil(next);
      if (isStopRequested()) break;
      timeline.advanceTo(next);
    }
    for (const cancel of simTimers) cancel();
    cancelWorldTick();
    await Promise.allSettled([...pendingOps]);
    const current: Boot | undefined = boots.current;
    if (!current) return;
    if (runOptions.drain && !stopRequested) {
      const drainTimeoutMs = runOptions.drainTimeoutMs ?? 6 * 3_600_000;
      await drainAndStop(current.gateway, { gate, timeline, settled, drainTimeoutMs });
    } else {
      await current.gateway.stop({ graceful: true });
    }
    boots.retire(current);
  };

  return {
    vesselId,
    world,
    get nowMs() {
      return timeline.nowMs;
    },
    get gateway() {
      return boots.current?.gateway;
    },
    run,
    requestStop() {
      stopRequested = true;
    },
    totals: () => ({ vesselId, ...boots.totals() }),
  };
}

/** The faults of the boat's devices, for the world (the gateway's own are scheduled by the run). */
function worldFaultsFrom(
  faults: readonly FaultEvent[],
  random: Random,
  newMeterId: (atMs: number, taken: readonly MeterId[]) => MeterId,
): WorldFaults {
  const worldFaults = emptyWorldFaults();
  for (const f of faults) {
    const until = f.atMs + (f.durationMs ?? 0);
    if (f.kind === 'lamp-failure')
      worldFaults.lampFailures.push({ fromMs: f.atMs, toMs: until, lamps: f.lamps ?? 2 });
    if (f.kind === 'meter-replaced') {
      worldFaults.meterReplacements.push({
        atMs: f.atMs,
        meter: 'led-meter',
        firstRegister: random.between(0, 0.3),
        meterId: newMeterId(
          f.atMs,
          worldFaults.meterReplacements.map((r) => r.meterId),
        ),
      });
    }
    if (f.kind === 'gps-loss') worldFaults.gpsOutages.push({ fromMs: f.atMs, toMs: until });
    if (f.kind === 'rtc-jump-ahead' || f.kind === 'rtc-jump-back')
      worldFaults.gpsTimeOutages.push({ fromMs: f.atMs, toMs: f.atMs + RTC_JUMP_GPS_TIME_OUTAGE_MS });
    if (f.kind === 'clock-drift') {
      worldFaults.rtcDrifts.push({ fromMs: f.atMs, toMs: until, ppm: 2_000 });
      worldFaults.gpsTimeOutages.push({ fromMs: f.atMs, toMs: until });
    }
  }
  return worldFaults;
}

/**
 * The serial of a meter fitted at `atMs`, in the registry's form (`EM<yy>-<nnnn>`, the year it is fitted):
 * the same for the same seed, and never one the boat has carried, so its readings name another meter.
 * (Drawn from a hash, not from the run's random stream, which the other faults' draws depend on.)
 */
function replacementMeterId(seed: number, vesselId: string, atMs: number, taken: readonly string[]): MeterId {
  const year = String(new Date(atMs).getUTCFullYear() % 100).padStart(2, '0');
  for (let attempt = 0; ; attempt++) {
    const serial = String(keyed(seed, vesselId, 'replacement-meter', atMs, attempt) % 10_000).padStart(
      4,
      '0',
    );
    const meterId = `EM${year}-${serial}`;
    if (!taken.includes(meterId)) return MeterId.parse(meterId);
  }
}

/** The gateway's own faults, on the timeline: power cuts, a flat RTC battery, link faults. */
function scheduleFaults(
  faults: readonly FaultEvent[],
  deps: {
    timeline: Timeline;
    random: Random;
    startMs: number;
    endMs: number;
    schedule: (atMs: number, fn: () => void) => void;
    boots: Pick<VesselBoots, 'powerOff' | 'linkFaults'>;
    rtc: Rtc;
    queueCorruption: () => void;
  },
): void {
  const { timeline, boots } = deps;
  for (const f of faults) {
    const fire = (fn: () => void): void => {
      if (f.atMs >= deps.startMs && f.atMs < deps.endMs) deps.schedule(f.atMs, fn);
    };
    const gapMs = Math.round(deps.random.between(45_000, 120_000));
    switch (f.kind) {
      case 'reboot':
        fire(() => {
          boots.powerOff(timeline.nowMs + gapMs, 'power-on', false);
        });
        break;
      case 'rtc-reset':
        fire(() => {
          boots.powerOff(timeline.nowMs + gapMs, 'power-on', true);
          deps.rtc.reset(timeline.nowMs + gapMs);
        });
        break;
      case 'silent':
        fire(() => {
          boots.powerOff(timeline.nowMs + (f.durationMs ?? 3 * 86_400_000), 'power-on', false);
        });
        break;
      case 'duplicate-sends':
        fire(() => {
          const link = boots.linkFaults;
          if (link) link.duplicateTelemetry = true;
          deps.schedule(timeline.nowMs + (f.durationMs ?? 3_600_000), () => {
            const later = boots.linkFaults;
            if (later) later.duplicateTelemetry = false;
          });
        });
        break;
      case 'corrupted-frame':
        fire(deps.queueCorruption);
        break;
      case 'rtc-jump-ahead':
      case 'rtc-jump-back':
        fire(() => {
          const stepMs = (f.durationMs ?? 3_600_000) * (f.kind === 'rtc-jump-ahead' ? 1 : -1);
          deps.rtc.set(timeline.nowMs, deps.rtc.read(timeline.nowMs) + stepMs);
        });
        break;
      default:
        // World faults were applied to the world when it was made.
        break;
    }
  }
}

function connectorFor(
  options: VesselSimulationOptions,
  vesselId: VesselId,
  gatewayId: string,
  gate: CoverageGate,
): MqttConnector {
  if (options.connector) return options.connector(gate);
  const credentials = options.broker.credentials?.(vesselId, gatewayId);
  return createMqttJsConnector({
    url: options.broker.url,
    tls: options.broker.tls,
    link: gate,
    reconnectDelayMs: options.broker.reconnectDelayMs ?? 200,
    ...(credentials ? { username: credentials.username, password: credentials.password } : {}),
  });
}

/** Brings the boat into coverage and lets the gateway empty its queue before it shuts down. */
async function drainAndStop(
  gateway: Gateway,
  deps: { gate: CoverageGate; timeline: Timeline; settled: () => Promise<void>; drainTimeoutMs: number },
): Promise<void> {
  const { timeline } = deps;
  let drainDone = false;
  const isDrained = (): boolean => drainDone;
  deps.gate.set(true);
  const stopping = gateway.stop({ graceful: true, drainTimeoutMs: deps.drainTimeoutMs }).finally(() => {
    drainDone = true;
  });
  while (!isDrained()) {
    await deps.settled();
    const next = timeline.nextDueMs();
    if (isDrained()) break;
    if (next === undefined) {
      await stopping;
      break;
    }
    timeline.advanceTo(next);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await stopping;
}
