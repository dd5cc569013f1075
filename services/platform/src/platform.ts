import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type ApiSideConfig, type IngestOperations, addApiSide, createLiveReadingsHub } from '@qt-led/api';
import { LIVE_WITHOUT_SIMULATION, type PlatformPhase, type RegistryIndex } from '@qt-led/contract';
import { gatewayAssignmentsFollowing } from '@qt-led/fleet-registry';
import { type FleetStatusServiceImpl } from '@qt-led/fleet-status';
import type { VesselWorld } from '@qt-led/gateway';
import { type IngestModuleConfig, type IngestTuning, createIngestModule } from '@qt-led/ingest';
import {
  type MqttConnectionConfig,
  type StoreConfig,
  createEmbeddedBrokerModule,
  createRegistryModule,
  createStoreModule,
} from '@qt-led/infrastructure';
import { type Logger, redactUrl, startModules } from '@qt-led/runtime';
import type { StoredReading, TelemetryStore } from '@qt-led/store';
import { type EmbeddedBrokerAccess, embeddedBrokerLogins, gatewayLogins } from './broker-logins.js';
import { createPlatformClock } from './platform-clock.js';
import { readPlatformState } from './platform-state.js';
import {
  type SimulatedFleetOptions,
  createSimulatedFleetModule,
  fastForwardStart,
} from './simulated-fleet.js';
import { type WorldClock, createWorldClock } from './world-clock.js';

export type { SimulatedFleetOptions } from './simulated-fleet.js';

/** A real broker: its URL, the platform's login and, for `mqtts://`, the TLS material. */
export type ExternalBroker = Omit<MqttConnectionConfig, 'embedded'>;

/** The platform's configuration: every module's slice, as `main.ts` derives it from the environment. */
export interface PlatformOptions {
  /** Embedded database, gateway queues, disk backlog, platform state and first-start credentials. */
  dataDir: string;
  /** A real broker; absent: the embedded broker on `embeddedBroker`. */
  broker?: ExternalBroker | undefined;
  embeddedBroker: { host: string; port: number; fallbackToFreePort: boolean };
  /** The store; absent: the embedded SQLite file in `dataDir`. */
  store?: StoreConfig | undefined;
  topicRoot: string;
  /** The registry to start from (an admin's upload under `dataDir` wins once it exists). */
  registryPath?: string | undefined;
  /** The registry in force, written by uploads; default `<dataDir>/fleet-registry.json`. */
  registryLivePath?: string | undefined;
  /** Ingest's tuning; the defaults suit the in-process store. */
  ingest?: Partial<IngestTuning>;
  /** The API side (emissions, fleet status with notifiers, API); `apiSideConfigFrom` builds it. */
  apiSide: ApiSideConfig;
  /** The simulated fleet of the embedded default; false for a platform that serves real boats only. */
  fleet: SimulatedFleetOptions | false;
  /** Simulated seconds per real second for the whole platform (1: real time). */
  speed: number;
  logger: Logger;
}

export interface PlatformProgress {
  readonly phase: 'history' | 'catching-up' | 'live';
  /** 0–1 of the history (or the catch-up) loaded. */
  readonly fraction: number;
  readonly simulatedMs: number;
  readonly sampled: number;
  readonly acked: number;
  readonly pending: number;
}

export interface Platform {
  readonly url: string;
  readonly adminCredentialsPath: string;
  readonly brokerUrl: string;
  /** The platform's own broker login (the embedded broker's; the configured one's on a real broker). */
  readonly brokerLogin: { username?: string | undefined; password?: string | undefined };
  /** The world's time: the simulated fleet's while it lives through the history, then the platform clock. */
  readonly clock: WorldClock;
  readonly store: TelemetryStore;
  /** The registry in force (an admin may replace it through the API; ingest sees the replacement). */
  readonly registry: RegistryIndex;
  readonly fleetStatus: FleetStatusServiceImpl;
  readonly ingest: IngestOperations;
  /** The modules this process runs, in the order they started. */
  readonly modules: readonly string[];
  /** True when this start loads the history (first start, or a first start that was interrupted). */
  readonly loadingHistory: boolean;
  /** Resolves once the simulated fleet has caught up with the platform clock (history loaded). */
  readonly caughtUp: Promise<void>;
  progress(): PlatformProgress;
  /** Readings the simulated gateways sampled, acknowledged and still hold, per vessel (empty without fleet). */
  fleetTotals(): { vesselId: string; sampled: number; acked: number; pending: number }[];
  /** The simulated boats' world models, their ground truth (empty without fleet). */
  fleetWorlds(): ReadonlyMap<string, VesselWorld>;
  /** Stops every module in reverse order; what is in flight is written or stays on the gateways. */
  stop(): Promise<void>;
}

export const DEFAULT_INGEST_TUNING: IngestTuning = {
  clientId: 'qtled-ingest-1',
  shareGroup: 'ingest',
  batchMaxReadings: 5_000,
  // In-process, the write is a local SQLite commit, and the boats of the history load wait for their acks
  // (world-clock.ts): a batch is what one read of the sockets brought, written at the end of that turn.
  batchMaxAgeMs: 0,
  maxWritesInFlight: 2,
  futureToleranceS: 300,
  minDeviceTime: '2017-01-01T00:00:00Z',
  clockSkewToleranceS: 120,
  gapScanIntervalS: 300,
  // No share group in one process (aedes): nothing to watch, kept for the shape.
  staleReplicaAfterS: 300,
};

/**
 * The whole platform in this process, as a list of modules: the broker (embedded aedes, or a real one), the
 * store (embedded SQLite, or a real InfluxDB), the registry source, ingest, the API side (emissions, fleet
 * status with its notifiers, the API with the dashboard) and the simulated fleet. Ingest hands what it
 * stored to the live stream in memory, and its operator view is served by the API to admins.
 */
export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const { logger } = options;
  mkdirSync(options.dataDir, { recursive: true });
  const previous = readPlatformState(join(options.dataDir, 'platform-state.json'));
  const platformClock = createPlatformClock({
    speed: options.speed,
    ...(previous === undefined ? {} : { startMs: previous.clockMs }),
  });
  // Receive times, statuses and the API's "now" follow the simulated fleet until it has caught up.
  const clock = createWorldClock({
    platform: platformClock,
    fromMs:
      options.fleet === false
        ? undefined
        : fastForwardStart(previous, options.fleet.historyDays, platformClock.now()),
  });
  const liveReadings = createLiveReadingsHub();
  const modules = await startModules(logger, async (stack) => {
    let broker: MqttConnectionConfig;
    // Every client of the embedded broker logs in: the platform's own, and each gateway as its vessel.
    let access: EmbeddedBrokerAccess | undefined;
    const tuning = { ...DEFAULT_INGEST_TUNING, ...options.ingest };
    if (options.broker === undefined) {
      access = embeddedBrokerLogins(options.dataDir, options.topicRoot, [tuning.clientId]);
      const embedded = await stack.add(
        createEmbeddedBrokerModule({ ...options.embeddedBroker, logger, access }),
      );
      broker = { url: embedded.url, embedded: true, ...access.platform };
    } else {
      broker = { ...options.broker, embedded: false };
    }
    const storeConfig = options.store ?? { kind: 'sqlite', path: join(options.dataDir, 'telemetry.sqlite') };
    const { store } = await stack.add(createStoreModule(storeConfig, { logger }));
    const registry = await stack.add(
      createRegistryModule(
        {
          DATA_DIR: options.dataDir,
          FLEET_REGISTRY_PATH: options.registryPath,
          FLEET_REGISTRY_LIVE_PATH: options.registryLivePath,
        },
        logger,
      ),
    );
    // The registry's gateway logins on the embedded broker, also written for gateways run outside.
    const gatewayCredentials =
      access === undefined ? undefined : gatewayLogins(options.dataDir, access, registry.index);
    const ingestConfig: IngestModuleConfig = {
      mqtt: broker,
      topicRoot: options.topicRoot,
      tuning,
      // aedes does not deliver `$share/…` subscriptions: one ingest subscribes directly.
      shared: !broker.embedded,
      spoolPath: join(options.dataDir, `ingest-spool-${tuning.clientId}.sqlite`),
      operatorHttp: null,
      publishStoredReadings: false,
    };
    // Set once the API side is up: the fleet status keeps each vessel's state from what ingest stores.
    const statusFeed: { note?: (readings: readonly StoredReading[]) => void } = {};
    const ingest = await stack.add(
      createIngestModule(ingestConfig, {
        logger,
        clock,
        store,
        // Only what ingest checks, rebuilt when an admin's upload replaces the registry.
        registry: gatewayAssignmentsFollowing(registry),
        onStored: (readings) => {
          statusFeed.note?.(readings);
          if (liveReadings.listenerCount() > 0) liveReadings.publish(readings);
        },
      }),
    );
    logger.info({ broker: redactUrl(broker.url), store: store.kind }, 'ingest running');
    let fleetModule: ReturnType<typeof createSimulatedFleetModule> | undefined;
    const side = await addApiSide(stack, options.apiSide, {
      logger,
      clock,
      // Sessions and tokens expire by the wall clock, not by the simulated one.
      sessionClock: platformClock,
      // Alarms are judged once the world is live: the history's statuses are the simulated past's.
      evaluateFrom: clock.live,
      store,
      registry,
      liveReadings,
      ingest: ingest.operations,
      platformPhase: () => phaseOf(fleetModule, clock),
    });
    statusFeed.note = (readings) => side.fleetStatus.service.noteStoredReadings(readings);
    const fleet =
      options.fleet === false
        ? undefined
        : (fleetModule = await stack.add(
            createSimulatedFleetModule(
              {
                ...options.fleet,
                // On the embedded broker each simulated gateway logs in as its vessel, as on production's.
                ...(options.fleet.credentials === undefined && access !== undefined
                  ? { credentials: gatewayCredentials ?? {} }
                  : {}),
                dataDir: options.dataDir,
                topicRoot: options.topicRoot,
                broker,
              },
              { registry: registry.index, clock, logger, saved: previous },
            ),
          ));
    return {
      brokerUrl: broker.url,
      brokerLogin: { username: broker.username, password: broker.password },
      store,
      registry: registry.index,
      ingest: ingest.operations,
      side,
      fleet,
    };
  });
  const parts = modules.assembled;
  const { side, fleet } = parts;
  return {
    url: side.api.url,
    adminCredentialsPath: side.api.adminCredentialsPath,
    brokerUrl: parts.brokerUrl,
    brokerLogin: parts.brokerLogin,
    clock,
    store: parts.store,
    registry: parts.registry,
    fleetStatus: side.fleetStatus.service,
    ingest: parts.ingest,
    modules: modules.names,
    loadingHistory: fleet?.loadingHistory ?? false,
    caughtUp: fleet?.caughtUp ?? Promise.resolve(),
    progress() {
      const p = phaseOf(fleet, clock);
      return { ...p, simulatedMs: p.simulatedMs ?? clock.now() };
    },
    fleetTotals: () => fleet?.totals() ?? [],
    fleetWorlds: () => fleet?.worlds() ?? new Map(),
    stop: () => modules.stop(),
  };
}

/** Where the platform stands with its simulated fleet, as the API serves it. */
function phaseOf(
  fleet: ReturnType<typeof createSimulatedFleetModule> | undefined,
  clock: WorldClock,
): PlatformPhase {
  if (fleet === undefined) return LIVE_WITHOUT_SIMULATION;
  const p = fleet.progress();
  const phase = !clock.fastForwarding ? 'live' : fleet.loadingHistory ? 'history' : 'catching-up';
  return {
    phase,
    fraction: phase === 'live' ? 1 : Math.min(1, Math.max(0, p.fraction)),
    simulatedMs: Math.round(phase === 'live' ? clock.now() : p.simulatedMs),
    sampled: p.sampled,
    acked: p.acked,
    pending: p.pending,
  };
}
