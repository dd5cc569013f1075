import type Database from 'better-sqlite3';
import type { AuthStore, User } from './auth-model.js';
import { asPartner, asRole } from './auth-secrets.js';

export class UserExistsError extends Error {
  override readonly name = 'UserExistsError';
  readonly code = 'USER_EXISTS';
}

export type UserAccounts = Pick<
  AuthStore,
  | 'countUsers'
  | 'createUser'
  | 'findUser'
  | 'listUsers'
  | 'setPasswordHash'
  | 'setRole'
  | 'setPartner'
  | 'deleteUser'
  | 'countAdmins'
>;

interface UserRow {
  username: string;
  role: string;
  partner: string | null;
  created_at_ms: number;
  must_change_password: number;
}

const userOf = (row: UserRow): User => ({
  username: row.username,
  role: asRole(row.role),
  partner: asPartner(row.partner),
  createdAtMs: row.created_at_ms,
  mustChangePassword: row.must_change_password === 1,
});

/** Users: created, found, listed a page at a time, their password hash and role changed, deleted. */
export function userAccounts(db: Database.Database): UserAccounts {
  const statements = {
    countUsers: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM users'),
    insertUser: db.prepare(
      'INSERT INTO users (username, role, partner, password_hash, created_at_ms, must_change_password) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    findUser: db.prepare<[string], UserRow & { password_hash: string }>(
      'SELECT username, role, partner, password_hash, created_at_ms, must_change_password FROM users WHERE username = ?',
    ),
    listUsers: db.prepare<[string, number], UserRow>(
      'SELECT username, role, partner, created_at_ms, must_change_password FROM users WHERE username > ? ORDER BY username LIMIT ?',
    ),
    setPartner: db.prepare('UPDATE users SET partner = ? WHERE username = ?'),
    setPassword: db.prepare(
      'UPDATE users SET password_hash = ?, must_change_password = 0 WHERE username = ?',
    ),
    setRole: db.prepare('UPDATE users SET role = ? WHERE username = ?'),
    deleteUser: db.prepare('DELETE FROM users WHERE username = ?'),
    countAdmins: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM users WHERE role = 'admin'"),
  };

  return {
    countUsers: () => statements.countUsers.get()?.n ?? 0,
    createUser({ username, role, partner = null, passwordHash, nowMs, mustChangePassword = false }) {
      try {
        statements.insertUser.run(username, role, partner, passwordHash, nowMs, mustChangePassword ? 1 : 0);
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          throw new UserExistsError(`a user named ${username} already exists`);
        }
        throw error;
      }
      return { username, role, partner, createdAtMs: nowMs, mustChangePassword };
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
    setPartner: (username, partner) => statements.setPartner.run(partner, username).changes > 0,
    // Sessions go with the user (ON DELETE CASCADE).
    deleteUser: (username) => statements.deleteUser.run(username).changes > 0,
    countAdmins: () => statements.countAdmins.get()?.n ?? 0,
  };
}
