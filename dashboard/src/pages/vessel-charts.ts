import type { SeriesResponse, StreamEvents, VesselDetail } from '../api/types.js';
import { energyPerInterval, expectedPower, field, withGaps, type XY } from '../charts/series.js';
import type { TimeChart, TimeSeriesSpec } from '../charts/time-chart.js';
import type { I18n } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';

/** One chart panel: its canvas id, its title, the unit of its y axis and its lines. */
interface ChartPanel {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly series: TimeSeriesSpec[];
}

const kw = (xy: XY[]): XY[] => xy.map((p) => ({ x: p.x, y: p.y === null ? null : p.y / 1000 }));

function powerPanel(i18n: I18n, vessel: VesselDetail, { points, stepMs }: SeriesResponse): ChartPanel {
  return {
    id: 'chart-power',
    title: i18n.t('vessel.chart.power'),
    unit: i18n.t('unit.kw'),
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
  };
}

function energyPanel(i18n: I18n, { points, stepMs }: SeriesResponse): ChartPanel {
  return {
    id: 'chart-energy',
    title: i18n.t('vessel.chart.energy'),
    unit: i18n.t('unit.kwh'),
    series: [
      {
        label: i18n.t('vessel.series.energy'),
        colour: '#15803d',
        data: energyPerInterval(points, stepMs),
        stepped: true,
      },
    ],
  };
}

function fuelPanel(i18n: I18n, { points, stepMs }: SeriesResponse): ChartPanel {
  return {
    id: 'chart-fuel',
    title: i18n.t('vessel.chart.fuel'),
    unit: i18n.t('unit.lph'),
    series: [
      {
        label: i18n.t('vessel.series.fuel'),
        colour: '#7c2d12',
        data: withGaps(points, stepMs, field('fuelRateLph')),
      },
    ],
  };
}

function lampsPanel(i18n: I18n, { points, stepMs }: SeriesResponse): ChartPanel {
  return {
    id: 'chart-lamps',
    title: i18n.t('vessel.chart.lamps'),
    unit: i18n.t('unit.lamps'),
    series: [
      {
        label: i18n.t('vessel.series.lamps'),
        colour: '#6d28d9',
        data: withGaps(points, stepMs, field('lampsOn')),
        stepped: true,
      },
    ],
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

/** Power (with the expected line), energy per interval, fuel rate and lamps on: in this order. */
export async function drawCharts(
  i18n: I18n,
  parent: HTMLElement,
  vessel: VesselDetail,
  series: SeriesResponse,
  fromMs: number,
  toMs: number,
): Promise<TimeChart[]> {
  // Chart.js is loaded with the first vessel page: the fleet overview on a phone does without it.
  const { createTimeChart } = await import('../charts/time-chart.js');
  const panels = [
    powerPanel(i18n, vessel, series),
    energyPanel(i18n, series),
    fuelPanel(i18n, series),
    lampsPanel(i18n, series),
  ].map((panel) => ({ panel, box: chartBox(panel.title, panel.id) }));
  parent.append(
    h('div', { class: 'charts' }, ...panels.map(({ box }) => box.section)),
    h('p', { class: 'muted small' }, `${i18n.t('vessel.chart.gapsNote')} ${i18n.t('app.timeZoneNote')}`),
  );
  const { stepMs } = series;
  return panels.map(({ panel, box }) =>
    createTimeChart(box.canvas, i18n, { unit: panel.unit, stepMs, fromMs, toMs, series: panel.series }),
  );
}

/** A live reading on the charts `drawCharts` returned (none while they load or after they are gone). */
export function appendLiveReading(
  charts: readonly TimeChart[],
  vessel: VesselDetail,
  reading: StreamEvents['reading'],
): void {
  if (typeof reading.deviceTimeMs !== 'number' || charts.length === 0) return;
  const x = reading.deviceTimeMs;
  const point = (y: number | null | undefined): XY => ({ x, y: y ?? null });
  // Power and lamps move live; per-interval energy and fuel rate need whole buckets (next load).
  const [power, , , lamps] = charts;
  const lampsOn = reading.lampsOn ?? null;
  const toKw = (w: number | null | undefined): number | null =>
    w === null || w === undefined ? null : w / 1000;
  const ratedW = vessel.ledLamps?.ratedW ?? null;
  power?.append([
    point(toKw(reading.ledPowerW)),
    point(lampsOn === null || ratedW === null ? null : toKw(lampsOn * ratedW)),
  ]);
  lamps?.append([point(lampsOn)]);
}
