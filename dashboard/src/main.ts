import './styles.css';
import { ApiError, createApiClient } from './api/client.js';
import type { LoginResponse } from './api/types.js';
import { type LiveFeed, createLiveFeed, idleLiveFeed } from './api/live.js';
import { type AppContext, type Cleanup, type PageView, parseRoute, withLoading } from './app.js';
import { LANGUAGES, type Language, createI18n, isLanguage } from './i18n/i18n.js';
import { alarmsPage } from './pages/alarms.js';
import { emissionsPage } from './pages/emissions.js';
import { fleetPage } from './pages/fleet.js';
import { vesselPage } from './pages/vessel.js';
import {
  type Page,
  ROLE_ACCESS,
  type Session,
  clearSession,
  loadLanguage,
  loadSession,
  saveLanguage,
  saveSession,
} from './session.js';
import { clear, h } from './ui/dom.js';

const PAGE_VIEWS: Readonly<Record<Page, PageView>> = {
  fleet: fleetPage,
  vessel: vesselPage,
  alarms: alarmsPage,
  emissions: emissionsPage,
  // Analysts, partners and admins: loaded on first use too (its messages are in the page catalogues).
  packages: async (ctx, root) => {
    const module = await withLoading(ctx, root, () => import('./pages/packages.js'));
    return module === undefined ? () => undefined : module.packagesPage(ctx, root);
  },
  // Admins only: loaded on first use (with its messages), so the fleet page a phone opens stays light.
  admin: async (ctx, root, params) => {
    const module = await withLoading(ctx, root, () => import('./pages/admin/admin.js'));
    return module === undefined ? () => undefined : module.adminPage(ctx, root, params);
  },
};

const BASE_URL = '';
const root = document.getElementById('app') ?? document.body;
let session: Session | null = loadSession(sessionStorage, Date.now());
/** The person's choice on this device, else their role's language (partners read Japanese), else Vietnamese. */
let language: Language = loadLanguage(localStorage, session?.user.role);
let live: LiveFeed | null = null;
/** What to undo when the page changes (charts, listeners). */
const onLeave: Cleanup[] = [];
let notice: string | null = null;
let renders = 0;

const api = createApiClient({
  baseUrl: BASE_URL,
  token: () => session?.token ?? null,
  onUnauthorized: () => {
    endSession();
    notice = 'login.expired';
    navigate('/login');
  },
});

function endSession(): void {
  clearSession(sessionStorage);
  session = null;
  live?.close();
  live = null;
}

/** Changes the page; re-renders directly when the hash is already there (no hashchange then). */
function navigate(path: string): void {
  const hash = path.startsWith('#') ? path : `#${path.startsWith('/') ? path : `/${path}`}`;
  if (location.hash === hash) void render();
  else location.hash = hash;
}

async function render(): Promise<void> {
  const generation = ++renders;
  for (const undo of onLeave.splice(0)) undo();
  const i18n = createI18n(language);
  document.documentElement.lang = language;
  document.title = i18n.t('app.title');
  clear(root);
  const route = parseRoute(location.hash);

  if (session === null || route?.page === 'login') {
    if (session !== null) {
      navigate(ROLE_ACCESS[session.user.role].home);
      return;
    }
    root.append(loginView());
    return;
  }

  // A one-time password (the first admin's) opens nothing else: the API refuses every other call.
  if (session.user.mustChangePassword) {
    root.append(passwordChangeView(session));
    return;
  }

  const access = ROLE_ACCESS[session.user.role];
  if (route === undefined) {
    navigate(access.home);
    return;
  }
  live ??= access.live ? createLiveFeed(BASE_URL, session.token) : idleLiveFeed();
  const ctx: AppContext = { i18n, api, session, access, live, navigate, now: () => Date.now() };
  const main = h('main', { id: 'main', 'data-page': route.page });
  root.append(shell(ctx, route.page), main);
  if (!access.pages.includes(route.page)) {
    main.append(h('p', { class: 'error', role: 'alert' }, i18n.t('common.forbidden')));
    return;
  }
  const undo = await PAGE_VIEWS[route.page](ctx, main, route.params);
  // The officer may have moved on while the page loaded: undo it at once then.
  if (generation === renders) onLeave.push(undo);
  else undo();
}

function languagePicker(): HTMLElement {
  const i18n = createI18n(language);
  const select = h(
    'select',
    { id: 'language', 'aria-label': i18n.t('nav.language') },
    ...LANGUAGES.map((lang) =>
      h('option', { value: lang, selected: lang === language }, i18n.t(`lang.${lang}`)),
    ),
  );
  select.addEventListener('change', () => {
    if (!isLanguage(select.value)) return;
    language = select.value;
    saveLanguage(localStorage, language);
    void render();
  });
  return h(
    'label',
    { class: 'language' },
    h('span', { class: 'visually-hidden' }, i18n.t('nav.language')),
    select,
  );
}

function shell(ctx: AppContext, current: Page): HTMLElement {
  const { i18n } = ctx;
  const navPages = ctx.access.pages.filter((p): p is Exclude<Page, 'vessel'> => p !== 'vessel');
  const liveBadge = h('span', { class: 'live', 'data-state': ctx.live.state });
  const showLive = (): void => {
    liveBadge.dataset['state'] = ctx.live.state;
    liveBadge.textContent = ctx.live.state === 'open' ? i18n.t('live.on') : i18n.t('live.off');
  };
  showLive();
  const stop = ctx.live.onState(showLive);
  onLeave.push(stop);
  const logout = logoutButton(i18n);
  return h(
    'header',
    { class: 'top' },
    h('a', { class: 'brand', href: `#/${ctx.access.home}` }, i18n.t('app.short')),
    h(
      'nav',
      { 'aria-label': i18n.t('nav.menu') },
      ...navPages.map((page) =>
        h(
          'a',
          { href: `#/${page}`, 'aria-current': page === current ? 'page' : undefined, 'data-nav': page },
          i18n.t(`nav.${page}` as const),
        ),
      ),
    ),
    h(
      'div',
      { class: 'tools' },
      ctx.access.live ? liveBadge : null,
      languagePicker(),
      h(
        'span',
        { class: 'who', id: 'who' },
        i18n.t('nav.signedInAs', {
          user: ctx.session.user.username,
          role: i18n.t(`role.${ctx.session.user.role}`),
        }),
      ),
      logout,
    ),
  );
}

function loginView(): HTMLElement {
  const i18n = createI18n(language);
  const message = h(
    'p',
    { class: 'error', role: 'alert', hidden: notice === null },
    notice === null ? '' : i18n.t('login.expired'),
  );
  notice = null;
  const username = h('input', { name: 'username', id: 'username', autocomplete: 'username', required: true });
  const password = h('input', {
    name: 'password',
    id: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const submit = h('button', { type: 'submit' }, i18n.t('login.submit'));
  const form = credentialsForm(
    'login-form',
    [i18n.t('app.title'), i18n.t('login.intro')],
    [
      [i18n.t('login.username'), username],
      [i18n.t('login.password'), password],
    ],
    [message, submit],
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    api
      .login(username.value.trim(), password.value)
      .then(signedIn)
      .catch((error: unknown) => {
        message.hidden = false;
        message.textContent =
          error instanceof ApiError && (error.status === 401 || error.status === 400)
            ? i18n.t('login.failed')
            : i18n.t('common.error', { message: String(error) });
        submit.disabled = false;
      });
  });
  return h('div', { class: 'login-page' }, h('div', { class: 'login-tools' }, languagePicker()), form);
}

/** Sets a password of the person's own in place of a one-time one, then signs in with it. */
function passwordChangeView(current: Session): HTMLElement {
  const i18n = createI18n(language);
  const field = (id: string, autocomplete: string): HTMLInputElement =>
    h('input', { name: id, id, type: 'password', autocomplete, required: true });
  const oneTime = field('current-password', 'current-password');
  const next = field('new-password', 'new-password');
  const again = field('confirm-password', 'new-password');
  const message = h('p', { class: 'error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit' }, i18n.t('password.submit'));
  const fail = (text: string): void => {
    message.hidden = false;
    message.textContent = text;
    submit.disabled = false;
  };
  const form = credentialsForm(
    'password-form',
    [i18n.t('password.title'), i18n.t('password.intro')],
    [
      [i18n.t('password.current'), oneTime],
      [i18n.t('password.new'), next],
      [i18n.t('password.confirm'), again],
    ],
    [message, submit],
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (next.value !== again.value) {
      fail(i18n.t('password.mismatch'));
      return;
    }
    submit.disabled = true;
    api
      .changePassword(oneTime.value, next.value)
      // The change ends every session of this user: sign in again with the new password.
      .then(() => api.login(current.user.username, next.value))
      .then(signedIn)
      .catch((error: unknown) => {
        fail(
          error instanceof ApiError && error.status === 401
            ? i18n.t('login.failed')
            : error instanceof ApiError && error.status === 400
              ? i18n.t('password.rejected', { message: error.message })
              : i18n.t('common.error', { message: String(error) }),
        );
      });
  });
  return h(
    'div',
    { class: 'login-page' },
    h('div', { class: 'login-tools' }, languagePicker(), logoutButton(i18n)),
    form,
  );
}

/** The sign-in page's form: a title and a line of help, labelled fields, then the error line and button. */
function credentialsForm(
  id: string,
  [title, intro]: [string, string],
  fields: readonly [string, HTMLInputElement][],
  end: HTMLElement[],
): HTMLFormElement {
  return h(
    'form',
    { class: 'login', id },
    h('h1', {}, title),
    h('p', { class: 'muted' }, intro),
    ...fields.flatMap(([label, input]) => [h('label', { for: input.id }, label), input]),
    ...end,
  );
}

/** Signed in: the session kept for this tab, the person's language, their home page. */
function signedIn(response: LoginResponse): void {
  session = saveSession(sessionStorage, response);
  // A partner who has chosen no language on this device reads the dashboard in Japanese.
  language = loadLanguage(localStorage, session.user.role);
  navigate(ROLE_ACCESS[session.user.role].home);
}

function logoutButton(i18n: ReturnType<typeof createI18n>): HTMLElement {
  const logout = h('button', { type: 'button', class: 'link', id: 'logout' }, i18n.t('nav.logout'));
  logout.addEventListener('click', () => {
    void api.logout().catch(() => undefined);
    endSession();
    navigate('/login');
  });
  return logout;
}

window.addEventListener('hashchange', () => void render());
void render();
