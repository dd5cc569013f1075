import type { AppContext, Cleanup } from '../app.js';
import { withLoading } from '../app.js';
import type { SeriesField, VesselDetail, VesselId } from '../api/types.js';
import { stepFor } from '../charts/series.js';
import type { TimeChart } from '../charts/time-chart.js';
import { addDays, localDateOf } from '../i18n/i18n.js';
import { h } from '../ui/dom.js';
import { appendLiveReading, drawCharts } from './vessel-charts.js';
import { type VesselHeader, renderVesselHeader } from './vessel-header.js';
import { type VesselHistory, historySections } from './vessel-history.js';

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
  const id = (params[0] ?? '') as VesselId;
  const back = h('a', { href: '#/fleet', class: 'back' }, `← ${ctx.i18n.t('common.back')}`);
  const header = h('div', { class: 'vessel-head' });
  const body = h('div');
  root.append(back, header, body);
  const vessel = await withLoading(ctx, body, () => ctx.api.vessel(id));
  if (vessel === undefined) return () => undefined;

  const head = renderVesselHeader(ctx, header, vessel);
  const view = createRangeView(ctx, body, id, vessel);
  await view.draw();
  const unsubscribe = subscribeVesselLive(ctx, id, vessel, head, view);
  return () => {
    unsubscribe();
    view.destroy();
  };
}

/** The range buttons and what they show: the charts over the range, then the 30-day history. */
interface RangeView {
  /** The charts on the page now (none while a range loads). */
  readonly charts: readonly TimeChart[];
  draw(): Promise<void>;
  destroy(): void;
}

function createRangeView(ctx: AppContext, body: HTMLElement, id: VesselId, vessel: VesselDetail): RangeView {
  const { i18n } = ctx;
  const rangeButtons = h('div', { class: 'segmented', role: 'group', 'aria-label': i18n.t('vessel.range') });
  const content = h('div');
  body.append(rangeButtons, content);
  let charts: TimeChart[] = [];
  let range: RangeKey = 'week';
  const destroy = (): void => {
    for (const c of charts) c.destroy();
    charts = [];
  };

  const draw = async (): Promise<void> => {
    for (const b of rangeButtons.querySelectorAll('button'))
      b.setAttribute('aria-pressed', String(b.dataset['range'] === range));
    destroy();
    const toMs = ctx.now();
    const fromMs = toMs - RANGES[range] * DAY_MS;
    const loaded = await withLoading(ctx, content, () => loadHistory(ctx, id, fromMs, toMs));
    if (loaded === undefined) return;
    charts = await drawCharts(i18n, content, vessel, loaded.series, fromMs, toMs);
    content.append(...historySections(i18n, id, loaded));
  };

  for (const key of Object.keys(RANGES) as RangeKey[]) {
    const button = h(
      'button',
      { type: 'button', class: 'secondary', 'data-range': key },
      i18n.t(`vessel.range.${key}`),
    );
    button.addEventListener('click', () => {
      range = key;
      void draw();
    });
    rangeButtons.append(button);
  }
  return {
    get charts() {
      return charts;
    },
    draw,
    destroy,
  };
}

/** The series over the range; trips, nights and completeness always over the last 30 days. */
async function loadHistory(
  ctx: AppContext,
  id: VesselId,
  fromMs: number,
  toMs: number,
): Promise<VesselHistory> {
  const { step } = stepFor(toMs - fromMs);
  const today = localDateOf(toMs);
  const [series, trips, nights, completeness] = await Promise.all([
    ctx.api.series(id, { fromMs, toMs, step, fields: FIELDS }),
    ctx.api.trips({ vessel: id, fromMs: toMs - 30 * DAY_MS, toMs }),
    ctx.api.nights({ vessel: id, fromMs: toMs - 30 * DAY_MS, toMs }),
    ctx.api.completeness({ from: addDays(today, -29), to: addDays(today, 1) }),
  ]);
  return { series, trips, nights, completeness };
}

function subscribeVesselLive(
  ctx: AppContext,
  id: VesselId,
  vessel: VesselDetail,
  head: VesselHeader,
  view: RangeView,
): () => void {
  return ctx.live.subscribe({
    status(status) {
      if (status.vesselId === id) head.showStatus(status);
    },
    reading(reading) {
      if (reading.vesselId === id) appendLiveReading(view.charts, vessel, reading);
    },
  });
}
