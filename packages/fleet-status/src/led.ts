import type { StoredReading } from '@qt-led/store';
import type { FleetStatusConfig } from './config.js';

export type LedConfig = Pick<
  FleetStatusConfig,
  'ledFaultTolerance' | 'ledFaultAlarmAfterMs' | 'lampGapToleranceMs'
>;

export interface LedAssessment {
  state: 'fault' | 'ok' | 'unknown';
  /** The lamp session assessed (the most recent one in the readings). */
  sessionStartMs: number | null;
  /** The longest run of readings whose power was off the expectation, and its means. */
  runStartMs: number | null;
  runEndMs: number | null;
  /** lampsOn × rated W (registry), the mean over the run or, without a run, over the session. */
  expectedW: number | null;
  actualW: number | null;
  lampsOn: number | null;
  ratedW: number | null;
  /** This boat's normal draw against its rating (drivers, cables, generator voltage), 1 when unknown. */
  baselineRatio: number;
  /** Mean deviation from the baseline-corrected expectation over the run, e.g. -0.083. */
  deviation: number | null;
}

const SESSION_BREAK_MS = 2 * 3_600_000;

/**
 * Is the LED power far from what the switched-on lamps should draw? Looks at the most recent lamp session
 * in the readings (sorted by device time) — for this fleet almost always a night that arrived late, after
 * the boat came back into coverage — and finds the longest run of consecutive readings whose power is off
 * `lampsOn × ratedW × baselineRatio` by more than `ledFaultTolerance`. A run of at least
 * `ledFaultAlarmAfterMs` is a fault; a shorter one (a lamp switched during a reading) is not.
 */
export function assessLed(
  sorted: readonly StoredReading[],
  ratedWAt: (deviceTimeMs: number) => number | null,
  baselineRatio: number | null,
  config: LedConfig,
): LedAssessment {
  const baseline = baselineRatio ?? 1;
  const lit = sorted.filter((r) => r.lampsOn !== null && r.lampsOn > 0 && r.ledPowerW !== null);
  const empty: LedAssessment = {
    state: 'unknown',
    sessionStartMs: null,
    runStartMs: null,
    runEndMs: null,
    expectedW: null,
    actualW: null,
    lampsOn: null,
    ratedW: null,
    baselineRatio: baseline,
    deviation: null,
  };
  if (lit.length === 0) return empty;
  let start = lit.length - 1;
  while (
    start > 0 &&
    (lit[start] as StoredReading).deviceTimeMs - (lit[start - 1] as StoredReading).deviceTimeMs <=
      SESSION_BREAK_MS
  )
    start -= 1;
  const session = lit.slice(start);
  interface Point {
    t: number;
    expectedW: number;
    actualW: number;
    lampsOn: number;
    ratedW: number;
    faulty: boolean;
  }
  const points: Point[] = [];
  for (const r of session) {
    const ratedW = ratedWAt(r.deviceTimeMs);
    if (ratedW === null) continue;
    const lampsOn = r.lampsOn as number;
    const expectedW = lampsOn * ratedW;
    const actualW = r.ledPowerW as number;
    const faulty = Math.abs(actualW / (expectedW * baseline) - 1) > config.ledFaultTolerance;
    points.push({ t: r.deviceTimeMs, expectedW, actualW, lampsOn, ratedW, faulty });
  }
  if (points.length === 0) return { ...empty, sessionStartMs: session[0]?.deviceTimeMs ?? null };

  let best: { from: number; to: number } | undefined;
  let runFrom = -1;
  for (let k = 0; k <= points.length; k += 1) {
    const p = points[k];
    const continues =
      p !== undefined &&
      p.faulty &&
      (runFrom < 0 || p.t - (points[k - 1] as Point).t <= config.lampGapToleranceMs);
    if (continues) {
      if (runFrom < 0) runFrom = k;
      continue;
    }
    if (runFrom >= 0) {
      const duration = (points[k - 1] as Point).t - (points[runFrom] as Point).t;
      if (best === undefined || duration > (points[best.to] as Point).t - (points[best.from] as Point).t)
        best = { from: runFrom, to: k - 1 };
      runFrom = p !== undefined && p.faulty ? k : -1;
    }
  }
  const over = best === undefined ? points : points.slice(best.from, best.to + 1);
  const mean = (f: (p: Point) => number): number => over.reduce((s, p) => s + f(p), 0) / over.length;
  const expectedW = mean((p) => p.expectedW);
  const actualW = mean((p) => p.actualW);
  const runMs = best === undefined ? 0 : (points[best.to] as Point).t - (points[best.from] as Point).t;
  const isFault = best !== undefined && runMs >= config.ledFaultAlarmAfterMs;
  return {
    state: isFault ? 'fault' : 'ok',
    sessionStartMs: points[0]?.t ?? null,
    runStartMs: isFault ? (points[best?.from ?? 0] as Point).t : null,
    runEndMs: isFault ? (points[best?.to ?? 0] as Point).t : null,
    expectedW,
    actualW,
    lampsOn: mean((p) => p.lampsOn),
    ratedW: over.at(-1)?.ratedW ?? null,
    baselineRatio: baseline,
    deviation: actualW / (expectedW * baseline) - 1,
  };
}

/**
 * This boat's normal draw against its rating, from hourly means: the 90th percentile of power ÷ (lampsOn ×
 * rated W) over hours with a steady number of lamps on. Lamps fail dark, so healthy nights set the upper
 * part of the distribution and a failure lasting days does not drag the baseline down. Null with fewer
 * than 6 such hours; clamped to 0.85–1.15 so a wrong rating cannot hide a fault.
 */
export function ledBaseline(
  hourly: readonly { ledPowerW: number | null; lampsOn: number | null; ratedW: number | null }[],
): number | null {
  const ratios: number[] = [];
  for (const h of hourly) {
    if (h.ledPowerW === null || h.lampsOn === null || h.ratedW === null || h.lampsOn <= 0) continue;
    if (Math.abs(h.lampsOn - Math.round(h.lampsOn)) > 0.01) continue;
    ratios.push(h.ledPowerW / (h.lampsOn * h.ratedW));
  }
  if (ratios.length < 6) return null;
  ratios.sort((a, b) => a - b);
  const p90 = ratios[Math.min(ratios.length - 1, Math.floor(ratios.length * 0.9))] as number;
  return Math.min(1.15, Math.max(0.85, p90));
}
