import { withLoading, type Cleanup } from '../../app.js';
import type { AdminToken, CreatedAdminToken } from '../../api/admin.js';
import { TOKEN_SCOPES, type TokenScope } from '../../api/types.js';
import { addDays, localDateOf } from '../../i18n/i18n.js';
import { confirmDialog } from '../../ui/dialog.js';
import { h } from '../../ui/dom.js';
import { expiryOf, partnerField, tokenState } from './admin-model.js';
import {
  type AdminContext,
  type Messages,
  createMessages,
  field,
  isRole,
  partnerChoice,
  roleSelect,
} from './admin-ui.js';

const HEADERS = [
  'tokens.col.name',
  'tokens.col.role',
  'tokens.col.partner',
  'tokens.col.scopes',
  'tokens.col.created',
  'tokens.col.expires',
  'tokens.col.lastUsed',
  'tokens.col.state',
  'tokens.col.actions',
] as const;

/** API tokens: list (revoked ones on request), create (the secret shown once), revoke. */
export async function tokensView(ctx: AdminContext, root: HTMLElement): Promise<Cleanup> {
  const { at } = ctx;
  const messages = createMessages(ctx);
  const secret = h('div', { id: 'token-secret-slot' });
  const showRevoked = h('input', { type: 'checkbox', id: 'show-revoked' });
  const slot = h('div');
  const tbody = h('tbody');
  const headers = HEADERS.map((key) => at.t(key));
  const empty = h('p', { class: 'muted', hidden: true }, at.t('tokens.none'));
  const table = h(
    'table',
    { class: 'data admin-tokens', id: 'tokens-table' },
    h('thead', {}, h('tr', {}, ...headers.map((text) => h('th', { scope: 'col' }, text)))),
    tbody,
  );

  function put(token: AdminToken, first = false): void {
    const next = tokenRow(ctx, token, headers, messages, put);
    const previous = tbody.querySelector(`tr[data-token="${CSS.escape(token.id)}"]`);
    if (previous) previous.replaceWith(next);
    else if (first) tbody.prepend(next);
    else tbody.append(next);
    empty.hidden = true;
    table.hidden = false;
  }

  const load = async (): Promise<void> => {
    const list = await withLoading(ctx, slot, () =>
      ctx.admin.tokens({ includeRevoked: showRevoked.checked }),
    );
    if (list === undefined) return;
    tbody.replaceChildren();
    for (const token of list) put(token);
    empty.hidden = list.length > 0;
    table.hidden = list.length === 0;
    slot.append(table, empty);
  };
  showRevoked.addEventListener('change', () => void load());

  root.append(
    h('p', { class: 'muted' }, at.t('tokens.intro')),
    messages.element,
    secret,
    h('label', { class: 'inline check' }, showRevoked, ` ${at.t('tokens.showRevoked')}`),
    slot,
    createForm(ctx, messages, (created) => {
      put(created.record, true);
      showSecret(ctx, secret, created);
    }),
  );
  await load();
  // Leaving the page drops the secret with it: it is not kept anywhere in the browser.
  return () => secret.replaceChildren();
}

function tokenRow(
  ctx: AdminContext,
  token: AdminToken,
  headers: readonly string[],
  messages: Messages,
  put: (token: AdminToken) => void,
): HTMLTableRowElement {
  const { i18n, at } = ctx;
  const state = tokenState(token, ctx.now());
  const scopes =
    token.scopes === null
      ? h('span', { class: 'muted' }, at.t('tokens.allScopes'))
      : new Intl.ListFormat(i18n.locale, { type: 'conjunction' }).format(
          token.scopes.map((scope) => at.t(`tokens.scope.${scope}`)),
        );
  const stateText =
    state === 'revoked'
      ? at.t('tokens.state.revoked', { time: i18n.dateTime(token.revokedAtMs) })
      : at.t(`tokens.state.${state}`);
  let action: Node | string = i18n.t('common.missing');
  if (state !== 'revoked') {
    const revoke = h(
      'button',
      { type: 'button', class: 'danger revoke', 'data-token': token.id },
      at.t('tokens.revoke'),
    );
    revoke.addEventListener('click', () => {
      void (async () => {
        const sure = await confirmDialog({
          id: 'revoke-dialog',
          title: at.t('tokens.revoke'),
          message: at.t('tokens.revoke.confirm', { name: token.name }),
          confirm: at.t('tokens.revoke'),
          cancel: at.t('admin.cancel'),
          danger: true,
        });
        if (!sure) return;
        revoke.disabled = true;
        try {
          put(await ctx.admin.revokeToken(token.id));
          messages.done(at.t('tokens.revoked', { name: token.name }));
        } catch (error) {
          revoke.disabled = false;
          messages.refused(error);
        }
      })();
    });
    action = revoke;
  }
  const cells: (Node | string)[] = [
    h('span', {}, h('strong', {}, token.name), h('br'), h('code', { class: 'small muted' }, token.id)),
    i18n.t(`role.${token.role}`),
    token.partner !== null
      ? i18n.t(`partner.${token.partner}`)
      : token.role === 'partner'
        ? h('span', { class: 'muted' }, at.t('admin.partner.none'))
        : i18n.t('common.missing'),
    scopes,
    at.t('tokens.createdBy', { time: i18n.dateTime(token.createdAtMs), user: token.createdBy }),
    token.expiresAtMs === null ? at.t('tokens.noExpiry') : i18n.dateTime(token.expiresAtMs),
    token.lastUsedAtMs === null ? i18n.t('common.never') : i18n.dateTime(token.lastUsedAtMs),
    h('span', { class: `token-state ${state}` }, stateText),
    action,
  ];
  return h(
    'tr',
    { 'data-token': token.id, 'data-state': state, 'data-partner': token.partner },
    ...cells.map((cell, i) => h('td', { 'data-label': headers[i] ?? '' }, cell)),
  );
}

/** The secret, once: with a copy button, until the admin hides it or leaves the page. */
function showSecret(ctx: AdminContext, slot: HTMLElement, created: CreatedAdminToken): void {
  const { at } = ctx;
  const value = h('code', { id: 'token-secret', class: 'secret-value' }, created.token);
  const copied = h('p', { class: 'small', role: 'status', id: 'token-copied' });
  const copy = h('button', { type: 'button', id: 'copy-token' }, at.t('tokens.secret.copy'));
  copy.addEventListener('click', () => {
    copyText(created.token, value).then(
      (ok) => {
        copied.textContent = ok ? at.t('tokens.secret.copied') : at.t('tokens.secret.copyFailed');
      },
      () => {
        copied.textContent = at.t('tokens.secret.copyFailed');
      },
    );
  });
  const dismiss = h(
    'button',
    { type: 'button', class: 'secondary', id: 'dismiss-token' },
    at.t('tokens.secret.dismiss'),
  );
  dismiss.addEventListener('click', () => slot.replaceChildren());
  slot.replaceChildren(
    h(
      'section',
      { class: 'secret panel', 'aria-labelledby': 'token-secret-title' },
      h('h2', { id: 'token-secret-title' }, at.t('tokens.secret.title', { name: created.record.name })),
      h('p', { class: 'once' }, h('strong', {}, at.t('tokens.secret.once'))),
      h('p', { class: 'field-label' }, at.t('tokens.secret.label')),
      h('div', { class: 'secret-row' }, value, copy),
      copied,
      h('div', { class: 'buttons' }, dismiss),
    ),
  );
  value.scrollIntoView({ block: 'center' });
}

/**
 * The clipboard where the page may use it (a secure context: https, or localhost). Over plain http on the
 * harbour LAN there is none: the token is selected instead, for the admin to copy by hand.
 */
async function copyText(text: string, element: HTMLElement): Promise<boolean> {
  if (window.isSecureContext && 'clipboard' in navigator) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Refused (no permission, the page not focused): select it as below.
    }
  }
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = window.getSelection();
  selection?.removeAllRanges();
  selection?.addRange(range);
  return false;
}

function createForm(
  ctx: AdminContext,
  messages: Messages,
  created: (token: CreatedAdminToken) => void,
): HTMLElement {
  const { i18n, at } = ctx;
  const name = h('input', {
    name: 'name',
    id: 'token-name',
    required: true,
    maxlength: 80,
    placeholder: at.t('tokens.create.namePlaceholder'),
  });
  const role = roleSelect(i18n, { name: 'role', id: 'token-role' }, 'partner');
  const {
    select: partner,
    box: partnerBox,
    sync: showPartner,
  } = partnerChoice(i18n, role, 'token-partner', at.t('tokens.create.partner'), at.t('admin.partner.choose'));
  const scopes = TOKEN_SCOPES.map((scope) => ({
    scope,
    box: h('input', { type: 'checkbox', name: 'scope', value: scope }),
  }));
  const expires = h('input', {
    type: 'date',
    name: 'expires',
    id: 'token-expires',
    min: addDays(localDateOf(ctx.now()), 1),
  });
  const submit = h('button', { type: 'submit' }, at.t('tokens.create.submit'));
  const form = h(
    'form',
    { class: 'admin-form panel', id: 'token-form' },
    h('h2', {}, at.t('tokens.create.title')),
    h(
      'div',
      { class: 'fields' },
      field(at.t('tokens.create.name'), name),
      field(at.t('tokens.create.role'), role),
      partnerBox,
      field(at.t('tokens.create.expires'), expires, at.t('tokens.create.expiresHint')),
    ),
    h(
      'fieldset',
      { class: 'scopes' },
      h('legend', {}, at.t('tokens.create.scopes')),
      ...scopes.map(({ scope, box }) =>
        h('label', { class: 'check' }, box, ` ${at.t(`tokens.scope.${scope}`)}`),
      ),
    ),
    h('div', { class: 'buttons' }, submit),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen: TokenScope[] = scopes.filter(({ box }) => box.checked).map(({ scope }) => scope);
    const expiresAt = expiryOf(expires.value);
    const chosenRole = isRole(role.value) ? role.value : 'partner';
    submit.disabled = true;
    ctx.admin
      .createToken({
        name: name.value.trim(),
        role: chosenRole,
        ...partnerField(chosenRole, partner.value),
        ...(chosen.length === 0 ? {} : { scopes: chosen }),
        ...(expiresAt === undefined ? {} : { expiresAt }),
      })
      .then((token) => {
        form.reset();
        showPartner();
        messages.clear();
        created(token);
      })
      .catch((error: unknown) => messages.refused(error))
      .finally(() => {
        submit.disabled = false;
      });
  });
  return form;
}
