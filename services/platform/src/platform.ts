import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  type LiveReadingsHub,
  type RegistryHolder,
  INITIAL_ADMIN_FILE,
  REGISTRY_FILE,
  buildApi,
  createLiveReadingsHub,
  createRegistryHolder,
} from '@qt-led/api';
import { type RegistryIndex, VesselId } from '@qt-led/contract';
import { createEmissionsService, fileIssuedReportStore } from '@qt-led/emissions';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import { createFleetStatusService } from '@qt-led/fleet-status';
import { BUILT_IN_METHODOLOGY_IDS, loadBuiltInMethodology } from '@qt-led/jcm';
import { type FaultSpec, parseFaultSpec } from '@qt-led/gateway';
import {
  createIngest,
  createIngestMetrics,
  ingestOptionsFrom,
  type IngestTuning,
  openSpool,
} from '@qt-led/ingest';
import { type Logger, redactUrl } from '@qt-led/runtime';
import { type TelemetryStore, createInfluxStore, createSqliteStore } from '@qt-led/store';
import mqtt from 'mqtt';
import { type EmbeddedBroker, startEmbeddedBroker } from './embedded-broker.js';
import { type FleetRunner, createFleetRunner } from './fleet-runner.js';
import { type UploadProfile, gatewayConfig, publishGatewayConfigs } from './gateway-config.js';
import { type PlatformClock, createPlatformClock } from './platform-clock.js';
import { type PlatformState, readPlatformState, writePlatformState } from './platform-state.js';

const DAY_MS = 86_400_000;

export interface ExternalBroker {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
}

export interface ExternalInflux {
  url: string;
  database: string;
  token?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  /** The longest backlog a gateway may deliver: a shorter retention is refused (design.md §4). */
  minRetentionDays: number;
  allowShortRetention: boolean;
}

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

export interface PlatformOptions {
  /** Embedded database, gateway queues, disk backlog, platform state and first-start credentials. */
  dataDir: string;
  /** HTTP (API and dashboard). Port 0 picks a free port. */
  http: { host: string; port: number };
  /** The built dashboard served at `/`; absent: the API only. */
  dashboardDir?: string | undefined;
  /** API tunables (session length, login rate limit, proxy trust). */
  api?: { sessionTtlMs?: number; loginRateLimitPerMin?: number; trustProxy?: boolean; authDbPath?: string };
  /** Alarm database of the fleet status service; default `<dataDir>/alarms.sqlite`. */
  alarmDbPath?: string | undefined;
  /** A real broker; absent: the embedded broker on `embeddedBroker`. */
  broker?: ExternalBroker | undefined;
  embeddedBroker: { host: string; port: number; fallbackToFreePort: boolean };
  /** A real InfluxDB; absent: the embedded SQLite store in `dataDir`. */
  influx?: ExternalInflux | undefined;
  topicRoot: string;
  registryPath?: string | undefined;
  /** The simulated fleet of the embedded default; false for a platform that serves real boats only. */
  fleet: SimulatedFleetOptions | false;
  /** Simulated seconds per real second for the whole platform (1: real time). */
  speed: number;
  ingest?: Partial<IngestTuning>;
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
  readonly clock: PlatformClock;
  readonly store: TelemetryStore;
  /** The registry in force (an admin may replace it through the API; ingest sees the replacement). */
  readonly registry: RegistryIndex;
  /** True when this start loads the history (first start, or a first start that was interrupted). */
  readonly loadingHistory: boolean;
  /** Resolves once the simulated fleet has caught up with the platform clock (history loaded). */
  readonly caughtUp: Promise<void>;
  progress(): PlatformProgress;
  /** Readings the simulated gateways sampled, acknowledged and still hold, per vessel (empty without fleet). */
  fleetTotals(): { vesselId: string; sampled: number; acked: number; pending: number }[];
  /** Closes everything in reverse order of starting; what is in flight is written or stays on the gateways. */
  stop(): Promise<void>;
}

export const DEFAULT_INGEST_TUNING: IngestTuning = {
  clientId: 'qtled-ingest-1',
  shareGroup: 'ingest',
  batchMaxReadings: 5_000,
  // In-process, the write is a local SQLite commit: a short batch age keeps the gateways' ack round trip
  // — which paces the history load — short, while batches still carry hundreds of readings.
  batchMaxAgeMs: 20,
  maxWritesInFlight: 2,
  futureToleranceS: 300,
  minDeviceTime: '2017-01-01T00:00:00Z',
  clockSkewToleranceS: 120,
  gapScanIntervalS: 300,
};

/**
 * Starts the whole platform in this process: broker (embedded aedes or a real one), store (embedded SQLite
 * or a real InfluxDB), ingest, fleet status, API with the dashboard, and the simulated fleet. On first start
 * the fleet's history runs through the real pipeline (simulator → broker → ingest → store) as fast as
 * ingest acknowledges; later starts continue from the saved state.
 */
export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const { logger } = options;
  const stack: { name: string; close: () => Promise<void> | void }[] = [];
  const closeAll = async (): Promise<void> => {
    for (const part of stack.splice(0).reverse()) {
      try {
        await part.close();
      } catch (error) {
        logger.error({ err: error, part: part.name }, 'could not close cleanly');
      }
    }
  };
  try {
    mkdirSync(options.dataDir, { recursive: true });
    const statePath = join(options.dataDir, 'platform-state.json');
    const previous = readPlatformState(statePath);
    const clock = createPlatformClock({
      speed: options.speed,
      ...(previous === undefined ? {} : { startMs: previous.clockMs }),
    });
    // An admin's upload (PUT /api/v1/registry) outlives restarts: it wins over the configured file.
    const uploaded = join(options.dataDir, REGISTRY_FILE);
    const registryHolder: RegistryHolder = createRegistryHolder(
      loadFleetRegistry(existsSync(uploaded) ? uploaded : options.registryPath),
    );
    const registry = registryHolder.index;
    const tuning = { ...DEFAULT_INGEST_TUNING, ...options.ingest };

    const baseStore = await openStore(options, logger);
    stack.push({ name: 'store', close: () => baseStore.close() });
    const liveReadings = createLiveReadingsHub();
    const store = withLiveReadings(baseStore, liveReadings);

    let brokerUrl: string;
    let embedded: EmbeddedBroker | undefined;
    if (options.broker === undefined) {
      embedded = await startEmbeddedBroker({ ...options.embeddedBroker, logger });
      stack.push({ name: 'broker', close: () => (embedded as EmbeddedBroker).close() });
      brokerUrl = embedded.url;
    } else {
      brokerUrl = options.broker.url;
    }

    const spool = openSpool(join(options.dataDir, `ingest-spool-${tuning.clientId}.sqlite`));
    stack.push({ name: 'ingest backlog', close: () => spool.close() });
    const ingestClient = await mqtt.connectAsync(brokerUrl, {
      clientId: tuning.clientId,
      clean: false,
      reconnectPeriod: 2_000,
      // aedes speaks MQTT 3.1.1; a real broker gets MQTT 5 with a session that outlives a restart.
      ...(embedded === undefined
        ? { protocolVersion: 5, properties: { sessionExpiryInterval: 14 * 86_400 } }
        : { protocolVersion: 4 }),
      ...(options.broker?.username === undefined ? {} : { username: options.broker.username }),
      ...(options.broker?.password === undefined ? {} : { password: options.broker.password }),
    });
    // No Nagle on ingest's socket either: acks leave at once instead of after a delayed TCP ACK.
    const noDelay = (): void => {
      (ingestClient.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
    };
    noDelay();
    ingestClient.on('connect', noDelay);
    const ingest = createIngest({
      mqtt: ingestClient,
      store,
      registry,
      spool,
      clock,
      logger: logger.child({ component: 'ingest' }),
      metrics: createIngestMetrics(),
      // aedes does not deliver `$share/…` subscriptions (design.md §9).
      options: ingestOptionsFrom(tuning, { topicRoot: options.topicRoot, shared: embedded === undefined }),
    });
    await ingest.start();
    stack.push({ name: 'ingest', close: () => ingest.stop() });
    logger.info({ broker: redactUrl(brokerUrl), store: store.kind }, 'ingest running');

    const emissions = createEmissionsService({
      store,
      registry,
      methodologies: new Map(
        BUILT_IN_METHODOLOGY_IDS.map((id) => [id as string, loadBuiltInMethodology(id)]),
      ),
      issued: fileIssuedReportStore(join(options.dataDir, 'issued-reports')),
      clock,
    });
    const fleetStatus = createFleetStatusService({
      store,
      registry,
      alarmDbPath: options.alarmDbPath ?? join(options.dataDir, 'alarms.sqlite'),
      clock,
      logger: logger.child({ component: 'fleet-status' }),
    });
    stack.push({ name: 'fleet status', close: () => fleetStatus.stop() });
    const app = await buildApi({
      store,
      registry: registryHolder,
      emissions,
      fleetStatus,
      authDbPath: options.api?.authDbPath ?? join(options.dataDir, 'api-auth.sqlite'),
      dataDir: options.dataDir,
      ...(options.dashboardDir === undefined ? {} : { dashboardDir: options.dashboardDir }),
      logger,
      clock,
      ingestHealth: ingest,
      liveReadings,
      options: {
        ...(options.api?.sessionTtlMs === undefined ? {} : { sessionTtlMs: options.api.sessionTtlMs }),
        ...(options.api?.loginRateLimitPerMin === undefined
          ? {}
          : { loginRateLimit: { max: options.api.loginRateLimitPerMin, timeWindowMs: 60_000 } }),
        ...(options.api?.trustProxy === undefined ? {} : { trustProxy: options.api.trustProxy }),
      },
    });
    stack.push({ name: 'API', close: () => app.close() });
    await app.listen({ host: options.http.host, port: options.http.port });
    const { port } = app.server.address() as AddressInfo;
    const url = `http://${options.http.host.includes(':') ? `[${options.http.host}]` : options.http.host}:${port}`;
    const adminCredentialsPath = join(options.dataDir, INITIAL_ADMIN_FILE);
    fleetStatus.start();
    logger.info({ url, dashboard: options.dashboardDir ?? null }, 'API and dashboard listening');

    let fleet: FleetRunner | undefined;
    let state: PlatformState | undefined;
    let loadingHistory = false;
    let caughtUp: Promise<void> = Promise.resolve();
    let targetMs = clock.now();
    let saveTimer: NodeJS.Timeout | undefined;
    if (options.fleet !== false) {
      const fleetOptions = options.fleet;
      const vesselIds = selectVessels(registry, fleetOptions.vessels);
      const nowMs = clock.now();
      const historyStartMs = nowMs - fleetOptions.historyDays * DAY_MS;
      if (previous !== undefined && previous.seed !== fleetOptions.seed) {
        logger.warn(
          { stored: previous.seed, configured: fleetOptions.seed },
          `${options.dataDir} holds a fleet simulated with seed ${previous.seed}; continuing with it (empty DATA_DIR to start over with seed ${fleetOptions.seed})`,
        );
      }
      state = previous ?? {
        schema: 'qtled.platform-state/1',
        seed: fleetOptions.seed,
        // The world begins before the history, so boats are mid-trip when it starts (as the simulator does).
        worldStartMs: historyStartMs - 20 * DAY_MS,
        historyStartMs,
        vessels: {},
        historyLoadedAtMs: null,
        configVersion: 0,
        clockMs: nowMs,
      };
      loadingHistory = state.historyLoadedAtMs === null;
      // A boat resumes where it stopped; a boat new to this data directory starts with the history; nothing
      // older than the history window is simulated again after a long stop.
      const resumeAt = new Map(
        vesselIds.map((id) => [
          id,
          Math.max(
            (state as PlatformState).vessels[id] ?? (state as PlatformState).historyStartMs,
            nowMs - fleetOptions.historyDays * DAY_MS,
          ),
        ]),
      );
      const resumeOf = (vesselId: string): number => resumeAt.get(vesselId) ?? nowMs;
      const fromMs = Math.min(...vesselIds.map(resumeOf));
      targetMs = nowMs;
      fleet = createFleetRunner({
        seed: state.seed,
        registry,
        vesselIds,
        worldStartMs: state.worldStartMs,
        resumeMs: resumeOf,
        clock,
        brokerUrl,
        ...(fleetOptions.credentials === undefined
          ? {}
          : {
              credentials: (vesselId: string, gatewayId: string) =>
                (fleetOptions.credentials ?? {})[gatewayId] ?? (fleetOptions.credentials ?? {})[vesselId],
            }),
        topicRoot: options.topicRoot,
        clientIdPrefix: fleetOptions.clientIdPrefix,
        dataDir: join(options.dataDir, 'gateways'),
        faults: parseFaults(fleetOptions.faults),
        // The simulated boats' own chatter (boots, reconnects, configs applied: 40 boats, realistic faults)
        // is for debugging the simulator; at the default level only their warnings reach the console.
        logger: (vesselId) =>
          logger.child(
            { component: 'gateway', vesselId },
            { level: logger.isLevelEnabled('debug') ? logger.level : 'warn' },
          ),
      });
      const running = fleet;
      // A long way to catch up (the history, a long stop): hourly batches until caught up, then live ones.
      const configure = async (profile: UploadProfile): Promise<void> => {
        const s = state as PlatformState;
        s.configVersion += 1;
        const version = s.configVersion;
        try {
          await publishGatewayConfigs(
            ingestClient,
            options.topicRoot,
            vesselIds.map((id) => gatewayConfig(VesselId.parse(id), profile, version, clock.now())),
          );
        } catch (error) {
          // A broker with the production ACL does not let ingest configure gateways: factory settings then.
          logger.warn({ err: error, profile }, 'could not send the simulated gateways their upload config');
        }
      };
      const longCatchUp = targetMs - fromMs > 3_600_000;
      if (longCatchUp || state.configVersion === 0) await configure(longCatchUp ? 'history' : 'live');
      const save = (): void => {
        const s = state as PlatformState;
        for (const v of running.vessels) s.vessels[v.vesselId] = v.nowMs;
        s.clockMs = clock.now();
        writePlatformState(statePath, s);
      };
      save();
      stack.push({
        name: 'simulated fleet',
        close: async () => {
          clearInterval(saveTimer);
          const totals = await running.stop();
          save();
          logger.info(
            { pending: totals.reduce((n, t) => n + t.pending, 0) },
            'simulated fleet stopped; unacknowledged readings stay in the gateways’ queues',
          );
        },
      });
      running.start();
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
      caughtUp = running.reached(targetMs).then(async () => {
        const s = state as PlatformState;
        if (longCatchUp) await configure('live');
        if (s.historyLoadedAtMs === null) {
          s.historyLoadedAtMs = clock.now();
          save();
        }
      });
      // Observed through `caughtUp`; this only keeps an early rejection from being unhandled.
      caughtUp.catch(() => undefined);
    }

    let stopped: Promise<void> | undefined;
    return {
      url,
      adminCredentialsPath,
      brokerUrl,
      clock,
      store,
      registry,
      loadingHistory,
      caughtUp,
      progress() {
        const p = fleet?.progress(targetMs) ?? {
          fraction: 1,
          simulatedMs: targetMs,
          sampled: 0,
          acked: 0,
          pending: 0,
        };
        return { phase: p.fraction >= 1 ? 'live' : loadingHistory ? 'history' : 'catching-up', ...p };
      },
      fleetTotals() {
        return (fleet?.vessels ?? []).map((v) => {
          const t = v.totals();
          return { vesselId: t.vesselId, sampled: t.sampled, acked: t.acked, pending: t.pending };
        });
      },
      stop() {
        stopped ??= closeAll();
        return stopped;
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

async function openStore(options: PlatformOptions, logger: Logger): Promise<TelemetryStore> {
  const influx = options.influx;
  if (influx === undefined) return createSqliteStore({ path: join(options.dataDir, 'telemetry.sqlite') });
  return createInfluxStore({
    url: influx.url,
    database: influx.database,
    minRetentionDays: influx.minRetentionDays,
    allowShortRetention: influx.allowShortRetention,
    createDatabase: true,
    onWarning: (message) => logger.warn(message),
    ...(influx.token === undefined ? {} : { token: influx.token }),
    ...(influx.username === undefined ? {} : { username: influx.username }),
    ...(influx.password === undefined ? {} : { password: influx.password }),
  });
}

/** The store as ingest sees it: every durable write is also told to the API's live stream. */
function withLiveReadings(store: TelemetryStore, hub: LiveReadingsHub): TelemetryStore {
  return Object.assign(Object.create(store) as TelemetryStore, {
    async writeReadings(readings: Parameters<TelemetryStore['writeReadings']>[0]): Promise<void> {
      await store.writeReadings(readings);
      if (hub.listenerCount() > 0) hub.publish(readings);
    },
  });
}

function selectVessels(registry: RegistryIndex, vessels: number | readonly string[]): string[] {
  const all = registry.registry.vessels.map((v) => v.vesselId as string);
  if (typeof vessels === 'number') return all.slice(0, vessels);
  const unknown = vessels.filter((id) => !all.includes(id));
  if (unknown.length > 0) throw new Error(`not in the fleet registry: ${unknown.join(', ')}`);
  return [...vessels];
}

function parseFaults(spec: string): FaultSpec {
  return parseFaultSpec(spec);
}
