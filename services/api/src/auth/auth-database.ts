import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/** Opens (creating when needed) the auth database: mode 0600, WAL, foreign keys, and its three tables. */
export function openAuthDatabase(path: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  // Hashes only, but still nobody else's business; SQLite gives its -wal and -shm files the same mode.
  if (path !== ':memory:') chmodSync(path, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.exec(`
    CREATE TABLE IF NOT EXISTS users (
      username TEXT PRIMARY KEY,
      role TEXT NOT NULL,
      password_hash TEXT NOT NULL,
      created_at_ms INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS sessions (
      id TEXT PRIMARY KEY,
      token_sha256 TEXT NOT NULL UNIQUE,
      username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
      created_at_ms INTEGER NOT NULL,
      expires_at_ms INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions(expires_at_ms);
    CREATE TABLE IF NOT EXISTS api_tokens (
      id TEXT PRIMARY KEY,
      token_sha256 TEXT NOT NULL UNIQUE,
      name TEXT NOT NULL,
      role TEXT NOT NULL,
      scopes TEXT,
      created_at_ms INTEGER NOT NULL,
      created_by TEXT NOT NULL,
      expires_at_ms INTEGER,
      revoked_at_ms INTEGER,
      last_used_at_ms INTEGER
    );
    CREATE INDEX IF NOT EXISTS api_tokens_by_creation ON api_tokens(created_at_ms);
  `);
  // Which partner (NEDO, Stanley Electric) a partner's account or token speaks for: added to older files.
  for (const table of ['users', 'api_tokens']) {
    const columns = db.prepare<[], { name: string }>(`PRAGMA table_info(${table})`).all();
    if (!columns.some((c) => c.name === 'partner')) db.exec(`ALTER TABLE ${table} ADD COLUMN partner TEXT`);
  }
  // A one-time password (the first admin's) opens nothing but the password change: added to older files.
  const userColumns = db.prepare<[], { name: string }>('PRAGMA table_info(users)').all();
  if (!userColumns.some((c) => c.name === 'must_change_password'))
    db.exec('ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0');
  return db;
}
