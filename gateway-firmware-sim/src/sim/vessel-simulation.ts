import path from 'node:path';
import { GatewayId, type RegistryIndex, VesselId } from '@qt-led/contract';
import { type BootReason, type Gateway, type GatewayTuning, createGateway } from '../firmware/gateway.js';
import type { QueueSynchronous } from '../firmware/disk-queue.js';
import { createMqttJsConnector } from '../firmware/mqtt-connector.js';
import type { GatewayLogger, MqttConnector } from '../firmware/ports.js';
import { type FuelMeterPolicy, registrySetup } from '../world/registry-setup.js';
import { createRandom, derivedHexId, keyed } from '../world/rng.js';
import type { Weather } from '../world/sky-and-weather.js';
import { type VesselWorld, createVesselWorld, emptyWorldFaults } from '../world/vessel-world.js';
import type { FaultEvent } from './faults.js';
import type { Pacer } from './pacer.js';
import { type Rtc, createRtc, simulatedClock, simulatedDisk, simulatedSensors } from './simulated-devices.js';
import { type CorruptionKind, createCoverageGate, withLinkFaults } from './simulated-link.js';
import { createTimeline } from './timeline.js';

export interface BrokerOptions {
  url: string;
  /** Per-gateway credentials (each gateway has its own on a production broker). */
  credentials?: (vesselId: string, gatewayId: string) => { username: string; password: string } | undefined;
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

export interface VesselTotals {
  readonly vesselId: string;
  readonly boots: number;
  readonly sampled: number;
  readonly published: number;
  readonly publishedFromBacklog: number;
  readonly ackTimeouts: number;
  readonly batches: number;
  readonly acked: number;
  readonly evicted: number;
  /** Readings on disk, not acknowledged, at the end. */
  readonly pending: number;
  readonly duplicatesInjected: number;
  readonly corruptedInjected: number;
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

interface Boot {
  readonly gateway: Gateway;
  readonly clock: ReturnType<typeof simulatedClock>;
  readonly queuePath: string;
}

const MINUTE_MS = 60_000;

export function createVesselSimulation(options: VesselSimulationOptions): VesselSimulation {
  const vesselId = VesselId.parse(options.vesselId);
  const vessel = options.registry.vessel(vesselId);
  if (!vessel) throw new Error(`vessel ${vesselId} is not in the fleet registry`);
  const { seed, startMs, endMs } = options;
  const worldFaults = emptyWorldFaults();
  const random = createRandom(keyed(seed, vesselId, 'simulation'));

  // World faults are known before anything is computed, so the registers include them from the start.
  for (const f of options.faults) {
    const until = f.atMs + (f.durationMs ?? 0);
    if (f.kind === 'lamp-failure')
      worldFaults.lampFailures.push({ fromMs: f.atMs, toMs: until, lamps: f.lamps ?? 2 });
    if (f.kind === 'meter-replaced') {
      worldFaults.meterReplacements.push({
        atMs: f.atMs,
        meter: 'led-meter',
        firstRegister: random.between(0, 0.3),
      });
    }
    if (f.kind === 'gps-loss') worldFaults.gpsOutages.push({ fromMs: f.atMs, toMs: until });
    if (f.kind === 'clock-drift') {
      worldFaults.rtcDrifts.push({ fromMs: f.atMs, toMs: until, ppm: 2_000 });
      worldFaults.gpsTimeOutages.push({ fromMs: f.atMs, toMs: until });
    }
  }
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
  const sensors = simulatedSensors(world, timeline);
  const coverageAt = options.coverage ?? ((ms: number) => world.inCoverage(ms));
  const gate = createCoverageGate(coverageAt(startMs));
  const baseConnector = (gatewayId: string): MqttConnector => {
    if (options.connector) return options.connector(gate);
    const credentials = options.broker.credentials?.(vesselId, gatewayId);
    return createMqttJsConnector({
      url: options.broker.url,
      link: gate,
      reconnectDelayMs: options.broker.reconnectDelayMs ?? 200,
      ...(credentials ? { username: credentials.username, password: credentials.password } : {}),
    });
  };

  let boot: Boot | undefined;
  let bootIndex = 0;
  let offUntilMs = -Infinity;
  let stopRequested = false;
  const pendingOps = new Set<Promise<void>>();
  const simTimers: (() => void)[] = [];
  /** The next world tick: one timer, replaced every simulated minute (kept apart so a month holds one). */
  let cancelWorldTick: (() => void) | undefined;
  const finished = {
    boots: 0,
    sampled: 0,
    published: 0,
    publishedFromBacklog: 0,
    ackTimeouts: 0,
    batches: 0,
    acked: 0,
    evicted: 0,
  };
  const pendingByQueue = new Map<string, number>();
  let pendingCorruptions = 0;
  let corruptionCount = 0;
  let linkFaults: ReturnType<typeof withLinkFaults>['faults'] | undefined;
  const injected = { duplicates: 0, corrupted: 0 };
  const CORRUPTIONS: readonly CorruptionKind[] = ['invalid-json', 'schema-violation', 'truncated'];

  const track = (op: Promise<void>): void => {
    pendingOps.add(op);
    void op.finally(() => pendingOps.delete(op));
  };

  const powerOn = (reason: BootReason): void => {
    if (boot || timeline.nowMs < offUntilMs || stopRequested) return;
    const now = timeline.nowMs;
    const setup = world.setupAt(now);
    const gatewayId = GatewayId.parse(setup.gatewayId);
    const clock = simulatedClock(timeline, rtc);
    const queuePath = path.join(options.dataDir, vesselId, `${gatewayId}.sqlite`);
    const wrapped = withLinkFaults(baseConnector(gatewayId), vesselId, options.topicRoot);
    if (linkFaults) {
      injected.duplicates += linkFaults.counts.duplicates;
      injected.corrupted += linkFaults.counts.corrupted;
    }
    linkFaults = wrapped.faults;
    const index = bootIndex;
    let salt = 0;
    const gateway = createGateway({
      vesselId,
      gatewayId,
      topicRoot: options.topicRoot,
      clock,
      ledMeter: sensors.ledMeter,
      fuelMeter: setup.hasFuelMeter ? sensors.fuelMeter : undefined,
      gps: sensors.gps,
      disk: simulatedDisk(() => (boot?.gateway.status().queueDepth ?? 0) * 330),
      queuePath,
      ...(options.queueSynchronous === undefined ? {} : { queueSynchronous: options.queueSynchronous }),
      connectMqtt: wrapped.connector,
      clientId: `${options.clientIdPrefix ?? ''}${gatewayId}`,
      newBootId: () => derivedHexId(seed, vesselId, 'boot', index, salt++),
      bootReason: reason,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.gatewayTuning ? { tuning: options.gatewayTuning } : {}),
    });
    bootIndex += 1;
    boot = { gateway, clock, queuePath };
    track(gateway.start());
  };

  /** Power cut: no goodbye, the broker publishes the last will; the gateway comes back at `untilMs`. */
  const powerOff = (untilMs: number, reason: BootReason, coldGps: boolean): void => {
    offUntilMs = Math.max(offUntilMs, untilMs);
    const current = boot;
    boot = undefined;
    if (current) {
      current.clock.cancelAll();
      addTotals(current);
      track(current.gateway.stop({ graceful: false }));
    }
    const at = offUntilMs;
    // GPS receivers share the gateway's power: a warm start takes under a minute, a cold one ~12 min.
    world.faults.gpsOutages.push({ fromMs: at, toMs: at + (coldGps ? 12 * MINUTE_MS : 45_000) });
    simTimers.push(
      timeline.schedule(at, () => {
        powerOn(reason);
      }),
    );
  };

  const addTotals = (b: Boot): void => {
    const s = b.gateway.status();
    finished.boots += 1;
    finished.sampled += s.sampled;
    finished.published += s.published;
    finished.publishedFromBacklog += s.publishedFromBacklog;
    finished.ackTimeouts += s.ackTimeouts;
    finished.batches += s.batchesPublished;
    finished.acked += s.acked;
    finished.evicted += s.evicted;
    pendingByQueue.set(b.queuePath, s.queueDepth);
  };

  const scheduleFaults = (): void => {
    for (const f of options.faults) {
      const fire = (fn: () => void): void => {
        if (f.atMs >= startMs && f.atMs < endMs) simTimers.push(timeline.schedule(f.atMs, fn));
      };
      const gapMs = Math.round(random.between(45_000, 120_000));
      switch (f.kind) {
        case 'reboot':
          fire(() => {
            powerOff(timeline.nowMs + gapMs, 'power-on', false);
          });
          break;
        case 'rtc-reset':
          fire(() => {
            powerOff(timeline.nowMs + gapMs, 'power-on', true);
            rtc.reset(timeline.nowMs + gapMs);
          });
          break;
        case 'silent':
          fire(() => {
            powerOff(timeline.nowMs + (f.durationMs ?? 3 * 86_400_000), 'power-on', false);
          });
          break;
        case 'duplicate-sends':
          fire(() => {
            if (linkFaults) linkFaults.duplicateTelemetry = true;
            simTimers.push(
              timeline.schedule(timeline.nowMs + (f.durationMs ?? 3_600_000), () => {
                if (linkFaults) linkFaults.duplicateTelemetry = false;
              }),
            );
          });
          break;
        case 'corrupted-frame':
          fire(() => {
            pendingCorruptions += 1;
          });
          break;
        default:
          // World faults were applied to the world when it was made.
          break;
      }
    }
  };

  /** Once a simulated minute: the radio follows the boat's position; queued corruptions go out. */
  const worldTick = (): void => {
    gate.set(coverageAt(timeline.nowMs));
    if (pendingCorruptions > 0 && boot?.gateway.status().online && linkFaults) {
      const faults = linkFaults;
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

  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  /** True when `promise` settled within `ms` of real time (the timer is cleared either way). */
  const within = async (promise: Promise<unknown>, ms: number): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => {
        resolve(false);
      }, ms);
    });
    try {
      return await Promise.race([promise.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  /**
   * Waits until the gateway has nothing left to do at this instant: its uploads acknowledged, and, where
   * the boat is in coverage, its connection up. Bounded in real time, so a platform that does not answer
   * slows the simulation down but never stops it (its ack timeouts then fire in simulated time).
   */
  const settle = async (): Promise<void> => {
    const deadline = performance.now() + (options.settleTimeoutMs ?? 2_000);
    for (;;) {
      if (pendingOps.size > 0) {
        await within(Promise.allSettled([...pendingOps]), Math.max(0, deadline - performance.now()));
      }
      const gateway = boot?.gateway;
      if (!gateway) return;
      const remaining = deadline - performance.now();
      if (remaining <= 0) return;
      if (gate.isUp() && !gateway.status().online) {
        await sleep(Math.min(2, remaining));
        continue;
      }
      if (!(await within(gateway.whenIdle(), remaining))) return;
      // A message may be on its way in from the same socket read: let it land, then look again.
      await new Promise((resolve) => setImmediate(resolve));
      const status = gateway.status();
      if (
        pendingOps.size === 0 &&
        (!gate.isUp() || status.online) &&
        (!status.online || status.inFlight === 0)
      )
        return;
    }
  };

  const isStopRequested = (): boolean => stopRequested;
  const run = async (runOptions: { drain?: boolean; drainTimeoutMs?: number } = {}): Promise<void> => {
    powerOn('power-on');
    cancelWorldTick = timeline.schedule(startMs + MINUTE_MS, worldTick);
    scheduleFaults();
    while (!stopRequested) {
      await settle();
      const next = timeline.nextDueMs();
      if (next === undefined || next >= endMs) break;
      await options.pacer.waitUntil(next);
      if (isStopRequested()) break;
      timeline.advanceTo(next);
    }
    for (const cancel of simTimers) cancel();
    cancelWorldTick();
    await Promise.allSettled([...pendingOps]);
    const current = boot;
    if (!current) return;
    let drainDone = false;
    const isDrained = (): boolean => drainDone;
    if (runOptions.drain && !stopRequested) {
      // Bring the boat into coverage and let the gateway empty its queue before shutting down.
      gate.set(true);
      const stopping = current.gateway
        .stop({ graceful: true, drainTimeoutMs: runOptions.drainTimeoutMs ?? 6 * 3_600_000 })
        .finally(() => {
          drainDone = true;
        });
      while (!isDrained()) {
        await settle();
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
    } else {
      await current.gateway.stop({ graceful: true });
    }
    boot = undefined;
    current.clock.cancelAll();
    addTotals(current);
  };

  return {
    vesselId,
    world,
    get nowMs() {
      return timeline.nowMs;
    },
    get gateway() {
      return boot?.gateway;
    },
    run,
    requestStop() {
      stopRequested = true;
    },
    totals() {
      const live = boot?.gateway.status();
      const pending = new Map(pendingByQueue);
      if (boot && live) pending.set(boot.queuePath, live.queueDepth);
      const duplicates = injected.duplicates + (linkFaults?.counts.duplicates ?? 0);
      const corrupted = injected.corrupted + (linkFaults?.counts.corrupted ?? 0);
      return {
        vesselId,
        boots: finished.boots + (live ? 1 : 0),
        sampled: finished.sampled + (live?.sampled ?? 0),
        published: finished.published + (live?.published ?? 0),
        publishedFromBacklog: finished.publishedFromBacklog + (live?.publishedFromBacklog ?? 0),
        ackTimeouts: finished.ackTimeouts + (live?.ackTimeouts ?? 0),
        batches: finished.batches + (live?.batchesPublished ?? 0),
        acked: finished.acked + (live?.acked ?? 0),
        evicted: finished.evicted + (live?.evicted ?? 0),
        pending: [...pending.values()].reduce((a, b) => a + b, 0),
        duplicatesInjected: duplicates,
        corruptedInjected: corrupted,
      };
    },
  };
}
