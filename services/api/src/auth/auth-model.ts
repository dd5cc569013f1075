import type { AuditAction, AuditEntry, PartnerId } from '@qt-led/contract';
import type { Role, Scope } from './permissions.js';

// The shapes of the auth store: implemented by `openAuthStore` (auth-store), composed of `auth-users`,
// `auth-sessions` and `auth-tokens`, which import them from here rather than from the store.

export interface User {
  username: string;
  role: Role;
  /** The partner a partner's account speaks for (its packages); null for everyone else. */
  partner: PartnerId | null;
  createdAtMs: number;
  /** Holds a one-time password (the first admin until they change it). */
  mustChangePassword: boolean;
}

export interface ApiTokenRecord {
  id: string;
  name: string;
  role: Role;
  /** Areas the token is limited to; `null` = whatever its role allows. */
  scopes: Scope[] | null;
  /** The partner a partner token speaks for (its packages); null otherwise. */
  partner: PartnerId | null;
  createdAtMs: number;
  createdBy: string;
  expiresAtMs: number | null;
  revokedAtMs: number | null;
  lastUsedAtMs: number | null;
}

/** Who is calling: a person through a session, or a machine/partner through an API token. */
export type Principal =
  | {
      kind: 'session';
      username: string;
      role: Role;
      partner: PartnerId | null;
      scopes: null;
      sessionId: string;
      expiresAtMs: number;
      /** Logged in with a one-time password: only the password change is open. */
      mustChangePassword: boolean;
    }
  | {
      kind: 'api-token';
      username: string;
      role: Role;
      partner: PartnerId | null;
      scopes: Scope[] | null;
      tokenId: string;
      expiresAtMs: number | null;
    };

export interface AuthStore {
  countUsers(): number;
  createUser(user: {
    username: string;
    role: Role;
    partner?: PartnerId | null;
    passwordHash: string;
    nowMs: number;
    /** The password is one-time: the user must change it before anything else. */
    mustChangePassword?: boolean;
  }): User;
  findUser(username: string): (User & { passwordHash: string }) | undefined;
  /** Ordered by username; `after` is the last username of the previous page. */
  listUsers(query: { after?: string; limit: number }): User[];
  /** Sets a user's password (no longer one-time). */
  setPasswordHash(username: string, passwordHash: string): void;
  /** Changes a user's role; it applies to their open sessions at once. False when there is no such user. */
  setRole(username: string, role: Role): boolean;
  /** Sets the partner a user speaks for (null: none). False when there is no such user. */
  setPartner(username: string, partner: PartnerId | null): boolean;
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
    partner?: PartnerId | null;
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
  /**
   * Called after anything that can take a principal's access away (logout, sessions ended, a role or
   * partner changed, a user deleted, a token revoked), so that what holds a token open — a live stream —
   * checks it again at once. Returns the unsubscribe function.
   */
  onAccessChange(listener: () => void): () => void;
  /** Appends to the audit log (who did what, when, from where). */
  recordAudit(entry: Omit<AuditEntry, 'seq'>): void;
  /** The audit log, newest first; `beforeSeq` is the last `seq` of the previous page. */
  listAudit(query: { beforeSeq?: number; limit: number; action?: AuditAction }): AuditEntry[];
  close(): void;
}
