import { type AdminMessageKey, type AdminMessages, adminEn } from './admin-en.js';
import { adminJa } from './admin-ja.js';
import { adminVi } from './admin-vi.js';
import { type Language, type MessageParams, interpolate } from './i18n.js';

export type { AdminMessageKey };

export const ADMIN_CATALOGUES: Readonly<Record<Language, AdminMessages>> = {
  vi: adminVi,
  en: adminEn,
  ja: adminJa,
};

/** The admin pages' messages; numbers, dates and the shared words come from the page's `I18n`. */
export interface AdminI18n {
  t(key: AdminMessageKey, params?: MessageParams): string;
  /** A key built at run time (`dead.reason.${reason}`); the fallback, or the raw key, if there is none. */
  tDynamic(key: string, fallback?: string): string;
}

export function createAdminI18n(language: Language): AdminI18n {
  const messages = ADMIN_CATALOGUES[language];
  return {
    t: (key, params) => interpolate(messages[key], params),
    tDynamic(key, fallback) {
      return (messages as Readonly<Record<string, string>>)[key] ?? fallback ?? key;
    },
  };
}
