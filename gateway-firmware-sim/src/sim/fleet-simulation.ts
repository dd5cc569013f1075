import type { ConfigKey } from '../firmware/config-key.js';
import { DEFAULT_TOPIC_ROOT, type RegistryIndex } from '@qt-led/contract';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import type { QueueSynchronous } from '../firmware/disk-queue.js';
import type { GatewayTuning } from '../firmware/gateway.js';
import type { GatewayLogger, MqttConnector } from '../firmware/ports.js';
import { type CalibrationCheck, calibrationChecks } from '../world/calibration.js';
import type { FuelMeterPolicy } from '../world/registry-setup.js';
import { DAY_MS, createWeather } from '../world/sky-and-weather.js';
import type { VesselPeriodStats } from '../world/vessel-world.js';
import { type FaultEvent, type FaultSpec, faultEvents } from './faults.js';
import { createFixedSpeedPacer } from './pacer.js';
import type { CoverageGate } from './simulated-link.js';
import {
  type BrokerOptions,
  type VesselSimulation,
  type VesselTotals,
  createVesselSimulation,
} from './vessel-simulation.js';

export interface FleetSimulationOptions {
  seed: number;
  /** Simulated start (UTC ms). */
  startMs: number;
  /** Simulated end; default: run until stop(). */
  endMs?: number;
  /** Simulated seconds per real second; Infinity (default): as fast as the platform acknowledges. */
  speed?: number;
  /** Vessel ids, or the first N of the registry; default all. */
  vessels?: readonly string[] | number;
  registry?: RegistryIndex;
  broker: BrokerOptions;
  topicRoot?: string;
  /** One folder per vessel below it, one queue file per gateway. */
  dataDir: string;
  faults?: FaultSpec | readonly FaultEvent[];
  /** Prepended to each gateway's MQTT client id (parallel test runs on one broker). */
  clientIdPrefix?: string;
  queueSynchronous?: QueueSynchronous;
  /** The platform's config key, pinned on every gateway. */
  configKey?: ConfigKey;
  fuelMeters?: FuelMeterPolicy;
  /** At the end, bring every boat into coverage and wait until its queue is empty. */
  drain?: boolean;
  drainTimeoutMs?: number;
  settleTimeoutMs?: number;
  /** The world begins this long before the start (default 20 days), so boats are mid-trip at the start. */
  worldLeadMs?: number;
  gatewayTuning?: Partial<GatewayTuning>;
  logger?: (vesselId: string) => GatewayLogger;
  connector?: (vesselId: string, gate: CoverageGate) => MqttConnector;
  /** Replaces the coverage model of every vessel (scenarios). */
  coverage?: (vesselId: string, ms: number) => boolean;
}

export interface VesselSummary {
  readonly totals: VesselTotals;
  readonly stats: VesselPeriodStats;
  readonly checks: readonly CalibrationCheck[];
}

export interface FleetSummary {
  readonly seed: number;
  readonly startMs: number;
  /** Simulated time reached. */
  readonly endMs: number;
  readonly realMs: number;
  readonly vessels: readonly VesselSummary[];
  readonly totals: Omit<VesselTotals, 'vesselId'>;
}

export interface FleetProgress {
  /** 0–1 of the simulated period (for a run with an end). */
  readonly fraction: number;
  readonly simulatedMs: number;
  readonly sampled: number;
  readonly acked: number;
  readonly pending: number;
}

export interface FleetSimulation {
  readonly vessels: readonly VesselSimulation[];
  start(): Promise<void>;
  /** Resolves when every vessel reached the end (or was stopped) and shut down. */
  readonly finished: Promise<FleetSummary>;
  /** Ends the run now and shuts every gateway down cleanly. */
  stop(): Promise<FleetSummary>;
  progress(): FleetProgress;
  summary(): FleetSummary;
}

/** One simulated gateway per registry vessel, in one process, each on its own MQTT connection. */
export function createFleetSimulation(options: FleetSimulationOptions): FleetSimulation {
  const registry = options.registry ?? loadFleetRegistry();
  const all = registry.registry.vessels.map((v) => v.vesselId as string);
  const vesselIds =
    options.vessels === undefined
      ? all
      : typeof options.vessels === 'number'
        ? all.slice(0, options.vessels)
        : [...options.vessels];
  for (const id of vesselIds) {
    if (!all.includes(id)) throw new Error(`vessel ${id} is not in the fleet registry`);
  }
  const endMs = options.endMs ?? Number.POSITIVE_INFINITY;
  const faultHorizon = Number.isFinite(endMs) ? endMs : options.startMs + 365 * DAY_MS;
  const faults: readonly FaultEvent[] =
    options.faults === undefined
      ? []
      : 'realistic' in options.faults
        ? faultEvents(options.faults, options.seed, vesselIds, options.startMs, faultHorizon)
        : options.faults;
  const weather = createWeather(options.seed);
  const pacer = createFixedSpeedPacer(options.speed ?? Number.POSITIVE_INFINITY, options.startMs);
  const worldStartMs = options.startMs - (options.worldLeadMs ?? 20 * DAY_MS);
  const vessels = vesselIds.map((vesselId) =>
    createVesselSimulation({
      seed: options.seed,
      vesselId,
      registry,
      weather,
      worldStartMs,
      startMs: options.startMs,
      endMs,
      topicRoot: options.topicRoot ?? DEFAULT_TOPIC_ROOT,
      dataDir: options.dataDir,
      broker: options.broker,
      faults: faults.filter((f) => f.vesselId === vesselId),
      pacer,
      ...(options.clientIdPrefix === undefined ? {} : { clientIdPrefix: options.clientIdPrefix }),
      ...(options.queueSynchronous === undefined ? {} : { queueSynchronous: options.queueSynchronous }),
      ...(options.configKey === undefined ? {} : { configKey: options.configKey }),
      ...(options.fuelMeters === undefined ? {} : { fuelMeters: options.fuelMeters }),
      ...(options.settleTimeoutMs === undefined ? {} : { settleTimeoutMs: options.settleTimeoutMs }),
      ...(options.gatewayTuning === undefined ? {} : { gatewayTuning: options.gatewayTuning }),
      ...(options.logger === undefined ? {} : { logger: options.logger(vesselId) }),
      ...(options.coverage === undefined
        ? {}
        : {
            coverage: (ms: number) =>
              (options.coverage as NonNullable<typeof options.coverage>)(vesselId, ms),
          }),
      ...(options.connector === undefined
        ? {}
        : {
            connector: (gate: CoverageGate) =>
              (options.connector as NonNullable<typeof options.connector>)(vesselId, gate),
          }),
    }),
  );

  let realStart = 0;
  let resolveFinished: (summary: FleetSummary) => void = () => undefined;
  let rejectFinished: (error: unknown) => void = () => undefined;
  const finished = new Promise<FleetSummary>((resolve, reject) => {
    resolveFinished = resolve;
    rejectFinished = reject;
  });
  let started = false;

  const summary = (): FleetSummary => {
    const reached = Math.min(...vessels.map((v) => v.nowMs));
    const statsEnd = Number.isFinite(endMs) ? Math.min(endMs, Math.max(reached, options.startMs)) : reached;
    const perVessel = vessels.map((v) => {
      const stats = v.world.statsBetween(options.startMs, statsEnd);
      return { totals: v.totals(), stats, checks: calibrationChecks(stats) };
    });
    const sum = (key: keyof Omit<VesselTotals, 'vesselId'>): number =>
      perVessel.reduce((n, v) => n + v.totals[key], 0);
    return {
      seed: options.seed,
      startMs: options.startMs,
      endMs: statsEnd,
      realMs: started ? performance.now() - realStart : 0,
      vessels: perVessel,
      totals: {
        boots: sum('boots'),
        sampled: sum('sampled'),
        published: sum('published'),
        publishedFromBacklog: sum('publishedFromBacklog'),
        ackTimeouts: sum('ackTimeouts'),
        batches: sum('batches'),
        acked: sum('acked'),
        evicted: sum('evicted'),
        pending: sum('pending'),
        eventsPending: sum('eventsPending'),
        duplicatesInjected: sum('duplicatesInjected'),
        corruptedInjected: sum('corruptedInjected'),
      },
    };
  };

  return {
    vessels,
    finished,
    start() {
      if (started) throw new Error('fleet simulation already started');
      started = true;
      realStart = performance.now();
      const runs = vessels.map((v) =>
        v.run({
          ...(options.drain === undefined ? {} : { drain: options.drain }),
          ...(options.drainTimeoutMs === undefined ? {} : { drainTimeoutMs: options.drainTimeoutMs }),
        }),
      );
      Promise.all(runs).then(
        () => {
          resolveFinished(summary());
        },
        (error: unknown) => {
          for (const v of vessels) v.requestStop();
          rejectFinished(error);
        },
      );
      return Promise.resolve();
    },
    async stop() {
      for (const v of vessels) v.requestStop();
      // At a finite speed a boat may be waiting for its next event: minutes of real time.
      pacer.release();
      if (!started) return summary();
      return finished;
    },
    progress() {
      const span = endMs - options.startMs;
      const totals = vessels.map((v) => v.totals());
      const done = vessels.reduce((n, v) => n + Math.min(1, (v.nowMs - options.startMs) / span), 0);
      return {
        fraction: Number.isFinite(span) && vessels.length > 0 ? done / vessels.length : 0,
        simulatedMs: Math.min(...vessels.map((v) => v.nowMs)),
        sampled: totals.reduce((n, t) => n + t.sampled, 0),
        acked: totals.reduce((n, t) => n + t.acked, 0),
        pending: totals.reduce((n, t) => n + t.pending, 0),
      };
    },
    summary,
  };
}
