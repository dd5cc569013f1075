import type { VesselId } from '@qt-led/contract';
import { lampOnIntervals } from '@qt-led/emissions';
import type { StoredReading } from '@qt-led/store';
import type { FleetStatusConfig } from './config.js';
import { localDateAt, nextBoundaryMs } from './local-time.js';
import type { FishingNight } from './model.js';
import { registerIncrease } from './registers.js';

export type NightsConfig = Pick<
  FleetStatusConfig,
  'utcOffsetMinutes' | 'nightBoundaryLocalHour' | 'lampGapToleranceMs' | 'minNightMs'
>;

/**
 * Fishing nights of one vessel from its readings (sorted by device time): the lamp-on intervals (lit from a
 * reading with `lampsOn > 0` to the next reading, steps longer than `lampGapToleranceMs` left out because
 * what the lamps did then is unknown), grouped by the local "night day" they fall in — the day runs from
 * `nightBoundaryLocalHour` to the same hour next day, so a night is dated by the evening it began. Nights
 * lit less than `minNightMs` in total (a lamp test in port) are dropped. Energy and fuel are the register
 * increases between the first and last instant of the night.
 */
export function deriveNights(
  vesselId: VesselId,
  sorted: readonly StoredReading[],
  config: NightsConfig,
): FishingNight[] {
  const { utcOffsetMinutes: offset, nightBoundaryLocalHour: boundary } = config;
  const groups = new Map<string, { fromMs: number; toMs: number; meanLampsOn: number }[]>();
  for (const interval of lampOnIntervals(sorted, config.lampGapToleranceMs)) {
    // An interval that crosses the boundary (lamps lit through noon) is split at it.
    let from = interval.fromMs;
    while (from < interval.toMs) {
      const to = Math.min(interval.toMs, nextBoundaryMs(from, offset, boundary));
      const night = localDateAt(from, offset, boundary);
      const list = groups.get(night) ?? [];
      list.push({ fromMs: from, toMs: to, meanLampsOn: interval.meanLampsOn });
      groups.set(night, list);
      from = to;
    }
  }
  const nights: FishingNight[] = [];
  for (const [night, intervals] of groups) {
    const litMs = intervals.reduce((sum, i) => sum + (i.toMs - i.fromMs), 0);
    if (litMs < config.minNightMs) continue;
    const startMs = intervals[0]?.fromMs ?? 0;
    const endMs = intervals.at(-1)?.toMs ?? startMs;
    const lampMs = intervals.reduce((sum, i) => sum + i.meanLampsOn * (i.toMs - i.fromMs), 0);
    nights.push({
      vesselId,
      night,
      startMs,
      endMs,
      hours: litMs / 3_600_000,
      ledEnergyKwh: registerIncrease(sorted, 'ledEnergyKwh', startMs, endMs),
      fuelL: registerIncrease(sorted, 'fuelTotalL', startMs, endMs),
      meanLampsOn: lampMs / litMs,
    });
  }
  return nights.sort((a, b) => a.startMs - b.startMs);
}
