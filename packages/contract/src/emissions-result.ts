import { z } from 'zod';
import { VesselId } from './ids.js';
import {
  MethodologyVariant,
  ReferenceHoursBasis,
  RoundingRule,
  UnobservedEnergyRule,
} from './methodology.js';
import { LocalDate } from './registry.js';

/**
 * The JCM calculator's result (`@qt-led/jcm` calculateFleet) and the emissions report the API sends with
 * it. The calculator's types are inferred from these schemas, and the API serializes its response through
 * them, so a figure the calculator adds must be added here or it never reaches a client. Nothing here
 * checks a figure (the calculator is the authority on them); the schemas describe the shape.
 */

export const JCM_RESULT_SCHEMA = 'qtled.jcm-result/1';

const nullableNumber = z.number().nullable();

/** Where a result comes from: enough to reproduce it byte for byte, or to see why it differs. */
export const Provenance = z.object({
  calculator: z.string(),
  calculatorVersion: z.string(),
  methodologyId: z.string(),
  methodologyVersion: z.string(),
  variant: MethodologyVariant,
  parameterSetSha256: z.string().describe("SHA-256 of the parameter set's canonical JSON (RFC 8785)"),
  inputSha256: z
    .string()
    .describe(
      'SHA-256 of the canonical JSON of the sorted, de-duplicated input (period, versions, readings, …)',
    ),
  canonicalization: z.literal('RFC 8785'),
});
export type Provenance = z.infer<typeof Provenance>;

export const PeriodReport = z.object({
  from: LocalDate,
  toExclusive: LocalDate,
  timeZone: z.string(),
  fromMs: z.number(),
  toMs: z.number(),
  hours: z.number(),
});
export type PeriodReport = z.infer<typeof PeriodReport>;

const RegisterPoint = z.object({ atMs: z.number(), register: z.number() });

/** One continuous stretch of a register that touches the period. */
export const SegmentReport = z.object({
  fromMs: z.number(),
  toMs: z.number(),
  points: z.number(),
  firstRegister: z.number(),
  lastRegister: z.number(),
  registerDelta: z
    .number()
    .describe('lastRegister − firstRegister, over the whole segment (it may reach outside the period)'),
  firstInPeriod: RegisterPoint.nullable().describe(
    "the segment's first point inside the period (boundaries included); null if none",
  ),
  lastInPeriod: RegisterPoint.nullable(),
  inPeriod: z
    .number()
    .describe(
      'what the segment contributes to the period: lastInPeriod − firstInPeriod, plus the share of any step ' +
        'that straddles a boundary of the period, less any excess over the plausibility cap',
    ),
  meterId: z.string().nullable(),
  bootIds: z.array(z.string()),
});
export type SegmentReport = z.infer<typeof SegmentReport>;

export const BreakReason = z.enum(['register-drop', 'meter-id-changed', 'meter-replaced']);
export type BreakReason = z.infer<typeof BreakReason>;

export const BreakReport = z.object({
  reason: BreakReason,
  lastBeforeMs: z.number(),
  lastBeforeRegister: z.number(),
  firstAfterMs: z.number(),
  firstAfterRegister: z.number(),
  bootChanged: z.boolean(),
});
export type BreakReport = z.infer<typeof BreakReport>;

export const RegisterReport = z.object({
  unit: z.enum(['kWh', 'L']),
  readings: z.number(),
  duplicatesDropped: z.number(),
  segments: z.array(SegmentReport),
  breaks: z.array(BreakReport),
  observedHours: z.number().describe('hours of the period the register accounts for'),
  unobservedHours: z
    .number()
    .describe('hours of the period it cannot account for (before, between, after segments)'),
  rebootsBridged: z.number(),
  implausibleSteps: z
    .number()
    .describe(
      'register steps larger than the LED circuit could draw in their time: the excess is not counted',
    ),
  implausibleExcluded: z.number(),
  inconsistentMeterEvents: z.number(),
});
export type RegisterReport = z.infer<typeof RegisterReport>;

export const UnobservedReason = z.enum([
  ...BreakReason.options,
  'before-first-reading',
  'after-last-reading',
  'no-readings',
]);
export type UnobservedReason = z.infer<typeof UnobservedReason>;

/** Time in the period for which the register cannot say how much energy was drawn. */
export const UnobservedWindow = z.object({
  fromMs: z.number(),
  toMs: z.number(),
  hours: z.number(),
  reason: UnobservedReason,
  lampOnHours: z.number(),
  fullLoadLampOnHours: z.number(),
  treatment: UnobservedEnergyRule,
  substitutedEnergyKwh: z.number(),
});
export type UnobservedWindow = z.infer<typeof UnobservedWindow>;

export const ElectricityRatioIntermediates = z.object({
  variant: z.literal('electricity-rated-power-ratio'),
  efGenTco2PerMwh: z.number(),
  referenceEnergyMwh: z.number().describe('EC × P_ref/P_led: what the replaced lamps would have drawn'),
});
export type ElectricityRatioIntermediates = z.infer<typeof ElectricityRatioIntermediates>;

export const RatedPowerHoursIntermediates = z.object({
  variant: z.literal('rated-power-hours'),
  efGenTco2PerMwh: z.number(),
  referenceHoursBasis: ReferenceHoursBasis,
  referenceHours: z
    .number()
    .describe('the operating hours of the reference lamps (per the basis), in counted windows'),
  referenceEnergyMwh: z.number().describe('P_ref × hours'),
  energySupportedFullLoadHours: z
    .number()
    .describe('EC ÷ P_led: the full-load hours the metered energy supports, for cross-checking the hours'),
});
export type RatedPowerHoursIntermediates = z.infer<typeof RatedPowerHoursIntermediates>;

export const FuelCrossCheckIntermediates = z.object({
  variant: z.literal('fuel-cross-check'),
  fuelDensityKgPerL: z.number(),
  ncvGjPerT: z.number(),
  efFuelTco2PerTj: z.number(),
  marginalFuelLPerKwh: z.number(),
  fuelCo2Tco2PerL: z.number().describe('density × NCV × EF: tCO₂ per litre of diesel'),
  efMarginalTco2PerMwh: z
    .number()
    .describe(
      "marginal fuel × CO₂ per litre, per MWh of lamp load: the fuel route's implied generator factor",
    ),
  projectLampFuelL: z.number().describe('marginal fuel of the LED load: SFC_marg × EC'),
  referenceLampFuelL: z
    .number()
    .describe('marginal fuel the replaced lamps would have needed: SFC_marg × EC × P_ref/P_led'),
  fuelSavedL: z.number().describe('ΔFuel = reference − project lamp fuel (derived, never measured)'),
  referenceGeneratorFuelL: nullableNumber.describe(
    "measured generator fuel + ΔFuel: the reference generator's fuel, when the totaliser is read",
  ),
  measuredFuelPerLedKwhLPerKwh: nullableNumber.describe(
    'measured generator fuel per kWh of LED energy (whole generator: lamps, idling, other loads)',
  ),
});
export type FuelCrossCheckIntermediates = z.infer<typeof FuelCrossCheckIntermediates>;

export const RouteIntermediates = z.discriminatedUnion('variant', [
  ElectricityRatioIntermediates,
  RatedPowerHoursIntermediates,
  FuelCrossCheckIntermediates,
]);
export type RouteIntermediates = z.infer<typeof RouteIntermediates>;

export const SubPeriodResult = z.object({
  fromDate: LocalDate,
  toDateExclusive: LocalDate,
  fromMs: z.number(),
  toMs: z.number(),
  registryVersionValidFrom: LocalDate,
  registryChange: z.string(),
  meterId: z.string(),
  ledLampCount: z.number(),
  ledLampRatedW: z.number(),
  replacedLampCount: z.number(),
  replacedLampRatedW: z.number(),
  replacedLampType: z.string(),
  pLedKw: z.number(),
  pRefKw: z.number(),
  powerRatio: z.number(),
  maxLedKw: z.number(),
  observedEnergyKwh: z.number(),
  substitutedEnergyKwh: z.number(),
  energyKwh: z.number(),
  energyMwh: z.number(),
  lampOnHours: z.number(),
  lampOnHoursObserved: z.number(),
  fullLoadLampOnHours: z.number(),
  fuelL: nullableNumber,
  referenceEmissionsTco2: z.number(),
  projectEmissionsTco2: z.number(),
  emissionReductionsTco2: z.number(),
  route: RouteIntermediates,
});
export type SubPeriodResult = z.infer<typeof SubPeriodResult>;

export const VesselCompleteness = z.object({
  periodHours: z.number(),
  configuredHours: z
    .number()
    .describe('hours of the period covered by a registry version (the vessel carried LEDs)'),
  energyObservedHours: z.number().describe('configured hours the energy register accounts for'),
  energyObservedRatio: nullableNumber,
  lampOnHours: z.number(),
  lampOnHoursObserved: z.number(),
  lampOnObservedRatio: nullableNumber,
  readingsExpected: z.number(),
  readingsReceived: z.number(),
  readingsRatio: nullableNumber,
  gaps: z.array(z.object({ fromMs: z.number(), toMs: z.number(), bridgedByRegister: z.boolean() })),
});
export type VesselCompleteness = z.infer<typeof VesselCompleteness>;

export const VesselFlag = z.enum([
  'NO_CONFIGURATION',
  'PARTLY_CONFIGURED',
  'NO_ENERGY_READINGS',
  'REGISTER_BREAK',
  'ENERGY_EXCLUDED',
  'ENERGY_SUBSTITUTED',
  'NO_SUBSTITUTION_RATE',
  'IMPLAUSIBLE_STEP_CAPPED',
  'METER_EVENT_INCONSISTENT',
  'LAMP_INTERVALS_OVERLAP',
  'DUPLICATE_READINGS_DROPPED',
]);
export type VesselFlag = z.infer<typeof VesselFlag>;

export const VesselResult = z
  .object({
    vesselId: VesselId,
    status: z.enum(['calculated', 'no-configuration']),
    subPeriods: z.array(SubPeriodResult),
    observedEnergyKwh: z.number(),
    substitutedEnergyKwh: z.number(),
    energyKwh: z.number(),
    energyMwh: z.number(),
    lampOnHours: z.number(),
    lampOnHoursObserved: z.number(),
    fuelL: nullableNumber,
    referenceEmissionsTco2: z.number(),
    projectEmissionsTco2: z.number(),
    emissionReductionsTco2: z.number(),
    emissionReductionsRoundedTco2: nullableNumber.describe(
      'only when the rounding stage is vessel; otherwise null (the fleet total is rounded once)',
    ),
    substitutionRateKwhPerFullLoadHour: nullableNumber.describe(
      'lowest observed LED energy per full-load lamp-on hour (basis of substitution), kWh/h; null if none',
    ),
    energyRegister: RegisterReport,
    fuelRegister: RegisterReport,
    unobservedWindows: z.array(UnobservedWindow),
    completeness: VesselCompleteness,
    flags: z.array(VesselFlag),
  })
  .meta({ id: 'VesselEmissions' });
export type VesselResult = z.infer<typeof VesselResult>;

export const FleetCompleteness = z.object({
  vessels: z.number(),
  vesselsWithFlags: z.number(),
  configuredHours: z.number(),
  energyObservedHours: z.number(),
  energyObservedRatio: nullableNumber,
  lampOnHours: z.number(),
  lampOnHoursObserved: z.number(),
  lampOnObservedRatio: nullableNumber,
  readingsExpected: z.number(),
  readingsReceived: z.number(),
  readingsRatio: nullableNumber,
});
export type FleetCompleteness = z.infer<typeof FleetCompleteness>;

export const FleetTotals = z.object({
  observedEnergyKwh: z.number(),
  substitutedEnergyKwh: z.number(),
  energyMwh: z.number(),
  lampOnHours: z.number(),
  fuelL: nullableNumber.describe(
    'measured generator fuel of the vessels with fuel readings, L; null when none has any',
  ),
  fuelMeteredVessels: z.number(),
  referenceEmissionsTco2: z.number(),
  projectEmissionsTco2: z.number(),
  emissionReductionsTco2: z.number().describe("Σ of the vessels' unrounded reductions"),
  emissionReductionsReportedTco2: z
    .number()
    .describe("the period's reductions as reported: rounded once, by the methodology's rule"),
  rounding: RoundingRule,
  completeness: FleetCompleteness,
});
export type FleetTotals = z.infer<typeof FleetTotals>;

/** The calculator's output: canonical JSON of it is byte-identical for the same inputs. */
export const FleetResult = z
  .object({
    schema: z.literal(JCM_RESULT_SCHEMA),
    provenance: Provenance,
    period: PeriodReport,
    fleet: FleetTotals,
    vessels: z.array(VesselResult),
  })
  .meta({ id: 'EmissionsResult' });
export type FleetResult = z.infer<typeof FleetResult>;

/** `GET /api/v1/emissions` as JSON: the result, and whether it came from the cache of identical inputs. */
export const EmissionsReport = z
  .object({
    result: FleetResult,
    fromCache: z.boolean().describe('true when the same inputs were calculated before'),
  })
  .meta({ id: 'EmissionsReport' });
export type EmissionsReport = z.infer<typeof EmissionsReport>;
