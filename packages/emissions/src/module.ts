import type { MethodologyParameterSet, RegistryIndex } from '@qt-led/contract';
import type { StoreConfig } from '@qt-led/infrastructure';
import { BUILT_IN_METHODOLOGY_IDS, loadBuiltInMethodology } from '@qt-led/jcm';
import type { Logger, ServiceModule } from '@qt-led/runtime';
import type { TelemetryStore } from '@qt-led/store';
import {
  createEmissionsService,
  type EmissionsService,
  fileIssuedReportStore,
  fileResultArchive,
} from './service.js';
import { createEmissionsWorkerPool, type EmissionsWorkerPool } from './worker-pool.js';

/** The emissions slice of a process's configuration. */
export interface EmissionsModuleConfig {
  /** Where issued reports are kept (their figures are what a restatement is measured against). */
  issuedReportsDir: string;
  /**
   * The process's store, which the worker threads open for themselves (SQLite read-only, beside the
   * writer). Unset: reports are computed on the event loop over `deps.store` — only for tools and tests,
   * as a long report then stalls everything else the process serves (docs/architecture.md §5).
   */
  store?: StoreConfig | undefined;
  /** Worker threads, i.e. reports computed at once (default 1). */
  workers?: number | undefined;
  /** Reports that may wait for a worker; one more is answered "busy, retry later" (default 8). */
  queueLimit?: number | undefined;
  /** A report computing longer than this is stopped and fails (default 5 min). */
  timeoutMs?: number | undefined;
  /** Bytes of vessel-days each worker keeps between reports (default 256 MiB). */
  vesselDayCacheBytes?: number | undefined;
  /**
   * Where the workers keep the vessel-days they read, across restarts (an SQLite file; unset: memory only).
   * A report after a restart then reads a fleet-month's days from here rather than 1.7 M readings.
   */
  vesselDayArchivePath?: string | undefined;
  /** Bytes of vessel-days the archive keeps (default 1 GiB). */
  vesselDayArchiveBytes?: number | undefined;
  /** Where results are kept across restarts, by input key (unset: memory only). */
  resultArchiveDir?: string | undefined;
}

export interface EmissionsModule extends ServiceModule {
  readonly service: EmissionsService;
  /** The methodologies the service knows, the first the default (the API's `variant` parameter). */
  readonly methodologyIds: readonly string[];
  /** Their parameter sets, by id. */
  readonly methodologies: ReadonlyMap<string, MethodologyParameterSet>;
}

/**
 * The emissions service with the built-in methodology parameter sets, over the process's store: its
 * reports are gathered and calculated in worker threads, the results cached in this thread.
 */
export function createEmissionsModule(
  config: EmissionsModuleConfig,
  deps: { store: TelemetryStore; registry: RegistryIndex; clock: { now(): number }; logger?: Logger },
): EmissionsModule {
  const methodologies = new Map(
    BUILT_IN_METHODOLOGY_IDS.map((id) => [id as string, loadBuiltInMethodology(id)] as const),
  );
  const pool: EmissionsWorkerPool | undefined =
    config.store === undefined
      ? undefined
      : createEmissionsWorkerPool({
          store: config.store,
          workers: config.workers,
          queueLimit: config.queueLimit,
          timeoutMs: config.timeoutMs,
          vesselDayCacheBytes: config.vesselDayCacheBytes,
          vesselDayArchive:
            config.vesselDayArchivePath === undefined
              ? undefined
              : { path: config.vesselDayArchivePath, maxBytes: config.vesselDayArchiveBytes },
          logger: deps.logger?.child({ component: 'emissions' }),
        });
  const service = createEmissionsService({
    store: deps.store,
    registry: deps.registry,
    methodologies,
    issued: fileIssuedReportStore(config.issuedReportsDir),
    results: config.resultArchiveDir === undefined ? undefined : fileResultArchive(config.resultArchiveDir),
    onArchiveError: (error) => {
      deps.logger?.warn({ err: error }, 'emissions result archive failed; calculating instead');
    },
    clock: deps.clock,
    ...(pool === undefined ? {} : { engine: pool }),
  });
  return {
    name: 'emissions',
    service,
    methodologyIds: [...methodologies.keys()],
    methodologies,
    start: () => {
      pool?.start();
      return Promise.resolve();
    },
    stop: () => pool?.close() ?? Promise.resolve(),
  };
}
