export { RESULT_SCHEMA, calculateFleet } from './calculate.js';
// The result's types are the contract's (the API serializes the result through the same schemas).
export type {
  Provenance,
  PeriodReport,
  SegmentReport,
  BreakReport,
  RegisterReport,
  UnobservedReason,
  UnobservedWindow,
  SubPeriodResult,
  VesselCompleteness,
  VesselFlag,
  VesselResult,
  FleetCompleteness,
  FleetTotals,
  FleetResult,
  BreakReason,
  ElectricityRatioIntermediates,
  RatedPowerHoursIntermediates,
  FuelCrossCheckIntermediates,
  RouteIntermediates,
} from '@qt-led/contract';
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
