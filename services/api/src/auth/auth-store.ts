import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { type Role, type Scope, ROLES, SCOPES } from './permissions.js';

/**
 * Users, sessions and API tokens in one SQLite file (better-sqlite3). Bearer tokens are 32 random bytes;
 * only their SHA-256 is stored, so a copy of the database lets nobody in. A fast hash is right here
 * (unlike passwords): the token has 256 bits of entropy, there is nothing to guess.
 */
export interface User {
  username: string;
  role: Role;
  createdAtMs: number;
}

export interface ApiTokenRecord {
  id: string;
  name: string;
  role: Role;
  /** Areas the token is limited to; `null` = whatever its role allows. */
  scopes: Scope[] | null;
  createdAtMs: number;
  createdBy: string;
  expiresAtMs: number | null;
  revokedAtMs: number | null;
  lastUsedAtMs: number | null;
}

/** Who is calling: a person through a session, or a machine/partner through an API token. */
export type Principal =
  | { kind: 'session'; username: string; role: Role; scopes: null; sessionId: string; expiresAtMs: number }
  | {
      kind: 'api-token';
      username: string;
      role: Role;
      scopes: Scope[] | null;
      tokenId: string;
      expiresAtMs: number | null;
    };

export class UserExistsError extends Error {
  override readonly name = 'UserExistsError';
  readonly code = 'USER_EXISTS';
}

export interface AuthStore {
  countUsers(): number;
  createUser(user: { username: string; role: Role; passwordHash: string; nowMs: number }): User;
  findUser(username: string): (User & { passwordHash: string }) | undefined;
  /** Ordered by username; `after` is the last username of the previous page. */
  listUsers(query: { after?: string; limit: number }): User[];
  setPasswordHash(username: string, passwordHash: string): void;
  /** Changes a user's role; it applies to their open sessions at once. False when there is no such user. */
  setRole(username: string, role: Role): boolean;
  /** Deletes a user and ends their sessions. False when there is no such user. */
  deleteUser(username: string): boolean;
  countAdmins(): number;
  createSession(username: string, nowMs: number, ttlMs: number): { token: string; expiresAtMs: number };
  deleteSession(sessionId: string): void;
  /** Every session of a user ends (after a password change). */
  deleteSessionsOf(username: string): void;
  createApiToken(token: {
    name: string;
    role: Role;
    scopes: Scope[] | null;
    expiresAtMs: number | null;
    createdBy: string;
    nowMs: number;
  }): { token: string; record: ApiTokenRecord };
  /** Newest first, a page at a time; `cursor` is the `nextCursor` of the previous page. */
  listApiTokens(query: { cursor?: number; limit: number; includeRevoked: boolean }): {
    tokens: ApiTokenRecord[];
    nextCursor: number | null;
  };
  getApiToken(id: string): ApiTokenRecord | undefined;
  revokeApiToken(id: string, nowMs: number): ApiTokenRecord | undefined;
  /** The principal a bearer token stands for, or `undefined` (unknown, expired, revoked). */
  resolve(token: string, nowMs: number): Principal | undefined;
  close(): void;
}

const SESSION_PREFIX = 'qtl_s_';
const API_TOKEN_PREFIX = 'qtl_t_';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const newToken = (prefix: string): string => prefix + randomBytes(32).toString('base64url');

interface TokenRow {
  seq: number;
  id: string;
  name: string;
  role: string;
  scopes: string | null;
  created_at_ms: number;
  created_by: string;
  expires_at_ms: number | null;
  revoked_at_ms: number | null;
  last_used_at_ms: number | null;
}

function asRole(value: string): Role {
  if (!(ROLES as readonly string[]).includes(value))
    throw new Error(`auth database holds an unknown role ${value}`);
  return value as Role;
}

function asScopes(value: string | null): Scope[] | null {
  if (value === null) return null;
  const parsed = JSON.parse(value) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((s) => (SCOPES as readonly unknown[]).includes(s))) {
    throw new Error(`auth database holds unknown token scopes ${value}`);
  }
  return parsed as Scope[];
}

function tokenRecord(row: TokenRow): ApiTokenRecord {
  return {
    id: row.id,
    name: row.name,
    role: asRole(row.role),
    scopes: asScopes(row.scopes),
    createdAtMs: row.created_at_ms,
    createdBy: row.created_by,
    expiresAtMs: row.expires_at_ms,
    revokedAtMs: row.revoked_at_ms,
    lastUsedAtMs: row.last_used_at_ms,
  };
}

export function openAuthStore(path: string): AuthStore {
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

  const statements = {
    countUsers: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM users'),
    insertUser: db.prepare(
      'INSERT INTO users (username, role, password_hash, created_at_ms) VALUES (?, ?, ?, ?)',
    ),
    findUser: db.prepare<
      [string],
      { username: string; role: string; password_hash: string; created_at_ms: number }
    >('SELECT username, role, password_hash, created_at_ms FROM users WHERE username = ?'),
    listUsers: db.prepare<[string, number], { username: string; role: string; created_at_ms: number }>(
      'SELECT username, role, created_at_ms FROM users WHERE username > ? ORDER BY username LIMIT ?',
    ),
    setPassword: db.prepare('UPDATE users SET password_hash = ? WHERE username = ?'),
    setRole: db.prepare('UPDATE users SET role = ? WHERE username = ?'),
    deleteUser: db.prepare('DELETE FROM users WHERE username = ?'),
    countAdmins: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM users WHERE role = 'admin'"),
    insertSession: db.prepare(
      'INSERT INTO sessions (id, token_sha256, username, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?)',
    ),
    purgeSessions: db.prepare('DELETE FROM sessions WHERE expires_at_ms <= ?'),
    deleteSession: db.prepare('DELETE FROM sessions WHERE id = ?'),
    deleteSessionsOf: db.prepare('DELETE FROM sessions WHERE username = ?'),
    findSession: db.prepare<[string], { id: string; username: string; role: string; expires_at_ms: number }>(
      `SELECT s.id, s.username, u.role, s.expires_at_ms FROM sessions s
       JOIN users u ON u.username = s.username WHERE s.token_sha256 = ?`,
    ),
    insertToken: db.prepare(
      `INSERT INTO api_tokens (id, token_sha256, name, role, scopes, created_at_ms, created_by, expires_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    listTokens: db.prepare<[number, number, number], TokenRow>(
      `SELECT rowid AS seq, id, name, role, scopes, created_at_ms, created_by, expires_at_ms, revoked_at_ms,
         last_used_at_ms
       FROM api_tokens WHERE rowid < ? AND (? = 1 OR revoked_at_ms IS NULL)
       ORDER BY rowid DESC LIMIT ?`,
    ),
    getToken: db.prepare<[string], TokenRow>(
      `SELECT rowid AS seq, id, name, role, scopes, created_at_ms, created_by, expires_at_ms, revoked_at_ms,
         last_used_at_ms
       FROM api_tokens WHERE id = ?`,
    ),
    findToken: db.prepare<[string], TokenRow>(
      `SELECT rowid AS seq, id, name, role, scopes, created_at_ms, created_by, expires_at_ms, revoked_at_ms,
         last_used_at_ms
       FROM api_tokens WHERE token_sha256 = ?`,
    ),
    revokeToken: db.prepare('UPDATE api_tokens SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL'),
    touchToken: db.prepare('UPDATE api_tokens SET last_used_at_ms = ? WHERE id = ?'),
  };

  const userOf = (row: { username: string; role: string; created_at_ms: number }): User => ({
    username: row.username,
    role: asRole(row.role),
    createdAtMs: row.created_at_ms,
  });

  // Writing "last used" on every request would turn each read into a write; once a minute is enough to see
  // which tokens are alive.
  const touchedAt = new Map<string, number>();

  return {
    countUsers: () => statements.countUsers.get()?.n ?? 0,
    createUser({ username, role, passwordHash, nowMs }) {
      try {
        statements.insertUser.run(username, role, passwordHash, nowMs);
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          throw new UserExistsError(`a user named ${username} already exists`);
        }
        throw error;
      }
      return { username, role, createdAtMs: nowMs };
    },
    findUser(username) {
      const row = statements.findUser.get(username);
      return row === undefined ? undefined : { ...userOf(row), passwordHash: row.password_hash };
    },
    listUsers: ({ after, limit }) => statements.listUsers.all(after ?? '', limit).map(userOf),
    setPasswordHash(username, passwordHash) {
      statements.setPassword.run(passwordHash, username);
    },
    setRole: (username, role) => statements.setRole.run(role, username).changes > 0,
    // Sessions go with the user (ON DELETE CASCADE).
    deleteUser: (username) => statements.deleteUser.run(username).changes > 0,
    countAdmins: () => statements.countAdmins.get()?.n ?? 0,
    createSession(username, nowMs, ttlMs) {
      statements.purgeSessions.run(nowMs);
      const token = newToken(SESSION_PREFIX);
      const expiresAtMs = nowMs + ttlMs;
      statements.insertSession.run(randomUUID(), sha256(token), username, nowMs, expiresAtMs);
      return { token, expiresAtMs };
    },
    deleteSession(sessionId) {
      statements.deleteSession.run(sessionId);
    },
    deleteSessionsOf(username) {
      statements.deleteSessionsOf.run(username);
    },
    createApiToken({ name, role, scopes, expiresAtMs, createdBy, nowMs }) {
      const token = newToken(API_TOKEN_PREFIX);
      const id = `tok_${randomBytes(9).toString('base64url')}`;
      statements.insertToken.run(
        id,
        sha256(token),
        name,
        role,
        scopes === null ? null : JSON.stringify(scopes),
        nowMs,
        createdBy,
        expiresAtMs,
      );
      const row = statements.getToken.get(id);
      if (row === undefined) throw new Error(`token ${id} vanished right after insertion`);
      return { token, record: tokenRecord(row) };
    },
    listApiTokens({ cursor, limit, includeRevoked }) {
      // One more than asked tells whether another page exists without a count query.
      const rows = statements.listTokens.all(
        cursor ?? Number.MAX_SAFE_INTEGER,
        includeRevoked ? 1 : 0,
        limit + 1,
      );
      const page = rows.slice(0, limit);
      return {
        tokens: page.map(tokenRecord),
        nextCursor: rows.length > limit ? (page.at(-1)?.seq ?? null) : null,
      };
    },
    getApiToken(id) {
      const row = statements.getToken.get(id);
      return row === undefined ? undefined : tokenRecord(row);
    },
    revokeApiToken(id, nowMs) {
      statements.revokeToken.run(nowMs, id);
      const row = statements.getToken.get(id);
      return row === undefined ? undefined : tokenRecord(row);
    },
    resolve(token, nowMs) {
      if (token.startsWith(SESSION_PREFIX)) {
        const row = statements.findSession.get(sha256(token));
        if (row === undefined || row.expires_at_ms <= nowMs) return undefined;
        return {
          kind: 'session',
          username: row.username,
          role: asRole(row.role),
          scopes: null,
          sessionId: row.id,
          expiresAtMs: row.expires_at_ms,
        };
      }
      if (token.startsWith(API_TOKEN_PREFIX)) {
        const row = statements.findToken.get(sha256(token));
        if (row === undefined || row.revoked_at_ms !== null) return undefined;
        if (row.expires_at_ms !== null && row.expires_at_ms <= nowMs) return undefined;
        if (nowMs - (touchedAt.get(row.id) ?? 0) >= 60_000) {
          touchedAt.set(row.id, nowMs);
          statements.touchToken.run(nowMs, row.id);
        }
        const record = tokenRecord(row);
        return {
          kind: 'api-token',
          username: `token:${record.name}`,
          role: record.role,
          scopes: record.scopes,
          tokenId: record.id,
          expiresAtMs: record.expiresAtMs,
        };
      }
      return undefined;
    },
    close() {
      db.close();
    },
  };
}
