import type { AppContext, Cleanup } from '../app.js';
import { withLoading } from '../app.js';
import { ApiError } from '../api/client.js';
import type { Alarm } from '../api/types.js';
import { clear, h } from '../ui/dom.js';

type Filter = 'open' | 'all';

/** Alarms, newest first; officers and admins acknowledge a raised one here. */
export async function alarmsPage(ctx: AppContext, root: HTMLElement): Promise<Cleanup> {
  const { i18n } = ctx;
  let filter: Filter = 'open';
  const select = h(
    'select',
    { id: 'alarm-filter', 'aria-label': i18n.t('alarm.filter') },
    h('option', { value: 'open' }, i18n.t('alarm.filter.open')),
    h('option', { value: 'all' }, i18n.t('alarm.filter.all')),
  );
  const slot = h('div');
  root.append(
    h('h1', {}, i18n.t('alarm.title')),
    h('label', { class: 'inline' }, `${i18n.t('alarm.filter')} `, select),
    slot,
    h('p', { class: 'muted small' }, i18n.t('app.timeZoneNote')),
  );
  const alarms = new Map<string, Alarm>();
  const headers = [
    'alarm.col.type',
    'alarm.col.vessel',
    'alarm.col.state',
    'alarm.col.raised',
    'alarm.col.detail',
    'alarm.col.action',
  ].map((k) => i18n.tDynamic(k));
  const tbody = h('tbody');

  function row(alarm: Alarm): HTMLTableRowElement {
    const action: Node | string = (() => {
      if (alarm.state === 'raised' && ctx.access.acknowledge) {
        const button = h(
          'button',
          { type: 'button', class: 'ack', 'data-alarm': alarm.id },
          i18n.t('alarm.acknowledge'),
        );
        button.addEventListener('click', () => {
          button.disabled = true;
          ctx.api
            .acknowledge(alarm.id)
            .then((updated) => put(updated))
            .catch((error: unknown) => {
              button.disabled = false;
              button.title = error instanceof ApiError ? error.message : String(error);
              button.classList.add('failed');
            });
        });
        return button;
      }
      if (alarm.acknowledgedBy !== null) {
        return i18n.t('alarm.acknowledgedBy', {
          user: alarm.acknowledgedBy,
          time: i18n.dateTime(alarm.acknowledgedAtMs),
        });
      }
      return i18n.t('common.missing');
    })();
    const cells: (Node | string)[] = [
      i18n.tDynamic(`alarm.type.${alarm.type}`, alarm.type),
      alarm.vesselId === null
        ? i18n.t('alarm.fleetWide')
        : h('a', { href: `#/vessel/${encodeURIComponent(alarm.vesselId)}` }, alarm.vesselId),
      h(
        'span',
        { class: `alarm-state ${alarm.state}` },
        i18n.tDynamic(`alarm.state.${alarm.state}`, alarm.state),
      ),
      i18n.dateTime(alarm.raisedAtMs),
      h('span', { lang: 'en', class: 'detail' }, alarm.detail),
      action,
    ];
    return h(
      'tr',
      { 'data-alarm': alarm.id, 'data-state': alarm.state },
      ...cells.map((cell, i) => h('td', { 'data-label': headers[i] ?? '' }, cell)),
    );
  }

  function put(alarm: Alarm): void {
    alarms.set(alarm.id, alarm);
    const existing = tbody.querySelector(`tr[data-alarm="${CSS.escape(alarm.id)}"]`);
    const visible = filter === 'all' || alarm.state === 'raised';
    if (existing) {
      existing.replaceWith(row(alarm));
    } else if (visible) {
      tbody.prepend(row(alarm));
    }
    empty.hidden = tbody.children.length > 0;
  }

  const empty = h('p', { class: 'muted', hidden: true }, i18n.t('alarm.none'));
  const load = async (): Promise<void> => {
    const list = await withLoading(ctx, slot, () =>
      ctx.api.alarms(filter === 'open' ? { state: 'raised', limit: 200 } : { limit: 200 }),
    );
    if (list === undefined) return;
    alarms.clear();
    clear(tbody);
    for (const alarm of list) {
      alarms.set(alarm.id, alarm);
      tbody.append(row(alarm));
    }
    empty.hidden = list.length > 0;
    slot.append(
      h(
        'table',
        { class: 'data alarms', id: 'alarms-table' },
        h('thead', {}, h('tr', {}, ...headers.map((x) => h('th', { scope: 'col' }, x)))),
        tbody,
      ),
      empty,
    );
  };
  select.addEventListener('change', () => {
    filter = select.value === 'all' ? 'all' : 'open';
    void load();
  });
  await load();
  return ctx.live.subscribe({ alarm: put });
}
