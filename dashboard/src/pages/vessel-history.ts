import type {
  CompletenessCell,
  CompletenessMatrix,
  FishingNight,
  SeriesResponse,
  Trip,
  VesselId,
} from '../api/types.js';
import type { I18n } from '../i18n/i18n.js';
import { createCoastMap } from '../map/coast-map.js';
import { splitTrack } from '../map/projection.js';
import { h, table } from '../ui/dom.js';

/** What a vessel page shows under its charts, as the range's load returned it. */
export interface VesselHistory {
  readonly series: SeriesResponse;
  readonly trips: readonly Trip[];
  readonly nights: readonly FishingNight[];
  readonly completeness: CompletenessMatrix;
}

/** The track, the trips, the fishing nights and the completeness heatmap, in that order. */
export function historySections(i18n: I18n, id: VesselId, history: VesselHistory): HTMLElement[] {
  const cells = history.completeness.vessels.find((v) => v.vesselId === id)?.cells ?? [];
  return [
    trackSection(i18n, history.series),
    panel(i18n.t('vessel.trips'), tripsTable(i18n, history.trips)),
    panel(i18n.t('vessel.nights'), nightsTable(i18n, history.nights)),
    panel(i18n.t('vessel.completeness'), heatmap(i18n, cells)),
  ];
}

function panel(title: string, content: HTMLElement): HTMLElement {
  return h('section', { class: 'panel' }, h('h2', {}, title), content);
}

function trackSection(i18n: I18n, series: SeriesResponse): HTMLElement {
  const fixes = series.points.flatMap((p) => {
    const { lat, lon } = p.values;
    return typeof lat === 'number' && typeof lon === 'number' ? [{ tMs: p.tMs, lat, lon }] : [];
  });
  const map = createCoastMap(i18n, { fitTo: fixes });
  // A position missing for more than a few buckets is a gap in the track, not a straight line across it.
  map.setTrack(splitTrack(fixes, series.stepMs * 3));
  const last = fixes[fixes.length - 1];
  if (last)
    map.setMarkers([
      { vesselId: series.vesselId, label: series.vesselId, status: 'at-sea-reporting', position: last },
    ]);
  return h(
    'section',
    { class: 'panel track-panel' },
    h('h2', {}, i18n.t('vessel.track')),
    fixes.length === 0 ? h('p', { class: 'muted' }, i18n.t('common.noData')) : map.element,
  );
}

function tripsTable(i18n: I18n, trips: readonly Trip[]): HTMLElement {
  if (trips.length === 0) return h('p', { class: 'muted' }, i18n.t('vessel.noTrips'));
  return table(
    [
      'trip.col.departed',
      'trip.col.arrived',
      'trip.col.route',
      'trip.col.duration',
      'trip.col.distance',
      'trip.col.nights',
      'trip.col.energy',
      'trip.col.fuel',
    ].map((k) => i18n.tDynamic(k)),
    [...trips]
      .sort((a, b) => b.departedAtMs - a.departedAtMs)
      .map((trip) => [
        i18n.dateTime(trip.departedAtMs),
        trip.arrivedAtMs === null ? i18n.t('trip.underway') : i18n.dateTime(trip.arrivedAtMs),
        `${trip.departurePort} → ${trip.arrivalPort ?? '…'}`,
        i18n.quantity(trip.durationH, 'unit.h'),
        i18n.quantity(trip.distanceNm, 'unit.nm'),
        i18n.number(trip.nightsFished, 0),
        i18n.quantity(trip.ledEnergyKwh, 'unit.kwh'),
        i18n.quantity(trip.fuelL, 'unit.l', 0),
      ]),
    'data trips',
  );
}

function nightsTable(i18n: I18n, nights: readonly FishingNight[]): HTMLElement {
  if (nights.length === 0) return h('p', { class: 'muted' }, i18n.t('vessel.noNights'));
  return table(
    [
      'night.col.night',
      'night.col.start',
      'night.col.end',
      'night.col.hours',
      'night.col.energy',
      'night.col.fuel',
      'night.col.lampsOn',
    ].map((k) => i18n.tDynamic(k)),
    [...nights]
      .sort((a, b) => b.startMs - a.startMs)
      .map((night) => [
        i18n.localDate(night.night),
        i18n.shortDateTime(night.startMs),
        i18n.shortDateTime(night.endMs),
        i18n.quantity(night.hours, 'unit.h'),
        i18n.quantity(night.ledEnergyKwh, 'unit.kwh'),
        i18n.quantity(night.fuelL, 'unit.l', 0),
        i18n.number(night.meanLampsOn, 0),
      ]),
    'data nights',
  );
}

/** One square per day, darker the more of the expected readings arrived; the number is the share. */
function heatmap(i18n: I18n, cells: readonly CompletenessCell[]): HTMLElement {
  if (cells.length === 0) return h('p', { class: 'muted' }, i18n.t('common.noData'));
  return h(
    'div',
    { class: 'heatmap-wrap' },
    h('div', { class: 'heatmap', role: 'list' }, ...cells.map((cell) => heatmapCell(i18n, cell))),
    h('p', { class: 'muted small' }, `${i18n.t('vessel.completenessLegend')} (%)`),
  );
}

function heatmapCell(i18n: I18n, cell: CompletenessCell): HTMLElement {
  return h(
    'div',
    {
      class: 'cell',
      role: 'listitem',
      style: `background:${completenessColour(cell.ratio)}`,
      title: `${i18n.localDate(cell.day)}: ${i18n.percent(cell.ratio)} (${i18n.number(cell.received, 0)} / ${i18n.number(cell.expected, 0)} ${i18n.t('unit.readings')})`,
      'data-day': cell.day,
      'data-ratio': cell.ratio ?? '',
    },
    h('span', { class: 'day' }, cell.day.slice(8)),
    h(
      'span',
      { class: 'pct' },
      cell.ratio === null ? i18n.t('common.missing') : i18n.number(cell.ratio * 100, 0),
    ),
  );
}

/** From red (nothing) through amber to green (complete); grey without a ratio. */
function completenessColour(ratio: number | null): string {
  if (ratio === null) return '#e5e7eb';
  const r = Math.max(0, Math.min(1, ratio));
  const hue = Math.round(r * 120);
  return `hsl(${hue} 65% ${45 + (1 - r) * 10}%)`;
}
