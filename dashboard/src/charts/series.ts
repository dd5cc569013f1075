import type { SeriesField, SeriesPoint } from '../api/types.js';

/** A chart point; `y: null` is a break in the line. */
export interface XY {
  x: number;
  y: number | null;
}

/** Buckets further apart than this many steps have missing buckets between them. */
const GAP_STEPS = 1.5;

/**
 * Turns the API's series (missing buckets are absent) into chart points with a `null` in every gap, so
 * Chart.js (with `spanGaps: false`) breaks the line there instead of joining across hours without data.
 */
export function withGaps(
  points: readonly SeriesPoint[],
  stepMs: number,
  value: (p: SeriesPoint) => number | null | undefined,
): XY[] {
  const out: XY[] = [];
  let previous: SeriesPoint | undefined;
  for (const p of points) {
    if (previous !== undefined && p.tMs - previous.tMs > stepMs * GAP_STEPS)
      out.push({ x: previous.tMs + stepMs, y: null });
    const y = value(p);
    out.push({ x: p.tMs, y: y === undefined || y === null || !Number.isFinite(y) ? null : y });
    previous = p;
  }
  return out;
}

export const field =
  (name: SeriesField) =>
  (p: SeriesPoint): number | null | undefined =>
    p.values[name];

/**
 * Energy drawn in each interval from the cumulative meter register: the difference to the previous bucket
 * when that bucket is adjacent; unknown (null) after a gap or when the register went backwards (a meter
 * change or reset), never a made-up figure.
 */
export function energyPerInterval(points: readonly SeriesPoint[], stepMs: number): XY[] {
  const out: XY[] = [];
  let previous: SeriesPoint | undefined;
  for (const p of points) {
    if (previous !== undefined && p.tMs - previous.tMs > stepMs * GAP_STEPS)
      out.push({ x: previous.tMs + stepMs, y: null });
    const now = p.values.ledEnergyKwh;
    const before = previous?.values.ledEnergyKwh;
    const adjacent = previous !== undefined && p.tMs - previous.tMs <= stepMs * GAP_STEPS;
    const delta =
      adjacent && typeof now === 'number' && typeof before === 'number' && now >= before
        ? now - before
        : null;
    out.push({ x: p.tMs, y: delta });
    previous = p;
  }
  return out;
}

/** What the lamps should draw: lamps on × rated power of one LED lamp. */
export function expectedPower(points: readonly SeriesPoint[], stepMs: number, ratedW: number): XY[] {
  return withGaps(points, stepMs, (p) => {
    const lamps = p.values.lampsOn;
    return typeof lamps === 'number' ? lamps * ratedW : null;
  });
}

/** Step (API `step`) for a time range: about 300–800 buckets, light on data for a phone. */
export function stepFor(rangeMs: number): { step: string; stepMs: number } {
  const hour = 3_600_000;
  if (rangeMs <= 26 * hour) return { step: '5m', stepMs: 5 * 60_000 };
  if (rangeMs <= 8 * 24 * hour) return { step: '15m', stepMs: 15 * 60_000 };
  return { step: '1h', stepMs: hour };
}
