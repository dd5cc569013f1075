import { describe, expect, it } from 'vitest';
import { ROLES } from './api/types.js';
import { ROLE_ACCESS, loadLanguage, loadSession, saveLanguage, saveSession } from './session.js';

function memoryStorage(): Storage {
  const data = new Map<string, string>();
  return {
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    getItem: (key) => data.get(key) ?? null,
    key: (i) => [...data.keys()][i] ?? null,
    removeItem: (key) => data.delete(key),
    setItem: (key, value) => data.set(key, value),
  };
}

describe('session storage', () => {
  it('keeps a session until it expires, then forgets it', () => {
    const storage = memoryStorage();
    saveSession(storage, {
      token: 'abc',
      expiresAtMs: 2000,
      user: { username: 'lan', role: 'officer', mustChangePassword: false },
    });
    expect(loadSession(storage, 1000)?.user.username).toBe('lan');
    expect(loadSession(storage, 3000)).toBeNull();
    expect(storage.length).toBe(0);
  });

  it('ignores a damaged or foreign entry', () => {
    const storage = memoryStorage();
    storage.setItem('qtled.session', '{"token":1}');
    expect(loadSession(storage, 0)).toBeNull();
    storage.setItem('qtled.session', 'not json');
    expect(loadSession(storage, 0)).toBeNull();
  });

  it('defaults to Vietnamese and remembers a chosen language', () => {
    const storage = memoryStorage();
    expect(loadLanguage(storage)).toBe('vi');
    saveLanguage(storage, 'ja');
    expect(loadLanguage(storage)).toBe('ja');
    storage.setItem('qtled.language', 'fr');
    expect(loadLanguage(storage)).toBe('vi');
  });

  it('gives a partner who has chosen no language Japanese, and never overrides a choice', () => {
    const storage = memoryStorage();
    expect(loadLanguage(storage, 'partner')).toBe('ja');
    expect(loadLanguage(storage, 'officer')).toBe('vi');
    expect(loadLanguage(storage, 'analyst')).toBe('vi');
    saveLanguage(storage, 'vi');
    expect(loadLanguage(storage, 'partner')).toBe('vi');
    saveLanguage(storage, 'en');
    expect(loadLanguage(storage, 'partner')).toBe('en');
  });
});

describe('role access', () => {
  it('gives every role a home page it may open', () => {
    for (const role of ROLES) expect(ROLE_ACCESS[role].pages).toContain(ROLE_ACCESS[role].home);
  });

  it('lets officers and admins acknowledge alarms, and keeps partners to emissions and packages', () => {
    expect(ROLES.filter((r) => ROLE_ACCESS[r].acknowledge)).toEqual(['officer', 'admin']);
    expect(ROLE_ACCESS.partner.pages).toEqual(['emissions', 'packages']);
    expect(ROLE_ACCESS.officer.pages).not.toContain('emissions');
    expect(ROLES.filter((r) => !ROLE_ACCESS[r].live)).toEqual(['partner']);
  });

  it('shows the data packages to analysts, partners and admins, not to officers', () => {
    expect(ROLES.filter((r) => ROLE_ACCESS[r].pages.includes('packages'))).toEqual([
      'analyst',
      'partner',
      'admin',
    ]);
  });

  it('shows the administration pages to admins only', () => {
    expect(ROLES.filter((r) => ROLE_ACCESS[r].pages.includes('admin'))).toEqual(['admin']);
  });
});
