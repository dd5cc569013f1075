import type { AppContext } from '../app.js';
import type { VesselId, VesselSummary } from '../api/types.js';
import type { I18n } from '../i18n/i18n.js';
import { type Child, h } from '../ui/dom.js';
import { type DisplayStatus, statusBadge } from '../ui/status.js';
import { displayStatusOf, lastReportMs, matchesFilter } from './fleet-model.js';

/** The fleet table with its filter box; rows are replaced one at a time as live updates arrive. */
export interface FleetTable {
  readonly filter: HTMLInputElement;
  readonly table: HTMLTableElement;
  /** Adds the vessel's row, or replaces it in place. */
  put(v: VesselSummary): void;
  /** Lists these vessels, in this order, instead of the rows there are. */
  replaceAll(list: readonly VesselSummary[]): void;
}

export function fleetHeaders(i18n: I18n): string[] {
  return [
    i18n.t('fleet.col.vessel'),
    i18n.t('fleet.col.homePort'),
    i18n.t('fleet.col.status'),
    i18n.t('fleet.col.lastReport'),
    i18n.t('fleet.col.ledPower'),
    i18n.t('fleet.col.lampsOn'),
  ];
}

/** `loading`: the platform loads its simulated history, and rows show "history loading" for a status. */
export function createFleetTable(
  ctx: AppContext,
  vessels: ReadonlyMap<VesselId, VesselSummary>,
  loading: () => boolean,
): FleetTable {
  const { i18n } = ctx;
  const filter = h('input', {
    type: 'search',
    id: 'fleet-filter',
    placeholder: i18n.t('fleet.filter'),
    'aria-label': i18n.t('fleet.filter'),
  });
  const headers = fleetHeaders(i18n);
  const tbody = h('tbody');
  const rows = new Map<VesselId, HTMLTableRowElement>();

  function put(v: VesselSummary): void {
    const next = fleetRow(ctx, v, headers, loading());
    next.hidden = !matchesFilter(i18n, v, filter.value, loading());
    const previous = rows.get(v.vesselId);
    if (previous) previous.replaceWith(next);
    else tbody.append(next);
    rows.set(v.vesselId, next);
  }

  filter.addEventListener('input', () => {
    for (const [id, tr] of rows) {
      const v = vessels.get(id);
      if (v) tr.hidden = !matchesFilter(i18n, v, filter.value, loading());
    }
  });

  function replaceAll(list: readonly VesselSummary[]): void {
    tbody.replaceChildren();
    rows.clear();
    for (const v of list) put(v);
  }

  const table = h(
    'table',
    { class: 'data fleet', id: 'fleet-table' },
    h('thead', {}, h('tr', {}, ...headers.map((text) => h('th', { scope: 'col' }, text)))),
    tbody,
  );
  return { filter, table, put, replaceAll };
}

function fleetRow(
  ctx: AppContext,
  v: VesselSummary,
  headers: readonly string[],
  loading: boolean,
): HTMLTableRowElement {
  const status = displayStatusOf(v, loading);
  return h(
    'tr',
    { 'data-vessel': v.vesselId, 'data-status': status },
    ...fleetCells(ctx, v, status).map((cell, i) => h('td', { 'data-label': headers[i] ?? '' }, cell)),
  );
}

/** Vessel, home port, status, last report, LED power, lamps on: the columns of `fleetHeaders`. */
function fleetCells(ctx: AppContext, v: VesselSummary, status: DisplayStatus): Child[] {
  const { i18n } = ctx;
  const powerW = v.status.evidence.ledPowerW ?? v.latest?.ledPowerW ?? null;
  return [
    h(
      'a',
      { href: `#/vessel/${encodeURIComponent(v.vesselId)}`, class: 'vessel-link' },
      h('strong', {}, v.vesselId),
      h('span', { class: 'muted' }, ` ${v.name}`),
    ),
    v.homePort,
    statusBadge(i18n, status),
    lastReportCell(ctx, lastReportMs(v)),
    i18n.power(powerW),
    lampsOnText(i18n, v),
  ];
}

/** The age of the last report; `data-age` lets the page's ticker move it on. */
function lastReportCell(ctx: AppContext, last: number | null): HTMLTimeElement {
  const { i18n } = ctx;
  return h(
    'time',
    {
      datetime: last === null ? undefined : new Date(last).toISOString(),
      title: i18n.dateTime(last),
      'data-age': last ?? undefined,
    },
    i18n.age(last, ctx.now()),
  );
}

function lampsOnText(i18n: I18n, v: VesselSummary): string {
  const lampsOn = v.status.evidence.lampsOn ?? v.latest?.lampsOn ?? null;
  if (lampsOn === null) return i18n.t('common.missing');
  if (v.ledLamps === null) return i18n.number(lampsOn, 0);
  return i18n.t('fleet.lampsOf', { on: i18n.number(lampsOn, 0), count: v.ledLamps.count });
}
