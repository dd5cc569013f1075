import { withLoading, type Cleanup } from '../../app.js';
import type { AdminUser } from '../../api/admin.js';
import type { Role } from '../../api/types.js';
import { formDialog, confirmDialog } from '../../ui/dialog.js';
import { h } from '../../ui/dom.js';
import { partnerField, partnerOfChoice } from './admin-model.js';
import {
  type AdminContext,
  type Messages,
  createMessages,
  field,
  isRole,
  partnerChoice,
  partnerSelect,
  roleSelect,
} from './admin-ui.js';

/** The API's rules, repeated so the browser says so before sending (the API decides). */
const USERNAME_PATTERN = '[a-z0-9][a-z0-9._\\-]{2,31}';
const MIN_PASSWORD = 12;

/** People's accounts: list, create, change role (and a partner's partner), reset password, delete. */
export async function usersView(ctx: AdminContext, root: HTMLElement): Promise<Cleanup> {
  const { at } = ctx;
  const messages = createMessages(ctx);
  const slot = h('div');
  root.append(
    h('p', { class: 'muted' }, at.t('users.intro')),
    messages.element,
    slot,
    createForm(ctx, messages, put),
  );

  const headers = [
    'users.col.username',
    'users.col.role',
    'users.col.partner',
    'users.col.created',
    'users.col.actions',
  ] as const;
  const tbody = h('tbody');
  const empty = h('p', { class: 'muted', hidden: true }, at.t('users.none'));
  const table = h(
    'table',
    { class: 'data admin-users', id: 'users-table' },
    h('thead', {}, h('tr', {}, ...headers.map((key) => h('th', { scope: 'col' }, at.t(key))))),
    tbody,
  );
  const users = new Map<string, AdminUser>();

  function put(user: AdminUser): void {
    users.set(user.username, user);
    const next = userRow(
      ctx,
      user,
      headers.map((key) => at.t(key)),
      { messages, put, remove },
    );
    const previous = tbody.querySelector(`tr[data-user="${CSS.escape(user.username)}"]`);
    if (previous) {
      previous.replaceWith(next);
      return;
    }
    // In username order, as the API lists them.
    const after = [...tbody.querySelectorAll<HTMLTableRowElement>('tr[data-user]')].find(
      (tr) => (tr.dataset['user'] ?? '') > user.username,
    );
    tbody.insertBefore(next, after ?? null);
    empty.hidden = true;
  }
  function remove(username: string): void {
    users.delete(username);
    tbody.querySelector(`tr[data-user="${CSS.escape(username)}"]`)?.remove();
    empty.hidden = users.size > 0;
  }

  const list = await withLoading(ctx, slot, () => ctx.admin.users());
  if (list === undefined) return () => undefined;
  for (const user of list) put(user);
  empty.hidden = list.length > 0;
  slot.append(table, empty);
  return () => undefined;
}

interface RowActions {
  messages: Messages;
  put(user: AdminUser): void;
  remove(username: string): void;
}

function userRow(
  ctx: AdminContext,
  user: AdminUser,
  headers: readonly string[],
  actions: RowActions,
): HTMLTableRowElement {
  const { i18n, at } = ctx;
  const self = user.username === ctx.session.user.username;
  const role = roleSelect(
    i18n,
    { class: 'role', 'aria-label': at.t('users.changeRole', { user: user.username }) },
    user.role,
  );
  role.addEventListener('change', () => {
    const next = role.value;
    if (!isRole(next)) return;
    role.disabled = true;
    ctx.admin
      .updateUser(user.username, { role: next })
      .then((updated) => {
        actions.put(updated);
        const words = { user: updated.username, role: i18n.t(`role.${updated.role}`) };
        actions.messages.done(
          // A new partner speaks for nobody yet: the row now offers the partner to choose.
          updated.role === 'partner' && updated.partner === null
            ? at.t('users.roleChangedChoosePartner', words)
            : at.t('users.roleChanged', words),
        );
      })
      .catch((error: unknown) => {
        role.value = user.role;
        role.disabled = false;
        actions.messages.refused(error);
      });
  });
  const reset = h(
    'button',
    { type: 'button', class: 'secondary reset-password' },
    at.t('users.resetPassword'),
  );
  reset.addEventListener('click', () => void resetPassword(ctx, user.username, actions.messages));
  const remove = h('button', { type: 'button', class: 'danger delete-user' }, at.t('users.delete'));
  remove.addEventListener('click', () => void deleteUser(ctx, user.username, actions));
  const cells = [
    h(
      'span',
      {},
      h('strong', {}, user.username),
      self ? h('span', { class: 'muted' }, ` (${at.t('users.you')})`) : null,
    ),
    role,
    user.role === 'partner' ? partnerOfUser(ctx, user, actions) : i18n.t('common.missing'),
    i18n.dateTime(user.createdAtMs),
    h('span', { class: 'row-actions' }, reset, remove),
  ];
  return h(
    'tr',
    { 'data-user': user.username, 'data-role': user.role, 'data-partner': user.partner },
    ...cells.map((cell, i) => h('td', { 'data-label': headers[i] ?? '' }, cell)),
  );
}

/** A partner's account: whose data packages it sees, changed where it is shown. */
function partnerOfUser(ctx: AdminContext, user: AdminUser, actions: RowActions): HTMLSelectElement {
  const { i18n, at } = ctx;
  const select = partnerSelect(
    i18n,
    { class: 'partner', 'aria-label': at.t('users.changePartner', { user: user.username }) },
    user.partner,
    at.t('admin.partner.none'),
  );
  select.addEventListener('change', () => {
    select.disabled = true;
    ctx.admin
      .updateUser(user.username, { partner: partnerOfChoice(select.value) })
      .then((updated) => {
        actions.put(updated);
        actions.messages.done(
          updated.partner === null
            ? at.t('users.partnerCleared', { user: updated.username })
            : at.t('users.partnerChanged', {
                user: updated.username,
                partner: i18n.t(`partner.${updated.partner}`),
              }),
        );
      })
      .catch((error: unknown) => {
        select.value = user.partner ?? '';
        select.disabled = false;
        actions.messages.refused(error);
      });
  });
  return select;
}

async function resetPassword(ctx: AdminContext, username: string, messages: Messages): Promise<void> {
  const { at } = ctx;
  const password = h('input', {
    type: 'password',
    name: 'password',
    id: 'reset-password',
    required: true,
    minlength: MIN_PASSWORD,
    maxlength: 256,
    autocomplete: 'new-password',
  });
  const answer = await formDialog({
    id: 'reset-dialog',
    title: at.t('users.reset.title', { user: username }),
    body: [
      field(at.t('users.create.password'), password, at.t('users.create.passwordHint')),
      h('p', { class: 'small' }, at.t('users.reset.note')),
    ],
    submit: at.t('users.reset.submit'),
    cancel: at.t('admin.cancel'),
  });
  const value = answer?.get('password');
  if (typeof value !== 'string') return;
  try {
    await ctx.admin.updateUser(username, { password: value });
    messages.done(at.t('users.reset.done', { user: username }));
  } catch (error) {
    messages.refused(error);
  }
}

async function deleteUser(ctx: AdminContext, username: string, actions: RowActions): Promise<void> {
  const { at } = ctx;
  const sure = await confirmDialog({
    id: 'delete-dialog',
    title: at.t('users.delete'),
    message: at.t('users.delete.confirm', { user: username }),
    confirm: at.t('users.delete'),
    cancel: at.t('admin.cancel'),
    danger: true,
  });
  if (!sure) return;
  try {
    await ctx.admin.deleteUser(username);
    actions.remove(username);
    actions.messages.done(at.t('users.deleted', { user: username }));
  } catch (error) {
    actions.messages.refused(error);
  }
}

function createForm(ctx: AdminContext, messages: Messages, add: (user: AdminUser) => void): HTMLElement {
  const { i18n, at } = ctx;
  const username = h('input', {
    name: 'username',
    id: 'new-username',
    required: true,
    pattern: USERNAME_PATTERN,
    maxlength: 32,
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const role = roleSelect(i18n, { name: 'role', id: 'new-role' }, 'officer');
  const {
    select: partner,
    box: partnerBox,
    sync: showPartner,
  } = partnerChoice(i18n, role, 'new-partner', at.t('users.create.partner'), at.t('admin.partner.choose'));
  const password = h('input', {
    type: 'password',
    name: 'password',
    id: 'new-password',
    required: true,
    minlength: MIN_PASSWORD,
    maxlength: 256,
    autocomplete: 'new-password',
  });
  const submit = h('button', { type: 'submit' }, at.t('users.create.submit'));
  const form = h(
    'form',
    { class: 'admin-form panel', id: 'user-form' },
    h('h2', {}, at.t('users.create.title')),
    h(
      'div',
      { class: 'fields' },
      field(at.t('users.create.username'), username, at.t('users.create.usernameHint')),
      field(at.t('users.create.role'), role),
      partnerBox,
      field(at.t('users.create.password'), password, at.t('users.create.passwordHint')),
    ),
    h('div', { class: 'buttons' }, submit),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen: Role = isRole(role.value) ? role.value : 'officer';
    submit.disabled = true;
    ctx.admin
      .createUser({
        username: username.value.trim(),
        role: chosen,
        ...partnerField(chosen, partner.value),
        password: password.value,
      })
      .then((user) => {
        add(user);
        form.reset();
        showPartner();
        const words = { user: user.username, role: i18n.t(`role.${user.role}`) };
        messages.done(
          user.partner === null
            ? at.t('users.created', words)
            : at.t('users.createdFor', { ...words, partner: i18n.t(`partner.${user.partner}`) }),
        );
      })
      .catch((error: unknown) => messages.refused(error))
      .finally(() => {
        submit.disabled = false;
      });
  });
  return form;
}
