import { createHash } from 'node:crypto';
import type { VesselId } from '@qt-led/contract';
import type { RegisterReading, TelemetryStore } from '@qt-led/store';
import type { VesselDayArchive } from './day-archive.js';

export const DAY_MS = 86_400_000;

/**
 * One vessel's stored readings of one local day, in the order the store gives them (device time, boot,
 * seq), as columns: what the calculation needs of 1,440 readings in about 65 kB instead of 1,440 objects.
 * A missing register or lamp count is NaN (SQLite and InfluxDB cannot store NaN, so it never means more).
 * Boots and LED meter serials, a handful a day, are each a list and an index per reading.
 */
export interface VesselDay {
  readonly vesselId: VesselId;
  readonly dayStartMs: number;
  readonly length: number;
  readonly deviceTimeMs: Float64Array;
  readonly ledEnergyKwh: Float64Array;
  readonly fuelTotalL: Float64Array;
  readonly lampsOn: Float64Array;
  readonly seq: Float64Array;
  /** Index into `boots` per reading. */
  readonly boot: Uint32Array;
  readonly boots: readonly string[];
  /** Index into `meters` per reading: the LED meter it names, -1 where it names none (older gateways). */
  readonly meter: Int32Array;
  readonly meters: readonly string[];
  /** SHA-256 of the columns: the day's part of the input key. */
  readonly digest: Buffer;
  readonly bytes: number;
}

const COLUMNS = 5;

/** Reads a vessel's day from the store (register readings: the covering index of the SQLite store). */
export async function readVesselDay(
  store: TelemetryStore,
  vesselId: VesselId,
  dayStartMs: number,
): Promise<VesselDay> {
  return vesselDayOf(
    vesselId,
    dayStartMs,
    await store.registerReadings(vesselId, dayStartMs, dayStartMs + DAY_MS),
  );
}

/** The columns of a day's register readings (none: the empty day, as a read of it gives). */
function vesselDayOf(vesselId: VesselId, dayStartMs: number, rows: readonly RegisterReading[]): VesselDay {
  const n = rows.length;
  const numbers = new Float64Array(n * COLUMNS);
  const boot = new Uint32Array(n);
  const boots: string[] = [];
  const bootIndex = new Map<string, number>();
  const meter = new Int32Array(n);
  const meters: string[] = [];
  const deviceTimeMs = numbers.subarray(0, n);
  const ledEnergyKwh = numbers.subarray(n, 2 * n);
  const fuelTotalL = numbers.subarray(2 * n, 3 * n);
  const lampsOn = numbers.subarray(3 * n, 4 * n);
  const seq = numbers.subarray(4 * n, 5 * n);
  let lastBoot: string | undefined;
  let lastIndex = 0;
  let lastMeter: string | null | undefined;
  let lastMeterIndex = -1;
  for (let i = 0; i < n; i++) {
    const r = rows[i] as (typeof rows)[number];
    deviceTimeMs[i] = r.deviceTimeMs;
    ledEnergyKwh[i] = r.ledEnergyKwh ?? Number.NaN;
    fuelTotalL[i] = r.fuelTotalL ?? Number.NaN;
    lampsOn[i] = r.lampsOn ?? Number.NaN;
    seq[i] = r.seq;
    if (r.bootId !== lastBoot) {
      lastBoot = r.bootId;
      let index = bootIndex.get(r.bootId);
      if (index === undefined) {
        index = boots.length;
        boots.push(r.bootId);
        bootIndex.set(r.bootId, index);
      }
      lastIndex = index;
    }
    boot[i] = lastIndex;
    if (r.ledMeterId !== lastMeter) {
      lastMeter = r.ledMeterId;
      lastMeterIndex = lastMeter === null ? -1 : meters.indexOf(lastMeter);
      if (lastMeter !== null && lastMeterIndex < 0) lastMeterIndex = meters.push(lastMeter) - 1;
    }
    meter[i] = lastMeterIndex;
  }
  const digest = createHash('sha256')
    .update(new Uint8Array(numbers.buffer, numbers.byteOffset, numbers.byteLength))
    .update(new Uint8Array(boot.buffer, boot.byteOffset, boot.byteLength))
    .update(JSON.stringify(boots))
    .update(new Uint8Array(meter.buffer, meter.byteOffset, meter.byteLength))
    .update(JSON.stringify(meters))
    .digest();
  return {
    vesselId,
    dayStartMs,
    length: n,
    deviceTimeMs,
    ledEnergyKwh,
    fuelTotalL,
    lampsOn,
    seq,
    boot,
    boots,
    meter,
    meters,
    digest,
    bytes: numbers.byteLength + boot.byteLength + meter.byteLength + 200,
  };
}

/**
 * Vessel-days already read, least recently used first, up to a byte budget. Stored readings are never
 * changed or deleted, only added (writes are idempotent; late data arrives for days already stored), so a
 * day whose count of stored readings is what it was holds the same readings: one count per vessel and
 * period re-validates a whole month. A day whose count moved is read again. With an archive, days not held
 * in memory are looked for on disk first (validated the same way), and days read from the store are archived;
 * a day's use is written to the archive when it is taken from there (memory hits do not write).
 */
export interface VesselDayCache {
  /** The vessel's days `[firstDayMs, firstDayMs + days × 24 h)`, from the cache when still valid. */
  days(vesselId: VesselId, firstDayMs: number, days: number): Promise<VesselDay[]>;
  readonly stats: { hits: number; reads: number; bytes: number; archived: number; archiveErrors: number };
}

export function createVesselDayCache(
  store: TelemetryStore,
  budgetBytes: number,
  archive?: VesselDayArchive,
  onArchiveError?: (error: Error) => void,
): VesselDayCache {
  const entries = new Map<string, VesselDay>();
  const stats = { hits: 0, reads: 0, bytes: 0, archived: 0, archiveErrors: 0 };
  // The archive is a shortcut: when it fails (a full disk, say), reports read the store as without one.
  const archived = <T>(use: () => T): T | undefined => {
    try {
      return use();
    } catch (error) {
      stats.archiveErrors += 1;
      onArchiveError?.(error as Error);
      return undefined;
    }
  };
  const keyOf = (vesselId: VesselId, dayStartMs: number): string => `${vesselId}@${String(dayStartMs)}`;

  const remember = (day: VesselDay): void => {
    const key = keyOf(day.vesselId, day.dayStartMs);
    const previous = entries.get(key);
    if (previous !== undefined) {
      stats.bytes -= previous.bytes;
      entries.delete(key);
    }
    if (day.bytes > budgetBytes) return;
    entries.set(key, day);
    stats.bytes += day.bytes;
    for (const [oldest, entry] of entries) {
      if (stats.bytes <= budgetBytes) break;
      entries.delete(oldest);
      stats.bytes -= entry.bytes;
    }
  };
  const touch = (day: VesselDay): void => {
    const key = keyOf(day.vesselId, day.dayStartMs);
    entries.delete(key);
    entries.set(key, day);
  };
  const read = async (vesselId: VesselId, dayStartMs: number): Promise<VesselDay> => {
    stats.reads += 1;
    const day = await readVesselDay(store, vesselId, dayStartMs);
    remember(day);
    return day;
  };

  return {
    stats,
    async days(vesselId, firstDayMs, count) {
      const starts = Array.from({ length: count }, (_, i) => firstDayMs + i * DAY_MS);
      const cached = starts.map((start) => entries.get(keyOf(vesselId, start)));
      // Days not in memory: from the archive, when it has them (validated below like any cached day).
      const fromArchive = new Set<VesselDay>();
      if (archive !== undefined && cached.some((day) => day === undefined)) {
        const found = archived(() =>
          archive.get(
            vesselId,
            starts.filter((_, i) => cached[i] === undefined),
          ),
        );
        cached.forEach((day, i) => {
          const kept = day === undefined ? found?.get(starts[i] as number) : undefined;
          if (kept === undefined) return;
          cached[i] = kept;
          fromArchive.add(kept);
        });
      }
      const readNow: VesselDay[] = [];
      const valid = (day: VesselDay): VesselDay => {
        stats.hits += 1;
        if (fromArchive.has(day)) {
          stats.archived += 1;
          remember(day);
        } else touch(day);
        return day;
      };
      const fresh = (day: VesselDay): VesselDay => {
        readNow.push(day);
        return day;
      };
      const out: VesselDay[] = [];
      try {
        if (cached.every((day) => day !== undefined)) {
          const held = cached.reduce((sum, day) => sum + day.length, 0);
          const stored = await store.countReadings(vesselId, {
            fromMs: firstDayMs,
            toMs: firstDayMs + count * DAY_MS,
          });
          if (stored === held) {
            out.push(...cached.map(valid));
            return out;
          }
        }
        for (let i = 0; i < count; i++) {
          const start = starts[i] as number;
          const day = cached[i];
          if (day !== undefined) {
            const stored = await store.countReadings(vesselId, { fromMs: start, toMs: start + DAY_MS });
            out.push(stored === day.length ? valid(day) : fresh(await read(vesselId, start)));
            continue;
          }
          // A run of days not held: one count for the run; none stored (a boat ashore) makes them all
          // empty without reading each.
          let end = i + 1;
          while (end < count && cached[end] === undefined) end += 1;
          const stored =
            end - i > 1
              ? await store.countReadings(vesselId, { fromMs: start, toMs: start + (end - i) * DAY_MS })
              : undefined;
          for (let k = i; k < end; k++) {
            const dayStart = starts[k] as number;
            if (stored === 0) {
              const empty = vesselDayOf(vesselId, dayStart, []);
              remember(empty);
              out.push(fresh(empty));
            } else out.push(fresh(await read(vesselId, dayStart)));
          }
          i = end - 1;
        }
      } finally {
        // Written only when there is something to keep or a day came from disk: a report served from
        // memory touches no file.
        const fromDisk = out.filter((day) => fromArchive.has(day));
        if (readNow.length > 0 || fromDisk.length > 0) archived(() => archive?.record(readNow, fromDisk));
      }
      return out;
    },
  };
}
