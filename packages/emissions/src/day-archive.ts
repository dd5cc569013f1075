import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { VesselId } from '@qt-led/contract';
import type { StoreConfig } from '@qt-led/infrastructure';
import Database from 'better-sqlite3';
import type { VesselDay } from './vessel-days.js';

/**
 * Vessel-days kept on disk between processes: the columns a report reads of a vessel's local day, with
 * their digest, in one SQLite file beside the process's data. A report after a restart takes the days it
 * has read before from here instead of reading 1,440 readings a day from the store again; it re-validates
 * each as the memory cache does (the store's count of readings in the day equals the day's length: stored
 * readings are only ever added), so late data still reads the day again.
 *
 * The archive belongs to one store: it records the store's identity (an SQLite file's path, inode and
 * birth time; an InfluxDB URL and database) and empties itself when opened for another, so a store replaced
 * under the same data directory can never lend its days to the new one. It holds at most `maxBytes` of
 * columns, the least recently used dropped first.
 */
export interface VesselDayArchive {
  /** The archived days among `starts` (each start once), by start; none is validated here. */
  get(vesselId: VesselId, starts: readonly number[]): Map<number, VesselDay>;
  /**
   * Keeps days (replacing what was archived for them) and marks the vessel's days from the first to the
   * last of `used` as used now (coarsely: a day used within the hour is not written again), in one
   * transaction.
   */
  record(put: readonly VesselDay[], used: readonly VesselDay[]): void;
  readonly stats: { bytes: number; dropped: number };
  close(): void;
}

export interface VesselDayArchiveOptions {
  path: string;
  /** The store the days were read from (`storeIdentity`); another store's days are dropped on open. */
  storeIdentity: string;
  /** Bytes of columns kept (default 1 GiB: about a year of a 40-boat fleet). */
  maxBytes?: number | undefined;
  clock?: { now(): number } | undefined;
  /** Told when the file was not an archive SQLite can read (it is renamed to `aside`, a new one made). */
  onReplaced?: ((aside: string, reason: string) => void) | undefined;
}

export const DEFAULT_ARCHIVE_MAX_BYTES = 1024 * 1024 * 1024;

const FORMAT = 'qtled.vessel-day-archive/1';

/** A day's last use is written at most this often: the order of eviction needs no finer grain. */
const TOUCH_EVERY_MS = 3_600_000;

/**
 * What tells one store from another. SQLite: the file's path with its inode and birth time (a file
 * deleted and created again under the same name is another store); InfluxDB: the URL and the database.
 */
export function storeIdentity(config: StoreConfig): string {
  if (config.kind === 'influx') return `influx ${config.url} ${config.database}`;
  const stat = statSync(config.path, { bigint: true });
  // Birth time where the file system keeps one (ext4, XFS, APFS); the inode alone elsewhere.
  return `sqlite ${config.path} ${String(stat.ino)} ${String(stat.birthtimeNs)}`;
}

interface Row {
  day_start: number;
  length: number;
  digest: Buffer;
  boots: string;
  meters: string;
  columns: Buffer;
}

export function openVesselDayArchive(options: VesselDayArchiveOptions): VesselDayArchive {
  mkdirSync(dirname(options.path), { recursive: true });
  try {
    return openArchive(options);
  } catch (error) {
    // Derived data: a file SQLite cannot read (a crash mid-copy, a stray file) is set aside, not repaired.
    const code = (error as { code?: unknown }).code;
    if (code !== 'SQLITE_CORRUPT' && code !== 'SQLITE_NOTADB') throw error;
    const aside = `${options.path}.unreadable-${String(Date.now())}`;
    renameSync(options.path, aside);
    for (const suffix of ['-wal', '-shm']) rmSync(`${options.path}${suffix}`, { force: true });
    options.onReplaced?.(aside, (error as Error).message);
    return openArchive(options);
  }
}

function openArchive(options: VesselDayArchiveOptions): VesselDayArchive {
  const db = new Database(options.path);
  try {
    db.pragma('journal_mode = WAL');
    // Derived data: a crash can lose the last days archived, never corrupt the file; they are read again.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.exec(`
      CREATE TABLE IF NOT EXISTS archive_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS vessel_days (
        vessel TEXT NOT NULL,
        day_start INTEGER NOT NULL,
        length INTEGER NOT NULL,
        digest BLOB NOT NULL,
        boots TEXT NOT NULL,
        meters TEXT NOT NULL,
        columns BLOB NOT NULL,
        used_ms INTEGER NOT NULL,
        PRIMARY KEY (vessel, day_start)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS vessel_days_used ON vessel_days (used_ms);
    `);
    const meta = db.prepare('SELECT value FROM archive_meta WHERE key = ?').pluck();
    const setMeta = db.prepare('INSERT OR REPLACE INTO archive_meta (key, value) VALUES (?, ?)');
    const identity = `${FORMAT} ${options.storeIdentity}`;
    if (meta.get('identity') !== identity) {
      db.transaction(() => {
        db.exec('DELETE FROM vessel_days');
        setMeta.run('identity', identity);
      })();
    }
  } catch (error) {
    db.close();
    throw error;
  }
  const maxBytes = options.maxBytes ?? DEFAULT_ARCHIVE_MAX_BYTES;
  const now = (): number => (options.clock ?? Date).now();
  const selectDays = db.prepare(
    `SELECT day_start, length, digest, boots, meters, columns FROM vessel_days
     WHERE vessel = ? AND day_start >= ? AND day_start <= ?`,
  );
  const upsert = db.prepare(
    `INSERT OR REPLACE INTO vessel_days (vessel, day_start, length, digest, boots, meters, columns, used_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const touch = db.prepare(
    'UPDATE vessel_days SET used_ms = ? WHERE vessel = ? AND day_start BETWEEN ? AND ? AND used_ms < ?',
  );
  const totalBytes = db.prepare('SELECT COALESCE(SUM(length(columns)), 0) FROM vessel_days').pluck();
  const oldest = db.prepare(
    'SELECT vessel, day_start, length(columns) AS bytes FROM vessel_days ORDER BY used_ms LIMIT 256',
  );
  const archivedBytes = db
    .prepare('SELECT length(columns) FROM vessel_days WHERE vessel = ? AND day_start = ?')
    .pluck();
  const remove = db.prepare('DELETE FROM vessel_days WHERE vessel = ? AND day_start = ?');
  const stats = { bytes: totalBytes.get() as number, dropped: 0 };

  const trim = (): void => {
    while (stats.bytes > maxBytes) {
      const rows = oldest.all() as { vessel: string; day_start: number; bytes: number }[];
      if (rows.length === 0) break;
      for (const row of rows) {
        if (stats.bytes <= maxBytes) break;
        remove.run(row.vessel, row.day_start);
        stats.bytes -= row.bytes;
        stats.dropped += 1;
      }
    }
  };

  return {
    stats,
    get(vesselId, starts) {
      const found = new Map<number, VesselDay>();
      if (starts.length === 0) return found;
      const wanted = new Set(starts);
      const rows = selectDays.all(vesselId, Math.min(...starts), Math.max(...starts)) as Row[];
      for (const row of rows) {
        if (!wanted.has(row.day_start)) continue;
        found.set(row.day_start, vesselDayFromRow(vesselId, row));
      }
      return found;
    },
    record(put, used) {
      if (put.length === 0 && used.length === 0) return;
      const at = now();
      db.transaction(() => {
        for (const day of put) {
          const columns = columnsOf(day);
          const previous = archivedBytes.get(day.vesselId, day.dayStartMs) as number | undefined;
          upsert.run(
            day.vesselId,
            day.dayStartMs,
            day.length,
            day.digest,
            JSON.stringify(day.boots),
            JSON.stringify(day.meters),
            columns,
            at,
          );
          stats.bytes += columns.byteLength - (previous ?? 0);
        }
        const spans = new Map<string, { from: number; to: number }>();
        for (const day of used) {
          const span = spans.get(day.vesselId);
          if (span === undefined) spans.set(day.vesselId, { from: day.dayStartMs, to: day.dayStartMs });
          else {
            span.from = Math.min(span.from, day.dayStartMs);
            span.to = Math.max(span.to, day.dayStartMs);
          }
        }
        for (const [vesselId, span] of spans)
          touch.run(at, vesselId, span.from, span.to, at - TOUCH_EVERY_MS);
        trim();
      })();
    },
    close() {
      db.close();
    },
  };
}

/** The day's columns as bytes: the five number columns, then the boot and meter indexes. */
function columnsOf(day: VesselDay): Buffer {
  const n = day.length;
  const out = Buffer.allocUnsafe(n * (5 * 8 + 4 + 4));
  let at = 0;
  for (const column of [day.deviceTimeMs, day.ledEnergyKwh, day.fuelTotalL, day.lampsOn, day.seq]) {
    out.set(new Uint8Array(column.buffer, column.byteOffset, column.byteLength), at);
    at += column.byteLength;
  }
  out.set(new Uint8Array(day.boot.buffer, day.boot.byteOffset, day.boot.byteLength), at);
  at += day.boot.byteLength;
  out.set(new Uint8Array(day.meter.buffer, day.meter.byteOffset, day.meter.byteLength), at);
  return out;
}

function vesselDayFromRow(vesselId: VesselId, row: Row): VesselDay {
  const n = row.length;
  if (row.columns.byteLength !== n * 48) {
    throw new Error(
      `vessel-day archive: ${vesselId} @ ${String(row.day_start)} holds ${String(row.columns.byteLength)} bytes for ${String(n)} readings`,
    );
  }
  // Copied into an ArrayBuffer of its own: typed arrays need aligned offsets, SQLite's buffers are not.
  const buffer = new ArrayBuffer(row.columns.byteLength);
  new Uint8Array(buffer).set(row.columns);
  const numbers = new Float64Array(buffer, 0, 5 * n);
  return {
    vesselId,
    dayStartMs: row.day_start,
    length: n,
    deviceTimeMs: numbers.subarray(0, n),
    ledEnergyKwh: numbers.subarray(n, 2 * n),
    fuelTotalL: numbers.subarray(2 * n, 3 * n),
    lampsOn: numbers.subarray(3 * n, 4 * n),
    seq: numbers.subarray(4 * n, 5 * n),
    boot: new Uint32Array(buffer, 40 * n, n),
    boots: JSON.parse(row.boots) as string[],
    meter: new Int32Array(buffer, 44 * n, n),
    meters: JSON.parse(row.meters) as string[],
    digest: Buffer.from(row.digest),
    bytes: row.columns.byteLength + 200,
  };
}
