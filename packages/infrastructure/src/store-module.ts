import { join } from 'node:path';
import type { Logger, ServiceModule } from '@qt-led/runtime';
import type { TelemetryStore } from '@qt-led/store';
import { createInfluxStore } from '@qt-led/store-influx';
import { createSqliteStore } from '@qt-led/store-sqlite';

/** Where a process keeps its readings: the embedded SQLite file, or an InfluxDB 1.x/2.x/3.x. */
export type StoreConfig =
  | {
      kind: 'sqlite';
      path: string;
      /** A reader beside the process's writer connection (the emissions workers); default false. */
      readOnly?: boolean | undefined;
    }
  | {
      kind: 'influx';
      url: string;
      database: string;
      token?: string | undefined;
      username?: string | undefined;
      password?: string | undefined;
      /**
       * A writer (ingest) refuses a database whose retention is shorter than the longest backlog a boat may
       * deliver, because InfluxDB drops older writes without an error; a reader does not check.
       */
      minRetentionDays: number;
      allowShortRetention: boolean;
      createDatabase: boolean;
    };

/** The variables every process's store configuration comes from (`influxEnv`, `dataEnv` and ingest's). */
export interface StoreEnv {
  DATA_DIR: string;
  INFLUX_URL?: string | undefined;
  INFLUX_DATABASE: string;
  INFLUX_TOKEN?: string | undefined;
  INFLUX_USERNAME?: string | undefined;
  INFLUX_PASSWORD?: string | undefined;
  INGEST_MAX_BACKLOG_DAYS?: number | undefined;
  INGEST_ALLOW_SHORT_RETENTION?: boolean | undefined;
}

/** The store slice of a process's configuration; `writer` for the process that writes readings. */
export function storeConfigFrom(env: StoreEnv, access: 'writer' | 'reader'): StoreConfig {
  if (env.INFLUX_URL === undefined) return { kind: 'sqlite', path: join(env.DATA_DIR, 'telemetry.sqlite') };
  const writer = access === 'writer';
  return {
    kind: 'influx',
    url: env.INFLUX_URL,
    database: env.INFLUX_DATABASE,
    token: env.INFLUX_TOKEN,
    username: env.INFLUX_USERNAME,
    password: env.INFLUX_PASSWORD,
    minRetentionDays: writer ? (env.INGEST_MAX_BACKLOG_DAYS ?? 60) : 1,
    allowShortRetention: writer ? (env.INGEST_ALLOW_SHORT_RETENTION ?? false) : true,
    createDatabase: writer,
  };
}

export interface StoreModule extends ServiceModule {
  /** The opened store; available once the module started. */
  readonly store: TelemetryStore;
}

/** Opens the store on start and closes it on stop: the last thing a process closes. */
export function createStoreModule(config: StoreConfig, deps: { logger: Logger }): StoreModule {
  let store: TelemetryStore | undefined;
  return {
    name: 'store',
    get store() {
      if (store === undefined) throw new Error('the store has not been opened');
      return store;
    },
    async start() {
      store =
        config.kind === 'sqlite'
          ? createSqliteStore({ path: config.path, readOnly: config.readOnly ?? false })
          : await openInflux(config);
    },
    async stop() {
      await store?.close();
      store = undefined;
    },
  };

  function openInflux(influx: Extract<StoreConfig, { kind: 'influx' }>): Promise<TelemetryStore> {
    return createInfluxStore({
      url: influx.url,
      database: influx.database,
      minRetentionDays: influx.minRetentionDays,
      allowShortRetention: influx.allowShortRetention,
      createDatabase: influx.createDatabase,
      onWarning: (message) => deps.logger.warn(message),
      ...(influx.token === undefined ? {} : { token: influx.token }),
      ...(influx.username === undefined ? {} : { username: influx.username }),
      ...(influx.password === undefined ? {} : { password: influx.password }),
    });
  }
}
