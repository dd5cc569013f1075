import type { PlatformPhase } from '@qt-led/contract';
import type { EmissionsService } from '@qt-led/emissions';
import type { RegistrySource } from '@qt-led/fleet-registry';
import type { FleetStatusService } from '@qt-led/fleet-status';
import type { PackageScheduler } from '@qt-led/partner-packages';
import type { Logger } from '@qt-led/runtime';
import type { TelemetryStore } from '@qt-led/store';
import type { AuthStore, Principal } from './auth/auth-store.js';
import type { ScryptCost } from './auth/password.js';
import type { LiveReadings } from './live-readings.js';
import type { IngestOperations } from './ingest-operations.js';

/** What `/readyz` asks besides the store: ingest's own view of whether it keeps up (optional). */
export type IngestHealth = Pick<IngestOperations, 'ready'>;

/** The API's server certificate and key, as PEM text. */
export interface ApiTls {
  cert: string;
  key: string;
}

export interface Clock {
  now(): number;
}

/** Tunables with safe defaults; tests shorten the heartbeat and loosen the login limit. */
export interface ApiOptions {
  /** How long a login session lasts. */
  sessionTtlMs: number;
  /** Login attempts allowed per client address per window (brute-force protection). */
  loginRateLimit: { max: number; timeWindowMs: number };
  /** SSE keep-alive comment interval; proxies close idle connections (often after 30–60 s). */
  sseHeartbeatMs: number;
  /** Buckets one series request may return; a `step` that yields more is refused with this number. */
  maxSeriesPoints: number;
  /** Longest period trips, nights, completeness and emissions requests may span. */
  maxPeriodDays: number;
  /** Above this many unsent bytes a live client is too slow: `reading` events are dropped for it. */
  sseMaxBufferedBytes: number;
  /** Largest registry document accepted by `PUT /api/v1/registry`. */
  registryBodyLimitBytes: number;
  scryptCost: ScryptCost;
  /** Trust `X-Forwarded-For` from a reverse proxy (for the login rate limit's client address). */
  trustProxy: boolean;
}

export const DEFAULT_API_OPTIONS: ApiOptions = {
  sessionTtlMs: 12 * 3_600_000,
  loginRateLimit: { max: 10, timeWindowMs: 60_000 },
  sseHeartbeatMs: 15_000,
  maxSeriesPoints: 2_000,
  maxPeriodDays: 366,
  sseMaxBufferedBytes: 1 << 20,
  registryBodyLimitBytes: 32 << 20,
  scryptCost: { logN: 15, r: 8, p: 1 },
  trustProxy: false,
};

export interface ApiDeps {
  store: TelemetryStore;
  /** The registry in force; `PUT /api/v1/registry` replaces it through the source (persisted, shared). */
  registry: RegistrySource;
  emissions: EmissionsService;
  fleetStatus: FleetStatusService;
  /** The partners' data packages: the outbox they are served from, "issue now", the signing key. */
  packages: PackageScheduler;
  /** SQLite file of users, sessions and API tokens (`:memory:` allowed). */
  authDbPath: string;
  /** Where the first admin's one-time credentials and the uploaded registry are written. */
  dataDir: string;
  /** Built dashboard (index.html + assets) served at `/` with an SPA fallback. */
  dashboardDir?: string;
  logger: Logger;
  /** The world's time: "now" of statuses, series and periods (the embedded default's can be simulated). */
  clock?: Clock;
  /** Sessions', tokens' and accounts' time; default `clock`. */
  sessionClock?: Clock;
  /** Ingest in this process (`npm start`): readiness, and its operator view for admins. */
  ingest?: IngestOperations;
  /** Readings as they are stored, for the live stream's `reading` events. */
  liveReadings?: LiveReadings;
  /** The platform's phase (the embedded default's simulated fleet); absent: live, real boats only. */
  platformPhase?: () => PlatformPhase;
  /** Methodology ids the emissions service knows (the `variant` parameter); default: the built-in ones. */
  methodologyIds?: readonly string[];
  options?: Partial<ApiOptions>;
  /** Serve HTTPS with this certificate (PEM, chain after it) and key; absent: plain HTTP. */
  https?: ApiTls;
}

declare module 'fastify' {
  interface FastifyInstance {
    store: TelemetryStore;
    registryHolder: RegistrySource;
    emissions: EmissionsService;
    fleetStatus: FleetStatusService;
    auth: AuthStore;
    clock: Clock;
    sessionClock: Clock;
    apiOptions: ApiOptions;
  }
  interface FastifyRequest {
    /** Who is calling; `null` on public routes. */
    principal: Principal | null;
    /** The bearer token the caller authenticated with; `null` on public routes. */
    bearerToken: string | null;
  }
}
