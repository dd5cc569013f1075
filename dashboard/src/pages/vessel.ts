import type { AppContext, Cleanup } from '../app.js';
import { withLoading } from '../app.js';
import type {
  CompletenessCell,
  FishingNight,
  SeriesField,
  SeriesResponse,
  Trip,
  VesselDetail,
  VesselId,
} from '../api/types.js';
import { energyPerInterval, expectedPower, field, stepFor, withGaps, type XY } from '../charts/series.js';
import type { TimeChart } from '../charts/time-chart.js';
import { type I18n, addDays, localDateOf } from '../i18n/i18n.js';
import { createCoastMap } from '../map/coast-map.js';
import { splitTrack } from '../map/projection.js';
import { clear, h, table } from '../ui/dom.js';
import { statusBadge } from '../ui/status.js';

const RANGES = { day: 1, week: 7, month: 30 } as const;
type RangeKey = keyof typeof RANGES;
const DAY_MS = 86_400_000;
const FIELDS: readonly SeriesField[] = ['ledPowerW', 'ledEnergyKwh', 'lampsOn', 'fuelRateLph', 'lat', 'lon'];

/** One boat: is the LED system drawing what it should, where has it been, is its data complete. */
export async function vesselPage(
  ctx: AppContext,
  root: HTMLElement,
  params: readonly string[],
): Promise<Cleanup> {
  const { i18n } = ctx;
  const id = (params[0] ?? '') as VesselId;
  const back = h('a', { href: '#/fleet', class: 'back' }, `← ${i18n.t('common.back')}`);
  const header = h('div', { class: 'vessel-head' });
  const body = h('div');
  root.append(back, header, body);
  const vessel = await withLoading(ctx, body, () => ctx.api.vessel(id));
  if (vessel === undefined) return () => undefined;

  let statusSlot = statusBadge(i18n, vessel.status.status);
  const facts = h('dl', { class: 'facts' });
  const drawFacts = (v: VesselDetail): void => {
    clear(facts);
    const e = v.status.evidence;
    const fact = (term: string, value: string): void =>
      facts.append(h('div', {}, h('dt', {}, term), h('dd', {}, value)));
    fact(
      i18n.t('fleet.col.homePort'),
      `${v.homePort} · ${i18n.t('vessel.district', { district: v.district })}`,
    );
    fact(
      i18n.t('fleet.col.lastReport'),
      `${i18n.age(e.lastReadingAtMs, ctx.now())} · ${i18n.dateTime(e.lastReadingAtMs)}`,
    );
    fact(i18n.t('vessel.tripState'), i18n.t(`trip.${e.tripState}`));
    fact(
      i18n.t('vessel.position'),
      e.position === null
        ? i18n.t('common.missing')
        : `${i18n.number(e.position.lat, 4)}°N ${i18n.number(e.position.lon, 4)}°E` +
            (e.nearestPort !== null && e.distanceToPortNm !== null
              ? ` · ${i18n.t('vessel.nearestPort', { port: e.nearestPort, distance: i18n.quantity(e.distanceToPortNm, 'unit.nm') })}`
              : ''),
    );
    fact(i18n.t('fleet.col.ledPower'), `${i18n.power(e.ledPowerW)} / ${i18n.power(e.expectedLedPowerW)}`);
    fact(
      i18n.t('fleet.col.lampsOn'),
      e.lampsOn === null
        ? i18n.t('common.missing')
        : i18n.t('fleet.lampsOf', {
            on: i18n.number(e.lampsOn, 0),
            count: v.ledLamps?.count ?? i18n.t('common.missing'),
          }),
    );
    fact(
      i18n.t('vessel.queue'),
      e.heartbeat === null
        ? i18n.t('common.missing')
        : i18n.quantity(e.heartbeat.queueDepth, 'unit.readings', 0),
    );
    fact(
      i18n.t('vessel.clockSkew'),
      e.clockSkewMs === null ? i18n.t('common.missing') : i18n.quantity(e.clockSkewMs / 1000, 'unit.s', 1),
    );
  };
  drawFacts(vessel);
  const statusLine = h(
    'p',
    { class: 'status-line' },
    statusSlot,
    vessel.status.sinceMs === null
      ? ''
      : ` ${i18n.t('vessel.since', { time: i18n.dateTime(vessel.status.sinceMs) })}`,
  );
  clear(header);
  header.append(
    h(
      'h1',
      {},
      i18n.t('vessel.title', { id: vessel.vesselId }),
      h('span', { class: 'muted' }, ` ${vessel.name}`),
    ),
    statusLine,
    vessel.ledLamps === null
      ? ''
      : h(
          'p',
          { class: 'muted' },
          i18n.t('vessel.lamps', {
            count: vessel.ledLamps.count,
            ratedW: i18n.quantity(vessel.ledLamps.ratedW, 'unit.w', 0),
          }),
        ),
    facts,
    h(
      'details',
      { class: 'evidence' },
      h('summary', {}, i18n.t('vessel.evidence')),
      h('p', { lang: 'en' }, vessel.status.explanation),
    ),
  );

  const rangeButtons = h('div', { class: 'segmented', role: 'group', 'aria-label': i18n.t('vessel.range') });
  const content = h('div');
  body.append(rangeButtons, content);
  let charts: TimeChart[] = [];
  let range: RangeKey = 'week';
  const destroyCharts = (): void => {
    for (const c of charts) c.destroy();
    charts = [];
  };

  const drawRange = async (): Promise<void> => {
    for (const b of rangeButtons.querySelectorAll('button'))
      b.setAttribute('aria-pressed', String(b.dataset['range'] === range));
    destroyCharts();
    const toMs = ctx.now();
    const fromMs = toMs - RANGES[range] * DAY_MS;
    const { step } = stepFor(toMs - fromMs);
    const today = localDateOf(toMs);
    const loaded = await withLoading(ctx, content, () =>
      Promise.all([
        ctx.api.series(id, { fromMs, toMs, step, fields: FIELDS }),
        ctx.api.trips({ vessel: id, fromMs: toMs - 30 * DAY_MS, toMs }),
        ctx.api.nights({ vessel: id, fromMs: toMs - 30 * DAY_MS, toMs }),
        ctx.api.completeness({ from: addDays(today, -29), to: addDays(today, 1) }),
      ]),
    );
    if (loaded === undefined) return;
    const [series, trips, nights, completeness] = loaded;
    charts = await drawCharts(i18n, content, vessel, series, fromMs, toMs);
    content.append(
      trackSection(i18n, series),
      h('section', { class: 'panel' }, h('h2', {}, i18n.t('vessel.trips')), tripsTable(i18n, trips)),
      h('section', { class: 'panel' }, h('h2', {}, i18n.t('vessel.nights')), nightsTable(i18n, nights)),
      h(
        'section',
        { class: 'panel' },
        h('h2', {}, i18n.t('vessel.completeness')),
        heatmap(i18n, completeness.vessels.find((v) => v.vesselId === id)?.cells ?? []),
      ),
    );
  };
  for (const key of Object.keys(RANGES) as RangeKey[]) {
    const button = h(
      'button',
      { type: 'button', class: 'secondary', 'data-range': key },
      i18n.t(`vessel.range.${key}`),
    );
    button.addEventListener('click', () => {
      range = key;
      void drawRange();
    });
    rangeButtons.append(button);
  }
  await drawRange();

  const unsubscribe = ctx.live.subscribe({
    status(status) {
      if (status.vesselId !== id) return;
      const next = statusBadge(i18n, status.status);
      statusSlot.replaceWith(next);
      statusSlot = next;
      drawFacts({ ...vessel, status });
    },
    reading(reading) {
      if (reading.vesselId !== id || typeof reading.deviceTimeMs !== 'number' || charts.length === 0) return;
      const x = reading.deviceTimeMs;
      const point = (y: number | null | undefined): XY => ({ x, y: y ?? null });
      // Power and lamps move live; per-interval energy and fuel rate need whole buckets (next load).
      const [power, , , lamps] = charts;
      const lampsOn = reading.lampsOn ?? null;
      const kw = (w: number | null | undefined): number | null =>
        w === null || w === undefined ? null : w / 1000;
      const ratedW = vessel.ledLamps?.ratedW ?? null;
      power?.append([
        point(kw(reading.ledPowerW)),
        point(lampsOn === null || ratedW === null ? null : kw(lampsOn * ratedW)),
      ]);
      lamps?.append([point(lampsOn)]);
    },
  });
  return () => {
    unsubscribe();
    destroyCharts();
  };
}

function chartBox(title: string, id: string): { section: HTMLElement; canvas: HTMLCanvasElement } {
  const canvas = h('canvas', { id, role: 'img', 'aria-label': title });
  const section = h(
    'section',
    { class: 'panel chart' },
    h('h2', {}, title),
    h('div', { class: 'chart-box' }, canvas),
  );
  return { section, canvas };
}

async function drawCharts(
  i18n: I18n,
  parent: HTMLElement,
  vessel: VesselDetail,
  series: SeriesResponse,
  fromMs: number,
  toMs: number,
): Promise<TimeChart[]> {
  // Chart.js is loaded with the first vessel page: the fleet overview on a phone does without it.
  const { createTimeChart } = await import('../charts/time-chart.js');
  const { points, stepMs } = series;
  const power = chartBox(i18n.t('vessel.chart.power'), 'chart-power');
  const energy = chartBox(i18n.t('vessel.chart.energy'), 'chart-energy');
  const fuel = chartBox(i18n.t('vessel.chart.fuel'), 'chart-fuel');
  const lamps = chartBox(i18n.t('vessel.chart.lamps'), 'chart-lamps');
  parent.append(
    h('div', { class: 'charts' }, power.section, energy.section, fuel.section, lamps.section),
    h('p', { class: 'muted small' }, `${i18n.t('vessel.chart.gapsNote')} ${i18n.t('app.timeZoneNote')}`),
  );
  const kw = (xy: XY[]): XY[] => xy.map((p) => ({ x: p.x, y: p.y === null ? null : p.y / 1000 }));
  return [
    createTimeChart(power.canvas, i18n, {
      unit: i18n.t('unit.kw'),
      stepMs,
      fromMs,
      toMs,
      series: [
        {
          label: i18n.t('vessel.series.power'),
          colour: '#0b4f6c',
          data: kw(withGaps(points, stepMs, field('ledPowerW'))),
        },
        // Without a configuration there is no rated power, so no expected line (an empty series).
        {
          label: i18n.t('vessel.series.expected'),
          colour: '#d97706',
          dashed: true,
          data: vessel.ledLamps === null ? [] : kw(expectedPower(points, stepMs, vessel.ledLamps.ratedW)),
        },
      ],
    }),
    createTimeChart(energy.canvas, i18n, {
      unit: i18n.t('unit.kwh'),
      stepMs,
      fromMs,
      toMs,
      series: [
        {
          label: i18n.t('vessel.series.energy'),
          colour: '#15803d',
          data: energyPerInterval(points, stepMs),
          stepped: true,
        },
      ],
    }),
    createTimeChart(fuel.canvas, i18n, {
      unit: i18n.t('unit.lph'),
      stepMs,
      fromMs,
      toMs,
      series: [
        {
          label: i18n.t('vessel.series.fuel'),
          colour: '#7c2d12',
          data: withGaps(points, stepMs, field('fuelRateLph')),
        },
      ],
    }),
    createTimeChart(lamps.canvas, i18n, {
      unit: i18n.t('unit.lamps'),
      stepMs,
      fromMs,
      toMs,
      series: [
        {
          label: i18n.t('vessel.series.lamps'),
          colour: '#6d28d9',
          data: withGaps(points, stepMs, field('lampsOn')),
          stepped: true,
        },
      ],
    }),
  ];
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
  const colour = (ratio: number | null): string => {
    if (ratio === null) return '#e5e7eb';
    const r = Math.max(0, Math.min(1, ratio));
    // From red (nothing) through amber to green (complete).
    const hue = Math.round(r * 120);
    return `hsl(${hue} 65% ${45 + (1 - r) * 10}%)`;
  };
  return h(
    'div',
    { class: 'heatmap-wrap' },
    h(
      'div',
      { class: 'heatmap', role: 'list' },
      ...cells.map((cell) =>
        h(
          'div',
          {
            class: 'cell',
            role: 'listitem',
            style: `background:${colour(cell.ratio)}`,
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
        ),
      ),
    ),
    h('p', { class: 'muted small' }, `${i18n.t('vessel.completenessLegend')} (%)`),
  );
}
