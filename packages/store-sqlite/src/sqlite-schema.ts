import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Opens (creating when needed) the telemetry database: WAL with `synchronous = FULL`, and the tables and
 * indexes of readings, dead letters and device messages. A database created by an older version is
 * brought up to date first (see `addLedMeterId`); nothing stored is changed.
 */
export function openTelemetryDatabase(path: string, access: { readOnly?: boolean } = {}): Database.Database {
  if (access.readOnly === true) return openReadOnly(path);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS readings (
      vessel TEXT NOT NULL, boot TEXT NOT NULL, seq INTEGER NOT NULL,
      device_ms INTEGER NOT NULL, received_ms INTEGER NOT NULL, clock_skew_ms INTEGER,
      gateway TEXT NOT NULL, time_source TEXT,
      led_power_w REAL, led_energy_kwh REAL, lamps_on INTEGER,
      fuel_rate_lph REAL, fuel_total_l REAL,
      fix TEXT, lat REAL, lon REAL, speed_kn REAL, heading_deg REAL,
      led_meter_id TEXT,
      PRIMARY KEY (vessel, boot, seq)
    ) WITHOUT ROWID;
  `);
  addLedMeterId(db);
  db.exec(`
    -- Covering for register reads (emissions over a fleet-month: 1.7 M readings in ~2.5 s instead of ~9 s
    -- through a time index that sends every row back to the primary key); it also serves time ranges.
    CREATE INDEX IF NOT EXISTS readings_registers
      ON readings (vessel, device_ms, boot, seq, led_energy_kwh, led_meter_id, fuel_total_l, lamps_on);
    DROP INDEX IF EXISTS readings_vessel_time;
    CREATE TABLE IF NOT EXISTS dead_letters (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      received_ms INTEGER NOT NULL, topic TEXT NOT NULL, reason TEXT NOT NULL, message TEXT NOT NULL,
      payload TEXT NOT NULL, payload_encoding TEXT NOT NULL, payload_bytes INTEGER NOT NULL,
      replayed_ms INTEGER
    );
    CREATE INDEX IF NOT EXISTS dead_letters_reason ON dead_letters (reason, received_ms);
    -- The newest letters of every reason (the operator's list): a page read in index order (rowid is the
    -- tie-break) instead of sorting the whole table — 0.16 ms instead of 189 ms per page of 200,000 letters.
    CREATE INDEX IF NOT EXISTS dead_letters_received ON dead_letters (received_ms);
    CREATE TABLE IF NOT EXISTS device_messages (
      vessel TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
      at_ms INTEGER NOT NULL, received_ms INTEGER NOT NULL, gateway TEXT NOT NULL, boot TEXT NOT NULL,
      payload TEXT NOT NULL,
      PRIMARY KEY (vessel, kind, key)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS device_messages_vessel_time ON device_messages (vessel, kind, at_ms);
    CREATE INDEX IF NOT EXISTS device_messages_kind_time ON device_messages (kind, at_ms);
  `);
  return db;
}

/**
 * Readings carry the LED meter's serial since the contract's `led.meterId`. A database created before has
 * no `led_meter_id` column: it is added (NULL for every reading already stored, which named no meter), and
 * the covering index of register reads, which lacks it, is dropped so that it is built again with it (a
 * few seconds for a fleet-month, once). In one immediate transaction, so that two writers opening the same
 * old file do not both add it. The older code still reads and writes a migrated database: it names its
 * columns and ignores the new one.
 */
function addLedMeterId(db: Database.Database): void {
  const hasColumn = (): boolean =>
    (db.pragma('table_info(readings)') as { name: string }[]).some((c) => c.name === 'led_meter_id');
  if (hasColumn()) return;
  db.transaction(() => {
    if (hasColumn()) return;
    db.exec('ALTER TABLE readings ADD COLUMN led_meter_id TEXT');
    db.exec('DROP INDEX IF EXISTS readings_registers');
  }).immediate();
}

/**
 * A second connection to a database another connection writes (WAL lets it read while the writer commits):
 * it never creates the file or the schema and cannot write. The emissions workers read through one each.
 */
function openReadOnly(path: string): Database.Database {
  if (path === ':memory:') throw new Error('a read-only connection needs a database file, not :memory:');
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}
