import type { FleetResult, VesselResult } from '@qt-led/contract';
import type { CsvCell } from './csv.js';
import type { PackageFigures } from './figures.js';
import { utcOffsetAt } from './zone-time.js';

/**
 * The package's tables, one definition for the CSV files and the workbook's sheets. A column has an
 * English and a Japanese name and its unit; instants are written in the period's zone, named in the header.
 */
export interface Column {
  en: string;
  ja: string;
  unit?: string;
  kind: 'text' | 'number' | 'instant';
}

export interface Table {
  file: string;
  sheet: string;
  description: { en: string; ja: string };
  columns: readonly Column[];
  /** Instants as epoch ms; the writers format them. */
  rows: CsvCell[][];
}

const text = (en: string, ja: string): Column => ({ en, ja, kind: 'text' });
const num = (en: string, ja: string, unit?: string): Column => ({
  en,
  ja,
  kind: 'number',
  ...(unit === undefined ? {} : { unit }),
});
const instant = (en: string, ja: string): Column => ({ en, ja, kind: 'instant' });

/** `energy_MWh [MWh] / エネルギー量`, and for instants `night_start (Asia/Ho_Chi_Minh, UTC+07:00) / 開始`. */
export function columnHeader(column: Column, timeZone: string, atMs: number): string {
  const qualifier =
    column.kind === 'instant'
      ? ` (${timeZone}, UTC${utcOffsetAt(atMs, timeZone)})`
      : column.unit === undefined
        ? ''
        : ` [${column.unit}]`;
  return `${column.en}${qualifier} / ${column.ja}`;
}

const flagsOf = (v: VesselResult): string => v.flags.join(' ');

function vesselRows(result: FleetResult): CsvCell[][] {
  const rows: CsvCell[][] = result.vessels.map((v) => [
    'vessel',
    v.vesselId,
    v.status,
    v.observedEnergyKwh,
    v.substitutedEnergyKwh,
    v.energyMwh,
    v.lampOnHours,
    v.fuelL,
    v.referenceEmissionsTco2,
    v.projectEmissionsTco2,
    v.emissionReductionsTco2,
    v.completeness.energyObservedRatio,
    v.completeness.readingsRatio,
    flagsOf(v),
  ]);
  const f = result.fleet;
  rows.push([
    'fleet',
    null,
    'total',
    f.observedEnergyKwh,
    f.substitutedEnergyKwh,
    f.energyMwh,
    f.lampOnHours,
    f.fuelL,
    f.referenceEmissionsTco2,
    f.projectEmissionsTco2,
    f.emissionReductionsTco2,
    f.completeness.energyObservedRatio,
    f.completeness.readingsRatio,
    null,
  ]);
  return rows;
}

const VESSEL_COLUMNS: readonly Column[] = [
  text('row_type', '行種別'),
  text('vessel_id', '船舶ID'),
  text('status', '状態'),
  num('observed_energy', '計測電力量', 'kWh'),
  num('substituted_energy', '補完電力量', 'kWh'),
  num('energy', 'LED電力量 EC', 'MWh'),
  num('lamp_on_hours', '点灯時間', 'h'),
  num('generator_fuel', '発電機燃料消費量', 'L'),
  num('reference_emissions', 'リファレンス排出量 RE', 'tCO2'),
  num('project_emissions', 'プロジェクト排出量 PE', 'tCO2'),
  num('emission_reductions', '排出削減量 ER', 'tCO2'),
  num('energy_observed_ratio', '電力量観測率', '1'),
  num('readings_ratio', 'データ受信率', '1'),
  text('flags', 'フラグ'),
];

const SUB_PERIOD_COLUMNS: readonly Column[] = [
  text('vessel_id', '船舶ID'),
  text('from_local_date', '開始日'),
  text('to_local_date_exclusive', '終了日（含まず）'),
  text('registry_version_valid_from', '登録情報の適用開始日'),
  text('meter_id', 'メーターID'),
  num('led_lamps', 'LED灯数'),
  num('led_lamp_rated_power', 'LED定格電力', 'W'),
  num('replaced_lamps', '旧灯数'),
  num('replaced_lamp_rated_power', '旧灯定格電力', 'W'),
  text('replaced_lamp_type', '旧灯種別'),
  num('p_led', 'P_LED', 'kW'),
  num('p_ref', 'P_REF', 'kW'),
  num('power_ratio', '電力比 P_REF/P_LED', '1'),
  num('observed_energy', '計測電力量', 'kWh'),
  num('substituted_energy', '補完電力量', 'kWh'),
  num('energy', 'LED電力量 EC', 'MWh'),
  num('lamp_on_hours', '点灯時間', 'h'),
  num('full_load_lamp_on_hours', '全灯換算点灯時間', 'h'),
  num('generator_fuel', '発電機燃料消費量', 'L'),
  num('reference_emissions', 'リファレンス排出量 RE', 'tCO2'),
  num('project_emissions', 'プロジェクト排出量 PE', 'tCO2'),
  num('emission_reductions', '排出削減量 ER', 'tCO2'),
  num('ef_gen', 'EF_gen', 'tCO2/MWh'),
  num('reference_energy', 'リファレンス電力量', 'MWh'),
];

function subPeriodRows(result: FleetResult): CsvCell[][] {
  return result.vessels.flatMap((v) =>
    v.subPeriods.map((s) => [
      v.vesselId,
      s.fromDate,
      s.toDateExclusive,
      s.registryVersionValidFrom,
      s.meterId,
      s.ledLampCount,
      s.ledLampRatedW,
      s.replacedLampCount,
      s.replacedLampRatedW,
      s.replacedLampType,
      s.pLedKw,
      s.pRefKw,
      s.powerRatio,
      s.observedEnergyKwh,
      s.substitutedEnergyKwh,
      s.energyMwh,
      s.lampOnHours,
      s.fullLoadLampOnHours,
      s.fuelL,
      s.referenceEmissionsTco2,
      s.projectEmissionsTco2,
      s.emissionReductionsTco2,
      'efGenTco2PerMwh' in s.route ? s.route.efGenTco2PerMwh : null,
      s.route.variant === 'fuel-cross-check' ? null : s.route.referenceEnergyMwh,
    ]),
  );
}

const PARAMETER_COLUMNS: readonly Column[] = [
  text('key', 'キー'),
  text('symbol', '記号'),
  num('value', '値'),
  text('unit', '単位'),
  text('description', '説明'),
  text('source', '出典'),
  text('monitoring_option', 'モニタリングオプション'),
  text('is_assumption', '仮定値'),
  text('valid_from', '適用開始日'),
  text('valid_to_exclusive', '適用終了日（含まず）'),
];

function parameterRows(figures: PackageFigures): CsvCell[][] {
  const m = figures.methodology;
  const rows: CsvCell[][] = Object.entries(m.parameters).map(([key, p]) => [
    key,
    p.symbol,
    p.value,
    p.unit,
    p.description,
    p.source,
    p.monitoringOption,
    p.isAssumption ? 'yes' : 'no',
    p.validFrom,
    p.validTo,
  ]);
  for (const [key, rule] of Object.entries(m.rules)) {
    rows.push([
      `rules.${key}`,
      null,
      null,
      null,
      JSON.stringify(rule),
      m.methodologyId,
      null,
      null,
      null,
      null,
    ]);
  }
  return rows;
}

const COMPLETENESS_COLUMNS: readonly Column[] = [
  text('vessel_id', '船舶ID'),
  num('period_hours', '期間時間', 'h'),
  num('configured_hours', '設定済み時間', 'h'),
  num('energy_observed_hours', '電力量観測時間', 'h'),
  num('energy_observed_ratio', '電力量観測率', '1'),
  num('lamp_on_hours_observed', '観測点灯時間', 'h'),
  num('readings_expected', '予定データ数'),
  num('readings_received', '受信データ数'),
  num('readings_ratio', 'データ受信率', '1'),
  num('gaps', '欠測区間数'),
  num('gap_hours', '欠測時間', 'h'),
];

function completenessRows(result: FleetResult): CsvCell[][] {
  return result.vessels.map((v) => {
    const c = v.completeness;
    const gapHours = c.gaps.reduce((sum, g) => sum + (g.toMs - g.fromMs), 0) / 3_600_000;
    return [
      v.vesselId,
      c.periodHours,
      c.configuredHours,
      c.energyObservedHours,
      c.energyObservedRatio,
      c.lampOnHoursObserved,
      c.readingsExpected,
      c.readingsReceived,
      c.readingsRatio,
      c.gaps.length,
      gapHours,
    ];
  });
}

const GAP_COLUMNS: readonly Column[] = [
  text('vessel_id', '船舶ID'),
  instant('gap_start', '欠測開始'),
  instant('gap_end', '欠測終了'),
  num('hours', '時間', 'h'),
  text('bridged_by_register', '積算値で補完'),
];

function gapRows(result: FleetResult): CsvCell[][] {
  return result.vessels.flatMap((v) =>
    v.completeness.gaps.map((g) => [
      v.vesselId,
      g.fromMs,
      g.toMs,
      (g.toMs - g.fromMs) / 3_600_000,
      g.bridgedByRegister ? 'yes' : 'no',
    ]),
  );
}

const LED_COLUMNS: readonly Column[] = [
  text('vessel_id', '船舶ID'),
  num('led_lamps', 'LED灯数'),
  num('rated_power', '定格電力 P_LED', 'kW'),
  num('energy', 'LED電力量', 'kWh'),
  num('lamp_on_hours', '点灯時間', 'h'),
  num('mean_power_while_lit', '点灯中平均電力', 'kW'),
  num('power_to_rated', '定格比（点灯灯数あたり）', '1'),
  num('nights', '操業夜数'),
  num('lamp_faults', 'ランプ異常件数'),
  num('lamp_fault_hours', 'ランプ異常時間', 'h'),
  num('energy_observed_ratio', '電力量観測率', '1'),
  num('readings_ratio', 'データ受信率', '1'),
  text('flags', 'フラグ'),
];

function ledRows(figures: PackageFigures): CsvCell[][] {
  const led = figures.led ?? { nights: [], lampFaults: [] };
  return figures.result.vessels.map((v) => {
    const last = v.subPeriods.at(-1);
    // Power against rated from the nights, where energy and lamp count were both read: a register that
    // bridged a gap in the readings would otherwise put energy against hours that were not observed. Each
    // night is rated with the lamps of the registry version in force that evening.
    const ratedWOn = (night: string): number | undefined =>
      v.subPeriods.find((s) => s.fromDate <= night && night < s.toDateExclusive)?.ledLampRatedW;
    const nights = led.nights.filter((n) => n.vesselId === v.vesselId && n.ledEnergyKwh !== null);
    const energy = nights.reduce((sum, n) => sum + (n.ledEnergyKwh ?? 0), 0);
    const hours = nights.reduce((sum, n) => sum + n.hours, 0);
    let ratedEnergy = 0;
    let ratedNightsEnergy = 0;
    for (const n of nights) {
      const ratedW = ratedWOn(n.night);
      if (ratedW === undefined) continue;
      ratedEnergy += (n.hours * n.meanLampsOn * ratedW) / 1_000;
      ratedNightsEnergy += n.ledEnergyKwh ?? 0;
    }
    const faults = led.lampFaults.filter((f) => f.vesselId === v.vesselId);
    return [
      v.vesselId,
      last?.ledLampCount ?? null,
      last?.pLedKw ?? null,
      v.energyKwh,
      v.lampOnHours,
      hours > 0 ? energy / hours : null,
      ratedEnergy > 0 ? ratedNightsEnergy / ratedEnergy : null,
      led.nights.filter((n) => n.vesselId === v.vesselId).length,
      faults.length,
      faults.reduce((sum, f) => sum + (f.toMs - f.fromMs), 0) / 3_600_000,
      v.completeness.energyObservedRatio,
      v.completeness.readingsRatio,
      flagsOf(v),
    ];
  });
}

const NIGHT_COLUMNS: readonly Column[] = [
  text('vessel_id', '船舶ID'),
  text('night_local_date', '操業日（夕方の日付）'),
  instant('lamps_first_on', '点灯開始'),
  instant('lamps_last_off', '消灯'),
  num('lamp_on_hours', '点灯時間', 'h'),
  num('led_energy', 'LED電力量', 'kWh'),
  num('mean_lamps_on', '平均点灯灯数'),
];

const FAULT_COLUMNS: readonly Column[] = [
  text('vessel_id', '船舶ID'),
  instant('fault_start', '異常開始'),
  instant('fault_end', '異常終了'),
  num('hours', '継続時間', 'h'),
  text('still_open_at_period_end', '期間末に継続中'),
  text('detail', '詳細'),
];

export const RESTATEMENT_COLUMNS: readonly Column[] = [
  text('figure', '項目'),
  text('kind', '種別'),
  text('old_value', '旧値'),
  text('new_value', '新値'),
  text('reason', '理由'),
];

/** The tables of a package's scope, in the order they appear in the workbook. */
export function packageTables(figures: PackageFigures, restatementRows: CsvCell[][]): Table[] {
  const { result } = figures;
  const restatements: Table = {
    file: 'restatements.csv',
    sheet: 'Restatements 再計算',
    description: {
      en: 'Figures an earlier version of this package gave differently: old value, new value, reason',
      ja: '本パッケージの旧版から変更された数値（旧値・新値・理由）',
    },
    columns: RESTATEMENT_COLUMNS,
    rows: restatementRows,
  };
  const completeness: Table = {
    file: 'completeness.csv',
    sheet: 'Completeness データ完全性',
    description: {
      en: 'Per vessel: hours observed, readings expected and received, gaps',
      ja: '船舶別：観測時間、予定・受信データ数、欠測',
    },
    columns: COMPLETENESS_COLUMNS,
    rows: completenessRows(result),
  };
  const gaps: Table = {
    file: 'gaps.csv',
    sheet: 'Gaps 欠測',
    description: { en: 'Every gap in the readings, local time', ja: 'データ欠測区間（現地時間）' },
    columns: GAP_COLUMNS,
    rows: gapRows(result),
  };
  if (figures.led === null) {
    return [
      {
        file: 'parameters.csv',
        sheet: 'Parameters 入力パラメータ',
        description: {
          en: 'The methodology parameter set: every value with its unit, source and monitoring option',
          ja: '方法論パラメータ：値・単位・出典・モニタリングオプション',
        },
        columns: PARAMETER_COLUMNS,
        rows: parameterRows(figures),
      },
      {
        file: 'emissions-by-vessel.csv',
        sheet: 'Vessels 船舶別',
        description: {
          en: 'Emission reductions per vessel and the fleet total (unrounded; the reported total is in the workbook)',
          ja: '船舶別排出削減量と船団合計（丸め前。報告値はワークブック参照）',
        },
        columns: VESSEL_COLUMNS,
        rows: vesselRows(result),
      },
      {
        file: 'calculation.csv',
        sheet: 'Calculation 計算',
        description: {
          en: 'Every intermediate value per vessel and registry version in force',
          ja: '船舶・登録情報版ごとの全中間値',
        },
        columns: SUB_PERIOD_COLUMNS,
        rows: subPeriodRows(result),
      },
      completeness,
      gaps,
      restatements,
    ];
  }
  return [
    {
      file: 'led-performance.csv',
      sheet: 'LED performance LED性能',
      description: {
        en: 'Per vessel: LED energy, lamp-on hours, mean power against rated, nights, lamp faults',
        ja: '船舶別：LED電力量、点灯時間、定格比、操業夜数、ランプ異常',
      },
      columns: LED_COLUMNS,
      rows: ledRows(figures),
    },
    {
      file: 'nights.csv',
      sheet: 'Nights 操業夜',
      description: { en: 'Every fishing night, local time', ja: '操業夜ごとの点灯記録（現地時間）' },
      columns: NIGHT_COLUMNS,
      rows: figures.led.nights.map((n) => [
        n.vesselId,
        n.night,
        n.startMs,
        n.endMs,
        n.hours,
        n.ledEnergyKwh,
        n.meanLampsOn,
      ]),
    },
    {
      file: 'lamp-faults.csv',
      sheet: 'Lamp faults ランプ異常',
      description: {
        en: 'LED faults (power off the rating of the lamps switched on), clipped to the period',
        ja: 'LED異常（点灯灯数に対する電力の逸脱）、期間内に限る',
      },
      columns: FAULT_COLUMNS,
      rows: figures.led.lampFaults.map((f) => [
        f.vesselId,
        f.fromMs,
        f.toMs,
        (f.toMs - f.fromMs) / 3_600_000,
        f.open ? 'yes' : 'no',
        f.detail,
      ]),
    },
    completeness,
    gaps,
    restatements,
  ];
}
