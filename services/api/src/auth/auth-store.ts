import { auditLog } from './auth-audit.js';
import { openAuthDatabase } from './auth-database.js';
import { API_TOKEN_PREFIX, SESSION_PREFIX } from './auth-secrets.js';
import { sessions } from './auth-sessions.js';
import { apiTokens } from './auth-tokens.js';
import { userAccounts } from './auth-users.js';
import type { AuthStore } from './auth-model.js';

export type { ApiTokenRecord, AuthStore, Principal, User } from './auth-model.js';
export { UserExistsError } from './auth-users.js';

/**
 * Users, sessions and API tokens in one SQLite file (better-sqlite3). Bearer tokens are 32 random bytes;
 * only their SHA-256 is stored, so a copy of the database lets nobody in. A fast hash is right here
 * (unlike passwords): the token has 256 bits of entropy, there is nothing to guess.
 *
 * Composed of the database (`auth-database`), users (`auth-users`), sessions (`auth-sessions`) and API
 * tokens (`auth-tokens`); a bearer token's prefix says which of the last two resolves it.
 */
export function openAuthStore(path: string): AuthStore {
  const db = openAuthDatabase(path);
  const { principalOf: sessionPrincipal, ...sessionMethods } = sessions(db);
  const { principalOf: tokenPrincipal, ...tokenMethods } = apiTokens(db);
  const users = userAccounts(db);
  const audit = auditLog(db);
  const listeners = new Set<() => void>();
  /** The method, then every listener told (one failing listener does not keep the others from it). */
  const announcing =
    <A extends unknown[], R>(method: (...args: A) => R) =>
    (...args: A): R => {
      const result = method(...args);
      for (const listener of [...listeners]) {
        try {
          listener();
        } catch {
          // A listener's failure is its own; the change stands.
        }
      }
      return result;
    };
  return {
    ...users,
    ...sessionMethods,
    ...tokenMethods,
    deleteSession: announcing(sessionMethods.deleteSession),
    deleteSessionsOf: announcing(sessionMethods.deleteSessionsOf),
    setRole: announcing(users.setRole),
    setPartner: announcing(users.setPartner),
    deleteUser: announcing(users.deleteUser),
    revokeApiToken: announcing(tokenMethods.revokeApiToken),
    recordAudit: (entry) => audit.record(entry),
    listAudit: (query) => audit.list(query),
    onAccessChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
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
