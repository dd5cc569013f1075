import type { BootId, FleetRegistry, RegistryIndex, VesselId } from '@qt-led/contract';
import {
  byDeviceTime,
  type DeadLetter,
  type SeriesPoint,
  type StoredReading,
  type TelemetryStore,
} from '@qt-led/store';
import type { FleetStatusConfig } from './config.js';
import {
  type ClockLetter,
  clockLetterOf,
  type EvidenceGatherer,
  fleetEvidence,
  readDeviceSnapshot,
  type VesselEvidence,
  vesselEvidenceFrom,
} from './evidence-gatherer.js';
import { assessLed, type LedAssessment } from './led.js';
import {
  BASELINE_FIELDS,
  baselineOfHourly,
  baselineRange,
  createLedReference,
  HOUR_MS,
} from './led-reference.js';
import type { VesselOverview } from './model.js';

const DAY_MS = 86_400_000;

/**
 * The status evidence of every vessel kept up to date instead of recomputed from history: per vessel its
 * latest reading, the readings of its status window (`statusWindowMs` before the latest), its LED
 * assessment, and the hourly LED history of its baseline (one piece per local day). A status is then a
 * map read and a cheap derivation.
 *
 * How it stays equal to the status computed from history (`createEvidenceGatherer`):
 * - readings handed over as they are stored (`noteStored`: ingest in this process, or the broker's
 *   stored-readings notices) are folded into the window they fall in, late ones included;
 * - every call reads what the store indexes answer in O(vessels): the newest reading of each vessel (a
 *   window that moved fetches only what is newer than what it holds) and the number of readings in each
 *   window. A count that differs from what is held — a notice lost, readings written by another path —
 *   reloads that window. Device messages and readings set aside for their clock are bounded reads of the
 *   same pass (the newest per vessel, the last two hours), as before;
 * - the LED baseline (`baselineRange`: whole local days before the latest reading's) is kept one day
 *   at a time; a new day costs one day of history per vessel. A day is read again when an announced
 *   reading falls in it, or when a window had unannounced readings and overlaps it. Unannounced readings
 *   older than the status window are found by the evaluation pass (every `evaluateEveryMs`) and by a
 *   one-vessel status, which compare each vessel's baseline count with the store: only in that case may
 *   the fleet overview's baseline lag history, by one evaluation pass at most;
 * - a registry change (another document in force) drops whatever the registry went into: ratings, LED
 *   assessments and baselines; the vessel list is the registry's at each call.
 */
export interface VesselStateTracker extends EvidenceGatherer {
  /** Readings just stored (after the durable write); order and duplicates do not matter. */
  noteStored(readings: readonly StoredReading[]): void;
  /** Status and latest reading of every registered vessel, or of `only` (whose baseline is checked too). */
  overview(nowMs: number, only?: VesselId): Promise<VesselOverview[]>;
}

interface BaselineDay {
  fromMs: number;
  toMs: number;
  /** Readings of the day in the store when its points were read (counted first). */
  count: number;
  points: SeriesPoint[];
  dirty: boolean;
}

interface Tracked {
  loaded: boolean;
  latest: StoredReading | null;
  /** Sorted by `byDeviceTime`; holds every stored reading of [fromMs, toMs), maybe newer ones too. */
  window: StoredReading[];
  fromMs: number;
  toMs: number;
  /** Bumped on every change of `window`. */
  version: number;
  led: { key: string; value: LedAssessment } | undefined;
  days: Map<string, BaselineDay>;
  daysVersion: number;
  baseline: { key: string; value: number | null } | undefined;
}

export function createVesselStateTracker(deps: {
  store: TelemetryStore;
  registry: RegistryIndex;
  config: FleetStatusConfig;
}): VesselStateTracker {
  const { store, registry, config } = deps;
  const led = createLedReference(deps);
  const tracked = new Map<string, Tracked>();
  const letters = new Map<string, ClockLetter | null>();
  let registryDoc: FleetRegistry = registry.registry;
  let registryGeneration = 0;
  let ratings = new Map<string, (ms: number) => number | null>();

  function parseLetter(letter: DeadLetter): ClockLetter | null {
    let parsed = letters.get(letter.id);
    if (parsed === undefined) {
      if (letters.size > 20_000) letters.clear();
      parsed = clockLetterOf(letter);
      letters.set(letter.id, parsed);
    }
    return parsed;
  }

  function ratedWAt(vesselId: VesselId): (ms: number) => number | null {
    let rated = ratings.get(vesselId);
    if (rated === undefined) ratings.set(vesselId, (rated = led.ratedWAt(vesselId)));
    return rated;
  }

  function noticeRegistryChange(): void {
    if (registry.registry === registryDoc) return;
    registryDoc = registry.registry;
    registryGeneration += 1;
    ratings = new Map();
    const ids = new Set(registry.registry.vessels.map((v) => v.vesselId as string));
    for (const id of tracked.keys()) if (!ids.has(id)) tracked.delete(id);
  }

  function stateOf(vesselId: VesselId): Tracked {
    let t = tracked.get(vesselId);
    if (t === undefined) {
      t = {
        loaded: false,
        latest: null,
        window: [],
        fromMs: 0,
        toMs: 0,
        version: 0,
        led: undefined,
        days: new Map(),
        daysVersion: 0,
        baseline: undefined,
      };
      tracked.set(vesselId, t);
    }
    return t;
  }

  // --- the status window --------------------------------------------------------------------------------

  /** Resolves true when the store held readings of the window that were never announced. */
  async function syncWindow(vesselId: VesselId, t: Tracked, latest: StoredReading | null): Promise<boolean> {
    if (latest === null) {
      if (t.window.length > 0) t.version += 1;
      Object.assign(t, { loaded: true, latest: null, window: [], fromMs: 0, toMs: 0 });
      return false;
    }
    const fromMs = latest.deviceTimeMs - config.statusWindowMs;
    const toMs = latest.deviceTimeMs + 1;
    const reload = async (): Promise<void> => {
      t.window = await store.readings(vesselId, fromMs, toMs);
      t.loaded = true;
      t.version += 1;
    };
    // The window's count is asked with what it is compared with (one round trip, not two): a reading
    // stored in between makes them disagree, which reloads the window.
    const counted = store.countReadings(vesselId, { fromMs, toMs });
    counted.catch(() => undefined);
    if (!t.loaded) await reload();
    else {
      const below = lowerBound(t.window, fromMs);
      if (below > 0) {
        t.window.splice(0, below);
        t.version += 1;
      }
      const held = t.window[lowerBound(t.window, toMs) - 1];
      if (held === undefined || byDeviceTime(held, latest) !== 0) {
        // The window moved: only what is newer than the newest reading held is fetched.
        const since = held === undefined ? fromMs : Math.max(fromMs, held.deviceTimeMs);
        for (const r of await store.readings(vesselId, since, toMs)) insert(t, r);
      }
    }
    // The store's copy of the latest reading (its receipt time is the store's to keep).
    const at = lowerBound(t.window, latest.deviceTimeMs, latest);
    const there = t.window[at];
    if (there !== undefined && byDeviceTime(there, latest) === 0) {
      if (!sameReading(there, latest)) t.version += 1;
      t.window[at] = latest;
    } else insert(t, latest);
    Object.assign(t, { latest, fromMs, toMs });
    const stored = await counted;
    if (stored === lowerBound(t.window, toMs) - lowerBound(t.window, fromMs)) return false;
    await reload();
    return true;
  }

  function insert(t: Tracked, r: StoredReading): void {
    const last = t.window.at(-1);
    if (last === undefined || byDeviceTime(last, r) < 0) t.window.push(r);
    else {
      const at = lowerBound(t.window, r.deviceTimeMs, r);
      const there = t.window[at];
      if (there !== undefined && byDeviceTime(there, r) === 0) return; // stored once: the first copy stays
      t.window.splice(at, 0, r);
    }
    t.version += 1;
  }

  /** The status window as the history gives it: [fromMs, toMs) of what is held. */
  function recentOf(t: Tracked): StoredReading[] {
    const end = lowerBound(t.window, t.toMs);
    return end === t.window.length ? t.window : t.window.slice(0, end);
  }

  // --- the LED baseline, one local day at a time -------------------------------------------------------

  function baselineDays(latestMs: number): { fromMs: number; toMs: number }[] {
    const range = baselineRange(latestMs, config);
    const days: { fromMs: number; toMs: number }[] = [];
    for (let toMs = range.toMs; toMs > range.fromMs; toMs -= DAY_MS)
      days.unshift({ fromMs: Math.max(range.fromMs, toMs - DAY_MS), toMs });
    return days;
  }

  async function syncBaseline(vesselId: VesselId, t: Tracked, check: boolean): Promise<void> {
    if (t.latest === null) return;
    const wanted = baselineDays(t.latest.deviceTimeMs);
    const keys = new Set(wanted.map(dayKey));
    for (const key of t.days.keys()) if (!keys.has(key)) t.days.delete(key);
    const keep = (fromMs: number, toMs: number, count: number, points: SeriesPoint[]): void => {
      t.days.set(dayKey({ fromMs, toMs }), { fromMs, toMs, count, points, dirty: false });
      t.daysVersion += 1;
    };
    const load = async ({ fromMs, toMs }: { fromMs: number; toMs: number }): Promise<void> => {
      // Counted before it is read: a reading stored in between makes the next check disagree, not agree.
      const count = await store.countReadings(vesselId, { fromMs, toMs });
      // A day without readings has no hourly points: nothing to read.
      const points = count === 0 ? [] : await store.series(vesselId, BASELINE_FIELDS, fromMs, toMs, HOUR_MS);
      keep(fromMs, toMs, count, points);
    };
    for (let i = 0; i < wanted.length; i++) {
      const day = wanted[i] as { fromMs: number; toMs: number };
      const held = t.days.get(dayKey(day));
      if (held !== undefined && !held.dirty) continue;
      if (held === undefined) {
        // A run of days not held yet (the first pass, a vessel back after weeks ashore): one count for the
        // run; none stored makes each of them empty without a count and a read per day.
        let end = i + 1;
        while (end < wanted.length && !t.days.has(dayKey(wanted[end] as { fromMs: number; toMs: number })))
          end += 1;
        const last = wanted[end - 1] as { fromMs: number; toMs: number };
        if (
          end - i > 1 &&
          (await store.countReadings(vesselId, { fromMs: day.fromMs, toMs: last.toMs })) === 0
        ) {
          for (const empty of wanted.slice(i, end)) keep(empty.fromMs, empty.toMs, 0, []);
          i = end - 1;
          continue;
        }
      }
      await load(day);
    }
    if (!check) return;
    // One count for the whole history; day by day only when it disagrees (readings nobody announced).
    const total = await store.countReadings(vesselId, baselineRange(t.latest.deviceTimeMs, config));
    if (total === [...t.days.values()].reduce((n, d) => n + d.count, 0)) return;
    for (const day of [...t.days.values()])
      if ((await store.countReadings(vesselId, day)) !== day.count) await load(day);
  }

  /** Baseline days overlapping [fromMs, toMs) are read again before they are used. */
  function markDirty(t: Tracked, fromMs: number, toMs: number): void {
    for (const day of t.days.values()) if (day.fromMs < toMs && fromMs < day.toMs) day.dirty = true;
  }

  function baselineOf(vesselId: VesselId, t: Tracked): number | null {
    if (t.latest === null) return null;
    const days = baselineDays(t.latest.deviceTimeMs);
    const key = `${days[0]?.fromMs}|${days.at(-1)?.toMs}|${t.daysVersion}|${registryGeneration}`;
    if (t.baseline?.key !== key) {
      const points = days.flatMap((d) => t.days.get(dayKey(d))?.points ?? []);
      t.baseline = { key, value: baselineOfHourly(points, ratedWAt(vesselId)) };
    }
    return t.baseline.value;
  }

  function ledOf(vesselId: VesselId, t: Tracked, recent: readonly StoredReading[]): LedAssessment {
    const baseline = baselineOf(vesselId, t);
    const key = `${t.version}|${t.toMs}|${baseline}|${registryGeneration}`;
    if (t.led?.key !== key) t.led = { key, value: assessLed(recent, ratedWAt(vesselId), baseline, config) };
    return t.led.value;
  }

  // --- one pass ----------------------------------------------------------------------------------------

  // Syncs run one at a time (they change the windows). Callers that find a whole-fleet sync queued but not
  // started share it: it starts after their call, so it sees what they expect.
  let chain: Promise<unknown> = Promise.resolve();
  let queuedFleetSync: Promise<void> | undefined;

  function sync(only: VesselId | undefined, check: boolean): Promise<void> {
    if (only === undefined && !check && queuedFleetSync !== undefined) return queuedFleetSync;
    const run = chain.then(async () => {
      if (only === undefined && !check) queuedFleetSync = undefined;
      await syncNow(only, check);
    });
    chain = run.catch(() => undefined);
    if (only === undefined && !check) queuedFleetSync = run;
    return run;
  }

  async function syncNow(only: VesselId | undefined, check: boolean): Promise<void> {
    noticeRegistryChange();
    const ids = only === undefined ? registry.registry.vessels.map((v) => v.vesselId) : [only];
    // One vessel's status seeks that vessel's newest reading, not the fleet's.
    const latest = new Map((await store.latestByVessel(only)).map((r) => [r.vesselId as string, r]));
    await Promise.all(
      ids.map(async (vesselId) => {
        const t = stateOf(vesselId);
        // Readings nobody announced in the window may lie in the baseline's days too.
        if (await syncWindow(vesselId, t, latest.get(vesselId) ?? null)) markDirty(t, t.fromMs, t.toMs);
        await syncBaseline(vesselId, t, check);
      }),
    );
  }

  async function pass(
    nowMs: number,
    only: VesselId | undefined,
    check: boolean,
  ): Promise<{ vesselId: VesselId; t: Tracked; evidence: VesselEvidence }[]> {
    const [device] = await Promise.all([
      readDeviceSnapshot(store, config, nowMs, only, parseLetter),
      sync(only, check),
    ]);
    noticeRegistryChange();
    const ids = only === undefined ? registry.registry.vessels.map((v) => v.vesselId) : [only];
    // A vessel the registry gained while the sync ran: synced now rather than shown without data.
    for (const vesselId of ids) if (tracked.get(vesselId)?.loaded !== true) await sync(vesselId, check);
    return ids.map((vesselId) => {
      const t = stateOf(vesselId);
      const recent = recentOf(t);
      const evidence = vesselEvidenceFrom(
        { vesselId, nowMs, latest: t.latest, recent, led: ledOf(vesselId, t, recent), device },
        registry,
        config,
      );
      return { vesselId, t, evidence };
    });
  }

  return {
    noteStored(readings) {
      for (const r of readings) {
        const t = tracked.get(r.vesselId);
        if (t === undefined || !t.loaded) continue;
        markDirty(t, r.deviceTimeMs, r.deviceTimeMs + 1);
        if (t.latest !== null && r.deviceTimeMs >= t.fromMs)
          insert(t, { ...r, timeSource: r.timeSource ?? null });
      }
    },
    async overview(nowMs, only) {
      const vessels = await pass(nowMs, only, only !== undefined);
      return vessels.map(({ t, evidence }) => ({ status: evidence.status, latest: t.latest }));
    },
    // The evaluation pass: baselines are checked against the store, and the alarm rules get a copy of
    // each window (the tracker goes on changing its own).
    async vessels(nowMs, only) {
      const vessels = await pass(nowMs, only, true);
      return vessels.map(({ evidence }) => ({ ...evidence, recent: [...evidence.recent] }));
    },
    fleet: (nowMs) => fleetEvidence(store, config, nowMs),
  };
}

/** The first index whose reading is not before (`deviceTimeMs`, and `key`'s boot and seq when given). */
function lowerBound(
  sorted: readonly StoredReading[],
  deviceTimeMs: number,
  key?: Pick<StoredReading, 'bootId' | 'seq'>,
): number {
  const probe = {
    deviceTimeMs,
    bootId: key?.bootId ?? ('' as BootId),
    seq: key?.seq ?? Number.NEGATIVE_INFINITY,
  };
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byDeviceTime(sorted[mid] as StoredReading, probe) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function dayKey(day: { fromMs: number; toMs: number }): string {
  return `${day.fromMs}|${day.toMs}`;
}

function sameReading(a: StoredReading, b: StoredReading): boolean {
  return (Object.keys(a) as (keyof StoredReading)[]).every((k) => a[k] === b[k]);
}
