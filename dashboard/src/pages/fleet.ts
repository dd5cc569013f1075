import type { AppContext, Cleanup } from '../app.js';
import { withLoading } from '../app.js';
import type { LatestReading, VesselId, VesselStatus, VesselSummary } from '../api/types.js';
import { type MapMarker, createCoastMap } from '../map/coast-map.js';
import type { LatLon } from '../map/places.js';
import { h } from '../ui/dom.js';
import { ATTENTION, statusBadge } from '../ui/status.js';

export function positionOf(v: VesselSummary): LatLon | null {
  const p = v.status.evidence.position;
  if (p) return { lat: p.lat, lon: p.lon };
  if (v.latest && v.latest.lat !== null && v.latest.lon !== null)
    return { lat: v.latest.lat, lon: v.latest.lon };
  return null;
}

export function lastReportMs(v: VesselSummary): number | null {
  return v.status.evidence.lastReadingAtMs ?? v.latest?.deviceTimeMs ?? null;
}

/** The fleet overview: a map of the coast with every boat, and the table officers scan at the harbour. */
export async function fleetPage(ctx: AppContext, root: HTMLElement): Promise<Cleanup> {
  const { i18n } = ctx;
  const heading = h('h1', {}, i18n.t('fleet.title'));
  const summary = h('p', { class: 'summary', id: 'fleet-summary' });
  const slot = h('div');
  root.append(heading, summary, slot);
  const list = await withLoading(ctx, slot, () => ctx.api.vessels());
  if (list === undefined) return () => undefined;

  const vessels = new Map<VesselId, VesselSummary>(list.map((v) => [v.vesselId, v]));
  const positions = list.map(positionOf).filter((p): p is LatLon => p !== null);
  const open = (id: VesselId): void => ctx.navigate(`/vessel/${encodeURIComponent(id)}`);
  const map = createCoastMap(i18n, { onSelect: open, fitTo: positions });
  const markerOf = (v: VesselSummary): MapMarker | null => {
    const position = positionOf(v);
    return position === null
      ? null
      : { vesselId: v.vesselId, label: v.vesselId, status: v.status.status, position };
  };
  map.setMarkers(list.map(markerOf).filter((m): m is MapMarker => m !== null));
  const noPosition = h('p', { class: 'muted small' });

  const filter = h('input', {
    type: 'search',
    id: 'fleet-filter',
    placeholder: i18n.t('fleet.filter'),
    'aria-label': i18n.t('fleet.filter'),
  });
  const headers = [
    i18n.t('fleet.col.vessel'),
    i18n.t('fleet.col.homePort'),
    i18n.t('fleet.col.status'),
    i18n.t('fleet.col.lastReport'),
    i18n.t('fleet.col.ledPower'),
    i18n.t('fleet.col.lampsOn'),
  ];
  const tbody = h('tbody');
  const rows = new Map<VesselId, HTMLTableRowElement>();

  function row(v: VesselSummary): HTMLTableRowElement {
    const lampsOn = v.status.evidence.lampsOn ?? v.latest?.lampsOn ?? null;
    const powerW = v.status.evidence.ledPowerW ?? v.latest?.ledPowerW ?? null;
    const last = lastReportMs(v);
    const cells = [
      h(
        'a',
        { href: `#/vessel/${encodeURIComponent(v.vesselId)}`, class: 'vessel-link' },
        h('strong', {}, v.vesselId),
        h('span', { class: 'muted' }, ` ${v.name}`),
      ),
      v.homePort,
      statusBadge(i18n, v.status.status),
      h(
        'time',
        {
          datetime: last === null ? undefined : new Date(last).toISOString(),
          title: i18n.dateTime(last),
          'data-age': last ?? undefined,
        },
        i18n.age(last, ctx.now()),
      ),
      i18n.power(powerW),
      lampsOn === null
        ? i18n.t('common.missing')
        : v.ledLamps === null
          ? i18n.number(lampsOn, 0)
          : i18n.t('fleet.lampsOf', { on: i18n.number(lampsOn, 0), count: v.ledLamps.count }),
    ];
    const tr = h(
      'tr',
      { 'data-vessel': v.vesselId, 'data-status': v.status.status },
      ...cells.map((cell, i) => h('td', { 'data-label': headers[i] ?? '' }, cell)),
    );
    tr.hidden = !matches(v, filter.value);
    return tr;
  }

  function matches(v: VesselSummary, text: string): boolean {
    const q = text.trim().toLowerCase();
    return (
      q === '' ||
      `${v.vesselId} ${v.name} ${v.homePort} ${i18n.tDynamic(`status.${v.status.status}`)}`
        .toLowerCase()
        .includes(q)
    );
  }

  function put(v: VesselSummary): void {
    const next = row(v);
    const previous = rows.get(v.vesselId);
    if (previous) previous.replaceWith(next);
    else tbody.append(next);
    rows.set(v.vesselId, next);
  }

  function refreshSummary(): void {
    const all = [...vessels.values()];
    const count = (pred: (s: VesselStatus) => boolean): number => all.filter((v) => pred(v.status)).length;
    summary.textContent = i18n.t('fleet.summary', {
      total: all.length,
      atSea: count((s) => s.evidence.tripState === 'at-sea'),
      inPort: count((s) => s.evidence.tripState === 'in-port'),
      attention: count((s) => ATTENTION.has(s.status)),
    });
    const missing = all.filter((v) => positionOf(v) === null).length;
    noPosition.textContent = missing > 0 ? i18n.t('map.noPosition', { count: missing }) : '';
  }

  // Officers look for trouble first: boats needing attention, then at sea, then the rest, by id.
  const rank = (v: VesselSummary): number =>
    ATTENTION.has(v.status.status) ? 0 : v.status.evidence.tripState === 'at-sea' ? 1 : 2;
  for (const v of [...list].sort((a, b) => rank(a) - rank(b) || a.vesselId.localeCompare(b.vesselId))) put(v);
  refreshSummary();
  filter.addEventListener('input', () => {
    for (const [id, tr] of rows) {
      const v = vessels.get(id);
      if (v) tr.hidden = !matches(v, filter.value);
    }
  });

  const table = h(
    'table',
    { class: 'data fleet', id: 'fleet-table' },
    h('thead', {}, h('tr', {}, ...headers.map((text) => h('th', { scope: 'col' }, text)))),
    tbody,
  );
  slot.append(
    h(
      'div',
      { class: 'fleet-layout' },
      h('section', { class: 'map-panel' }, map.element, noPosition),
      h('section', { class: 'table-panel' }, filter, table),
    ),
    h('p', { class: 'muted small' }, i18n.t('app.timeZoneNote')),
  );

  function update(v: VesselSummary): void {
    vessels.set(v.vesselId, v);
    put(v);
    const marker = markerOf(v);
    if (marker) map.updateMarker(marker);
    refreshSummary();
  }

  const unsubscribe = ctx.live.subscribe({
    status(status) {
      const v = vessels.get(status.vesselId);
      if (v) update({ ...v, status });
    },
    reading(reading) {
      const v = vessels.get(reading.vesselId);
      const { deviceTimeMs, receivedAtMs } = reading;
      if (v === undefined || typeof deviceTimeMs !== 'number' || typeof receivedAtMs !== 'number') return;
      const latest: LatestReading = {
        deviceTimeMs,
        receivedAtMs,
        ledPowerW: reading.ledPowerW ?? null,
        ledEnergyKwh: reading.ledEnergyKwh ?? null,
        lampsOn: reading.lampsOn ?? null,
        fuelTotalL: reading.fuelTotalL ?? null,
        fuelRateLph: reading.fuelRateLph ?? null,
        lat: reading.lat ?? null,
        lon: reading.lon ?? null,
        speedKn: reading.speedKn ?? null,
      };
      // The status carries the officer-facing evidence; a reading only freshens the figures shown.
      const evidence = {
        ...v.status.evidence,
        lastReadingAtMs: Math.max(v.status.evidence.lastReadingAtMs ?? 0, latest.deviceTimeMs),
      };
      if (latest.ledPowerW !== null) evidence.ledPowerW = latest.ledPowerW;
      if (latest.lampsOn !== null) evidence.lampsOn = latest.lampsOn;
      if (latest.lat !== null && latest.lon !== null)
        evidence.position = { lat: latest.lat, lon: latest.lon, atMs: latest.deviceTimeMs };
      update({ ...v, latest, status: { ...v.status, evidence } });
    },
  });
  // Ages ("5 minutes ago") move on without any new data.
  const ticker = window.setInterval(() => {
    for (const time of root.querySelectorAll<HTMLTimeElement>('time[data-age]')) {
      time.textContent = i18n.age(Number(time.dataset['age']), ctx.now());
    }
  }, 30_000);
  return () => {
    unsubscribe();
    window.clearInterval(ticker);
  };
}
