import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { ApiTokenRecord, AuthStore, Principal } from './auth-model.js';
import { API_TOKEN_PREFIX, asPartner, asRole, asScopes, newToken, sha256 } from './auth-secrets.js';

export interface ApiTokens extends Pick<
  AuthStore,
  'createApiToken' | 'listApiTokens' | 'getApiToken' | 'revokeApiToken'
> {
  /** The principal of an API token (prefix already checked), or `undefined` (unknown, expired, revoked). */
  principalOf: (token: string, nowMs: number) => Principal | undefined;
}

interface TokenRow {
  seq: number;
  id: string;
  name: string;
  role: string;
  scopes: string | null;
  partner: string | null;
  created_at_ms: number;
  created_by: string;
  expires_at_ms: number | null;
  revoked_at_ms: number | null;
  last_used_at_ms: number | null;
}

function tokenRecord(row: TokenRow): ApiTokenRecord {
  return {
    id: row.id,
    name: row.name,
    role: asRole(row.role),
    scopes: asScopes(row.scopes),
    partner: asPartner(row.partner),
    createdAtMs: row.created_at_ms,
    createdBy: row.created_by,
    expiresAtMs: row.expires_at_ms,
    revokedAtMs: row.revoked_at_ms,
    lastUsedAtMs: row.last_used_at_ms,
  };
}

function prepareTokenStatements(db: Database.Database) {
  return {
    insertToken: db.prepare(
      `INSERT INTO api_tokens (id, token_sha256, name, role, scopes, partner, created_at_ms, created_by,
         expires_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    listTokens: db.prepare<[number, number, number], TokenRow>(
      `SELECT rowid AS seq, id, name, role, scopes, partner, created_at_ms, created_by, expires_at_ms, revoked_at_ms,
         last_used_at_ms
       FROM api_tokens WHERE rowid < ? AND (? = 1 OR revoked_at_ms IS NULL)
       ORDER BY rowid DESC LIMIT ?`,
    ),
    getToken: db.prepare<[string], TokenRow>(
      `SELECT rowid AS seq, id, name, role, scopes, partner, created_at_ms, created_by, expires_at_ms, revoked_at_ms,
         last_used_at_ms
       FROM api_tokens WHERE id = ?`,
    ),
    findToken: db.prepare<[string], TokenRow>(
      `SELECT rowid AS seq, id, name, role, scopes, partner, created_at_ms, created_by, expires_at_ms, revoked_at_ms,
         last_used_at_ms
       FROM api_tokens WHERE token_sha256 = ?`,
    ),
    revokeToken: db.prepare('UPDATE api_tokens SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL'),
    touchToken: db.prepare('UPDATE api_tokens SET last_used_at_ms = ? WHERE id = ?'),
  };
}

/** API tokens of machines and partners: created, listed newest first, revoked; "last used" kept. */
export function apiTokens(db: Database.Database): ApiTokens {
  const statements = prepareTokenStatements(db);

  // Writing "last used" on every request would turn each read into a write; once a minute is enough to see
  // which tokens are alive.
  const touchedAt = new Map<string, number>();

  return {
    createApiToken({ name, role, scopes, partner = null, expiresAtMs, createdBy, nowMs }) {
      const token = newToken(API_TOKEN_PREFIX);
      const id = `tok_${randomBytes(9).toString('base64url')}`;
      statements.insertToken.run(
        id,
        sha256(token),
        name,
        role,
        scopes === null ? null : JSON.stringify(scopes),
        partner,
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
    principalOf(token, nowMs) {
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
        partner: record.partner,
        scopes: record.scopes,
        tokenId: record.id,
        expiresAtMs: record.expiresAtMs,
      };
    },
  };
}
