import type { ApiClient } from './api/client.js';
import { ApiError } from './api/client.js';
import type { LiveFeed } from './api/live.js';
import type { I18n } from './i18n/i18n.js';
import type { Page, ROLE_ACCESS, Session } from './session.js';
import { clear, h } from './ui/dom.js';

/** What every page gets: the person, the language, the API and the live feed. */
export interface AppContext {
  readonly i18n: I18n;
  readonly api: ApiClient;
  readonly session: Session;
  readonly access: (typeof ROLE_ACCESS)[keyof typeof ROLE_ACCESS];
  readonly live: LiveFeed;
  navigate(path: string): void;
  now(): number;
}

/** A page draws into `root` and returns what to undo when the officer leaves it (charts, listeners). */
export type PageView = (
  ctx: AppContext,
  root: HTMLElement,
  params: readonly string[],
) => Promise<Cleanup> | Cleanup;
export type Cleanup = () => void;

export interface Route {
  page: Page | 'login';
  params: string[];
}

export function parseRoute(hash: string): Route | undefined {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  const [first = '', ...rest] = parts;
  if (first === 'login') return { page: 'login', params: [] };
  if (first === 'fleet' || first === 'alarms' || first === 'emissions' || first === 'packages')
    return { page: first, params: rest };
  if (first === 'vessel' && rest.length === 1) return { page: 'vessel', params: rest };
  if (first === 'admin') return { page: 'admin', params: rest };
  return undefined;
}

/** Loads data with a visible "loading" line, and on failure a translated error with a retry button. */
export async function withLoading<T>(
  ctx: AppContext,
  slot: HTMLElement,
  load: () => Promise<T>,
): Promise<T | undefined> {
  clear(slot);
  slot.append(h('p', { class: 'loading', role: 'status' }, ctx.i18n.t('common.loading')));
  try {
    const value = await load();
    clear(slot);
    return value;
  } catch (error) {
    clear(slot);
    const message = error instanceof ApiError ? `${error.message} (${error.code})` : String(error);
    const retry = h('button', { type: 'button', class: 'secondary' }, ctx.i18n.t('common.retry'));
    const box = h(
      'div',
      { class: 'error', role: 'alert' },
      h('p', {}, ctx.i18n.t('common.error', { message })),
      retry,
    );
    slot.append(box);
    return new Promise<T | undefined>((resolve) => {
      retry.addEventListener('click', () => {
        void withLoading(ctx, slot, load).then(resolve);
      });
    });
  }
}
