import './admin.css';
import type { AppContext, Cleanup } from '../../app.js';
import { createAdminApi } from '../../api/admin.js';
import { createAdminI18n } from '../../i18n/admin-i18n.js';
import { h } from '../../ui/dom.js';
import { ADMIN_TABS, type AdminTab, adminRouteOf } from './admin-model.js';
import type { AdminContext } from './admin-ui.js';
import { deadLetterView, ingestView } from './ingest.js';
import { tokensView } from './tokens.js';
import { usersView } from './users.js';

/**
 * The administration pages (admins only; the API enforces it): users, API tokens and ingest's operator
 * view, one tab each. This module and its messages load on first use, in a chunk of their own.
 */
export async function adminPage(
  ctx: AppContext,
  root: HTMLElement,
  params: readonly string[],
): Promise<Cleanup> {
  const at = createAdminI18n(ctx.i18n.language);
  const route = adminRouteOf(params);
  root.append(h('h1', {}, at.t('admin.title')), tabs(at, route?.tab));
  if (route === undefined) {
    root.append(h('p', { class: 'error', role: 'alert' }, ctx.i18n.t('common.notFound')));
    return () => undefined;
  }
  const admin: AdminContext = { ...ctx, admin: createAdminApi(ctx.api), at };
  const section = h('section', { id: `admin-${route.tab}`, class: 'admin-section' });
  root.append(section);
  if (route.tab === 'users') return usersView(admin, section);
  if (route.tab === 'tokens') return tokensView(admin, section);
  if (route.deadLetterId !== undefined) return deadLetterView(admin, section, route.deadLetterId);
  return ingestView(admin, section);
}

function tabs(at: AdminContext['at'], current: AdminTab | undefined): HTMLElement {
  return h(
    'nav',
    { class: 'admin-tabs', 'aria-label': at.t('admin.tabs') },
    ...ADMIN_TABS.map((tab) =>
      h(
        'a',
        { href: `#/admin/${tab}`, 'data-tab': tab, 'aria-current': tab === current ? 'page' : undefined },
        at.t(`admin.tab.${tab}`),
      ),
    ),
  );
}
