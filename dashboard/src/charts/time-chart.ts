import {
  Chart,
  type ChartConfiguration,
  Decimation,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  Tooltip,
} from 'chart.js';
import type { I18n } from '../i18n/i18n.js';
import type { XY } from './series.js';

// Only what the vessel charts use, so the rest of Chart.js is shaken out of the bundle.
Chart.register(LineController, LineElement, PointElement, LinearScale, Tooltip, Legend, Decimation);

export interface TimeSeriesSpec {
  label: string;
  colour: string;
  data: XY[];
  dashed?: boolean;
  stepped?: boolean;
}

export interface TimeChart {
  readonly chart: Chart<'line', XY[]>;
  /** Appends live points without animation or a full redraw. */
  append(points: readonly (XY | undefined)[]): void;
  destroy(): void;
}

/**
 * A line chart over time. No date adapter is installed (chart.js's time scale needs one), so the x axis is
 * linear in epoch milliseconds with ticks written by Intl in Viet Nam time. Gaps are `null` points with
 * `spanGaps: false`. Decimation is min-max: it keeps a point that is alone in its pixel column, so a gap
 * wider than a pixel survives (LTTB would average the `null` away and join the line).
 */
export function createTimeChart(
  canvas: HTMLCanvasElement,
  i18n: I18n,
  spec: {
    series: TimeSeriesSpec[];
    unit: string;
    fromMs: number;
    toMs: number;
    stepMs: number;
    beginAtZero?: boolean;
  },
): TimeChart {
  const config: ChartConfiguration<'line', XY[]> = {
    type: 'line',
    data: {
      datasets: spec.series.map((s) => ({
        label: s.label,
        data: s.data,
        borderColor: s.colour,
        backgroundColor: s.colour,
        borderWidth: 1.5,
        borderDash: s.dashed === true ? [5, 4] : [],
        pointRadius: 0,
        pointHitRadius: 6,
        spanGaps: false,
        stepped: s.stepped === true ? 'after' : false,
        indexAxis: 'x',
      })),
    },
    options: {
      animation: false,
      parsing: false,
      normalized: true,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      locale: i18n.locale,
      scales: {
        x: {
          type: 'linear',
          min: spec.fromMs,
          suggestedMax: spec.toMs,
          ticks: { maxTicksLimit: 6, maxRotation: 0, callback: (value) => i18n.shortDateTime(Number(value)) },
        },
        y: {
          beginAtZero: spec.beginAtZero ?? true,
          title: { display: true, text: spec.unit },
          ticks: { callback: (value) => i18n.number(Number(value), 2) },
        },
      },
      plugins: {
        decimation: { enabled: true, algorithm: 'min-max' },
        legend: { display: spec.series.length > 1, position: 'bottom', labels: { boxHeight: 2 } },
        tooltip: {
          callbacks: {
            title: (items) => i18n.dateTime(items[0]?.parsed.x ?? null),
            label: (item) => `${item.dataset.label ?? ''}: ${i18n.number(item.parsed.y, 2)} ${spec.unit}`,
          },
        },
      },
    },
  };
  const chart = new Chart<'line', XY[]>(canvas, config);
  // What is drawn, readable from the page (tests, support staff): points with a value and gap markers.
  const describe = (): void => {
    const all = chart.data.datasets.flatMap((d) => (d as { _data?: XY[] })._data ?? d.data);
    canvas.dataset['points'] = String(all.filter((p) => p.y !== null).length);
    canvas.dataset['gaps'] = String(all.filter((p) => p.y === null).length);
  };
  describe();
  return {
    chart,
    append(points) {
      let changed = false;
      for (const [i, point] of points.entries()) {
        const dataset = chart.data.datasets[i];
        if (point === undefined || dataset === undefined) continue;
        // While decimation is active, `data` is the decimated copy and the full series sits in `_data`.
        const data = (dataset as { _data?: XY[] })._data ?? dataset.data;
        const last = data[data.length - 1];
        if (last !== undefined && point.x <= last.x) continue;
        // A live point after a silence must not be joined to the old line.
        if (last !== undefined && point.x - last.x > spec.stepMs * 1.5)
          data.push({ x: last.x + spec.stepMs, y: null });
        data.push(point);
        changed = true;
      }
      if (changed) {
        chart.update('none');
        describe();
      }
    },
    destroy: () => chart.destroy(),
  };
}
