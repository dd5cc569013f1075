import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuthStore } from './auth-store.js';
import { hashPassword, randomPassword, type ScryptCost } from './password.js';

export const INITIAL_ADMIN_FILE = 'initial-admin.json';

/**
 * First start with an empty user store: create `admin` with a random password and hand the credentials over
 * in a file only the service's user can read — never a default password, never the password in a log.
 * Returns the file written, or `null` when users already exist (the file is then never rewritten).
 */
export async function ensureFirstAdmin(
  auth: AuthStore,
  dataDir: string,
  nowMs: number,
  cost?: ScryptCost,
): Promise<string | null> {
  if (auth.countUsers() > 0) return null;
  const password = randomPassword();
  const passwordHash = await hashPassword(password, cost);
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, INITIAL_ADMIN_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  const body = {
    username: 'admin',
    password,
    createdAt: new Date(nowMs).toISOString(),
    note: 'One-time credentials of the first administrator: log in and change the password (the dashboard asks at once; or POST /api/v1/auth/password); nothing else opens until then, and the change deletes this file.',
  };
  // Written beside the target and renamed, so the file is never seen half-written or with a wider mode.
  await writeFile(temporary, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
  // Created after the file is in place: if writing failed, the next start tries again with an empty store.
  // One-time: until it is changed, the admin's sessions open nothing but the password change.
  auth.createUser({ username: 'admin', role: 'admin', passwordHash, nowMs, mustChangePassword: true });
  return path;
}
