import type { AppContext, Cleanup } from '../app.js';
import { withLoading } from '../app.js';
import { ApiError, type EmissionsQuery, type ExportFormat } from '../api/client.js';
import type {
  EmissionsResult,
  EmissionsSubPeriod,
  EmissionsVessel,
  MethodologyVariant,
} from '../api/types.js';
import { type I18n, type MessageKey, addDays, localDateOf } from '../i18n/i18n.js';
import { clear, h, table } from '../ui/dom.js';
import { saveFile } from '../ui/download.js';

/** The methodology parameter sets the API calculates with (packages/jcm/methodologies), by variant. */
export const METHODOLOGIES: readonly { id: string; variant: MethodologyVariant }[] = [
  { id: 'qtled-vn006-electricity-ratio', variant: 'electricity-rated-power-ratio' },
  { id: 'qtled-vn006-rated-power-hours', variant: 'rated-power-hours' },
  { id: 'qtled-vn006-fuel-cross-check', variant: 'fuel-cross-check' },
];

/** Unit of an intermediate value from its name (house style: units in names), longest suffix first. */
const UNIT_SUFFIXES: readonly [string, MessageKey][] = [
  ['Tco2PerMwh', 'unit.tco2PerMwh'],
  ['Tco2PerTj', 'unit.tco2PerTj'],
  ['Tco2PerL', 'unit.tco2PerL'],
  ['LPerKwh', 'unit.lPerKwh'],
  ['KgPerL', 'unit.kgPerL'],
  ['GjPerT', 'unit.gjPerT'],
  ['Tco2', 'unit.tco2'],
  ['Mwh', 'unit.mwh'],
  ['Kwh', 'unit.kwh'],
  ['Kw', 'unit.kw'],
  ['Hours', 'unit.h'],
  ['RatedW', 'unit.w'],
  ['FuelL', 'unit.l'],
  ['fuelL', 'unit.l'],
  ['SavedL', 'unit.l'],
];

export function unitOf(key: string): MessageKey | null {
  return UNIT_SUFFIXES.find(([suffix]) => key.endsWith(suffix))?.[1] ?? null;
}

/** Enough digits for a tonne figure of a single night (0.0639 t) to stay legible. */
const digitsFor = (unit: MessageKey | null): number =>
  unit === 'unit.tco2' || unit === 'unit.mwh' || unit?.startsWith('unit.tco2') === true ? 4 : 2;

export async function emissionsPage(ctx: AppContext, root: HTMLElement): Promise<Cleanup> {
  const { i18n } = ctx;
  const today = localDateOf(ctx.now());
  const from = h('input', { type: 'date', id: 'emissions-from', value: addDays(today, -30), required: true });
  const to = h('input', { type: 'date', id: 'emissions-to', value: today, required: true });
  const variant = h(
    'select',
    { id: 'emissions-variant' },
    ...METHODOLOGIES.map((m) => h('option', { value: m.id }, i18n.t(`emissions.variant.${m.variant}`))),
  );
  const calculate = h('button', { type: 'submit' }, i18n.t('emissions.calculate'));
  const csv = h(
    'button',
    { type: 'button', class: 'secondary', id: 'export-csv' },
    i18n.t('emissions.exportCsv'),
  );
  const xlsx = h(
    'button',
    { type: 'button', class: 'secondary', id: 'export-xlsx' },
    i18n.t('emissions.exportXlsx'),
  );
  const exportError = h('p', { class: 'error', role: 'alert', hidden: true });
  const form = h(
    'form',
    { class: 'period-form', id: 'emissions-form' },
    h('label', {}, i18n.t('common.from'), from),
    h('label', {}, i18n.t('common.toExclusive'), to),
    h('label', {}, i18n.t('emissions.variant'), variant),
    h('div', { class: 'buttons' }, calculate, csv, xlsx),
  );
  const slot = h('div');
  root.append(
    h('h1', {}, i18n.t('emissions.title')),
    h('p', { class: 'muted' }, i18n.t('emissions.intro')),
    form,
    exportError,
    slot,
  );

  const query = (): EmissionsQuery => ({ from: from.value, to: to.value, variant: variant.value });

  const show = async (): Promise<void> => {
    const result = await withLoading(ctx, slot, () => ctx.api.emissions(query()));
    if (result !== undefined) slot.append(...resultView(i18n, result));
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void show();
  });

  const download = (format: ExportFormat, button: HTMLButtonElement): void => {
    button.disabled = true;
    exportError.hidden = true;
    ctx.api
      .emissionsExport(query(), format)
      .then(({ blob, fileName }) => saveFile(blob, fileName))
      .catch((error: unknown) => {
        exportError.hidden = false;
        exportError.textContent = i18n.t('common.error', {
          message: error instanceof ApiError ? error.message : String(error),
        });
      })
      .finally(() => {
        button.disabled = false;
      });
  };
  csv.addEventListener('click', () => download('csv', csv));
  xlsx.addEventListener('click', () => download('xlsx', xlsx));
  await show();
  return () => undefined;
}

function resultView(i18n: I18n, result: EmissionsResult): HTMLElement[] {
  const { fleet } = result;
  const tco2 = (v: number | null): string => i18n.quantity(v, 'unit.tco2', 4);
  const card = (label: string, value: string, strong = false): HTMLElement =>
    h(
      'div',
      { class: strong ? 'card strong' : 'card' },
      h('div', { class: 'card-label' }, label),
      h('div', { class: 'card-value' }, value),
    );
  const totals = h(
    'section',
    { class: 'panel', id: 'emissions-fleet' },
    h(
      'h2',
      {},
      `${i18n.t('emissions.fleet')} · ${i18n.localDate(result.period.from)} – ${i18n.localDate(addDays(result.period.toExclusive, -1))}`,
    ),
    h(
      'div',
      { class: 'cards' },
      card(i18n.t('term.erReported'), tco2(fleet.emissionReductionsReportedTco2), true),
      card(i18n.t('term.er'), tco2(fleet.emissionReductionsTco2)),
      card(i18n.t('term.re'), tco2(fleet.referenceEmissionsTco2)),
      card(i18n.t('term.pe'), tco2(fleet.projectEmissionsTco2)),
      card(i18n.t('term.energy'), i18n.quantity(fleet.energyMwh, 'unit.mwh', 3)),
      card(i18n.t('term.lampOnHours'), i18n.quantity(fleet.lampOnHours, 'unit.h', 0)),
      card(i18n.t('term.completeness'), i18n.percent(fleet.completeness.energyObservedRatio)),
    ),
    h(
      'p',
      { class: 'muted small provenance' },
      i18n.t('emissions.provenance', {
        id: result.provenance.methodologyId,
        version: result.provenance.methodologyVersion,
        calculator: result.provenance.calculatorVersion,
      }),
    ),
  );

  const drill = h('section', { class: 'panel drill', id: 'emissions-drill', hidden: true });
  const headers = [
    i18n.t('fleet.col.vessel'),
    i18n.t('term.energy'),
    i18n.t('term.lampOnHours'),
    i18n.t('term.re'),
    i18n.t('term.pe'),
    i18n.t('term.er'),
    i18n.t('term.completeness'),
    i18n.t('emissions.flags'),
  ];
  const rows = result.vessels.map((v) => {
    const open = h('button', { type: 'button', class: 'link', 'data-vessel': v.vesselId }, v.vesselId);
    open.addEventListener('click', () => {
      clear(drill);
      drill.append(...drillView(i18n, v));
      drill.hidden = false;
      drill.scrollIntoView({ block: 'start' });
    });
    return [
      open,
      i18n.quantity(v.energyKwh, 'unit.kwh', 1),
      i18n.quantity(v.lampOnHours, 'unit.h', 1),
      tco2(v.referenceEmissionsTco2),
      tco2(v.projectEmissionsTco2),
      tco2(v.emissionReductionsTco2),
      i18n.percent(v.completeness.energyObservedRatio),
      v.flags.map((f) => i18n.tDynamic(`flag.${f}`, f)).join('; ') || i18n.t('common.missing'),
    ];
  });
  const vessels = h(
    'section',
    { class: 'panel' },
    h('h2', {}, i18n.t('emissions.vessels')),
    table(headers, rows, 'data emissions'),
  );
  return [totals, vessels, drill];
}

/** Every intermediate of a vessel's figures, sub-period by sub-period, with its unit and translated name. */
function drillView(i18n: I18n, v: EmissionsVessel): HTMLElement[] {
  const close = h('button', { type: 'button', class: 'secondary' }, i18n.t('emissions.hideDrill'));
  const parts: HTMLElement[] = [
    h(
      'div',
      { class: 'drill-head' },
      h('h2', {}, i18n.t('emissions.drillTitle', { vessel: v.vesselId })),
      close,
    ),
  ];
  close.addEventListener('click', () => {
    const panel = close.closest('section');
    if (panel) panel.hidden = true;
  });
  if (v.status === 'no-configuration') parts.push(h('p', {}, i18n.t('emissions.noConfiguration')));
  for (const sub of v.subPeriods) parts.push(subPeriodView(i18n, sub));
  const windows = v.unobservedWindows;
  if (windows.length > 0) {
    parts.push(
      h('h3', {}, i18n.t('emissions.unobserved')),
      table(
        [
          i18n.t('common.from'),
          i18n.t('common.to'),
          i18n.t('unit.h'),
          i18n.t('emissions.reason'),
          i18n.t('emissions.treatment'),
          i18n.t('term.substitutedEnergyKwh'),
        ],
        windows.map((w) => [
          i18n.dateTime(w.fromMs),
          i18n.dateTime(w.toMs),
          i18n.number(w.hours, 1),
          i18n.tDynamic(`reason.${w.reason}`, w.reason),
          i18n.tDynamic(`treatment.${w.treatment}`, w.treatment),
          i18n.quantity(w.substitutedEnergyKwh, 'unit.kwh', 2),
        ]),
      ),
    );
  }
  if (v.flags.length > 0) {
    parts.push(
      h('h3', {}, i18n.t('emissions.flags')),
      h('ul', {}, ...v.flags.map((f) => h('li', {}, i18n.tDynamic(`flag.${f}`, f)))),
    );
  }
  return parts;
}

function subPeriodView(i18n: I18n, sub: EmissionsSubPeriod): HTMLElement {
  const entries = (record: Record<string, unknown>): [string, string][] =>
    Object.entries(record).flatMap(([key, value]): [string, string][] => {
      if (key === 'variant' || key === 'route') return [];
      const label = i18n.tDynamic(`term.${key}`, '');
      if (label === '') return [];
      if (typeof value === 'number') {
        const unit = unitOf(key);
        return [[label, unit === null ? i18n.number(value, 4) : i18n.quantity(value, unit, digitsFor(unit))]];
      }
      if (typeof value === 'string') return [[label, i18n.tDynamic(`value.${value}`, value)]];
      return [];
    });
  const rows = [...entries(sub), ...entries(sub.route)];
  return h(
    'div',
    { class: 'sub-period' },
    h(
      'h3',
      {},
      i18n.t('emissions.subPeriod', {
        from: i18n.localDate(sub.fromDate),
        to: i18n.localDate(sub.toDateExclusive),
        change: sub.registryChange,
      }),
    ),
    h(
      'dl',
      { class: 'intermediates' },
      ...rows.map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value))),
    ),
  );
}
