import { ROLES, type LoginResponse, type Role, type SessionUser } from './api/types.js';
import { DEFAULT_LANGUAGE, type Language, isLanguage } from './i18n/i18n.js';

export interface Session {
  token: string;
  expiresAtMs: number;
  user: SessionUser;
}

const SESSION_KEY = 'qtled.session';
const LANGUAGE_KEY = 'qtled.language';

/** The token lives in sessionStorage: it ends with the tab, and a shared harbour phone keeps no login. */
export function loadSession(storage: Storage, nowMs: number): Session | null {
  const raw = storage.getItem(SESSION_KEY);
  if (raw === null) return null;
  try {
    const parsed = JSON.parse(raw) as Partial<Session>;
    if (
      typeof parsed.token === 'string' &&
      typeof parsed.expiresAtMs === 'number' &&
      parsed.expiresAtMs > nowMs &&
      typeof parsed.user?.username === 'string' &&
      (ROLES as readonly string[]).includes(parsed.user.role)
    ) {
      // Saved before the flag existed: absent, which means false.
      const flag = (parsed.user as Partial<SessionUser>).mustChangePassword;
      const user = { ...parsed.user, mustChangePassword: flag === true };
      return { token: parsed.token, expiresAtMs: parsed.expiresAtMs, user };
    }
  } catch {
    // A damaged entry is treated as no session.
  }
  storage.removeItem(SESSION_KEY);
  return null;
}

export function saveSession(storage: Storage, login: LoginResponse): Session {
  const session: Session = { token: login.token, expiresAtMs: login.expiresAtMs, user: login.user };
  storage.setItem(SESSION_KEY, JSON.stringify(session));
  return session;
}

export function clearSession(storage: Storage): void {
  storage.removeItem(SESSION_KEY);
}

/** The language of a role that has not chosen one: the Japanese partners (NEDO, Stanley Electric) read Japanese. */
export const ROLE_LANGUAGE: Readonly<Partial<Record<Role, Language>>> = { partner: 'ja' };

/**
 * The language choice outlives the session (localStorage): it belongs to the person at the device. Without
 * one, the signed-in role's language (`ROLE_LANGUAGE`), else Vietnamese; a choice made always wins.
 */
export function loadLanguage(storage: Storage, role?: Role): Language {
  const stored = storage.getItem(LANGUAGE_KEY);
  if (isLanguage(stored)) return stored;
  return (role === undefined ? undefined : ROLE_LANGUAGE[role]) ?? DEFAULT_LANGUAGE;
}

export function saveLanguage(storage: Storage, language: Language): void {
  storage.setItem(LANGUAGE_KEY, language);
}

export const PAGES = ['fleet', 'vessel', 'alarms', 'emissions', 'packages', 'admin'] as const;
export type Page = (typeof PAGES)[number];

/**
 * What each role sees, in one place (it mirrors the API's role table; the API is what enforces it).
 * Partners get emission figures, exports and their own data packages only (no live stream); analysts read
 * alarms but do not acknowledge them, and see and issue every partner's packages; only admins see the
 * administration pages (users, API tokens, ingest).
 */
export const ROLE_ACCESS: Readonly<
  Record<Role, { pages: readonly Page[]; acknowledge: boolean; live: boolean; home: Page }>
> = {
  officer: { pages: ['fleet', 'vessel', 'alarms'], acknowledge: true, live: true, home: 'fleet' },
  analyst: {
    pages: ['fleet', 'vessel', 'alarms', 'emissions', 'packages'],
    acknowledge: false,
    live: true,
    home: 'fleet',
  },
  partner: { pages: ['emissions', 'packages'], acknowledge: false, live: false, home: 'emissions' },
  admin: {
    pages: ['fleet', 'vessel', 'alarms', 'emissions', 'packages', 'admin'],
    acknowledge: true,
    live: true,
    home: 'fleet',
  },
};
