import type { LocalDate } from '@qt-led/contract';

/**
 * Local calendar arithmetic for a fixed UTC offset. Viet Nam (Asia/Ho_Chi_Minh) keeps UTC+7 all year
 * without daylight saving, so an offset is exact and far cheaper than a time-zone database per reading.
 */
const DAY_MS = 86_400_000;

/** The local date of an instant, shifted back by `boundaryHour` (a "night" from noon to noon is dated by its evening). */
export function localDateAt(instantMs: number, utcOffsetMinutes: number, boundaryHour = 0): LocalDate {
  return new Date(instantMs + utcOffsetMinutes * 60_000 - boundaryHour * 3_600_000)
    .toISOString()
    .slice(0, 10);
}

/** The UTC instant at which a local date begins (plus `boundaryHour` hours). */
export function localDateStartMs(date: LocalDate, utcOffsetMinutes: number, boundaryHour = 0): number {
  return Date.parse(`${date}T00:00:00Z`) - utcOffsetMinutes * 60_000 + boundaryHour * 3_600_000;
}

/** The next boundary strictly after an instant: local midnight (+ `boundaryHour`). */
export function nextBoundaryMs(instantMs: number, utcOffsetMinutes: number, boundaryHour = 0): number {
  const start = localDateStartMs(
    localDateAt(instantMs, utcOffsetMinutes, boundaryHour),
    utcOffsetMinutes,
    boundaryHour,
  );
  return start + DAY_MS;
}

/** Local dates from the one containing `fromMs` up to the one containing `toMs - 1`. */
export function localDatesBetween(fromMs: number, toMs: number, utcOffsetMinutes: number): LocalDate[] {
  const days: LocalDate[] = [];
  if (toMs <= fromMs) return days;
  let start = localDateStartMs(localDateAt(fromMs, utcOffsetMinutes), utcOffsetMinutes);
  while (start < toMs) {
    days.push(localDateAt(start, utcOffsetMinutes));
    start += DAY_MS;
  }
  return days;
}
