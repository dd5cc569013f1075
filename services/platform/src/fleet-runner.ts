import type { RegistryIndex } from '@qt-led/contract';
import type { MqttTls } from '@qt-led/infrastructure';
import {
  type ConfigKey,
  type FaultSpec,
  type GatewayLogger,
  type VesselSimulation,
  type VesselTotals,
  createVesselSimulation,
  createWeather,
  faultEvents,
} from '@qt-led/gateway';
import type { WorldClock, WorldPacer } from './world-clock.js';

const DAY_MS = 86_400_000;

export interface FleetRunnerOptions {
  seed: number;
  registry: RegistryIndex;
  vesselIds: readonly string[];
  /** The fleet's world begins here on every start, so registers, trips and faults continue across restarts. */
  worldStartMs: number;
  /** Where each boat's simulated time resumes: the start of the history on first start, later where it stopped. */
  resumeMs: (vesselId: string) => number;
  /** The boats move in lock step on it while behind the platform clock, then follow the platform clock. */
  clock: WorldClock;
  brokerUrl: string;
  /** The broker's CA (and a client certificate) when it speaks TLS. */
  brokerTls?: MqttTls | undefined;
  credentials?: (vesselId: string, gatewayId: string) => { username: string; password: string } | undefined;
  topicRoot: string;
  /** One folder per vessel, holding its gateway's disk queue. */
  dataDir: string;
  faults: FaultSpec;
  /** Prepended to each gateway's MQTT client id (several fleets on one broker, e.g. tests). */
  clientIdPrefix?: string | undefined;
  /** The platform's config key, pinned on every gateway: only configs it signed are applied. */
  configKey?: ConfigKey | undefined;
  logger: (vesselId: string) => GatewayLogger;
}

export interface FleetProgress {
  /** Mean over the boats of the part of [resume, untilMs] each has simulated (0–1). */
  readonly fraction: number;
  /** The simulated instant every boat has reached (the slowest boat). */
  readonly simulatedMs: number;
  readonly sampled: number;
  readonly acked: number;
  readonly pending: number;
}

export interface FleetRunner {
  readonly vessels: readonly VesselSimulation[];
  start(): void;
  progress(untilMs: number): FleetProgress;
  /** Settles when every boat's run has ended: rejects with the failure if one failed. Set by `start()`. */
  readonly finished: Promise<void>;
  /** Stops sampling; each gateway sends what it can and shuts down cleanly, keeping the rest on disk. */
  stop(): Promise<VesselTotals[]>;
}

/**
 * The simulated fleet, run by the platform: one firmware gateway per boat on its own MQTT connection. While
 * simulated time is behind the platform clock (history on first start, the time the platform was stopped
 * on later starts) the boats run as fast as ingest acknowledges; once caught up, at the clock's pace (the
 * gateway package's clock pacer). The gateway package's fleet simulation starts every boat at one instant
 * and paces them at one fixed speed; here each boat resumes where it stopped, hence this runner over its
 * vessel simulations.
 */
export function createFleetRunner(options: FleetRunnerOptions): FleetRunner {
  const { clock } = options;
  const weather = createWeather(options.seed);
  // Faults are drawn for the coming year; a later start draws again from where it resumes.
  const fromMs = Math.min(...options.vesselIds.map(options.resumeMs));
  const faults = faultEvents(options.faults, options.seed, options.vesselIds, fromMs, fromMs + 365 * DAY_MS);
  // One pacer per boat on the world clock: it also tells how far a boat that caught up has got.
  const pacers = new Map<string, WorldPacer>(options.vesselIds.map((id) => [id, clock.participant()]));
  const pacerOf = (vesselId: string): WorldPacer => {
    const pacer = pacers.get(vesselId);
    if (!pacer) throw new Error(`no pacer for ${vesselId}`);
    return pacer;
  };
  const vessels = options.vesselIds.map((vesselId) =>
    createVesselSimulation({
      seed: options.seed,
      vesselId,
      registry: options.registry,
      weather,
      worldStartMs: options.worldStartMs,
      startMs: options.resumeMs(vesselId),
      endMs: Number.POSITIVE_INFINITY,
      topicRoot: options.topicRoot,
      dataDir: options.dataDir,
      broker: {
        url: options.brokerUrl,
        tls: options.brokerTls,
        ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      },
      faults: faults.filter((f) => f.vesselId === vesselId),
      pacer: pacerOf(vesselId),
      ...(options.clientIdPrefix === undefined ? {} : { clientIdPrefix: options.clientIdPrefix }),
      ...(options.configKey === undefined ? {} : { configKey: options.configKey }),
      // A fleet of gateways on one disk: a commit handed to the OS without fsync survives a killed process
      // (gateway-firmware-sim/README.md, "Queue durability in the simulator").
      queueSynchronous: 'off',
      // Lock step: a boat moves on only when the platform has acknowledged what it sent at this instant, so
      // a busy machine slows the load down instead of changing what the boats hold. Bounded all the same: a
      // platform that does not answer must not stop the fleet (its ack timeouts then fire).
      settleTimeoutMs: 30_000,
      logger: options.logger(vesselId),
    }),
  );
  let runs: Promise<void> | undefined;
  let failure: unknown;

  /** Where a boat's simulation stands: its clock, or the instant it waits for once it has caught up. */
  const reachedBy = (v: VesselSimulation): number =>
    Math.max(v.nowMs, pacerOf(v.vesselId).waitingForMs ?? v.nowMs);
  const simulatedMs = (): number => Math.min(...vessels.map(reachedBy));
  const failed = (): Error =>
    failure instanceof Error ? failure : new Error('the simulated fleet failed', { cause: failure });

  return {
    vessels,
    get finished() {
      if (runs === undefined) throw new Error('fleet not started');
      return runs.then(() => {
        if (failure !== undefined) throw failed();
      });
    },
    start() {
      if (runs !== undefined) throw new Error('fleet already started');
      const runOne = async (v: VesselSimulation): Promise<void> => {
        const pacer = pacerOf(v.vesselId);
        try {
          // A boat that stopped later than the others waits for the fleet to get there.
          await pacer.waitUntil(options.resumeMs(v.vesselId));
          await v.run();
        } finally {
          pacer.leave();
        }
      };
      runs = Promise.all(vessels.map(runOne)).then(
        () => undefined,
        (error: unknown) => {
          failure = error;
          for (const v of vessels) v.requestStop();
        },
      );
    },
    progress(untilMs) {
      const totals = vessels.map((v) => v.totals());
      const part = (v: VesselSimulation): number => {
        const from = options.resumeMs(v.vesselId);
        return untilMs <= from ? 1 : Math.max(0, Math.min(1, (reachedBy(v) - from) / (untilMs - from)));
      };
      return {
        fraction: vessels.reduce((n, v) => n + part(v), 0) / Math.max(1, vessels.length),
        simulatedMs: simulatedMs(),
        sampled: totals.reduce((n, t) => n + t.sampled, 0),
        acked: totals.reduce((n, t) => n + t.acked, 0),
        pending: totals.reduce((n, t) => n + t.pending, 0),
      };
    },
    async stop() {
      for (const v of vessels) v.requestStop();
      // Live, a boat's next simulated event may be a minute of real time away: end its wait now.
      for (const pacer of pacers.values()) pacer.release();
      clock.release();
      await runs;
      if (failure !== undefined) throw failed();
      return vessels.map((v) => v.totals());
    },
  };
}
