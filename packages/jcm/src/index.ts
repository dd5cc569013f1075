export {
  RESULT_SCHEMA,
  calculateFleet,
  type Provenance,
  type PeriodReport,
  type SegmentReport,
  type BreakReport,
  type RegisterReport,
  type UnobservedReason,
  type UnobservedWindow,
  type SubPeriodResult,
  type VesselCompleteness,
  type VesselFlag,
  type VesselResult,
  type FleetCompleteness,
  type FleetTotals,
  type FleetResult,
} from './calculate.js';
export type {
  ReportingPeriod,
  EnergyRegisterReading,
  FuelRegisterReading,
  MeterReplacement,
  LampOnInterval,
  DailyReadingCounts,
  DataGap,
  VesselDataQuality,
  VesselPeriodInput,
  FleetPeriodInput,
} from './input.js';
export type { BreakReason } from './register.js';
export type {
  ElectricityRatioIntermediates,
  RatedPowerHoursIntermediates,
  FuelCrossCheckIntermediates,
  RouteIntermediates,
} from './variants.js';
export {
  lampPowerKw,
  electricityRoute,
  ratedPowerHoursRoute,
  fuelCo2Tco2PerL,
  fuelSaving,
  derivedFuelSavedL,
  type ElectricityRouteFigures,
  type FuelSavingFigures,
} from './formulas.js';
export { roundTco2 } from './rounding.js';
export { canonicalJson, canonicalSha256, sha256Hex, type JsonValue } from './canonical-json.js';
export { diffResults, type ResultChange } from './restatement.js';
export {
  BUILT_IN_METHODOLOGY_IDS,
  METHODOLOGIES_DIR_URL,
  type BuiltInMethodologyId,
  loadBuiltInMethodology,
  loadMethodology,
  parseMethodology,
  parameterSetSha256,
} from './methodologies.js';
export { JcmError, type JcmErrorCode, type JcmProblem } from './errors.js';
export { localDateStartMs } from './time.js';
export { CALCULATOR_NAME, CALCULATOR_VERSION } from './version.js';
