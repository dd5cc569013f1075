import { en, type MessageKey, type Messages } from './en.js';
import { ja } from './ja.js';
import { vi } from './vi.js';

export const LANGUAGES = ['vi', 'en', 'ja'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'vi';

export const CATALOGUES: Readonly<Record<Language, Messages>> = { vi, en, ja };

/** BCP 47 locales for Intl: en-GB for day-month order and a 24-hour clock, as officers read dates. */
const LOCALES: Readonly<Record<Language, string>> = { vi: 'vi-VN', en: 'en-GB', ja: 'ja-JP' };

/** Every time on the dashboard is Viet Nam time (domain.md: store UTC, report in Asia/Ho_Chi_Minh). */
export const TIME_ZONE = 'Asia/Ho_Chi_Minh';

export type MessageParams = Readonly<Record<string, string | number>>;
export type { MessageKey };

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** Replaces `{name}` placeholders; an unknown placeholder stays visible rather than vanishing. */
export function interpolate(template: string, params: MessageParams = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

export interface I18n {
  readonly language: Language;
  readonly locale: string;
  t(key: MessageKey, params?: MessageParams): string;
  /** A translation for a key built at run time (`status.${code}`); the raw code if there is none. */
  tDynamic(key: string, fallback?: string): string;
  number(value: number | null | undefined, maxFractionDigits?: number): string;
  /** A value with a translated unit: `12,5 kWh`, `3 giờ`. */
  quantity(value: number | null | undefined, unit: MessageKey, maxFractionDigits?: number): string;
  /** Power in W, shown in kW from 1 kW up. */
  power(watts: number | null | undefined): string;
  percent(ratio: number | null | undefined): string;
  dateTime(ms: number | null | undefined): string;
  shortDateTime(ms: number | null | undefined): string;
  time(ms: number | null | undefined): string;
  /** A local calendar date `YYYY-MM-DD` written the local way (no time-zone shift). */
  localDate(date: string): string;
  /** "5 minutes ago", "in 2 hours"; `never` for null. */
  age(ms: number | null | undefined, nowMs: number): string;
}

export function createI18n(language: Language): I18n {
  const messages = CATALOGUES[language];
  const locale = LOCALES[language];
  const missing = (): string => messages['common.missing'];
  const numberFormats = new Map<number, Intl.NumberFormat>();
  const numberFormat = (digits: number): Intl.NumberFormat => {
    let format = numberFormats.get(digits);
    if (format === undefined) {
      format = new Intl.NumberFormat(locale, { maximumFractionDigits: digits });
      numberFormats.set(digits, format);
    }
    return format;
  };
  const percentFormat = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  const dateTimeFormat = new Intl.DateTimeFormat(locale, {
    timeZone: TIME_ZONE,
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  const shortFormat = new Intl.DateTimeFormat(locale, {
    timeZone: TIME_ZONE,
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const timeFormat = new Intl.DateTimeFormat(locale, { timeZone: TIME_ZONE, timeStyle: 'short' });
  const localDateFormat = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', dateStyle: 'medium' });
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });

  const t = (key: MessageKey, params?: MessageParams): string => interpolate(messages[key], params);

  const api: I18n = {
    language,
    locale,
    t,
    tDynamic(key, fallback) {
      const found = (messages as Readonly<Record<string, string>>)[key];
      return found ?? fallback ?? key;
    },
    number: (value, digits = 1) =>
      value === null || value === undefined || !Number.isFinite(value)
        ? missing()
        : numberFormat(digits).format(value),
    quantity: (value, unit, digits = 1) =>
      value === null || value === undefined || !Number.isFinite(value)
        ? missing()
        : `${numberFormat(digits).format(value)} ${messages[unit]}`,
    power(watts) {
      if (watts === null || watts === undefined || !Number.isFinite(watts)) return missing();
      return Math.abs(watts) >= 1000
        ? api.quantity(watts / 1000, 'unit.kw', 1)
        : api.quantity(watts, 'unit.w', 0);
    },
    percent: (ratio) =>
      ratio === null || ratio === undefined || !Number.isFinite(ratio)
        ? missing()
        : percentFormat.format(ratio),
    dateTime: (ms) => (ms === null || ms === undefined ? missing() : dateTimeFormat.format(ms)),
    shortDateTime: (ms) => (ms === null || ms === undefined ? missing() : shortFormat.format(ms)),
    time: (ms) => (ms === null || ms === undefined ? missing() : timeFormat.format(ms)),
    localDate(date) {
      const ms = Date.parse(`${date}T12:00:00Z`);
      return Number.isNaN(ms) ? date : localDateFormat.format(ms);
    },
    age(ms, nowMs) {
      if (ms === null || ms === undefined) return messages['common.never'];
      const seconds = Math.round((ms - nowMs) / 1000);
      const abs = Math.abs(seconds);
      if (abs < 60) return relative.format(seconds, 'second');
      if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
      if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
      return relative.format(Math.round(seconds / 86_400), 'day');
    },
  };
  return api;
}

const LOCAL_DATE = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Viet Nam calendar date (`YYYY-MM-DD`) of an instant: what the API's local-date parameters take. */
export function localDateOf(ms: number): string {
  return LOCAL_DATE.format(ms);
}

/** `YYYY-MM-DD` plus whole days (calendar arithmetic, no time zone involved). */
export function addDays(date: string, days: number): string {
  const ms = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}
