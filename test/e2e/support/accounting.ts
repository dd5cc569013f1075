// The invariant of every fault test: each reading a gateway sampled is stored exactly once, or accounted
// for with a reason — set aside (a dead letter naming why) or in a gap the gateway itself reported (readings
// it dropped when its disk filled) — and at the end the gateways hold nothing unacknowledged.
import { TelemetryBatch } from '@qt-led/contract';
import type { FleetSummary } from '@qt-led/gateway';
import type { StoredReading, TelemetryStore } from '@qt-led/store';
import { expect } from 'vitest';

const DAY = 86_400_000;

/** Where the readings of a run ended up, read back from the store. */
export interface Account {
  stored: Map<string, StoredReading[]>;
  letters: Awaited<ReturnType<TelemetryStore['listDeadLetters']>>;
  /** Readings set aside for their time stamps (1970 after an RTC reset, or ahead of the platform clock). */
  setAsideReadings: TelemetryBatch['readings'];
}

/** One fault's line of the suite's table. */
export interface Tally {
  sent: number;
  stored: number;
  setAside: number;
  inGaps: number;
}

/** Readings of the listed vessels in the store, and those set aside for their time stamps. */
export async function accountFor(
  store: TelemetryStore,
  vessels: readonly string[],
  toMs: number,
): Promise<Account> {
  const stored = new Map<string, StoredReading[]>();
  for (const vesselId of vessels)
    stored.set(vesselId, await store.readings(vesselId as StoredReading['vesselId'], 0, toMs + 30 * DAY));
  const letters = await store.listDeadLetters({ limit: 10_000, includeReplayed: true });
  const setAsideReadings = letters
    .filter((l) => l.reason === 'time-before-epoch-floor' || l.reason === 'time-in-future')
    .flatMap((l) => TelemetryBatch.parse(JSON.parse(l.payload)).readings);
  return { stored, letters, setAsideReadings };
}

/**
 * Checks the invariant and returns the tally. A boot's seqs count from 0, so whatever is missing below a
 * boot's highest seq (stored or set aside) is in a gap; `expectedInGaps` is what the gateways said they
 * dropped (0 unless a disk filled). Nothing may be stored twice, and nothing may be missing beyond that.
 */
export function expectAccountedFor(summary: FleetSummary, account: Account, expectedInGaps = 0): Tally {
  const all = [...account.stored.values()].flat();
  const keyOf = (r: { vesselId: string; bootId: string; seq: number }) =>
    `${r.vesselId}/${r.bootId}/${r.seq}`;
  const storedKeys = new Set(all.map(keyOf));
  expect(storedKeys.size, 'no reading stored twice').toBe(all.length);
  const keys = new Set(storedKeys);
  for (const r of account.setAsideReadings) keys.add(keyOf(r));
  expect(keys.size, 'no reading both stored and set aside').toBe(
    all.length + account.setAsideReadings.length,
  );
  // Per boot: seqs 0 … highest, each present or in a gap.
  const highest = new Map<string, { max: number; count: number }>();
  for (const key of keys) {
    const cut = key.lastIndexOf('/');
    const boot = key.slice(0, cut);
    const seq = Number(key.slice(cut + 1));
    const h = highest.get(boot) ?? { max: -1, count: 0 };
    highest.set(boot, { max: Math.max(h.max, seq), count: h.count + 1 });
  }
  const inGaps = [...highest.values()].reduce((n, h) => n + h.max + 1 - h.count, 0);
  const tally = {
    sent: summary.totals.sampled,
    stored: all.length,
    setAside: account.setAsideReadings.length,
    inGaps,
  };
  expect(inGaps, 'readings missing in gaps (only what the gateways reported dropping)').toBe(expectedInGaps);
  expect(tally.stored + tally.setAside + tally.inGaps, 'every reading sampled accounted for').toBe(
    tally.sent,
  );
  // Gateways hold nothing unacknowledged.
  expect(summary.totals.pending, 'readings still unacknowledged on the gateways').toBe(0);
  expect(summary.totals.eventsPending, 'device events still unacknowledged on the gateways').toBe(0);
  return tally;
}

/** The strict form for runs without a full disk: every reading stored or set aside, exactly once, no gap. */
export function expectEveryReadingOnce(summary: FleetSummary, account: Account): Tally {
  return expectAccountedFor(summary, account, 0);
}
