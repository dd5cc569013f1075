import type { LampOnInterval } from './input.js';
import { MS_PER_HOUR } from './time.js';

/** A stretch in which the lamps were lit, with how many LED lamps on (disjoint from every other piece). */
export interface LitPiece {
  readonly fromMs: number;
  readonly toMs: number;
  readonly lampsOn: number;
}

export interface LitTimeline {
  /** Disjoint, ascending, `lampsOn > 0`. */
  readonly pieces: readonly LitPiece[];
  /** Stretches where input intervals overlapped (resolved conservatively: the fewest lamps counts). */
  readonly overlapMs: number;
}

/**
 * Turns lamp-on intervals (possibly overlapping, possibly duplicated) into disjoint pieces. Where intervals
 * overlap, the lowest lamp count of those covering an instant counts — never the sum, which would invent
 * lamp hours. Adjacent pieces with the same count are merged.
 */
export function litTimeline(intervals: readonly LampOnInterval[]): LitTimeline {
  const edges = [...new Set(intervals.flatMap((i) => [i.fromMs, i.toMs]))].sort((a, b) => a - b);
  const byStart = [...intervals].sort((a, b) => a.fromMs - b.fromMs);
  const pieces: LitPiece[] = [];
  let overlapMs = 0;
  let active: LampOnInterval[] = [];
  let next = 0;
  for (let k = 0; k + 1 < edges.length; k += 1) {
    const from = edges[k] as number;
    const to = edges[k + 1] as number;
    active = active.filter((i) => i.toMs > from);
    while (next < byStart.length && (byStart[next] as LampOnInterval).fromMs <= from) {
      const interval = byStart[next] as LampOnInterval;
      if (interval.toMs > from) active.push(interval);
      next += 1;
    }
    if (active.length === 0) continue;
    if (active.length > 1) overlapMs += to - from;
    const lampsOn = Math.min(...active.map((i) => i.meanLampsOn));
    if (lampsOn <= 0) continue;
    const last = pieces[pieces.length - 1];
    if (last && last.toMs === from && last.lampsOn === lampsOn)
      pieces[pieces.length - 1] = { ...last, toMs: to };
    else pieces.push({ fromMs: from, toMs: to, lampsOn });
  }
  return { pieces, overlapMs };
}

/** Index of the first piece ending after `fromMs`. */
function firstEndingAfter(pieces: readonly LitPiece[], fromMs: number): number {
  let lo = 0;
  let hi = pieces.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((pieces[mid] as LitPiece).toMs <= fromMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Lamp-on hours inside [fromMs, toMs): with `ledLampCount` each hour is weighted by the share of the LED
 * lamps lit (capped at 1: full-load-equivalent hours), without it every lit hour counts in full.
 */
export function litHours(timeline: LitTimeline, fromMs: number, toMs: number, ledLampCount?: number): number {
  let hours = 0;
  const { pieces } = timeline;
  for (let k = firstEndingAfter(pieces, fromMs); k < pieces.length; k += 1) {
    const piece = pieces[k] as LitPiece;
    if (piece.fromMs >= toMs) break;
    const overlap = Math.min(piece.toMs, toMs) - Math.max(piece.fromMs, fromMs);
    if (overlap <= 0) continue;
    const weight = ledLampCount === undefined ? 1 : Math.min(1, piece.lampsOn / ledLampCount);
    hours += (overlap / MS_PER_HOUR) * weight;
  }
  return hours;
}

/** Maximal contiguous lit stretches (the "nights"), ignoring how many lamps were on. */
export function litSpans(timeline: LitTimeline): { fromMs: number; toMs: number }[] {
  const spans: { fromMs: number; toMs: number }[] = [];
  for (const piece of timeline.pieces) {
    const last = spans[spans.length - 1];
    if (last && last.toMs === piece.fromMs) last.toMs = piece.toMs;
    else spans.push({ fromMs: piece.fromMs, toMs: piece.toMs });
  }
  return spans;
}
