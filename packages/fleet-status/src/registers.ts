import { registerSegments, type StoredReading } from '@qt-led/store';

/**
 * The increase of a cumulative register between two instants, from the readings inside them (the
 * counters are the truth: a lost message loses no energy). A drop of the register (meter replaced, rolled over) splits it into segments
 * whose increases are added: what happened across the drop is not observed and never counted as negative.
 * `null` when fewer than two readings carry the register.
 */
export function registerIncrease(
  sorted: readonly StoredReading[],
  field: 'ledEnergyKwh' | 'fuelTotalL',
  fromMs: number,
  toMs: number,
): number | null {
  const inside = sliceByTime(sorted, fromMs, toMs + 1);
  const segments = registerSegments(inside, field);
  const points = segments.reduce((n, s) => n + (s.first.tMs === s.last.tMs ? 1 : 2), 0);
  if (points < 2) return null;
  return segments.reduce((sum, s) => sum + (s.last.value - s.first.value), 0);
}

/** Readings with `fromMs <= deviceTimeMs < toMs` of an array sorted by device time (binary search). */
export function sliceByTime(sorted: readonly StoredReading[], fromMs: number, toMs: number): StoredReading[] {
  return sorted.slice(firstAtOrAfter(sorted, fromMs), firstAtOrAfter(sorted, toMs));
}

function firstAtOrAfter(sorted: readonly StoredReading[], ms: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as StoredReading).deviceTimeMs < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
