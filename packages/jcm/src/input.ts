import { LocalDate, type VersionSpan, type VesselId } from '@qt-led/contract';
import { RegisterReadingsJson } from './canonical-json.js';
import { JcmError, type JcmProblem } from './errors.js';

/**
 * What the calculator needs for one reporting period. Everything is plain data a service can fill from the
 * storage port and the registry, in any order and with duplicates (the calculator sorts and de-duplicates):
 *
 * - `versions`: `registry.versionsBetween(vesselId, period.from, period.toExclusive)`;
 * - `energyReadings` / `fuelReadings`: "register readings of a vessel between two instants" — the period's
 *   readings **plus at least the last reading before the period and the first after it**, so energy at the
 *   period's boundaries comes from the register rather than from a guess;
 * - `meterReplacements`: the `meter-replaced` device events of the vessel in that window;
 * - `lampOnIntervals`: "lamp-on intervals" (when lamps were lit and how many on average);
 * - `dataQuality`: "completeness per vessel per day" (readings expected vs received) and the gap ledger.
 */

/** A reporting period of whole local days in Viet Nam: `from` ≤ d < `toExclusive` (a month: 03-01 to 04-01). */
export interface ReportingPeriod {
  readonly from: LocalDate;
  readonly toExclusive: LocalDate;
}

/** One reading of the cumulative kWh register of the LED circuit. */
export interface EnergyRegisterReading {
  readonly atMs: number;
  readonly registerKwh: number;
  /** The gateway boot that sent it: a reboot alone does not reset the meter. */
  readonly bootId: string;
  /** The meter's serial, when the gateway reports it: a different meter is never bridged. */
  readonly meterId?: string;
}

/** One reading of the generator's cumulative fuel totaliser. */
export interface FuelRegisterReading {
  readonly atMs: number;
  readonly registerL: number;
  readonly bootId: string;
  readonly meterId?: string;
}

/** A `meter-replaced` device event: registers of the old meter (if known) and the new one at `atMs`. */
export interface MeterReplacement {
  readonly atMs: number;
  readonly sensor: 'led-meter' | 'fuel-meter';
  readonly lastRegister: number | null;
  readonly firstRegister: number;
}

/** Lamps lit from `fromMs` to `toMs` (exclusive), `meanLampsOn` LED lamps on average. */
export interface LampOnInterval {
  readonly fromMs: number;
  readonly toMs: number;
  readonly meanLampsOn: number;
}

/** Readings the gateway should have sent on a local day, and how many arrived (from the gap ledger). */
export interface DailyReadingCounts {
  readonly date: LocalDate;
  readonly expectedReadings: number;
  readonly receivedReadings: number;
}

/** A stretch in which readings are missing (seq ranges never received, mapped to time). */
export interface DataGap {
  readonly fromMs: number;
  readonly toMs: number;
}

export interface VesselDataQuality {
  readonly days: readonly DailyReadingCounts[];
  readonly gaps: readonly DataGap[];
}

export interface VesselPeriodInput {
  readonly vesselId: VesselId;
  readonly versions: readonly VersionSpan[];
  readonly energyReadings: readonly EnergyRegisterReading[];
  readonly fuelReadings?: readonly FuelRegisterReading[];
  readonly meterReplacements?: readonly MeterReplacement[];
  readonly lampOnIntervals: readonly LampOnInterval[];
  readonly dataQuality?: VesselDataQuality;
}

/** The whole calculation input: 40 vessels × a month is one call. */
export interface FleetPeriodInput {
  readonly period: ReportingPeriod;
  readonly vessels: readonly VesselPeriodInput[];
}

/** A register reading in the calculator's own terms (energy in kWh or fuel in L). */
export interface NormalisedReading {
  readonly atMs: number;
  readonly register: number;
  readonly bootId: string;
  readonly meterId: string | null;
}

export interface NormalisedVesselInput {
  readonly vesselId: VesselId;
  readonly versions: readonly VersionSpan[];
  readonly energyReadings: readonly NormalisedReading[];
  readonly fuelReadings: readonly NormalisedReading[];
  readonly meterReplacements: readonly MeterReplacement[];
  readonly lampOnIntervals: readonly LampOnInterval[];
  readonly dataQuality: VesselDataQuality;
  /** Exact duplicates dropped (same instant, register, boot and meter): harmless re-deliveries. */
  readonly duplicateEnergyReadings: number;
  readonly duplicateFuelReadings: number;
}

/** Sorted, de-duplicated input: what is hashed and calculated, so arrival order cannot matter. */
export interface NormalisedFleetInput {
  readonly period: ReportingPeriod;
  readonly vessels: readonly NormalisedVesselInput[];
}

const compareNumbers = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0);
const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareReadings(a: NormalisedReading, b: NormalisedReading): number {
  return (
    compareNumbers(a.atMs, b.atMs) ||
    compareNumbers(a.register, b.register) ||
    compareStrings(a.bootId, b.bootId) ||
    compareStrings(a.meterId ?? '', b.meterId ?? '')
  );
}

function dedupeSorted<T>(
  items: readonly T[],
  compare: (a: T, b: T) => number,
): { items: T[]; dropped: number } {
  // Usually already in order and without duplicates (a store gives a vessel's readings by time): one pass
  // says so, and the month's readings are neither copied nor sorted.
  let ordered = true;
  for (let i = 1; i < items.length; i++) {
    if (compare(items[i - 1] as T, items[i] as T) >= 0) {
      ordered = false;
      break;
    }
  }
  if (ordered) return { items: items as T[], dropped: 0 };
  const sorted = [...items].sort(compare);
  const kept: T[] = [];
  for (const item of sorted) {
    const last = kept[kept.length - 1];
    if (last === undefined || compare(last, item) !== 0) kept.push(item);
  }
  return { items: kept, dropped: sorted.length - kept.length };
}

const isInstant = (ms: number): boolean => Number.isInteger(ms) && ms >= 0;
const isNonNegative = (x: number): boolean => Number.isFinite(x) && x >= 0;

function normaliseReadings(
  readings: readonly NormalisedReading[],
  path: string,
  problems: JcmProblem[],
): { items: NormalisedReading[]; dropped: number } {
  readings.forEach((r, i) => {
    if (!isInstant(r.atMs)) problems.push({ path: `${path}[${i}].atMs`, message: 'not an instant in ms' });
    if (!isNonNegative(r.register))
      problems.push({
        path: `${path}[${i}]`,
        message: `register ${String(r.register)} is not a finite number ≥ 0`,
      });
  });
  return dedupeSorted(readings, compareReadings);
}

/** The period's own problems: a date not written YYYY-MM-DD, or an end not after the start. */
function periodProblems(period: ReportingPeriod): JcmProblem[] {
  const problems: JcmProblem[] = [];
  for (const key of ['from', 'toExclusive'] as const) {
    if (!LocalDate.safeParse(period[key]).success)
      problems.push({
        path: `period.${key}`,
        message: `${period[key]} is not a date written YYYY-MM-DD`,
      });
  }
  // Dates that are not dates cannot be compared.
  if (problems.length === 0 && period.toExclusive <= period.from)
    problems.push({
      path: 'period',
      message: `the period ends (${period.toExclusive}) before it starts (${period.from})`,
    });
  return problems;
}

/**
 * The registry spans sorted by start; each must end after it starts, lie inside the period and not overlap
 * the one before. Appends what is wrong to `problems`.
 */
function normaliseVersions(
  spans: readonly VersionSpan[],
  period: ReportingPeriod,
  at: string,
  problems: JcmProblem[],
): VersionSpan[] {
  const versions = [...spans].sort((a, b) => compareStrings(a.from, b.from));
  versions.forEach((span, i) => {
    if (span.to <= span.from)
      problems.push({
        path: `${at}.versions[${i}]`,
        message: `the span ends (${span.to}) before it starts (${span.from})`,
      });
    if (span.from < period.from || span.to > period.toExclusive)
      problems.push({
        path: `${at}.versions[${i}]`,
        message: `the span ${span.from}..${span.to} lies outside the period ${period.from}..${period.toExclusive}`,
      });
    const previous = versions[i - 1];
    if (previous && span.from < previous.to)
      problems.push({
        path: `${at}.versions[${i}]`,
        message: `overlaps the span starting ${previous.from}`,
      });
  });
  return versions;
}

/** The meter replacements, checked and sorted with exact duplicates dropped. Appends problems. */
function normaliseMeterReplacements(
  events: readonly MeterReplacement[],
  at: string,
  problems: JcmProblem[],
): MeterReplacement[] {
  events.forEach((e, i) => {
    if (!isInstant(e.atMs))
      problems.push({ path: `${at}.meterReplacements[${i}].atMs`, message: 'not an instant in ms' });
    if (!isNonNegative(e.firstRegister) || (e.lastRegister !== null && !isNonNegative(e.lastRegister)))
      problems.push({
        path: `${at}.meterReplacements[${i}]`,
        message: 'registers must be finite numbers ≥ 0',
      });
  });
  return dedupeSorted(
    events.map((e) => ({
      atMs: e.atMs,
      sensor: e.sensor,
      lastRegister: e.lastRegister,
      firstRegister: e.firstRegister,
    })),
    (a, b) =>
      compareNumbers(a.atMs, b.atMs) ||
      compareStrings(a.sensor, b.sensor) ||
      compareNumbers(a.lastRegister ?? -1, b.lastRegister ?? -1) ||
      compareNumbers(a.firstRegister, b.firstRegister),
  ).items;
}

/** The lamp-on intervals, checked and sorted with exact duplicates dropped. Appends problems. */
function normaliseLampOnIntervals(
  intervals: readonly LampOnInterval[],
  at: string,
  problems: JcmProblem[],
): LampOnInterval[] {
  intervals.forEach((l, i) => {
    if (!isInstant(l.fromMs) || !isInstant(l.toMs) || l.toMs <= l.fromMs)
      problems.push({
        path: `${at}.lampOnIntervals[${i}]`,
        message: 'an interval needs instants with fromMs < toMs',
      });
    if (!isNonNegative(l.meanLampsOn))
      problems.push({
        path: `${at}.lampOnIntervals[${i}].meanLampsOn`,
        message: 'must be a finite number ≥ 0',
      });
  });
  return dedupeSorted(
    intervals.map((l) => ({ fromMs: l.fromMs, toMs: l.toMs, meanLampsOn: l.meanLampsOn })),
    (a, b) =>
      compareNumbers(a.fromMs, b.fromMs) ||
      compareNumbers(a.toMs, b.toMs) ||
      compareNumbers(a.meanLampsOn, b.meanLampsOn),
  ).items;
}

/** Daily reading counts sorted by date: whole numbers ≥ 0, each day listed once. Appends problems. */
function normaliseDays(
  counts: readonly DailyReadingCounts[],
  at: string,
  problems: JcmProblem[],
): DailyReadingCounts[] {
  const days = [...counts]
    .map((d) => ({
      date: d.date,
      expectedReadings: d.expectedReadings,
      receivedReadings: d.receivedReadings,
    }))
    .sort((a, b) => compareStrings(a.date, b.date));
  days.forEach((d, i) => {
    if (
      !Number.isInteger(d.expectedReadings) ||
      d.expectedReadings < 0 ||
      !Number.isInteger(d.receivedReadings) ||
      d.receivedReadings < 0
    )
      problems.push({
        path: `${at}.dataQuality.days[${d.date}]`,
        message: 'reading counts are whole numbers ≥ 0',
      });
    if (days[i - 1]?.date === d.date)
      problems.push({ path: `${at}.dataQuality.days[${d.date}]`, message: 'the day is listed twice' });
  });
  return days;
}

/** The gap ledger, checked and sorted with exact duplicates dropped. Appends problems. */
function normaliseGaps(gaps: readonly DataGap[], at: string, problems: JcmProblem[]): DataGap[] {
  gaps.forEach((g, i) => {
    if (!isInstant(g.fromMs) || !isInstant(g.toMs) || g.toMs < g.fromMs)
      problems.push({
        path: `${at}.dataQuality.gaps[${i}]`,
        message: 'a gap needs instants with fromMs ≤ toMs',
      });
  });
  return dedupeSorted(
    gaps.map((g) => ({ fromMs: g.fromMs, toMs: g.toMs })),
    (a, b) => compareNumbers(a.fromMs, b.fromMs) || compareNumbers(a.toMs, b.toMs),
  ).items;
}

/** Where a vessel's problems are reported: `vessels[QT-90145-TS]`. */
const vesselPath = (vesselId: VesselId): string => `vessels[${vesselId}]`;

/**
 * One vessel's input, checked and normalised; appends its problems in input order (versions, readings,
 * events, intervals, data quality), so the error lists them as a reader would find them.
 */
function normaliseVessel(
  vessel: VesselPeriodInput,
  period: ReportingPeriod,
  problems: JcmProblem[],
): NormalisedVesselInput {
  const at = vesselPath(vessel.vesselId);
  const versions = normaliseVersions(vessel.versions, period, at, problems);
  const energy = normaliseReadings(
    vessel.energyReadings.map((r) => ({
      atMs: r.atMs,
      register: r.registerKwh,
      bootId: r.bootId,
      meterId: r.meterId ?? null,
    })),
    `${at}.energyReadings`,
    problems,
  );
  const fuel = normaliseReadings(
    (vessel.fuelReadings ?? []).map((r) => ({
      atMs: r.atMs,
      register: r.registerL,
      bootId: r.bootId,
      meterId: r.meterId ?? null,
    })),
    `${at}.fuelReadings`,
    problems,
  );
  const meterReplacements = normaliseMeterReplacements(vessel.meterReplacements ?? [], at, problems);
  const lampOnIntervals = normaliseLampOnIntervals(vessel.lampOnIntervals, at, problems);
  const quality = vessel.dataQuality ?? { days: [], gaps: [] };
  const days = normaliseDays(quality.days, at, problems);
  const gaps = normaliseGaps(quality.gaps, at, problems);
  return {
    vesselId: vessel.vesselId,
    versions,
    energyReadings: energy.items,
    fuelReadings: fuel.items,
    meterReplacements,
    lampOnIntervals,
    dataQuality: { days, gaps },
    duplicateEnergyReadings: energy.dropped,
    duplicateFuelReadings: fuel.dropped,
  };
}

/**
 * Checks and normalises the input: readings sorted by instant (then register) with exact duplicates
 * dropped, intervals and events sorted, vessels ordered by id. Lists every problem at once.
 */
export function normaliseInput(input: FleetPeriodInput): NormalisedFleetInput {
  const { period } = input;
  const problems = periodProblems(period);
  const seen = new Set<string>();
  const vessels = input.vessels.map((vessel): NormalisedVesselInput => {
    if (seen.has(vessel.vesselId))
      problems.push({ path: vesselPath(vessel.vesselId), message: 'the vessel is listed twice' });
    seen.add(vessel.vesselId);
    return normaliseVessel(vessel, period, problems);
  });

  if (problems.length > 0)
    throw new JcmError(
      'JCM_INPUT_INVALID',
      `the period data cannot be calculated: ${problems.length} problem(s)`,
      problems,
    );
  return {
    period: { from: period.from, toExclusive: period.toExclusive },
    vessels: vessels.sort((a, b) => compareStrings(a.vesselId, b.vesselId)),
  };
}

/**
 * The part of the normalised input that identifies the data (hashed into `inputSha256`): the period and,
 * per vessel, the registry versions and every reading, event, interval and count — not the duplicate counts,
 * which depend on how often a message was re-delivered.
 */
export function hashableInput(input: NormalisedFleetInput): unknown {
  return {
    period: input.period,
    vessels: input.vessels.map((v) => ({
      vesselId: v.vesselId,
      versions: v.versions.map((s) => ({ from: s.from, to: s.to, version: s.version })),
      // Written by canonical JSON's fast path for readings: the same bytes as the plain arrays.
      energyReadings: new RegisterReadingsJson(v.energyReadings),
      fuelReadings: new RegisterReadingsJson(v.fuelReadings),
      meterReplacements: v.meterReplacements,
      lampOnIntervals: v.lampOnIntervals,
      dataQuality: v.dataQuality,
    })),
  };
}
