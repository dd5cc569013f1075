import { openAuthDatabase } from './auth-database.js';
import { API_TOKEN_PREFIX, SESSION_PREFIX } from './auth-secrets.js';
import { sessions } from './auth-sessions.js';
import { apiTokens } from './auth-tokens.js';
import { userAccounts } from './auth-users.js';
import type { Role, Scope } from './permissions.js';

export { UserExistsError } from './auth-users.js';

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

/**
 * Composed of the database (`auth-database`), users (`auth-users`), sessions (`auth-sessions`) and API
 * tokens (`auth-tokens`); a bearer token's prefix says which of the last two resolves it.
 */
export function openAuthStore(path: string): AuthStore {
  const db = openAuthDatabase(path);
  const { principalOf: sessionPrincipal, ...sessionMethods } = sessions(db);
  const { principalOf: tokenPrincipal, ...tokenMethods } = apiTokens(db);
  return {
    ...userAccounts(db),
    ...sessionMethods,
    ...tokenMethods,
    resolve(token, nowMs) {
      if (token.startsWith(SESSION_PREFIX)) return sessionPrincipal(token, nowMs);
      if (token.startsWith(API_TOKEN_PREFIX)) return tokenPrincipal(token, nowMs);
      return undefined;
    },
    close() {
      db.close();
    },
  };
}
