import ExcelJS from 'exceljs';
import type { FleetResult } from '@qt-led/jcm';
import { EMISSION_COLUMNS, emissionRows } from './emissions-table.js';

/** Sub-period intermediates, one row per vessel × registry version in force. */
const SUB_PERIOD_COLUMNS = [
  'vessel_id',
  'from_local',
  'to_exclusive_local',
  'registry_version_valid_from',
  'meter_id',
  'led_lamps',
  'led_lamp_rated_W',
  'replaced_lamps',
  'replaced_lamp_rated_W',
  'replaced_lamp_type',
  'p_led_kW',
  'p_ref_kW',
  'power_ratio',
  'observed_energy_kWh',
  'substituted_energy_kWh',
  'energy_MWh',
  'lamp_on_hours_h',
  'full_load_lamp_on_hours_h',
  'fuel_L',
  'reference_emissions_tCO2',
  'project_emissions_tCO2',
  'emission_reductions_tCO2',
  'route_intermediates_json',
] as const;

/**
 * The figures as an Excel workbook: "Vessels" (the same table as the CSV), "Sub-periods" (per registry
 * version, with the route's intermediate values) and "Provenance" (what produced the figures).
 */
export async function emissionsXlsx(result: FleetResult): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = `${result.provenance.calculator} ${result.provenance.calculatorVersion}`;
  // Fixed, so the same result gives the same workbook content (exceljs would stamp "now").
  workbook.created = new Date(result.period.toMs);
  workbook.modified = new Date(result.period.toMs);

  const vessels = workbook.addWorksheet('Vessels', { views: [{ state: 'frozen', ySplit: 1 }] });
  vessels.addRow(EMISSION_COLUMNS.map((c) => c.header)).font = { bold: true };
  for (const row of emissionRows(result)) vessels.addRow(row);
  vessels.columns.forEach((column) => {
    column.width = 18;
  });

  const subs = workbook.addWorksheet('Sub-periods', { views: [{ state: 'frozen', ySplit: 1 }] });
  subs.addRow([...SUB_PERIOD_COLUMNS]).font = { bold: true };
  for (const v of result.vessels) {
    for (const s of v.subPeriods) {
      subs.addRow([
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
        JSON.stringify(s.route),
      ]);
    }
  }

  const provenance = workbook.addWorksheet('Provenance');
  provenance.addRow(['key', 'value']).font = { bold: true };
  const p = result.provenance;
  for (const [key, value] of [
    ['schema', result.schema],
    ['methodology_id', p.methodologyId],
    ['methodology_version', p.methodologyVersion],
    ['variant', p.variant],
    ['parameter_set_sha256', p.parameterSetSha256],
    ['input_sha256', p.inputSha256],
    ['canonicalization', p.canonicalization],
    ['calculator', p.calculator],
    ['calculator_version', p.calculatorVersion],
    ['period_from_local', result.period.from],
    ['period_to_exclusive_local', result.period.toExclusive],
    ['time_zone', result.period.timeZone],
    ['period_from_utc', new Date(result.period.fromMs).toISOString()],
    ['period_to_exclusive_utc', new Date(result.period.toMs).toISOString()],
    ['rounding', JSON.stringify(result.fleet.rounding)],
    ['vessels', result.fleet.completeness.vessels],
    ['vessels_with_flags', result.fleet.completeness.vesselsWithFlags],
  ] as const) {
    provenance.addRow([key, value]);
  }
  provenance.getColumn(1).width = 28;
  provenance.getColumn(2).width = 70;

  return Buffer.from(await workbook.xlsx.writeBuffer());
}
