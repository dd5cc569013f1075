import { describe, expect, it } from 'vitest';
import { CATALOGUES, LANGUAGES, addDays, createI18n, interpolate, localDateOf } from './i18n.js';
import { ALARM_STATES, ALARM_TYPES, VESSEL_STATUS_CODES } from '../api/types.js';

const placeholders = (text: string): string[] =>
  [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();

describe('message catalogues', () => {
  const reference = Object.keys(CATALOGUES.en).sort();

  it.each(LANGUAGES)('%s has exactly the English keys', (language) => {
    expect(Object.keys(CATALOGUES[language]).sort()).toEqual(reference);
  });

  it.each(LANGUAGES)('%s has no empty or blank message', (language) => {
    const blank = Object.entries(CATALOGUES[language]).filter(([, text]) => text.trim() === '');
    expect(blank).toEqual([]);
  });

  it.each(LANGUAGES)('%s uses the same placeholders as English in every message', (language) => {
    const catalogue: Readonly<Record<string, string>> = CATALOGUES[language];
    const english: Readonly<Record<string, string>> = CATALOGUES.en;
    const mismatched = reference.filter((key) => {
      return placeholders(catalogue[key] ?? '').join() !== placeholders(english[key] ?? '').join();
    });
    expect(mismatched).toEqual([]);
  });

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
