import type { TelemetryStore } from '@qt-led/store';
import { createInfluxClient } from './influx-client.js';
import { checkDatabase } from './influx-database-check.js';
import { deadLetterQueries } from './influx-dead-letter-queries.js';
import { deviceMessageQueries } from './influx-device-message-queries.js';
import { readingQueries } from './influx-reading-queries.js';
import { deadLetterWrites, deviceMessageWrites, readingWrites } from './influx-writes.js';

export { parseGoDuration } from './influx-database-check.js';

export interface InfluxStoreOptions {
  url: string;
  /** Database (1.x) or bucket mapped to a database (2.x v1-compatibility, 3.x). */
  database: string;
  /** 2.x/3.x API token. */
  token?: string;
  /** 1.x user, when auth-enabled. */
  username?: string;
  password?: string;
  /**
   * Raw readings must be kept at least this long, or a gateway's backlog (weeks at sea) would be written
   * outside the retention window and silently dropped by InfluxDB. Start-up refuses a shorter default
   * retention policy unless `allowShortRetention` is set, in which case it warns loudly instead.
   */
  minRetentionDays: number;
  allowShortRetention?: boolean;
  /** 1.x: create the database when it does not exist (2.x buckets are created by the operator). */
  createDatabase?: boolean;
  requestTimeoutMs?: number;
  onWarning?: (message: string) => void;
}

/**
 * The production store: InfluxDB through the API every version shares — line protocol to `/write`,
 * InfluxQL to `/query` — so the same code runs on 1.x, 2.x (v1-compatibility endpoints) and 3.x.
 *
 * Identity: series `telemetry,vessel=<id>` and a nanosecond timestamp whose millisecond part is the
 * device time and whose sub-millisecond digits are `seq mod 10^6`. A resend therefore lands on the same
 * point (idempotent), and two readings of one vessel never share a timestamp even when a clock steps back
 * onto a millisecond already used — InfluxDB would otherwise overwrite one with the other without a word.
 *
 * Composed of: the HTTP client (`influx-client`), the start-up check (`influx-database-check`), the data
 * layout (`influx-schema`), the write side (`influx-writes`) and the queries of readings, device messages
 * and dead letters.
 */
export async function createInfluxStore(options: InfluxStoreOptions): Promise<TelemetryStore> {
  const client = createInfluxClient(options);
  await checkDatabase(client, options);
  const store: TelemetryStore = {
    kind: 'influxdb',
    ...readingWrites(client),
    ...readingQueries(client),
    ...deviceMessageWrites(client),
    ...deviceMessageQueries(client),
    ...deadLetterWrites(client),
    ...deadLetterQueries(client, (id) => store.getDeadLetter(id)),
    close() {
      return Promise.resolve();
    },
  };
  return store;
}
