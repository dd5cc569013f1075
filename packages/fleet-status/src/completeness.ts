import type { LocalDate, VesselId } from '@qt-led/contract';
import type { DailyCount } from '@qt-led/store';
import { localDateAt, localDatesBetween, localDateStartMs } from './local-time.js';
import type { CompletenessMatrix } from './model.js';

const DAY_MS = 86_400_000;

/**
 * The heatmap of readings received per vessel per local day against what the sampling interval promises.
 * A day is expected in full from the vessel's first registry date on; the day that contains `nowMs` only
 * up to now, and days after it not at all (ratio null). `ratio` is capped at 1 (a faster sampling
 * configured on a gateway does not paint a day "more than complete"); `received` is the raw count.
 */
export function completenessMatrix(input: {
  fromMs: number;
  toMs: number;
  nowMs: number;
  vessels: readonly { vesselId: VesselId; firstDate: LocalDate | null }[];
  counts: readonly DailyCount[];
  samplingIntervalMs: number;
  utcOffsetMinutes: number;
}): CompletenessMatrix {
  const { utcOffsetMinutes: offset } = input;
  const days = localDatesBetween(input.fromMs, input.toMs, offset);
  const received = new Map<string, number>();
  for (const c of input.counts) {
    const key = `${c.vesselId}|${localDateAt(c.dayStartMs, offset)}`;
    received.set(key, (received.get(key) ?? 0) + c.readings);
  }
  return {
    days,
    vessels: input.vessels.map(({ vesselId, firstDate }) => ({
      vesselId,
      cells: days.map((day) => {
        const startMs = localDateStartMs(day, offset);
        const coveredMs =
          firstDate !== null && day < firstDate ? 0 : Math.max(0, Math.min(DAY_MS, input.nowMs - startMs));
        const expected = Math.floor(coveredMs / input.samplingIntervalMs);
        const got = received.get(`${vesselId}|${day}`) ?? 0;
        return { day, expected, received: got, ratio: expected === 0 ? null : Math.min(1, got / expected) };
      }),
    })),
  };
}
