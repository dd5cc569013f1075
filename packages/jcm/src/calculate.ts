import {
  type BreakReport,
  type FleetCompleteness,
  type FleetResult,
  type FleetTotals,
  JCM_RESULT_SCHEMA,
  type PeriodReport,
  type Provenance,
  REGISTRY_TIME_ZONE,
  type RegisterReport,
  type SegmentReport,
  type SubPeriodResult,
  type UnobservedReason,
  type UnobservedWindow,
  type VesselCompleteness,
  type VesselFlag,
  type VesselResult,
  type LocalDate,
  type MethodologyParameterSet,
} from '@qt-led/contract';
import { canonicalSha256 } from './canonical-json.js';
import { JcmError, type JcmProblem } from './errors.js';
import { lampPowerKw } from './formulas.js';
import {
  hashableInput,
  normaliseInput,
  type FleetPeriodInput,
  type NormalisedVesselInput,
  type VesselDataQuality,
} from './input.js';
import { litHours, litSpans, litTimeline, type LitTimeline } from './lamp-on.js';
import { segmentRegister, type RegisterPoint, type SegmentedRegister } from './register.js';
import { roundTco2 } from './rounding.js';
import { localDateStartMs, MS_PER_HOUR } from './time.js';
import { variantOf, type EmissionVariant, type SubPeriodConfig } from './variants.js';
import { CALCULATOR_NAME, CALCULATOR_VERSION } from './version.js';

/** The result's format: its shape is the contract's `FleetResult` schema. */
export const RESULT_SCHEMA = JCM_RESULT_SCHEMA;

// Re-exported beside the calculator that fills them (the package index exports them too).
export type {
  BreakReport,
  FleetCompleteness,
  FleetResult,
  FleetTotals,
  PeriodReport,
  Provenance,
  RegisterReport,
  SegmentReport,
  SubPeriodResult,
  UnobservedReason,
  UnobservedWindow,
  VesselCompleteness,
  VesselFlag,
  VesselResult,
};

const hoursBetween = (fromMs: number, toMs: number): number => Math.max(0, toMs - fromMs) / MS_PER_HOUR;
const ratio = (part: number, whole: number): number | null => (whole > 0 ? Math.min(1, part / whole) : null);
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/**
 * Refuses a period that is not wholly inside every parameter's effective dates: a figure must never rest
 * on a value that did not apply.
 */
function checkEffective(methodology: MethodologyParameterSet, from: LocalDate, toExclusive: LocalDate): void {
  const problems: JcmProblem[] = [];
  for (const [key, p] of Object.entries(methodology.parameters)) {
    if (p.validFrom > from || (p.validTo !== null && p.validTo < toExclusive)) {
      problems.push({
        path: `parameters.${key}`,
        message: `${p.symbol} is effective ${p.validFrom}..${p.validTo ?? 'open'}, not for the whole period ${from}..${toExclusive}`,
      });
    }
  }
  if (problems.length > 0) {
    throw new JcmError(
      'JCM_PARAMETER_NOT_EFFECTIVE',
      `${methodology.methodologyId} ${methodology.version} does not apply to ${from}..${toExclusive}`,
      problems,
    );
  }
}

interface SubPeriod extends SubPeriodConfig {
  readonly span: NormalisedVesselInput['versions'][number];
  readonly fromMs: number;
  readonly toMs: number;
  readonly credit: number;
}

/** A stretch of the time line a register step may fall into: outside the period, unconfigured, or a sub-period. */
interface Piece {
  readonly fromMs: number;
  readonly toMs: number;
  /** Index into the sub-periods, or -1 (outside the period, or no LED configuration). */
  readonly sub: number;
  readonly capKw: number;
  readonly credit: number;
}

function buildPieces(subs: readonly SubPeriod[], startMs: number, endMs: number): Piece[] {
  const inside: Omit<Piece, 'capKw'>[] = [];
  let cursor = startMs;
  subs.forEach((s, i) => {
    if (s.fromMs > cursor) inside.push({ fromMs: cursor, toMs: s.fromMs, sub: -1, credit: 0 });
    inside.push({ fromMs: s.fromMs, toMs: s.toMs, sub: i, credit: s.credit });
    cursor = s.toMs;
  });
  if (cursor < endMs) inside.push({ fromMs: cursor, toMs: endMs, sub: -1, credit: 0 });
  const all = [
    { fromMs: -Infinity, toMs: startMs, sub: -1, credit: 0 },
    ...inside,
    { fromMs: endMs, toMs: Infinity, sub: -1, credit: 0 },
  ];
  // Outside the period or its configured days, the lamps are taken to be those of the nearest sub-period.
  const nearestCap = (piece: Omit<Piece, 'capKw'>): number => {
    if (piece.sub >= 0) return (subs[piece.sub] as SubPeriod).maxLedKw;
    const after = subs.find((s) => s.fromMs >= piece.toMs);
    const before = [...subs].reverse().find((s) => s.toMs <= piece.fromMs);
    return (after ?? before ?? subs[0])?.maxLedKw ?? 0;
  };
  return all.map((p) => ({ ...p, capKw: nearestCap(p) }));
}

interface Allocation {
  /** kWh per sub-period index. */
  readonly toSubs: readonly (readonly [number, number])[];
  /** Energy beyond what the circuit could draw in the step's time. */
  readonly excess: number;
}

/**
 * Attributes one register step (energy `delta` between instants t1 ≤ t2) to the pieces of the time line it
 * spans. Nothing says when inside the step the energy was drawn, so it goes first to the pieces where it
 * credits least — outside the period or a low-ratio sub-period for the electricity route — each taking at
 * most what the LED circuit can draw there (max power × its share of the step's time). This is the
 * conservative end of every split the register allows; a step wholly inside one piece is simply counted
 * (up to the plausibility cap).
 */
function allocateStep(pieces: readonly Piece[], t1: number, t2: number, delta: number): Allocation {
  const touched = pieces
    .map((piece, order) => ({
      piece,
      order,
      capKwh:
        (piece.capKw * Math.max(0, Math.min(piece.toMs, t2) - Math.max(piece.fromMs, t1))) / MS_PER_HOUR,
    }))
    .filter((p) => p.capKwh > 0);
  const capacity = sum(touched.map((t) => t.capKwh));
  let remaining = Math.min(delta, capacity);
  const excess = delta - remaining;
  const toSubs: [number, number][] = [];
  touched.sort((a, b) => a.piece.credit - b.piece.credit || a.order - b.order);
  for (const t of touched) {
    if (remaining <= 0) break;
    const take = Math.min(remaining, t.capKwh);
    remaining -= take;
    if (t.piece.sub >= 0) toSubs.push([t.piece.sub, take]);
  }
  return { toSubs, excess };
}

/** Fuel enters no reduction: a step across a boundary is shared in proportion to time (a best estimate). */
function allocateLinear(pieces: readonly Piece[], t1: number, t2: number, delta: number): [number, number][] {
  const out: [number, number][] = [];
  for (const piece of pieces) {
    if (piece.sub < 0) continue;
    const overlap = Math.min(piece.toMs, t2) - Math.max(piece.fromMs, t1);
    if (overlap > 0) out.push([piece.sub, (delta * overlap) / (t2 - t1)]);
  }
  return out;
}

interface Window {
  readonly fromMs: number;
  readonly toMs: number;
  readonly reason?: UnobservedReason;
}

/** A register's observed stretches of the period and the unobserved ones between them. */
interface Coverage {
  readonly observed: readonly Window[];
  readonly unobserved: readonly Window[];
}

/** The register-observed stretches of [start, end) and the unobserved ones between them, with reasons. */
function coverage(register: SegmentedRegister, startMs: number, endMs: number): Coverage {
  const observed: Window[] = [];
  const unobserved: Window[] = [];
  let cursor = startMs;
  register.segments.forEach((segment, k) => {
    const first = (segment.points[0] as RegisterPoint).atMs;
    const last = (segment.points[segment.points.length - 1] as RegisterPoint).atMs;
    if (first > cursor && cursor < endMs) {
      const reason: UnobservedReason =
        k === 0 ? 'before-first-reading' : (register.breaks[k - 1]?.reason ?? 'register-drop');
      unobserved.push({ fromMs: cursor, toMs: Math.min(first, endMs), reason });
    }
    const from = Math.max(first, startMs);
    const to = Math.min(last, endMs);
    if (to > from) observed.push({ fromMs: from, toMs: to });
    cursor = Math.max(cursor, last);
  });
  if (cursor < endMs) {
    unobserved.push({
      fromMs: cursor,
      toMs: endMs,
      reason: register.segments.length === 0 ? 'no-readings' : 'after-last-reading',
    });
  }
  return { observed, unobserved };
}

function lastAtOrBefore(points: readonly RegisterPoint[], atMs: number): RegisterPoint | undefined {
  let found: RegisterPoint | undefined;
  for (const p of points) {
    if (p.atMs <= atMs) found = p;
    else break;
  }
  return found;
}

/**
 * The lowest energy per full-load lamp-on hour observed in the period: for each lit stretch ("night") that
 * one register segment brackets, the register difference between the readings around it ÷ the
 * lamps-on-weighted hours between those readings. Weighting by lamps lit makes a night with half the lamps
 * on comparable with a full one.
 */
function lowestObservedRate(
  register: SegmentedRegister,
  lit: LitTimeline,
  subs: readonly SubPeriod[],
  startMs: number,
  endMs: number,
): number | null {
  let lowest: number | null = null;
  for (const span of litSpans(lit)) {
    if (span.toMs <= startMs || span.fromMs >= endMs) continue;
    for (const segment of register.segments) {
      const before = lastAtOrBefore(segment.points, span.fromMs);
      const after = segment.points.find((p) => p.atMs >= span.toMs);
      if (!before || !after) continue;
      const hours = fullLoadHoursIn(lit, subs, before.atMs, after.atMs);
      if (hours > 0) {
        const rate = (after.register - before.register) / hours;
        if (lowest === null || rate < lowest) lowest = rate;
      }
      break;
    }
  }
  return lowest;
}

/** Full-load lamp-on hours in [from, to), each part weighted by the LED lamp count of its sub-period. */
function fullLoadHoursIn(lit: LitTimeline, subs: readonly SubPeriod[], fromMs: number, toMs: number): number {
  let hours = 0;
  subs.forEach((s, i) => {
    // Outside the period the nearest sub-period's lamps count (the first before it, the last after it).
    const from = Math.max(fromMs, i === 0 ? -Infinity : s.fromMs);
    const to = Math.min(toMs, i === subs.length - 1 ? Infinity : s.toMs);
    if (to > from) hours += litHours(lit, from, to, s.ledLampCount);
  });
  return hours;
}

function segmentReports(
  register: SegmentedRegister,
  inPeriod: readonly number[],
  startMs: number,
  endMs: number,
): SegmentReport[] {
  const out: SegmentReport[] = [];
  register.segments.forEach((segment, k) => {
    const points = segment.points;
    const first = points[0] as RegisterPoint;
    const last = points[points.length - 1] as RegisterPoint;
    if (first.atMs >= endMs || last.atMs < startMs) return;
    // One pass over the segment's points (a month of readings): boots, the first meter id, the first and
    // last point inside the period.
    const boots = new Set<string>();
    let meterId: string | null = null;
    let firstInside: RegisterPoint | undefined;
    let lastInside: RegisterPoint | undefined;
    for (const p of points) {
      if (p.bootId !== null) boots.add(p.bootId);
      if (meterId === null && p.meterId !== null) meterId = p.meterId;
      if (p.atMs >= startMs && p.atMs <= endMs) {
        firstInside ??= p;
        lastInside = p;
      }
    }
    const point = (p: RegisterPoint | undefined) => (p ? { atMs: p.atMs, register: p.register } : null);
    out.push({
      fromMs: first.atMs,
      toMs: last.atMs,
      points: points.length,
      firstRegister: first.register,
      lastRegister: last.register,
      registerDelta: last.register - first.register,
      firstInPeriod: point(firstInside),
      lastInPeriod: point(lastInside),
      inPeriod: inPeriod[k] ?? 0,
      meterId,
      bootIds: [...boots].sort(),
    });
  });
  return out;
}

function breakReports(register: SegmentedRegister, startMs: number, endMs: number): BreakReport[] {
  return register.breaks
    .filter((b) => b.lastBefore.atMs < endMs && b.firstAfter.atMs >= startMs)
    .map((b) => ({
      reason: b.reason,
      lastBeforeMs: b.lastBefore.atMs,
      lastBeforeRegister: b.lastBefore.register,
      firstAfterMs: b.firstAfter.atMs,
      firstAfterRegister: b.firstAfter.register,
      bootChanged: b.bootBefore !== null && b.bootAfter !== null && b.bootBefore !== b.bootAfter,
    }));
}

/** The part of a window that lies in a sub-period, as [from, to) (empty when to ≤ from). */
function intersect(w: Window, s: SubPeriod): [number, number] {
  return [Math.max(w.fromMs, s.fromMs), Math.min(w.toMs, s.toMs)];
}

/** Each registry version span clipped to the period, with its lamp powers and what a kWh credits there. */
function subPeriodsOf<M extends MethodologyParameterSet>(
  methodology: M,
  variant: EmissionVariant<M>,
  versions: NormalisedVesselInput['versions'],
  startMs: number,
  endMs: number,
): SubPeriod[] {
  const loadFactor = methodology.parameters.ledLoadFactorMax.value;
  return versions.map((span) => {
    const v = span.version;
    const pLedKw = lampPowerKw(v.ledLamps.count, v.ledLamps.ratedW);
    const pRefKw = lampPowerKw(v.replacedLamps.count, v.replacedLamps.ratedW);
    const config: SubPeriodConfig = {
      pLedKw,
      pRefKw,
      powerRatio: pRefKw / pLedKw,
      ledLampCount: v.ledLamps.count,
      maxLedKw: pLedKw * loadFactor,
    };
    return {
      ...config,
      span,
      fromMs: Math.max(startMs, localDateStartMs(span.from)),
      toMs: Math.min(endMs, localDateStartMs(span.to)),
      credit: variant.creditPerKwh(methodology, config),
    };
  });
}

interface Registers {
  readonly energy: SegmentedRegister;
  readonly fuel: SegmentedRegister;
}

/** Both registers cut into segments, each only at the meter replacements of its own sensor. */
function segmentRegisters(input: NormalisedVesselInput): Registers {
  return {
    energy: segmentRegister(
      input.energyReadings,
      input.meterReplacements.filter((e) => e.sensor === 'led-meter'),
    ),
    fuel: segmentRegister(
      input.fuelReadings,
      input.meterReplacements.filter((e) => e.sensor === 'fuel-meter'),
    ),
  };
}

/** A register's in-period amount (kWh or L) per sub-period and per segment, and what was capped. */
interface RegisterAllocation {
  readonly perSub: readonly number[];
  readonly perSegment: readonly number[];
  readonly implausibleSteps: number;
  readonly implausibleExcluded: number;
}

/** The energy register's rising steps in the period, each attributed and capped by {@link allocateStep}. */
function allocateEnergy(
  energy: SegmentedRegister,
  pieces: readonly Piece[],
  subCount: number,
  startMs: number,
  endMs: number,
): RegisterAllocation {
  const perSub = new Array<number>(subCount).fill(0);
  const perSegment = energy.segments.map(() => 0);
  let implausibleSteps = 0;
  let implausibleKwh = 0;
  energy.segments.forEach((segment, k) => {
    for (let i = 1; i < segment.points.length; i += 1) {
      const a = segment.points[i - 1] as RegisterPoint;
      const b = segment.points[i] as RegisterPoint;
      const delta = b.register - a.register;
      if (delta <= 0 || b.atMs < startMs || a.atMs >= endMs) continue;
      const { toSubs, excess } = allocateStep(pieces, a.atMs, b.atMs, delta);
      if (excess > 0) {
        implausibleSteps += 1;
        implausibleKwh += excess;
      }
      for (const [sub, kwh] of toSubs) {
        perSub[sub] = (perSub[sub] ?? 0) + kwh;
        perSegment[k] = (perSegment[k] ?? 0) + kwh;
      }
    }
  });
  return { perSub, perSegment, implausibleSteps, implausibleExcluded: implausibleKwh };
}

/** The fuel register's rising steps, shared by time ({@link allocateLinear}); no circuit bounds them. */
function allocateFuel(
  fuel: SegmentedRegister,
  pieces: readonly Piece[],
  subCount: number,
  startMs: number,
  endMs: number,
): RegisterAllocation {
  const perSub = new Array<number>(subCount).fill(0);
  const perSegment = fuel.segments.map(() => 0);
  fuel.segments.forEach((segment, k) => {
    for (let i = 1; i < segment.points.length; i += 1) {
      const a = segment.points[i - 1] as RegisterPoint;
      const b = segment.points[i] as RegisterPoint;
      const delta = b.register - a.register;
      if (delta <= 0 || b.atMs <= a.atMs || b.atMs <= startMs || a.atMs >= endMs) continue;
      for (const [sub, litres] of allocateLinear(pieces, a.atMs, b.atMs, delta)) {
        perSub[sub] = (perSub[sub] ?? 0) + litres;
        perSegment[k] = (perSegment[k] ?? 0) + litres;
      }
    }
  });
  return { perSub, perSegment, implausibleSteps: 0, implausibleExcluded: 0 };
}

/**
 * Both registers attributed to the sub-periods. With no LED configuration nothing is attributed, and no
 * step is judged implausible: there is no circuit to judge it by.
 */
function allocateRegisters(
  registers: Registers,
  subs: readonly SubPeriod[],
  startMs: number,
  endMs: number,
): { energy: RegisterAllocation; fuel: RegisterAllocation } {
  if (subs.length === 0) {
    const none = (register: SegmentedRegister): RegisterAllocation => ({
      perSub: [],
      perSegment: register.segments.map(() => 0),
      implausibleSteps: 0,
      implausibleExcluded: 0,
    });
    return { energy: none(registers.energy), fuel: none(registers.fuel) };
  }
  const pieces = buildPieces(subs, startMs, endMs);
  return {
    energy: allocateEnergy(registers.energy, pieces, subs.length, startMs, endMs),
    fuel: allocateFuel(registers.fuel, pieces, subs.length, startMs, endMs),
  };
}

/**
 * The energy register's unobserved windows with their lamp-on time and, under `substitute-conservative`,
 * the energy put in their place — per window and (for the sub-period figures) per sub-period.
 */
function unobservedWindows<M extends MethodologyParameterSet>(
  methodology: M,
  variant: EmissionVariant<M>,
  subs: readonly SubPeriod[],
  lit: LitTimeline,
  unobserved: readonly Window[],
  rate: number | null,
): { windows: UnobservedWindow[]; substitutedKwh: number[] } {
  const rule = methodology.rules.unobservedEnergy;
  const substitutedKwh = subs.map(() => 0);
  const windows = unobserved.map((w): UnobservedWindow => {
    let lampOnHours = 0;
    let fullLoadLampOnHours = 0;
    let substitutedEnergyKwh = 0;
    subs.forEach((s, i) => {
      const [from, to] = intersect(w, s);
      if (to <= from) return;
      const here = {
        lampOnHours: litHours(lit, from, to),
        fullLoadHours: litHours(lit, from, to, s.ledLampCount),
      };
      lampOnHours += here.lampOnHours;
      fullLoadLampOnHours += here.fullLoadHours;
      if (rule === 'substitute-conservative') {
        const kwh = variant.substituteEnergyKwh(methodology, s, here, rate);
        substitutedKwh[i] = (substitutedKwh[i] ?? 0) + kwh;
        substitutedEnergyKwh += kwh;
      }
    });
    return {
      fromMs: w.fromMs,
      toMs: w.toMs,
      hours: hoursBetween(w.fromMs, w.toMs),
      reason: w.reason ?? 'no-readings',
      lampOnHours,
      fullLoadLampOnHours,
      treatment: rule,
      substitutedEnergyKwh,
    };
  });
  return { windows, substitutedKwh };
}

/** What was attributed to one sub-period: register energy, substituted energy, and totaliser fuel. */
interface SubPeriodAmounts {
  readonly observedEnergyKwh: number;
  readonly substitutedEnergyKwh: number;
  /** `null`: the vessel has no fuel readings. */
  readonly fuelL: number | null;
}

/** One sub-period's registry configuration, measures and the variant's figures for them. */
function subPeriodResult<M extends MethodologyParameterSet>(
  methodology: M,
  variant: EmissionVariant<M>,
  s: SubPeriod,
  lit: LitTimeline,
  energyCoverage: Coverage,
  amounts: SubPeriodAmounts,
): SubPeriodResult {
  const { observed, unobserved } = energyCoverage;
  const hoursIn = (list: readonly Window[], ledLampCount?: number): number =>
    sum(
      list.map((w) => {
        const [from, to] = intersect(w, s);
        return to > from ? litHours(lit, from, to, ledLampCount) : 0;
      }),
    );
  // Substituted windows are credited like observed ones; excluded ones are not.
  const counted =
    methodology.rules.unobservedEnergy === 'substitute-conservative'
      ? [...observed, ...unobserved]
      : observed;
  const { observedEnergyKwh, substitutedEnergyKwh, fuelL } = amounts;
  const energyKwh = observedEnergyKwh + substitutedEnergyKwh;
  const figures = variant.figures(methodology, s, {
    energyKwh,
    creditedLampOnHours: hoursIn(counted),
    creditedFullLoadHours: hoursIn(counted, s.ledLampCount),
    measuredFuelL: fuelL,
  });
  const v = s.span.version;
  return {
    fromDate: s.span.from,
    toDateExclusive: s.span.to,
    fromMs: s.fromMs,
    toMs: s.toMs,
    registryVersionValidFrom: v.validFrom,
    registryChange: v.change,
    meterId: v.meter.meterId,
    ledLampCount: v.ledLamps.count,
    ledLampRatedW: v.ledLamps.ratedW,
    replacedLampCount: v.replacedLamps.count,
    replacedLampRatedW: v.replacedLamps.ratedW,
    replacedLampType: v.replacedLamps.type,
    pLedKw: s.pLedKw,
    pRefKw: s.pRefKw,
    powerRatio: s.powerRatio,
    maxLedKw: s.maxLedKw,
    observedEnergyKwh,
    substitutedEnergyKwh,
    energyKwh,
    energyMwh: energyKwh / 1000,
    lampOnHours: litHours(lit, s.fromMs, s.toMs),
    lampOnHoursObserved: hoursIn(observed),
    fullLoadLampOnHours: litHours(lit, s.fromMs, s.toMs, s.ledLampCount),
    fuelL,
    referenceEmissionsTco2: figures.referenceEmissionsTco2,
    projectEmissionsTco2: figures.projectEmissionsTco2,
    emissionReductionsTco2: figures.emissionReductionsTco2,
    route: figures.route,
  };
}

type VesselTotals = Pick<
  VesselResult,
  | 'observedEnergyKwh'
  | 'substitutedEnergyKwh'
  | 'energyKwh'
  | 'energyMwh'
  | 'lampOnHours'
  | 'lampOnHoursObserved'
  | 'fuelL'
  | 'referenceEmissionsTco2'
  | 'projectEmissionsTco2'
  | 'emissionReductionsTco2'
>;

/** The vessel's figures as sums of its sub-periods' (in the result's key order: it is hashed). */
function vesselTotals(subResults: readonly SubPeriodResult[], fuelMetered: boolean): VesselTotals {
  const total = (pick: (s: SubPeriodResult) => number): number => sum(subResults.map(pick));
  const energyKwh = total((s) => s.energyKwh);
  return {
    observedEnergyKwh: total((s) => s.observedEnergyKwh),
    substitutedEnergyKwh: total((s) => s.substitutedEnergyKwh),
    energyKwh,
    energyMwh: energyKwh / 1000,
    lampOnHours: total((s) => s.lampOnHours),
    lampOnHoursObserved: total((s) => s.lampOnHoursObserved),
    fuelL: fuelMetered ? total((s) => s.fuelL ?? 0) : null,
    referenceEmissionsTco2: total((s) => s.referenceEmissionsTco2),
    projectEmissionsTco2: total((s) => s.projectEmissionsTco2),
    emissionReductionsTco2: total((s) => s.emissionReductionsTco2),
  };
}

/** How one register was read in the period: segments, breaks, hours accounted for, steps capped. */
function registerReport(
  unit: RegisterReport['unit'],
  register: SegmentedRegister,
  received: { readonly readings: number; readonly duplicatesDropped: number },
  allocation: RegisterAllocation,
  windows: Coverage,
  startMs: number,
  endMs: number,
): RegisterReport {
  return {
    unit,
    readings: received.readings,
    duplicatesDropped: received.duplicatesDropped,
    segments: segmentReports(register, allocation.perSegment, startMs, endMs),
    breaks: breakReports(register, startMs, endMs),
    observedHours: sum(windows.observed.map((w) => hoursBetween(w.fromMs, w.toMs))),
    unobservedHours: sum(windows.unobserved.map((w) => hoursBetween(w.fromMs, w.toMs))),
    rebootsBridged: register.rebootsBridged,
    implausibleSteps: allocation.implausibleSteps,
    implausibleExcluded: allocation.implausibleExcluded,
    inconsistentMeterEvents: register.inconsistentEvents,
  };
}

/** Whether one energy-register segment spans [from, to]: then a gap in the messages lost no energy. */
function bridgedByRegister(energy: SegmentedRegister, fromMs: number, toMs: number): boolean {
  return energy.segments.some(
    (seg) =>
      (seg.points[0] as RegisterPoint).atMs <= fromMs &&
      (seg.points[seg.points.length - 1] as RegisterPoint).atMs >= toMs,
  );
}

/**
 * The coverage figures of a vessel or the fleet, each count beside its ratio, in the order the result
 * carries them (canonical JSON hashes the result, so the key order is part of it).
 */
function coverageRatios(c: {
  configuredHours: number;
  energyObservedHours: number;
  lampOnHours: number;
  lampOnHoursObserved: number;
  readingsExpected: number;
  readingsReceived: number;
}) {
  return {
    configuredHours: c.configuredHours,
    energyObservedHours: c.energyObservedHours,
    energyObservedRatio: ratio(c.energyObservedHours, c.configuredHours),
    lampOnHours: c.lampOnHours,
    lampOnHoursObserved: c.lampOnHoursObserved,
    lampOnObservedRatio: ratio(c.lampOnHoursObserved, c.lampOnHours),
    readingsExpected: c.readingsExpected,
    readingsReceived: c.readingsReceived,
    readingsRatio: ratio(c.readingsReceived, c.readingsExpected),
  };
}

/** How much of the period the vessel's data covers: hours, lamp-on hours, readings and gaps. */
function vesselCompleteness(
  hours: {
    readonly configuredHours: number;
    readonly lampOnHours: number;
    readonly lampOnHoursObserved: number;
  },
  subs: readonly SubPeriod[],
  energy: SegmentedRegister,
  observed: readonly Window[],
  quality: VesselDataQuality,
  periodDates: { from: LocalDate; toExclusive: LocalDate },
  startMs: number,
  endMs: number,
): VesselCompleteness {
  const { configuredHours, lampOnHours, lampOnHoursObserved } = hours;
  const energyObservedHours = sum(
    observed.map((w) => sum(subs.map((s) => hoursBetween(...intersect(w, s))))),
  );
  const inPeriodDays = quality.days.filter(
    (d) => d.date >= periodDates.from && d.date < periodDates.toExclusive,
  );
  const readingsExpected = sum(inPeriodDays.map((d) => d.expectedReadings));
  const readingsReceived = sum(inPeriodDays.map((d) => d.receivedReadings));
  return {
    periodHours: hoursBetween(startMs, endMs),
    ...coverageRatios({
      configuredHours,
      energyObservedHours,
      lampOnHours,
      lampOnHoursObserved,
      readingsExpected,
      readingsReceived,
    }),
    gaps: quality.gaps
      .filter((g) => g.toMs > startMs && g.fromMs < endMs)
      .map((g) => ({
        fromMs: g.fromMs,
        toMs: g.toMs,
        bridgedByRegister: bridgedByRegister(energy, g.fromMs, g.toMs),
      })),
  };
}

/** The facts about a vessel's period that its flags report. */
interface VesselFlagFacts {
  readonly subPeriods: number;
  readonly configuredHours: number;
  readonly periodHours: number;
  readonly lampOverlapMs: number;
  readonly duplicateReadings: number;
  readonly inconsistentMeterEvents: number;
  readonly energyReadings: number;
  readonly implausibleSteps: number;
  readonly rule: MethodologyParameterSet['rules']['unobservedEnergy'];
  /** Some unobserved window had lamps lit: energy was excluded or substituted. */
  readonly unobservedLampOn: boolean;
  readonly substitutionRate: number | null;
  readonly registerBreaks: number;
}

/** The vessel's flags, sorted (each set at most once). */
function vesselFlags(f: VesselFlagFacts): VesselFlag[] {
  const flags = new Set<VesselFlag>();
  if (f.subPeriods === 0) flags.add('NO_CONFIGURATION');
  else if (f.configuredHours < f.periodHours) flags.add('PARTLY_CONFIGURED');
  if (f.lampOverlapMs > 0) flags.add('LAMP_INTERVALS_OVERLAP');
  if (f.duplicateReadings > 0) flags.add('DUPLICATE_READINGS_DROPPED');
  if (f.inconsistentMeterEvents > 0) flags.add('METER_EVENT_INCONSISTENT');
  if (f.energyReadings === 0) flags.add('NO_ENERGY_READINGS');
  if (f.implausibleSteps > 0) flags.add('IMPLAUSIBLE_STEP_CAPPED');
  if (f.unobservedLampOn && f.rule === 'exclude') flags.add('ENERGY_EXCLUDED');
  if (f.unobservedLampOn && f.rule === 'substitute-conservative') {
    flags.add('ENERGY_SUBSTITUTED');
    if (f.substitutionRate === null) flags.add('NO_SUBSTITUTION_RATE');
  }
  if (f.registerBreaks > 0) flags.add('REGISTER_BREAK');
  return [...flags].sort();
}

/** One vessel's period: sub-periods, registers attributed to them, unobserved windows, reports and flags. */
function calculateVessel<M extends MethodologyParameterSet>(
  methodology: M,
  variant: EmissionVariant<M>,
  startMs: number,
  endMs: number,
  input: NormalisedVesselInput,
  periodDates: { from: LocalDate; toExclusive: LocalDate },
): VesselResult {
  const subs = subPeriodsOf(methodology, variant, input.versions, startMs, endMs);
  const configuredHours = sum(subs.map((s) => hoursBetween(s.fromMs, s.toMs)));
  const lit = litTimeline(input.lampOnIntervals);
  const registers = segmentRegisters(input);
  const { energy, fuel } = registers;
  const allocation = allocateRegisters(registers, subs, startMs, endMs);
  const energyCoverage = coverage(energy, startMs, endMs);
  const rate = lowestObservedRate(energy, lit, subs, startMs, endMs);
  const { windows, substitutedKwh } = unobservedWindows(
    methodology,
    variant,
    subs,
    lit,
    energyCoverage.unobserved,
    rate,
  );
  const fuelMetered = input.fuelReadings.length > 0;
  const subResults = subs.map((s, i) =>
    subPeriodResult(methodology, variant, s, lit, energyCoverage, {
      observedEnergyKwh: allocation.energy.perSub[i] ?? 0,
      substitutedEnergyKwh: substitutedKwh[i] ?? 0,
      fuelL: fuelMetered ? (allocation.fuel.perSub[i] ?? 0) : null,
    }),
  );
  const totals = vesselTotals(subResults, fuelMetered);
  const energyRegister = registerReport(
    'kWh',
    energy,
    { readings: input.energyReadings.length, duplicatesDropped: input.duplicateEnergyReadings },
    allocation.energy,
    energyCoverage,
    startMs,
    endMs,
  );
  const fuelRegister = registerReport(
    'L',
    fuel,
    { readings: input.fuelReadings.length, duplicatesDropped: input.duplicateFuelReadings },
    allocation.fuel,
    coverage(fuel, startMs, endMs),
    startMs,
    endMs,
  );

  return {
    vesselId: input.vesselId,
    status: subs.length === 0 ? 'no-configuration' : 'calculated',
    subPeriods: subResults,
    ...totals,
    emissionReductionsRoundedTco2: null,
    substitutionRateKwhPerFullLoadHour: rate,
    energyRegister,
    fuelRegister,
    unobservedWindows: windows,
    completeness: vesselCompleteness(
      { configuredHours, lampOnHours: totals.lampOnHours, lampOnHoursObserved: totals.lampOnHoursObserved },
      subs,
      energy,
      energyCoverage.observed,
      input.dataQuality,
      periodDates,
      startMs,
      endMs,
    ),
    flags: vesselFlags({
      subPeriods: subs.length,
      configuredHours,
      periodHours: hoursBetween(startMs, endMs),
      lampOverlapMs: lit.overlapMs,
      duplicateReadings: input.duplicateEnergyReadings + input.duplicateFuelReadings,
      inconsistentMeterEvents: energy.inconsistentEvents + fuel.inconsistentEvents,
      energyReadings: input.energyReadings.length,
      implausibleSteps: allocation.energy.implausibleSteps,
      rule: methodology.rules.unobservedEnergy,
      unobservedLampOn: windows.some((w) => w.lampOnHours > 0),
      substitutionRate: rate,
      registerBreaks: energyRegister.breaks.length,
    }),
  };
}

/**
 * Calculates a reporting period for a fleet (one vessel or 40 × a month: one call). Pure: no clock, no
 * I/O, no randomness; the input may arrive in any order and with duplicates. Throws a {@link JcmError} when
 * the input is malformed or a parameter does not apply to the period.
 */
export function calculateFleet(methodology: MethodologyParameterSet, input: FleetPeriodInput): FleetResult {
  const normalised = normaliseInput(input);
  const { period } = normalised;
  checkEffective(methodology, period.from, period.toExclusive);
  const startMs = localDateStartMs(period.from);
  const endMs = localDateStartMs(period.toExclusive);
  const variant = variantOf(methodology);
  const rounding = methodology.rules.rounding;

  const vessels = normalised.vessels.map((v) => {
    const result = calculateVessel(methodology, variant, startMs, endMs, v, period);
    return rounding.stage === 'vessel'
      ? { ...result, emissionReductionsRoundedTco2: roundTco2(result.emissionReductionsTco2, rounding) }
      : result;
  });

  const total = (pick: (v: VesselResult) => number): number => sum(vessels.map(pick));
  const emissionReductionsTco2 = total((v) => v.emissionReductionsTco2);
  // Rounded once: the fleet sum, or (stage 'vessel') each vessel, whose rounded figures are then added up
  // — re-expressed at the same decimals only to drop binary noise from the addition, not rounded again.
  const emissionReductionsReportedTco2 =
    rounding.stage === 'vessel'
      ? Number(
          total((v) => v.emissionReductionsRoundedTco2 ?? 0).toFixed(
            rounding.mode === 'none' ? 12 : rounding.decimalPlaces,
          ),
        ) + 0
      : roundTco2(emissionReductionsTco2, rounding);
  const fuelMetered = vessels.filter((v) => v.fuelL !== null);
  const configuredHours = total((v) => v.completeness.configuredHours);
  const energyObservedHours = total((v) => v.completeness.energyObservedHours);
  const lampOnHours = total((v) => v.lampOnHours);
  const lampOnHoursObserved = total((v) => v.lampOnHoursObserved);
  const readingsExpected = total((v) => v.completeness.readingsExpected);
  const readingsReceived = total((v) => v.completeness.readingsReceived);

  return {
    schema: RESULT_SCHEMA,
    provenance: {
      calculator: CALCULATOR_NAME,
      calculatorVersion: CALCULATOR_VERSION,
      methodologyId: methodology.methodologyId,
      methodologyVersion: methodology.version,
      variant: methodology.variant,
      parameterSetSha256: canonicalSha256(methodology),
      inputSha256: canonicalSha256(hashableInput(normalised)),
      canonicalization: 'RFC 8785',
    },
    period: {
      from: period.from,
      toExclusive: period.toExclusive,
      timeZone: REGISTRY_TIME_ZONE,
      fromMs: startMs,
      toMs: endMs,
      hours: hoursBetween(startMs, endMs),
    },
    fleet: {
      observedEnergyKwh: total((v) => v.observedEnergyKwh),
      substitutedEnergyKwh: total((v) => v.substitutedEnergyKwh),
      energyMwh: total((v) => v.energyMwh),
      lampOnHours,
      fuelL: fuelMetered.length > 0 ? sum(fuelMetered.map((v) => v.fuelL ?? 0)) : null,
      fuelMeteredVessels: fuelMetered.length,
      referenceEmissionsTco2: total((v) => v.referenceEmissionsTco2),
      projectEmissionsTco2: total((v) => v.projectEmissionsTco2),
      emissionReductionsTco2,
      emissionReductionsReportedTco2,
      rounding,
      completeness: {
        vessels: vessels.length,
        vesselsWithFlags: vessels.filter((v) => v.flags.length > 0).length,
        ...coverageRatios({
          configuredHours,
          energyObservedHours,
          lampOnHours,
          lampOnHoursObserved,
          readingsExpected,
          readingsReceived,
        }),
      },
    },
    vessels,
  };
}
