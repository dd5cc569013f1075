import type { RegistryIndex } from '@qt-led/contract';
import {
  type ClockPacer,
  type FaultSpec,
  type GatewayLogger,
  type VesselSimulation,
  type VesselTotals,
  createClockPacer,
  createVesselSimulation,
  createWeather,
  faultEvents,
} from '@qt-led/gateway';
import type { PlatformClock } from './platform-clock.js';

const DAY_MS = 86_400_000;

export interface FleetRunnerOptions {
  seed: number;
  registry: RegistryIndex;
  vesselIds: readonly string[];
  /** The fleet's world begins here on every start, so registers, trips and faults continue across restarts. */
  worldStartMs: number;
  /** Where each boat's simulated time resumes: the start of the history on first start, later where it stopped. */
  resumeMs: (vesselId: string) => number;
  clock: PlatformClock;
  brokerUrl: string;
  credentials?: (vesselId: string, gatewayId: string) => { username: string; password: string } | undefined;
  topicRoot: string;
  /** One folder per vessel, holding its gateway's disk queue. */
  dataDir: string;
  faults: FaultSpec;
  /** Prepended to each gateway's MQTT client id (several fleets on one broker, e.g. tests). */
  clientIdPrefix?: string | undefined;
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
  /** Resolves once every boat's simulated time has reached `ms` (rejects if the run fails). */
  reached(ms: number): Promise<void>;
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
  // One pacer per boat, following the platform clock: it also tells how far a boat that caught up has got.
  const pacers = new Map<string, ClockPacer>(options.vesselIds.map((id) => [id, createClockPacer(clock)]));
  const pacerOf = (vesselId: string): ClockPacer => {
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
        ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      },
      faults: faults.filter((f) => f.vesselId === vesselId),
      pacer: pacerOf(vesselId),
      ...(options.clientIdPrefix === undefined ? {} : { clientIdPrefix: options.clientIdPrefix }),
      // A fleet of gateways on one disk: WAL without an fsync per reading survives a killed process
      // (gateway-firmware-sim/README.md, "Queue durability in the simulator").
      queueSynchronous: 'normal',
      logger: options.logger(vesselId),
    }),
  );
  let runs: Promise<void> | undefined;
  let failure: unknown;
  const waiters: { ms: number; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let ticker: NodeJS.Timeout | undefined;

  /** Where a boat's simulation stands: its clock, or the instant it waits for once it has caught up. */
  const reachedBy = (v: VesselSimulation): number =>
    Math.max(v.nowMs, pacerOf(v.vesselId).waitingForMs ?? v.nowMs);
  const simulatedMs = (): number => Math.min(...vessels.map(reachedBy));
  const check = (): void => {
    const reached = simulatedMs();
    for (const w of waiters.splice(0)) {
      if (failure !== undefined) w.reject(failure);
      else if (reached >= w.ms) w.resolve();
      else waiters.push(w);
    }
  };

  return {
    vessels,
    start() {
      if (runs !== undefined) throw new Error('fleet already started');
      runs = Promise.all(vessels.map((v) => v.run())).then(
        () => undefined,
        (error: unknown) => {
          failure = error;
          for (const v of vessels) v.requestStop();
          check();
        },
      );
      ticker = setInterval(check, 100);
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
    reached(ms) {
      return new Promise((resolve, reject) => {
        waiters.push({ ms, resolve, reject });
        check();
      });
    },
    async stop() {
      for (const v of vessels) v.requestStop();
      // Live, a boat's next simulated event may be a minute of real time away: end its wait now.
      for (const pacer of pacers.values()) pacer.release();
      clearInterval(ticker);
      await runs;
      for (const w of waiters.splice(0)) w.reject(new Error('the fleet was stopped'));
      if (failure !== undefined) {
        throw failure instanceof Error
          ? failure
          : new Error('the simulated fleet failed', { cause: failure });
      }
      return vessels.map((v) => v.totals());
    },
  };
}
