import { join } from 'node:path';
import { type RegistryIndex, VesselId } from '@qt-led/contract';
import { parseFaultSpec, type VesselWorld } from '@qt-led/gateway';
import { connectMqtt, type MqttConnectionConfig } from '@qt-led/infrastructure';
import type { Logger, ServiceModule } from '@qt-led/runtime';
import type { MqttClient } from 'mqtt';
import { type FleetRunner, createFleetRunner } from './fleet-runner.js';
import {
  type UploadProfile,
  gatewayConfig,
  loadOrCreateConfigSigningKey,
  publishGatewayConfigs,
  signGatewayConfig,
} from './gateway-config.js';
import { type PlatformState, writePlatformState } from './platform-state.js';
import type { WorldClock } from './world-clock.js';

const DAY_MS = 86_400_000;

export interface SimulatedFleetOptions {
  /** The first N boats of the registry, or these vessel ids. */
  vessels: number | readonly string[];
  /** Days of history loaded through the pipeline on first start. */
  historyDays: number;
  seed: number;
  /** Fault spec as the simulator's `--faults` (`realistic`, `none`, `reboot:QT-90145-TS@2h`, …). */
  faults: string;
  /** Per-gateway MQTT logins on a broker with an ACL, keyed by gateway id (or vessel id); none embedded. */
  credentials?: Readonly<Record<string, { username: string; password: string }>>;
  /** Prepended to each gateway's MQTT client id (several fleets on one broker, e.g. tests). */
  clientIdPrefix?: string;
}

export interface SimulatedFleetConfig extends SimulatedFleetOptions {
  /** The gateways' disk queues and the fleet's saved state. */
  dataDir: string;
  topicRoot: string;
  /** Where the gateways connect, and the platform's own client that sends them their upload config. */
  broker: MqttConnectionConfig;
}

export interface FleetProgressView {
  readonly fraction: number;
  readonly simulatedMs: number;
  readonly sampled: number;
  readonly acked: number;
  readonly pending: number;
}

export interface SimulatedFleetModule extends ServiceModule {
  /** True when this start loads the history (a first start, or one that was interrupted). */
  readonly loadingHistory: boolean;
  /** Resolves once every boat has caught up with the platform clock. */
  readonly caughtUp: Promise<void>;
  progress(): FleetProgressView;
  totals(): { vesselId: string; sampled: number; acked: number; pending: number }[];
  /** Each simulated boat's world model: the ground truth (position, coverage, meters) its gateway samples. */
  worlds(): ReadonlyMap<string, VesselWorld>;
}

/**
 * The simulated fleet of the embedded default: the registry's boats, each a real gateway firmware with its
 * disk queue and MQTT connection. On the first start the boats live through the history at full speed, every
 * reading through the real pipeline; later starts continue each boat where it stopped (the state file under
 * `dataDir`), so nothing is simulated twice.
 */
export function createSimulatedFleetModule(
  config: SimulatedFleetConfig,
  deps: {
    registry: RegistryIndex;
    /** Made by the platform from `fastForwardStart`, so that the whole platform lives the same time. */
    clock: WorldClock;
    logger: Logger;
    /** The state an earlier start saved under `dataDir` (the platform reads it once, for its clock too). */
    saved: PlatformState | undefined;
  },
): SimulatedFleetModule {
  const { registry, clock, logger } = deps;
  // The platform signs the configs it sends the boats; each gateway applies only configs signed so.
  const signingKey = loadOrCreateConfigSigningKey(config.dataDir);
  const statePath = join(config.dataDir, 'platform-state.json');
  const { state, vesselIds, resumeOf, fromMs, targetMs } = planStart(
    config,
    registry,
    deps.saved,
    clock.platform.now(),
    logger,
  );
  const loadingHistory = state.historyLoadedAtMs === null;
  const longCatchUp = targetMs - fromMs > 3_600_000;
  let fleet: FleetRunner | undefined;
  let control: MqttClient | undefined;
  let saveTimer: NodeJS.Timeout | undefined;
  let settle: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  const caughtUp = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Observed through `caughtUp`; this only keeps an early rejection from being unhandled.
  caughtUp.catch(() => undefined);

  const save = (): void => {
    for (const v of fleet?.vessels ?? []) state.vessels[v.vesselId] = v.nowMs;
    state.clockMs = clock.now();
    writePlatformState(statePath, state);
  };
  // A long way to catch up (the history, a long stop): hourly batches until caught up, then live ones.
  const configure = async (profile: UploadProfile): Promise<void> => {
    state.configVersion += 1;
    const version = state.configVersion;
    try {
      if (control === undefined) throw new Error('no control connection');
      await publishGatewayConfigs(
        control,
        config.topicRoot,
        vesselIds.map((id) =>
          signGatewayConfig(gatewayConfig(VesselId.parse(id), profile, version, clock.now()), signingKey),
        ),
      );
    } catch (error) {
      // A broker with the production ACL does not let the platform configure gateways: factory settings then.
      logger.warn({ err: error, profile }, 'could not send the simulated gateways their upload config');
    }
  };

  return {
    name: 'simulated fleet',
    loadingHistory,
    caughtUp,
    progress() {
      return (
        fleet?.progress(targetMs) ?? { fraction: 1, simulatedMs: targetMs, sampled: 0, acked: 0, pending: 0 }
      );
    },
    worlds() {
      return new Map((fleet?.vessels ?? []).map((v) => [v.vesselId, v.world]));
    },
    totals() {
      return (fleet?.vessels ?? []).map((v) => {
        const t = v.totals();
        return { vesselId: t.vesselId, sampled: t.sampled, acked: t.acked, pending: t.pending };
      });
    },
    async start() {
      control = await connectMqtt(config.broker, {
        clientId: `${config.clientIdPrefix ?? ''}qtled-platform-control`,
        persistent: false,
      });
      fleet = createFleetRunner({
        seed: state.seed,
        registry,
        vesselIds,
        worldStartMs: state.worldStartMs,
        resumeMs: resumeOf,
        clock,
        brokerUrl: config.broker.url,
        brokerTls: config.broker.tls,
        ...(config.credentials === undefined
          ? {}
          : {
              credentials: (vesselId: string, gatewayId: string) =>
                config.credentials?.[gatewayId] ?? config.credentials?.[vesselId],
            }),
        topicRoot: config.topicRoot,
        clientIdPrefix: config.clientIdPrefix,
        // Pinned on every simulated gateway, as a real one is provisioned with it.
        configKey: signingKey.publicKey,
        dataDir: join(config.dataDir, 'gateways'),
        faults: parseFaultSpec(config.faults),
        // The boats' own chatter (boots, reconnects, configs applied) is for debugging the simulator; at the
        // default level only their warnings reach the console.
        logger: (vesselId) =>
          logger.child(
            { component: 'gateway', vesselId },
            { level: logger.isLevelEnabled('debug') ? logger.level : 'warn' },
          ),
      });
      if (longCatchUp || state.configVersion === 0) await configure(longCatchUp ? 'history' : 'live');
      save();
      fleet.start();
      saveTimer = setInterval(save, 5_000);
      logger.info(
        {
          vessels: vesselIds.length,
          fromMs: new Date(fromMs).toISOString(),
          toMs: new Date(targetMs).toISOString(),
          seed: state.seed,
        },
        loadingHistory
          ? 'loading the fleet history through the pipeline'
          : 'catching up the time the platform was stopped, then live',
      );
      // "Live now" is when the world clock is the platform clock: every boat has lived up to it, and what
      // each one sent on the way has been acknowledged (the boats move in lock step, world-clock.ts). A
      // fleet that fails or is stopped before then ends the wait with its reason.
      const endedEarly = fleet.finished.then(() => {
        throw new Error('the fleet was stopped before it caught up');
      });
      Promise.race([clock.live, endedEarly]).then(
        async () => {
          if (longCatchUp) await configure('live');
          if (state.historyLoadedAtMs === null) {
            state.historyLoadedAtMs = clock.now();
            save();
          }
          settle?.resolve();
        },
        (error: unknown) => settle?.reject(error),
      );
      // Observed through the race above (and `stop()` rethrows a failure); never unhandled.
      endedEarly.catch(() => undefined);
    },
    async stop() {
      clearInterval(saveTimer);
      if (fleet !== undefined) {
        const totals = await fleet.stop();
        save();
        logger.info(
          { pending: totals.reduce((n, t) => n + t.pending, 0) },
          'simulated fleet stopped; unacknowledged readings stay in the gateways’ queues',
        );
      }
      await control?.endAsync();
      fleet = undefined;
      control = undefined;
    },
  };
}

interface StartPlan {
  state: PlatformState;
  vesselIds: string[];
  resumeOf: (vesselId: string) => number;
  fromMs: number;
  targetMs: number;
}

/**
 * Where the world clock starts on this start: the beginning of the history on a first start, later the
 * earliest instant a boat stopped at (never before the history window: nothing older is simulated again).
 */
export function fastForwardStart(
  previous: PlatformState | undefined,
  historyDays: number,
  nowMs: number,
): number {
  const historyStartMs = nowMs - historyDays * DAY_MS;
  if (previous === undefined) return historyStartMs;
  const stopped = Object.values(previous.vessels);
  return Math.max(historyStartMs, stopped.length === 0 ? previous.historyStartMs : Math.min(...stopped));
}

/**
 * Where each boat's simulated time starts: the saved state of an earlier start, or a new world whose
 * history ends now. A boat resumes where it stopped; a boat new to this data directory starts where the
 * world clock starts; nothing older than the history window is simulated again after a long stop.
 */
function planStart(
  config: SimulatedFleetConfig,
  registry: RegistryIndex,
  previous: PlatformState | undefined,
  nowMs: number,
  logger: Logger,
): StartPlan {
  const vesselIds = selectVessels(registry, config.vessels);
  const historyStartMs = fastForwardStart(undefined, config.historyDays, nowMs);
  if (previous !== undefined && previous.seed !== config.seed) {
    logger.warn(
      { stored: previous.seed, configured: config.seed },
      `${config.dataDir} holds a fleet simulated with seed ${previous.seed}; continuing with it (empty DATA_DIR to start over with seed ${config.seed})`,
    );
  }
  const state: PlatformState = previous ?? {
    schema: 'qtled.platform-state/1',
    seed: config.seed,
    // The world begins before the history, so boats are mid-trip when it starts (as the simulator does).
    worldStartMs: historyStartMs - 20 * DAY_MS,
    historyStartMs,
    vessels: {},
    historyLoadedAtMs: null,
    configVersion: 0,
    clockMs: nowMs,
  };
  const worldFromMs = fastForwardStart(previous, config.historyDays, nowMs);
  const resumeAt = new Map(
    vesselIds.map((id) => [id, Math.max(state.vessels[id] ?? worldFromMs, worldFromMs)]),
  );
  const resumeOf = (vesselId: string): number => resumeAt.get(vesselId) ?? nowMs;
  return { state, vesselIds, resumeOf, fromMs: Math.min(...vesselIds.map(resumeOf)), targetMs: nowMs };
}

function selectVessels(registry: RegistryIndex, vessels: number | readonly string[]): string[] {
  const all = registry.registry.vessels.map((v) => v.vesselId as string);
  if (typeof vessels === 'number') return all.slice(0, vessels);
  const unknown = vessels.filter((id) => !all.includes(id));
  if (unknown.length > 0) throw new Error(`not in the fleet registry: ${unknown.join(', ')}`);
  return [...vessels];
}
