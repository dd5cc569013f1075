import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { AuthStore, Principal } from './auth-model.js';
import { SESSION_PREFIX, asPartner, asRole, newToken, sha256 } from './auth-secrets.js';

export interface Sessions extends Pick<AuthStore, 'createSession' | 'deleteSession' | 'deleteSessionsOf'> {
  /** The principal of a session token (prefix already checked), or `undefined` (unknown, expired). */
  principalOf: (token: string, nowMs: number) => Principal | undefined;
}

/** Sessions of people: opened at login (expired ones purged then), ended one by one or all of a user. */
export function sessions(db: Database.Database): Sessions {
  const statements = {
    insertSession: db.prepare(
      'INSERT INTO sessions (id, token_sha256, username, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?)',
    ),
    purgeSessions: db.prepare('DELETE FROM sessions WHERE expires_at_ms <= ?'),
    deleteSession: db.prepare('DELETE FROM sessions WHERE id = ?'),
    deleteSessionsOf: db.prepare('DELETE FROM sessions WHERE username = ?'),
    findSession: db.prepare<
      [string],
      {
        id: string;
        username: string;
        role: string;
        partner: string | null;
        expires_at_ms: number;
        must_change_password: number;
      }
    >(
      `SELECT s.id, s.username, u.role, u.partner, s.expires_at_ms, u.must_change_password FROM sessions s
       JOIN users u ON u.username = s.username WHERE s.token_sha256 = ?`,
    ),
  };

  return {
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
    principalOf(token, nowMs) {
      const row = statements.findSession.get(sha256(token));
      if (row === undefined || row.expires_at_ms <= nowMs) return undefined;
      return {
        kind: 'session',
        username: row.username,
        role: asRole(row.role),
        partner: asPartner(row.partner),
        scopes: null,
        sessionId: row.id,
        expiresAtMs: row.expires_at_ms,
        mustChangePassword: row.must_change_password === 1,
      };
    },
  };
}
