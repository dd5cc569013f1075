import type { TelemetryStore } from '@qt-led/store';
import { deadLetterQueries } from './sqlite-dead-letter-queries.js';
import { deviceMessageQueries } from './sqlite-device-message-queries.js';
import { readingQueries } from './sqlite-reading-queries.js';
import { openTelemetryDatabase } from './sqlite-schema.js';
import { deadLetterWrites, deviceMessageWrites, readingWrites } from './sqlite-writes.js';

export interface SqliteStoreOptions {
  /** Path of the database file; `:memory:` for a throw-away store. */
  path: string;
  /**
   * Open an existing database for reading only, beside the connection that writes it (default false):
   * the file and schema are not created, and every write fails.
   */
  readOnly?: boolean;
}

/**
 * The embedded store: one SQLite file (better-sqlite3) in WAL mode with `synchronous = FULL`, so a
 * committed batch survives power loss before ingest acknowledges it. The primary key
 * `(vessel, boot, seq)` is the reading's identity: a resend is ignored, never stored twice. Indexed for
 * the queries the API and calculator make (one vessel over a time range; the newest per vessel).
 *
 * Composed of: the schema (`sqlite-schema`), the write side (`sqlite-writes`), and the queries of
 * readings, device messages and dead letters, each preparing its own statements.
 */
export function createSqliteStore(options: SqliteStoreOptions): TelemetryStore {
  const db = openTelemetryDatabase(options.path, { readOnly: options.readOnly ?? false });
  return {
    kind: 'sqlite',
    ...readingWrites(db),
    ...readingQueries(db),
    ...deviceMessageWrites(db),
    ...deviceMessageQueries(db),
    ...deadLetterWrites(db),
    ...deadLetterQueries(db),
    close() {
      db.close();
      return Promise.resolve();
    },
  };
}
