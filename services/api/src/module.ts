import type { PlatformPhase } from '@qt-led/contract';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { EmissionsService } from '@qt-led/emissions';
import type { RegistrySource } from '@qt-led/fleet-registry';
import type { FleetStatusService } from '@qt-led/fleet-status';
import type { PackageScheduler } from '@qt-led/partner-packages';
import { connectMqtt, type MqttConnectionConfig } from '@qt-led/infrastructure';
import type { Logger, ServiceModule } from '@qt-led/runtime';
import type { TelemetryStore } from '@qt-led/store';
import type { FastifyInstance } from 'fastify';
import type { MqttClient } from 'mqtt';
import { buildApi } from './app.js';
import { INITIAL_ADMIN_FILE } from './auth/first-admin.js';
import type { ApiOptions, ApiTls } from './deps.js';
import type { IngestOperations } from './ingest-operations.js';
import { createMqttLiveReadings, type LiveReadings } from './live-readings.js';

/** The API's slice of a process's configuration. */
export interface ApiModuleConfig {
  /** Where to listen; with `tls`, HTTPS. */
  http: { host: string; port: number; tls?: ApiTls | undefined };
  /** The built dashboard served at `/`; absent: the API only. */
  dashboardDir?: string | undefined;
  /** SQLite file of users, sessions and API tokens. */
  authDbPath: string;
  /** Where the first admin's one-time credentials are written. */
  dataDir: string;
  options: Partial<ApiOptions>;
  /**
   * The live stream's readings from an ingest in another process, over the broker (compose). Null when
   * ingest runs in this process and hands them over in memory, or when no broker is configured.
   */
  liveReadingsFromBroker: { mqtt: MqttConnectionConfig; topicRoot: string; clientId: string } | null;
}

export interface ApiModuleDeps {
  logger: Logger;
  clock: { now(): number };
  store: TelemetryStore;
  registry: RegistrySource;
  emissions: EmissionsService;
  methodologyIds: readonly string[];
  fleetStatus: FleetStatusService;
  packages: PackageScheduler;
  /** Readings as ingest in this process stores them. */
  liveReadings?: LiveReadings;
  /** Ingest in this process: readiness and the operator view for admins. */
  ingest?: IngestOperations;
  /** The simulated fleet's phase (the embedded default); absent: live. */
  platformPhase?: () => PlatformPhase;
  /** Sessions' and tokens' time; default `clock`. */
  sessionClock?: { now(): number };
}

export interface ApiModule extends ServiceModule {
  /** `http://host:port` (`https://` with TLS), once listening. */
  readonly url: string;
  readonly app: FastifyInstance;
  readonly adminCredentialsPath: string;
}

export function createApiModule(config: ApiModuleConfig, deps: ApiModuleDeps): ApiModule {
  let app: FastifyInstance | undefined;
  let url: string | undefined;
  let client: MqttClient | undefined;
  let fromBroker: ReturnType<typeof createMqttLiveReadings> | undefined;
  let stopStatusFeed: (() => void) | undefined;
  const logger = deps.logger;
  return {
    name: 'api',
    get url() {
      if (url === undefined) throw new Error('the API is not listening');
      return url;
    },
    get app() {
      if (app === undefined) throw new Error('the API has not started');
      return app;
    },
    adminCredentialsPath: join(config.dataDir, INITIAL_ADMIN_FILE),
    async start() {
      let liveReadings = deps.liveReadings;
      const remote = config.liveReadingsFromBroker;
      if (liveReadings === undefined && remote !== null) {
        client = await connectMqtt(remote.mqtt, { clientId: remote.clientId, persistent: false });
        fromBroker = createMqttLiveReadings({
          client,
          topicRoot: remote.topicRoot,
          onInvalid: (err) => logger.warn({ err }, 'a stored-readings notice did not parse; dropped'),
        });
        await fromBroker.start();
        liveReadings = fromBroker;
        // The fleet status keeps each vessel's state from the readings ingest stores (in one process the
        // platform hands them over itself); it checks the store too, so a lost notice costs nothing.
        stopStatusFeed = fromBroker.onReading((r) => deps.fleetStatus.noteStoredReadings([r]));
      }
      app = await buildApi({
        store: deps.store,
        registry: deps.registry,
        emissions: deps.emissions,
        methodologyIds: deps.methodologyIds,
        fleetStatus: deps.fleetStatus,
        packages: deps.packages,
        authDbPath: config.authDbPath,
        dataDir: config.dataDir,
        ...(config.dashboardDir === undefined ? {} : { dashboardDir: config.dashboardDir }),
        logger,
        clock: deps.clock,
        ...(liveReadings === undefined ? {} : { liveReadings }),
        ...(deps.ingest === undefined ? {} : { ingest: deps.ingest }),
        ...(deps.platformPhase === undefined ? {} : { platformPhase: deps.platformPhase }),
        ...(deps.sessionClock === undefined ? {} : { sessionClock: deps.sessionClock }),
        options: config.options,
        ...(config.http.tls === undefined ? {} : { https: config.http.tls }),
      });
      await app.listen({ host: config.http.host, port: config.http.port });
      const { port } = app.server.address() as AddressInfo;
      const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
      url = `${config.http.tls === undefined ? 'http' : 'https'}://${host}:${port}`;
      logger.info(
        { url, dashboard: config.dashboardDir ?? null },
        'API listening (OpenAPI at /api/openapi.json)',
      );
    },
    async stop() {
      // Closing the app ends the live streams first, then waits for requests under way.
      await app?.close();
      stopStatusFeed?.();
      stopStatusFeed = undefined;
      fromBroker?.stop();
      await client?.endAsync();
      app = undefined;
      client = undefined;
      fromBroker = undefined;
    },
  };
}
