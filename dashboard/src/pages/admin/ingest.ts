import { withLoading, type Cleanup } from '../../app.js';
import type { DeadLetter, Readiness } from '../../api/types.js';
import { h } from '../../ui/dom.js';
import {
  ingestElsewhere,
  ingestFigures,
  parsePrometheus,
  payloadPreview,
  payloadText,
} from './admin-model.js';
import { type AdminContext, type Messages, createMessages, refusalLines } from './admin-ui.js';

const LIST_LIMIT = 100;

/** What the API says when ingest is in the same process; `elsewhere` when it runs in its own (compose). */
type IngestAnswer =
  | { kind: 'here'; metrics: string; readiness: Readiness; letters: DeadLetter[] }
  | { kind: 'elsewhere'; serverMessage: string };

/** Ingest's operator view: health, its main figures, and the dead letters with their replay. */
export async function ingestView(ctx: AdminContext, root: HTMLElement): Promise<Cleanup> {
  const { at } = ctx;
  const messages = createMessages(ctx);
  const showReplayed = h('input', { type: 'checkbox', id: 'show-replayed' });
  const refresh = h(
    'button',
    { type: 'button', class: 'secondary', id: 'ingest-refresh' },
    at.t('ingest.refresh'),
  );
  const slot = h('div');
  root.append(
    h('p', { class: 'muted' }, at.t('ingest.intro')),
    h('div', { class: 'toolbar' }, refresh),
    messages.element,
    slot,
  );

  const load = async (): Promise<void> => {
    const answer = await withLoading(ctx, slot, () => fetchIngest(ctx, showReplayed.checked));
    if (answer === undefined) return;
    if (answer.kind === 'elsewhere') {
      slot.append(elsewhere(ctx, answer.serverMessage));
      refresh.hidden = true;
      return;
    }
    slot.append(
      healthPanel(ctx, answer.readiness, answer.metrics),
      h(
        'section',
        { class: 'panel', id: 'dead-letters-panel' },
        h('h2', {}, at.t('dead.title')),
        h('p', { class: 'muted small' }, at.t('dead.intro')),
        h('label', { class: 'inline check' }, showReplayed, ` ${at.t('dead.showReplayed')}`),
        deadLetterTable(ctx, answer.letters, messages),
      ),
      h('p', { class: 'muted small' }, ctx.i18n.t('app.timeZoneNote')),
    );
  };
  showReplayed.addEventListener('change', () => void load());
  refresh.addEventListener('click', () => {
    messages.clear();
    void load();
  });
  await load();
  return () => undefined;
}

async function fetchIngest(ctx: AdminContext, includeReplayed: boolean): Promise<IngestAnswer> {
  try {
    const [metrics, readiness, letters] = await Promise.all([
      ctx.admin.ingestMetrics(),
      ctx.admin.readiness(),
      ctx.admin.deadLetters({ includeReplayed, limit: LIST_LIMIT }),
    ]);
    return { kind: 'here', metrics, readiness, letters };
  } catch (error) {
    // Not a failure: under compose ingest answers on its own port, and the API says where.
    if (ingestElsewhere(error)) return { kind: 'elsewhere', serverMessage: (error as Error).message };
    throw error;
  }
}

function elsewhere(ctx: AdminContext, serverMessage: string): HTMLElement {
  const { at } = ctx;
  return h(
    'section',
    { class: 'panel info', id: 'ingest-elsewhere', role: 'note' },
    h('h2', {}, at.t('ingest.elsewhere.title')),
    h('p', {}, at.t('ingest.elsewhere')),
    h(
      'p',
      { class: 'small muted' },
      `${at.t('admin.serverSays')} `,
      h('span', { lang: 'en' }, serverMessage),
    ),
  );
}

function healthPanel(ctx: AdminContext, readiness: Readiness, metrics: string): HTMLElement {
  const { i18n, at } = ctx;
  const checks = Object.entries(readiness.checks).map(([name, check]) =>
    h(
      'li',
      { 'data-check': name, 'data-ok': String(check.ok) },
      h('span', {
        class: 'dot',
        style: `background:${check.ok ? '#15803d' : '#b91c1c'}`,
        'aria-hidden': 'true',
      }),
      ` ${at.tDynamic(`ingest.check.${name}`, name)}: `,
      h('strong', {}, check.ok ? at.t('ingest.check.ok') : at.t('ingest.check.failed')),
      check.detail === undefined ? null : h('span', { class: 'muted', lang: 'en' }, ` (${check.detail})`),
    ),
  );
  const figures = ingestFigures(parsePrometheus(metrics)).map((figure) =>
    h(
      'div',
      {
        class: `card${figure.warnAbove0 === true && (figure.value ?? 0) > 0 ? ' warn' : ''}`,
        'data-metric': figure.key.replace('ingest.metric.', ''),
      },
      h('div', { class: 'card-label' }, at.t(figure.key)),
      h('div', { class: 'card-value' }, i18n.number(figure.value, 0)),
    ),
  );
  return h(
    'section',
    { class: 'panel', id: 'ingest-health' },
    h('h2', {}, at.t('ingest.health')),
    h('ul', { class: 'checks' }, ...checks),
    h('h3', {}, at.t('ingest.metrics')),
    h('div', { class: 'cards' }, ...figures),
    h(
      'details',
      { class: 'raw-metrics' },
      h('summary', {}, at.t('ingest.rawMetrics')),
      h('pre', { class: 'payload', lang: 'en' }, metrics),
    ),
  );
}

function deadLetterTable(ctx: AdminContext, letters: readonly DeadLetter[], messages: Messages): HTMLElement {
  const { i18n, at } = ctx;
  if (letters.length === 0) return h('p', { class: 'muted', id: 'dead-letters-none' }, at.t('dead.none'));
  const headers = [
    'dead.col.received',
    'dead.col.reason',
    'dead.col.topic',
    'dead.col.payload',
    'dead.col.state',
  ].map((key) => at.tDynamic(key));
  headers.push(i18n.t('alarm.col.action'));
  const rows = letters.map((letter) => {
    const state = h('span', { class: 'letter-state' }, stateText(ctx, letter));
    const replay = replayButton(ctx, letter, (result) => {
      if (result.ok) {
        state.textContent = at.t('dead.replayedAt', { time: i18n.dateTime(result.atMs) });
        row.dataset['replayed'] = 'true';
        messages.done(at.t('dead.replayed'));
      } else {
        messages.refused(result.error);
      }
    });
    const cells: (Node | string)[] = [
      i18n.dateTime(letter.receivedAtMs),
      reasonCell(ctx, letter.reason),
      h('code', { class: 'topic' }, letter.topic),
      h('code', { class: 'preview', title: letter.payload.slice(0, 500) }, payloadPreview(letter)),
      state,
      h(
        'span',
        { class: 'row-actions' },
        h(
          'a',
          { href: `#/admin/ingest/dead-letters/${encodeURIComponent(letter.id)}`, class: 'open-letter' },
          at.t('dead.open'),
        ),
        replay,
      ),
    ];
    const row = h(
      'tr',
      {
        'data-letter': letter.id,
        'data-reason': letter.reason,
        'data-replayed': String(letter.replayedAtMs !== null),
      },
      ...cells.map((cell, i) => h('td', { 'data-label': headers[i] ?? '' }, cell)),
    );
    return row;
  });
  return h(
    'table',
    { class: 'data dead-letters', id: 'dead-letters' },
    h('thead', {}, h('tr', {}, ...headers.map((text) => h('th', { scope: 'col' }, text)))),
    h('tbody', {}, ...rows),
  );
}

type ReplayResult = { ok: true; atMs: number } | { ok: false; error: unknown };

/** Replays a letter that has not been; the result goes to `done` (the page shows it where it fits). */
function replayButton(
  ctx: AdminContext,
  letter: DeadLetter,
  done: (result: ReplayResult) => void,
): HTMLElement | string {
  if (letter.replayedAtMs !== null) return '';
  const button = h(
    'button',
    { type: 'button', class: 'replay', 'data-letter': letter.id },
    ctx.at.t('dead.replay'),
  );
  button.addEventListener('click', () => {
    button.disabled = true;
    ctx.admin.replayDeadLetter(letter.id).then(
      async () => {
        button.remove();
        // The time the API marked it replayed; the click's time if the letter cannot be read back.
        const after = await ctx.admin.deadLetter(letter.id).catch(() => null);
        done({ ok: true, atMs: after?.replayedAtMs ?? ctx.now() });
      },
      (error: unknown) => {
        button.disabled = false;
        done({ ok: false, error });
      },
    );
  });
  return button;
}

function reasonCell(ctx: AdminContext, reason: string): HTMLElement {
  return h(
    'span',
    { class: 'reason' },
    ctx.at.tDynamic(`dead.reason.${reason}`, reason),
    h('br'),
    h('code', { class: 'small muted' }, reason),
  );
}

function stateText(ctx: AdminContext, letter: DeadLetter): string {
  return letter.replayedAtMs === null
    ? ctx.at.t('dead.waiting')
    : ctx.at.t('dead.replayedAt', { time: ctx.i18n.dateTime(letter.replayedAtMs) });
}

/** One dead letter with its whole payload, and its replay with the result beside the button. */
export async function deadLetterView(ctx: AdminContext, root: HTMLElement, id: string): Promise<Cleanup> {
  const { i18n, at } = ctx;
  const slot = h('div');
  root.append(
    h('p', {}, h('a', { href: '#/admin/ingest', class: 'back' }, `← ${at.t('dead.back')}`)),
    h('h2', {}, at.t('dead.detail.title', { id })),
    slot,
  );
  const answer = await withLoading(ctx, slot, () =>
    ctx.admin.deadLetter(id).then(
      (letter) => ({ kind: 'here' as const, letter }),
      (error: unknown) => {
        if (ingestElsewhere(error))
          return { kind: 'elsewhere' as const, serverMessage: (error as Error).message };
        throw error;
      },
    ),
  );
  if (answer === undefined) return () => undefined;
  if (answer.kind === 'elsewhere') {
    slot.append(elsewhere(ctx, answer.serverMessage));
    return () => undefined;
  }
  const shown = answer.letter;
  const state = h('dd', { id: 'letter-state' }, stateText(ctx, shown));
  const result = h('div', { id: 'replay-result', role: 'status' });
  const replay = replayButton(ctx, shown, (outcome) => {
    result.replaceChildren();
    if (outcome.ok) {
      state.textContent = at.t('dead.replayedAt', { time: i18n.dateTime(outcome.atMs) });
      result.dataset['outcome'] = 'replayed';
      result.className = 'notice';
      result.append(h('p', {}, at.t('dead.replayed')));
    } else {
      result.dataset['outcome'] = 'refused';
      result.className = 'error problem';
      result.append(...refusalLines(ctx, outcome.error));
    }
  });
  slot.append(
    h(
      'dl',
      { class: 'facts letter-facts' },
      h('div', {}, h('dt', {}, at.t('dead.col.received')), h('dd', {}, i18n.dateTime(shown.receivedAtMs))),
      h('div', {}, h('dt', {}, at.t('dead.col.reason')), h('dd', {}, reasonCell(ctx, shown.reason))),
      h('div', {}, h('dt', {}, at.t('dead.col.topic')), h('dd', {}, h('code', {}, shown.topic))),
      h('div', {}, h('dt', {}, at.t('dead.col.state')), state),
    ),
    h('h3', {}, at.t('dead.message')),
    h('pre', { class: 'payload message', lang: 'en', id: 'letter-message' }, shown.message),
    h(
      'h3',
      {},
      at.t('dead.payload', { bytes: i18n.number(shown.payloadBytes, 0), encoding: shown.payloadEncoding }),
    ),
    h('pre', { class: 'payload', id: 'letter-payload' }, payloadText(shown)),
    h('div', { class: 'buttons' }, replay),
    result,
  );
  return () => undefined;
}
