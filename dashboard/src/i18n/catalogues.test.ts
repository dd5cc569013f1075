import { describe, expect, it } from 'vitest';
import { ADMIN_CATALOGUES, createAdminI18n } from './admin-i18n.js';
import { CATALOGUES, LANGUAGES, addDays, createI18n, interpolate, localDateOf } from './i18n.js';
import {
  ALARM_STATES,
  ALARM_TYPES,
  PACKAGE_SCOPES,
  PARTNER_IDS,
  RECEIPT_KINDS,
  ROLES,
  TOKEN_SCOPES,
  VESSEL_STATUS_CODES,
} from '../api/types.js';

const placeholders = (text: string): string[] =>
  [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();

/** The page catalogues, and the admin pages' (which load with those pages). */
const SETS = [
  ['page', CATALOGUES],
  ['admin', ADMIN_CATALOGUES],
] as const;

describe.each(SETS)('%s message catalogues', (_name, catalogues) => {
  const reference = Object.keys(catalogues.en).sort();

  it.each(LANGUAGES)('%s has exactly the English keys', (language) => {
    expect(Object.keys(catalogues[language]).sort()).toEqual(reference);
  });

  it.each(LANGUAGES)('%s has no empty or blank message', (language) => {
    const blank = Object.entries(catalogues[language]).filter(([, text]) => text.trim() === '');
    expect(blank).toEqual([]);
  });

  it.each(LANGUAGES)('%s uses the same placeholders as English in every message', (language) => {
    const catalogue: Readonly<Record<string, string>> = catalogues[language];
    const english: Readonly<Record<string, string>> = catalogues.en;
    const mismatched = reference.filter((key) => {
      return placeholders(catalogue[key] ?? '').join() !== placeholders(english[key] ?? '').join();
    });
    expect(mismatched).toEqual([]);
  });

  it.each(['vi', 'ja'] as const)('%s is written in its own language, not left in English', (language) => {
    const catalogue: Readonly<Record<string, string>> = catalogues[language];
    const english: Readonly<Record<string, string>> = catalogues.en;
    // Codes, units and names may be the same in every language; whole sentences may not.
    const untranslated = reference.filter(
      (key) => (english[key] ?? '').split(' ').length > 3 && catalogue[key] === english[key],
    );
    expect(untranslated).toEqual([]);
  });
});

describe('message catalogues', () => {
  it.each(LANGUAGES)('%s translates every status code, alarm type and alarm state', (language) => {
    const catalogue: Readonly<Record<string, string>> = CATALOGUES[language];
    const keys = [
      ...VESSEL_STATUS_CODES.map((c) => `status.${c}`),
      ...ALARM_TYPES.map((c) => `alarm.type.${c}`),
      ...ALARM_STATES.map((c) => `alarm.state.${c}`),
    ];
    expect(keys.filter((k) => catalogue[k] === undefined)).toEqual([]);
  });

  it('Vietnamese and Japanese really differ from English where words are involved', () => {
    expect(CATALOGUES.vi['nav.fleet']).not.toBe(CATALOGUES.en['nav.fleet']);
    expect(CATALOGUES.ja['nav.fleet']).not.toBe(CATALOGUES.en['nav.fleet']);
    expect(CATALOGUES.vi['status.in-port']).toBe('Trong cảng');
    expect(CATALOGUES.ja['status.in-port']).toBe('入港中');
  });

  it.each(LANGUAGES)('%s names every role, token scope and the history-loading status', (language) => {
    const catalogue: Readonly<Record<string, string>> = CATALOGUES[language];
    const admin: Readonly<Record<string, string>> = ADMIN_CATALOGUES[language];
    expect(ROLES.filter((r) => catalogue[`role.${r}`] === undefined)).toEqual([]);
    expect(TOKEN_SCOPES.filter((s) => admin[`tokens.scope.${s}`] === undefined)).toEqual([]);
    expect(catalogue['status.history-loading']).toBeDefined();
  });

  it.each(LANGUAGES)('%s names every partner, package scope and receipt kind', (language) => {
    const catalogue: Readonly<Record<string, string>> = CATALOGUES[language];
    const keys = [
      ...PARTNER_IDS.map((p) => `partner.${p}`),
      ...PACKAGE_SCOPES.map((s) => `packages.scope.${s}`),
      ...RECEIPT_KINDS.map((k) => `packages.kind.${k}`),
    ];
    expect(keys.filter((k) => catalogue[k] === undefined)).toEqual([]);
    expect(PARTNER_IDS).toEqual(['nedo', 'stanley-electric']);
  });

  it('translates the dead-letter reasons and falls back to the code for a new one', () => {
    const at = createAdminI18n('vi');
    expect(at.tDynamic('dead.reason.invalid-json')).toBe('Không phải JSON hợp lệ');
    expect(at.tDynamic('dead.reason.something-new', 'something-new')).toBe('something-new');
    expect(createAdminI18n('ja').t('users.created', { user: 'lan', role: '管理者' })).toBe(
      'ユーザー lan を役割「管理者」で作成しました。',
    );
  });
});

describe('formatting', () => {
  it('interpolates placeholders and leaves unknown ones visible', () => {
    expect(interpolate('{a} of {b}', { a: 3, b: 'x' })).toBe('3 of x');
    expect(interpolate('{a} of {c}', { a: 3 })).toBe('3 of {c}');
  });

  it('formats numbers the local way', () => {
    expect(createI18n('vi').number(1234.5)).toBe('1.234,5');
    expect(createI18n('en').number(1234.5)).toBe('1,234.5');
    expect(createI18n('ja').quantity(12.25, 'unit.h', 2)).toBe('12.25 時間');
  });

  it('writes instants in Viet Nam time (UTC+7) whatever the browser zone', () => {
    // 2024-03-01T17:30Z is 00:30 on 2 March in Viet Nam.
    const ms = Date.UTC(2024, 2, 1, 17, 30);
    expect(createI18n('en').dateTime(ms)).toContain('2 Mar 2024');
    expect(createI18n('en').time(ms)).toBe('00:30');
    expect(createI18n('ja').dateTime(ms)).toContain('2024/03/02');
  });

  it('shows powers in kW from 1 kW up and missing values as a dash', () => {
    const i18n = createI18n('en');
    expect(i18n.power(12_345)).toBe('12.3 kW');
    expect(i18n.power(800)).toBe('800 W');
    expect(i18n.power(null)).toBe('–');
  });

  it('says how long ago a report came, in the chosen language', () => {
    const now = Date.UTC(2024, 2, 1, 12);
    expect(createI18n('en').age(now - 5 * 60_000, now)).toBe('5 minutes ago');
    expect(createI18n('vi').age(now - 2 * 3_600_000, now)).toBe('2 giờ trước');
    expect(createI18n('ja').age(null, now)).toBe('なし');
  });

  it('writes local calendar dates without shifting them', () => {
    expect(createI18n('en').localDate('2024-03-01')).toBe('1 Mar 2024');
  });
});

describe('local dates', () => {
  it('takes the Viet Nam calendar day of an instant', () => {
    expect(localDateOf(Date.UTC(2024, 2, 1, 16, 59))).toBe('2024-03-01');
    expect(localDateOf(Date.UTC(2024, 2, 1, 17, 0))).toBe('2024-03-02');
  });

  it('adds calendar days across month ends', () => {
    expect(addDays('2024-02-28', 2)).toBe('2024-03-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
  });
});
