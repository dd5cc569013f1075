import type { AppContext, Cleanup } from '../app.js';
import { withLoading } from '../app.js';
import type { VesselId, VesselSummary } from '../api/types.js';
import type { I18n } from '../i18n/i18n.js';
import { type CoastMap, type MapMarker, createCoastMap } from '../map/coast-map.js';
import type { LatLon } from '../map/places.js';
import { h } from '../ui/dom.js';
import { fleetCounts, markerOf, officerOrder, positionOf, withReading } from './fleet-model.js';
import { type FleetTable, createFleetTable } from './fleet-table.js';

export { lastReportMs, positionOf } from './fleet-model.js';

/** The fleet overview: a map of the coast with every boat, and the table officers scan at the harbour. */
export async function fleetPage(ctx: AppContext, root: HTMLElement): Promise<Cleanup> {
  const { i18n } = ctx;
  const summary = h('p', { class: 'summary', id: 'fleet-summary' });
  const slot = h('div');
  root.append(h('h1', {}, i18n.t('fleet.title')), summary, slot);
  const list = await withLoading(ctx, slot, () => ctx.api.vessels());
  if (list === undefined) return () => undefined;

  const vessels = new Map<VesselId, VesselSummary>(list.map((v) => [v.vesselId, v]));
  const map = fleetMap(ctx, list);
  const noPosition = h('p', { class: 'muted small' });
  const fleetTable = createFleetTable(ctx, vessels);
  for (const v of officerOrder(list)) fleetTable.put(v);
  const refreshSummary = (): void => showSummary(i18n, [...vessels.values()], summary, noPosition);
  refreshSummary();
  slot.append(...fleetLayout(i18n, map, noPosition, fleetTable));

  const unsubscribe = subscribeFleetLive(ctx, vessels, (v) => {
    vessels.set(v.vesselId, v);
    fleetTable.put(v);
    const marker = markerOf(v);
    if (marker) map.updateMarker(marker);
    refreshSummary();
  });
  const stopTicker = startAgeTicker(ctx, root);
  return () => {
    unsubscribe();
    stopTicker();
  };
}

/** Every boat with a known position; a click opens the vessel. */
function fleetMap(ctx: AppContext, list: readonly VesselSummary[]): CoastMap {
  const positions = list.map(positionOf).filter((p): p is LatLon => p !== null);
  const open = (id: VesselId): void => ctx.navigate(`/vessel/${encodeURIComponent(id)}`);
  const map = createCoastMap(ctx.i18n, { onSelect: open, fitTo: positions });
  map.setMarkers(list.map(markerOf).filter((m): m is MapMarker => m !== null));
  return map;
}

/** The line under the title, and under the map how many boats it cannot place. */
function showSummary(
  i18n: I18n,
  all: readonly VesselSummary[],
  summary: HTMLElement,
  noPosition: HTMLElement,
): void {
  const { noPosition: missing, ...counts } = fleetCounts(all);
  summary.textContent = i18n.t('fleet.summary', counts);
  noPosition.textContent = missing > 0 ? i18n.t('map.noPosition', { count: missing }) : '';
}

function fleetLayout(
  i18n: I18n,
  map: CoastMap,
  noPosition: HTMLElement,
  fleetTable: FleetTable,
): HTMLElement[] {
  return [
    h(
      'div',
      { class: 'fleet-layout' },
      h('section', { class: 'map-panel' }, map.element, noPosition),
      h('section', { class: 'table-panel' }, fleetTable.filter, fleetTable.table),
    ),
    h('p', { class: 'muted small' }, i18n.t('app.timeZoneNote')),
  ];
}

/** Status changes and readings of the listed boats, each as the vessel after it. */
function subscribeFleetLive(
  ctx: AppContext,
  vessels: ReadonlyMap<VesselId, VesselSummary>,
  update: (v: VesselSummary) => void,
): () => void {
  return ctx.live.subscribe({
    status(status) {
      const v = vessels.get(status.vesselId);
      if (v) update({ ...v, status });
    },
    reading(reading) {
      const v = vessels.get(reading.vesselId);
      const next = v === undefined ? null : withReading(v, reading);
      if (next !== null) update(next);
    },
  });
}

/** Ages ("5 minutes ago") move on without any new data. */
function startAgeTicker(ctx: AppContext, root: HTMLElement): () => void {
  const ticker = window.setInterval(() => {
    for (const time of root.querySelectorAll<HTMLTimeElement>('time[data-age]')) {
      time.textContent = ctx.i18n.age(Number(time.dataset['age']), ctx.now());
    }
  }, 30_000);
  return () => window.clearInterval(ticker);
}
