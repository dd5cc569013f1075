import type { AppContext, Cleanup } from '../app.js';
import { withLoading } from '../app.js';
import type { PlatformPhase, VesselId, VesselSummary } from '../api/types.js';
import type { I18n } from '../i18n/i18n.js';
import { type CoastMap, type MapMarker, createCoastMap } from '../map/coast-map.js';
import type { LatLon } from '../map/places.js';
import { h } from '../ui/dom.js';
import {
  type FleetSummary,
  type FleetView,
  type HistoryLoad,
  fleetSummary,
  fleetView,
  historyLoadOf,
  markerOf,
  positionOf,
  withReading,
} from './fleet-model.js';
import { type FleetTable, createFleetTable } from './fleet-table.js';

export { lastReportMs, positionOf } from './fleet-model.js';

/** How often the page asks whether the history has loaded (the platform loads it in minutes). */
export const PHASE_POLL_MS = 2_000;

/**
 * The fleet overview: a map of the coast with every boat, and the table officers scan at the harbour.
 * While the embedded default loads its simulated history, a banner says so and the statuses (those of the
 * simulated past) read "history loading"; once the platform is live the page reloads the fleet.
 */
export async function fleetPage(ctx: AppContext, root: HTMLElement): Promise<Cleanup> {
  const { i18n } = ctx;
  const banner = h('div', { class: 'phase-banner', id: 'history-banner', role: 'status', hidden: true });
  const summary = h('p', { class: 'summary', id: 'fleet-summary' });
  const slot = h('div');
  root.append(h('h1', {}, i18n.t('fleet.title')), banner, summary, slot);
  // A phase that cannot be read (an older API, a hiccup) leaves the page as it always was: live.
  const loaded = await withLoading(ctx, slot, () =>
    Promise.all([ctx.api.vessels(), ctx.api.platformPhase().catch(() => null)]),
  );
  if (loaded === undefined) return () => undefined;
  const [list, firstPhase] = loaded;

  let phase = firstPhase;
  const loading = (): boolean => historyLoadOf(phase) !== null;
  const vessels = new Map<VesselId, VesselSummary>(list.map((v) => [v.vesselId, v]));
  const currentView = (): FleetView => fleetView([...vessels.values()], phase);
  const noPosition = h('p', { class: 'muted small' });
  const fleetTable = createFleetTable(ctx, vessels, loading);
  let map = fleetMap(ctx, list, currentView().markers);
  /** Everything at once: the first draw, and the fleet reloaded once live. */
  const draw = (): void => {
    const view = currentView();
    fleetTable.replaceAll(view.rows.map((r) => r.vessel));
    showBanner(i18n, view.historyLoad, banner);
    showSummary(i18n, view.summary, summary, noPosition);
  };
  draw();
  slot.append(...fleetLayout(i18n, map, noPosition, fleetTable));

  const unsubscribe = subscribeFleetLive(ctx, vessels, (v) => {
    vessels.set(v.vesselId, v);
    fleetTable.put(v);
    const marker = markerOf(v, loading());
    if (marker) map.updateMarker(marker);
    showSummary(i18n, fleetSummary([...vessels.values()], loading()), summary, noPosition);
  });
  const stopTicker = startAgeTicker(ctx, root);
  const stopPolling = loading()
    ? pollPhase(ctx, {
        onProgress(next) {
          phase = next;
          showBanner(i18n, historyLoadOf(phase), banner);
        },
        async onLive(next) {
          // What the page holds is the simulated past's: the fleet as it is now, afresh.
          const fresh = await ctx.api.vessels();
          phase = next;
          vessels.clear();
          for (const v of fresh) vessels.set(v.vesselId, v);
          const redrawn = fleetMap(ctx, fresh, currentView().markers);
          map.element.replaceWith(redrawn.element);
          map = redrawn;
          draw();
        },
      })
    : () => undefined;
  return () => {
    unsubscribe();
    stopTicker();
    stopPolling();
  };
}

/**
 * Asks for the platform's phase every {@link PHASE_POLL_MS} until it is live and `onLive` succeeded (a
 * failed reload is tried again at the next tick). One request at a time; nothing after the page is left.
 */
function pollPhase(
  ctx: AppContext,
  handlers: { onProgress(phase: PlatformPhase): void; onLive(phase: PlatformPhase): Promise<void> },
): () => void {
  let stopped = false;
  let busy = false;
  const tick = async (): Promise<void> => {
    const phase = await ctx.api.platformPhase();
    if (stopped) return;
    if (historyLoadOf(phase) !== null) {
      handlers.onProgress(phase);
      return;
    }
    await handlers.onLive(phase);
    stop();
  };
  const timer = window.setInterval(() => {
    if (busy || stopped) return;
    busy = true;
    tick()
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  }, PHASE_POLL_MS);
  function stop(): void {
    stopped = true;
    window.clearInterval(timer);
  }
  return stop;
}

/** Every boat with a known position; a click opens the vessel. */
function fleetMap(ctx: AppContext, list: readonly VesselSummary[], markers: readonly MapMarker[]): CoastMap {
  const positions = list.map(positionOf).filter((p): p is LatLon => p !== null);
  const open = (id: VesselId): void => ctx.navigate(`/vessel/${encodeURIComponent(id)}`);
  const map = createCoastMap(ctx.i18n, { onSelect: open, fitTo: positions });
  map.setMarkers(markers);
  return map;
}

/** "Loading the fleet's history: simulated time …, 42 %", or nothing once live. */
function showBanner(i18n: I18n, load: HistoryLoad | null, banner: HTMLElement): void {
  banner.hidden = load === null;
  if (load === null) {
    banner.replaceChildren();
    return;
  }
  const progress = h('progress', { max: 1, value: load.fraction, 'aria-hidden': 'true' });
  banner.dataset['phase'] = load.phase;
  banner.replaceChildren(
    h(
      'p',
      { class: 'phase-line' },
      i18n.t(load.phase === 'history' ? 'fleet.phase.history' : 'fleet.phase.catching-up', {
        time: i18n.dateTime(load.simulatedMs),
        percent: i18n.percent(load.fraction),
      }),
    ),
    progress,
    h('p', { class: 'small' }, i18n.t('fleet.phase.note')),
  );
}

/** The line under the title, and under the map how many boats it cannot place. */
function showSummary(
  i18n: I18n,
  { line, noPosition: missing }: FleetSummary,
  summary: HTMLElement,
  noPosition: HTMLElement,
): void {
  summary.textContent = i18n.t(line.key, line.params);
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
