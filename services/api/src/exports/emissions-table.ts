import type { FleetResult, VesselResult } from '@qt-led/jcm';

type Cell = string | number | null;

/**
 * The emission figures as a table, one definition for CSV and XLSX: one row per vessel, then the fleet
 * total, every column with its unit in the header, and the provenance on every row so that a row cut out of
 * the file still says what produced it.
 */
export interface Column {
  header: string;
  vessel: (v: VesselResult) => Cell;
  fleet: (r: FleetResult) => Cell;
}

const none = (): null => null;
const route = (v: VesselResult, key: string): Cell => {
  // Sums a route intermediate over the sub-periods (one per registry version in force).
  let total: number | null = null;
  for (const sub of v.subPeriods) {
    const value = (sub.route as unknown as Record<string, unknown>)[key];
    if (typeof value === 'number') total = (total ?? 0) + value;
  }
  return total;
};

export const EMISSION_COLUMNS: readonly Column[] = [
  { header: 'row_type', vessel: () => 'vessel', fleet: () => 'fleet' },
  { header: 'vessel_id', vessel: (v) => v.vesselId, fleet: none },
  { header: 'status', vessel: (v) => v.status, fleet: () => 'total' },
  { header: 'period_from_local', vessel: none, fleet: (r) => r.period.from },
  { header: 'period_to_exclusive_local', vessel: none, fleet: (r) => r.period.toExclusive },
  { header: 'sub_periods', vessel: (v) => v.subPeriods.length, fleet: none },
  {
    header: 'p_led_kW',
    vessel: (v) => (v.subPeriods.length === 1 ? (v.subPeriods[0]?.pLedKw ?? null) : null),
    fleet: none,
  },
  {
    header: 'p_ref_kW',
    vessel: (v) => (v.subPeriods.length === 1 ? (v.subPeriods[0]?.pRefKw ?? null) : null),
    fleet: none,
  },
  {
    header: 'observed_energy_kWh',
    vessel: (v) => v.observedEnergyKwh,
    fleet: (r) => r.fleet.observedEnergyKwh,
  },
  {
    header: 'substituted_energy_kWh',
    vessel: (v) => v.substitutedEnergyKwh,
    fleet: (r) => r.fleet.substitutedEnergyKwh,
  },
  { header: 'energy_MWh', vessel: (v) => v.energyMwh, fleet: (r) => r.fleet.energyMwh },
  { header: 'reference_energy_MWh', vessel: (v) => route(v, 'referenceEnergyMwh'), fleet: none },
  { header: 'lamp_on_hours_h', vessel: (v) => v.lampOnHours, fleet: (r) => r.fleet.lampOnHours },
  {
    header: 'lamp_on_hours_observed_h',
    vessel: (v) => v.lampOnHoursObserved,
    fleet: (r) => r.fleet.completeness.lampOnHoursObserved,
  },
  { header: 'fuel_L', vessel: (v) => v.fuelL, fleet: (r) => r.fleet.fuelL },
  { header: 'fuel_saved_L', vessel: (v) => route(v, 'fuelSavedL'), fleet: none },
  {
    header: 'reference_emissions_tCO2',
    vessel: (v) => v.referenceEmissionsTco2,
    fleet: (r) => r.fleet.referenceEmissionsTco2,
  },
  {
    header: 'project_emissions_tCO2',
    vessel: (v) => v.projectEmissionsTco2,
    fleet: (r) => r.fleet.projectEmissionsTco2,
  },
  {
    header: 'emission_reductions_tCO2',
    vessel: (v) => v.emissionReductionsTco2,
    fleet: (r) => r.fleet.emissionReductionsTco2,
  },
  {
    header: 'emission_reductions_reported_tCO2',
    vessel: (v) => v.emissionReductionsRoundedTco2,
    fleet: (r) => r.fleet.emissionReductionsReportedTco2,
  },
  {
    header: 'energy_observed_ratio',
    vessel: (v) => v.completeness.energyObservedRatio,
    fleet: (r) => r.fleet.completeness.energyObservedRatio,
  },
  {
    header: 'lamp_on_observed_ratio',
    vessel: (v) => v.completeness.lampOnObservedRatio,
    fleet: (r) => r.fleet.completeness.lampOnObservedRatio,
  },
  {
    header: 'readings_expected',
    vessel: (v) => v.completeness.readingsExpected,
    fleet: (r) => r.fleet.completeness.readingsExpected,
  },
  {
    header: 'readings_received',
    vessel: (v) => v.completeness.readingsReceived,
    fleet: (r) => r.fleet.completeness.readingsReceived,
  },
  {
    header: 'readings_ratio',
    vessel: (v) => v.completeness.readingsRatio,
    fleet: (r) => r.fleet.completeness.readingsRatio,
  },
  { header: 'flags', vessel: (v) => v.flags.join(' '), fleet: none },
  { header: 'methodology_id', vessel: none, fleet: (r) => r.provenance.methodologyId },
  { header: 'methodology_version', vessel: none, fleet: (r) => r.provenance.methodologyVersion },
  { header: 'variant', vessel: none, fleet: (r) => r.provenance.variant },
  { header: 'parameter_set_sha256', vessel: none, fleet: (r) => r.provenance.parameterSetSha256 },
  { header: 'input_sha256', vessel: none, fleet: (r) => r.provenance.inputSha256 },
  { header: 'calculator', vessel: none, fleet: (r) => r.provenance.calculator },
  { header: 'calculator_version', vessel: none, fleet: (r) => r.provenance.calculatorVersion },
  { header: 'time_zone', vessel: none, fleet: (r) => r.period.timeZone },
];

/** Columns that describe the period and the provenance: the same for every row of one result. */
const SHARED = new Set([
  'period_from_local',
  'period_to_exclusive_local',
  'methodology_id',
  'methodology_version',
  'variant',
  'parameter_set_sha256',
  'input_sha256',
  'calculator',
  'calculator_version',
  'time_zone',
]);

export function emissionRows(result: FleetResult): Cell[][] {
  const rows = result.vessels.map((v) =>
    EMISSION_COLUMNS.map((c) => (SHARED.has(c.header) ? c.fleet(result) : c.vessel(v))),
  );
  rows.push(EMISSION_COLUMNS.map((c) => c.fleet(result)));
  return rows;
}

/** `qtled-emissions_2024-03-01_2024-04-01_qtled-vn006-electricity-ratio` (ASCII only, safe in any header). */
export function exportBaseName(result: FleetResult, vesselIds: readonly string[] | undefined): string {
  const who =
    vesselIds === undefined
      ? 'fleet'
      : vesselIds.length === 1
        ? (vesselIds[0] ?? 'fleet')
        : `${vesselIds.length}-vessels`;
  return `qtled-emissions_${result.period.from}_${result.period.toExclusive}_${who}_${result.provenance.methodologyId}`.replace(
    /[^A-Za-z0-9._-]/g,
    '-',
  );
}
