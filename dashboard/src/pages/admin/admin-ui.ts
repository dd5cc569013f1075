import type { AppContext } from '../../app.js';
import type { AdminApi } from '../../api/admin.js';
import type { PartnerId, Role } from '../../api/types.js';
import { PARTNER_IDS, ROLES } from '../../api/types.js';
import type { AdminI18n } from '../../i18n/admin-i18n.js';
import type { I18n } from '../../i18n/i18n.js';
import { h } from '../../ui/dom.js';
import { refusalOf } from './admin-model.js';

/** What the admin views get besides the page's context: the admin routes and their messages. */
export interface AdminContext extends AppContext {
  readonly admin: AdminApi;
  readonly at: AdminI18n;
}

/**
 * The two message lines of an admin view: what was done (`role="status"`) and what the API refused
 * (`role="alert"`: the admin's language first, then the server's own words, in English as sent).
 */
export interface Messages {
  readonly element: HTMLElement;
  done(text: string): void;
  refused(error: unknown): void;
  clear(): void;
}

export function createMessages(ctx: AdminContext): Messages {
  const done = h('p', { class: 'notice', role: 'status', id: 'admin-notice', hidden: true });
  const problem = h('div', { class: 'error problem', role: 'alert', id: 'admin-problem', hidden: true });
  const clear = (): void => {
    done.hidden = true;
    done.textContent = '';
    problem.hidden = true;
    problem.replaceChildren();
  };
  return {
    element: h('div', { class: 'messages' }, done, problem),
    done(text) {
      clear();
      done.textContent = text;
      done.hidden = false;
    },
    refused(error) {
      clear();
      problem.append(...refusalLines(ctx, error));
      problem.hidden = false;
    },
    clear,
  };
}

export function refusalLines(ctx: AdminContext, error: unknown): HTMLElement[] {
  const refusal = refusalOf(error);
  return [
    h('p', { class: 'refusal' }, ctx.at.t(refusal.key, { code: refusal.code })),
    h(
      'p',
      { class: 'small server-message' },
      `${ctx.at.t('admin.serverSays')} `,
      h('span', { lang: 'en', 'data-code': refusal.code }, refusal.serverMessage),
    ),
  ];
}

export function roleSelect(i18n: I18n, attrs: Record<string, string>, selected: Role): HTMLSelectElement {
  return h(
    'select',
    attrs,
    ...ROLES.map((role) => h('option', { value: role, selected: role === selected }, i18n.t(`role.${role}`))),
  );
}

/** The partners (NEDO, Stanley Electric) after a first option of value '' that says `none`. */
export function partnerSelect(
  i18n: I18n,
  attrs: Record<string, string | boolean>,
  selected: PartnerId | null,
  none: string,
): HTMLSelectElement {
  return h(
    'select',
    attrs,
    h('option', { value: '', selected: selected === null }, none),
    ...PARTNER_IDS.map((partner) =>
      h('option', { value: partner, selected: partner === selected }, i18n.t(`partner.${partner}`)),
    ),
  );
}

/**
 * The partner choice of a create form: shown (and required) only while `role` says partner, since only a
 * partner's account or token speaks for one (the API refuses a partner on any other role).
 */
export function partnerChoice(
  i18n: I18n,
  role: HTMLSelectElement,
  id: string,
  label: string,
  none: string,
): { select: HTMLSelectElement; box: HTMLElement; sync: () => void } {
  const select = partnerSelect(i18n, { name: 'partner', id, required: true }, null, none);
  const box = field(label, select);
  const show = (): void => {
    const shown = role.value === 'partner';
    box.hidden = !shown;
    select.disabled = !shown;
  };
  role.addEventListener('change', show);
  show();
  // `sync` again after the form is reset, which sets the role back without a change event.
  return { select, box, sync: show };
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** A labelled form field with an optional hint below it. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h(
    'label',
    { class: 'field' },
    h('span', { class: 'field-label' }, label),
    control,
    hint === undefined ? null : h('span', { class: 'hint' }, hint),
  );
}
