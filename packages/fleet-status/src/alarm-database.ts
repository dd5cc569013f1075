import Database from 'better-sqlite3';

/** Opens (creating when needed) the alarm database: WAL, `synchronous = FULL`, alarms and deliveries. */
export function openAlarmDatabase(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS alarms (
      id TEXT PRIMARY KEY,
      type TEXT NOT NULL,
      vessel_id TEXT,
      state TEXT NOT NULL CHECK (state IN ('raised', 'acknowledged', 'cleared')),
      raised_at_ms INTEGER NOT NULL,
      acknowledged_at_ms INTEGER,
      acknowledged_by TEXT,
      cleared_at_ms INTEGER,
      detail TEXT NOT NULL,
      evidence TEXT NOT NULL
    );
    CREATE UNIQUE INDEX IF NOT EXISTS alarms_one_open
      ON alarms (type, coalesce(vessel_id, '')) WHERE state != 'cleared';
    CREATE INDEX IF NOT EXISTS alarms_by_time ON alarms (raised_at_ms DESC);
    CREATE TABLE IF NOT EXISTS deliveries (
      alarm_id TEXT NOT NULL REFERENCES alarms (id),
      channel TEXT NOT NULL,
      event TEXT NOT NULL CHECK (event IN ('raised', 'cleared')),
      state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
      attempts INTEGER NOT NULL,
      last_error TEXT,
      updated_at_ms INTEGER NOT NULL,
      PRIMARY KEY (alarm_id, channel, event)
    );
  `);
  return db;
}
