import {
  type BootId,
  type FleetRegistry,
  type GatewayId,
  indexRegistry,
  type RegistryIndex,
  topicFor,
  type VesselId,
} from '@qt-led/contract';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import type { StoredDeviceMessage, StoredReading, TelemetryStore } from '@qt-led/store';
import { createSqliteStore } from '@qt-led/store-sqlite';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_FLEET_STATUS_CONFIG as config } from './config.js';
import { createEvidenceGatherer } from './evidence-gatherer.js';
import {
  DAY,
  heartbeat,
  HOUR,
  liftNetNight,
  local,
  MIN,
  OFFSHORE,
  presence,
  reading,
  timeline,
} from './testing/readings.js';
import { createVesselStateTracker, type VesselStateTracker } from './vessel-state.js';

const packaged = loadFleetRegistry();
const LAMPS = 'QT-90145-TS' as VesselId; // lift-net, 24 × 240 W
const AWAY = 'QT-96759-TS' as VesselId; // purse seiner
const CLOCK = 'QT-98774-TS' as VesselId; // lift-net
const LATE = 'QT-96021-TS' as VesselId; // lift-net, nothing stored until late in the scenario

/** The registry in force, replaceable as an admin's upload replaces it (the registry source's index). */
function liveRegistry(initial: FleetRegistry): RegistryIndex & { replace(next: FleetRegistry): void } {
  let current = indexRegistry(initial);
  return {
    get registry() {
      return current.registry;
    },
    vessel: (id) => current.vessel(id),
    configOn: (id, date) => current.configOn(id, date),
    configAt: (id, instant) => current.configAt(id, instant),
    versionsBetween: (id, from, to) => current.versionsBetween(id, from, to),
    vesselForGateway: (gatewayId, date) => current.vesselForGateway(gatewayId, date),
    replace(next) {
      current = indexRegistry(next);
    },
  };
}

function gatewayOf(vesselId: VesselId): GatewayId {
  return packaged.configAt(vesselId, local(2024, 3, 1))?.version.gatewayId as GatewayId;
}

/** The unit tests' readings and device messages, moved to another vessel (its own gateway and boot). */
function of<T extends StoredReading | StoredDeviceMessage>(vesselId: VesselId, items: readonly T[]): T[] {
  const gatewayId = gatewayOf(vesselId);
  return items.map((m) => {
    const moved = { ...m, vesselId, gatewayId };
    if ('payload' in moved && 'vesselId' in moved.payload)
      return { ...moved, payload: { ...moved.payload, vesselId, gatewayId } };
    return moved;
  });
}

/** Fifteen lift-net nights of one boat, seqs running on (one boot), a reading a minute. */
function nights(vesselId: VesselId, fromDay: number, count: number): StoredReading[] {
  return of(
    vesselId,
    Array.from({ length: count }, (_, i) => liftNetNight(2024, 3, fromDay + i, i * 1_440)).flat(),
  );
}

let store: TelemetryStore;
let registry: ReturnType<typeof liveRegistry>;
let tracker: VesselStateTracker;

beforeEach(() => {
  store = createSqliteStore({ path: ':memory:' });
  registry = liveRegistry(packaged.registry);
  tracker = createVesselStateTracker({ store, registry, config });
});
afterEach(async () => {
  await store.close();
});

/** The status of every vessel recomputed from history, as the service computed it before. */
async function fromHistory(nowMs: number) {
  return (await createEvidenceGatherer({ store, registry, config }).vessels(nowMs)).map((v) => v.status);
}

async function expectSameAsHistory(nowMs: number): Promise<void> {
  const kept = await tracker.overview(nowMs);
  expect(kept.map((v) => v.status)).toEqual(await fromHistory(nowMs));
  const latest = new Map((await store.latestByVessel()).map((r) => [r.vesselId, r]));
  for (const v of kept) expect(v.latest).toEqual(latest.get(v.status.vesselId) ?? null);
}

describe('the kept vessel state against the status recomputed from history', () => {
  it('agrees through live, late and unannounced data, reboots, clock faults, silence and a registry change', async () => {
    // Two weeks of nights (the LED baseline's history). Their lamps flicker between n and n − 1 from one
    // reading to the next, so no hour of them has a steady lamp count and none counts for the baseline:
    // only the steady nights of 9 and 10 March do, which land late — so each late arrival moves it.
    const flicker = (r: StoredReading): StoredReading =>
      (r.lampsOn ?? 0) > 0 && r.seq % 2 === 1
        ? { ...r, lampsOn: (r.lampsOn ?? 1) - 1, ledPowerW: ((r.lampsOn ?? 1) - 1) * 240 * 0.99 }
        : r;
    const steadyNight = (day: number) => (r: StoredReading) =>
      r.deviceTimeMs >= local(2024, 3, day, 19) && r.deviceTimeMs < local(2024, 3, day + 1, 5);
    const inA = steadyNight(9);
    const inB = steadyNight(10);
    const steady = (ratio: number) => (r: StoredReading) => ({
      ...r,
      ledPowerW: (r.lampsOn ?? 0) * 240 * ratio,
    });
    const all = nights(LAMPS, 1, 14);
    const lateA = all.filter(inA).map(steady(0.97));
    const lateB = all.filter(inB).map(steady(1.03));
    const history = all.filter((r) => !inA(r) && !inB(r)).map(flicker);
    // The night of 13–14 March lands late too, inside the status window.
    const lateNight = (r: StoredReading) =>
      r.deviceTimeMs >= local(2024, 3, 14, 0, 30) && r.deviceTimeMs < local(2024, 3, 14, 5);
    await store.writeReadings(history.filter((r) => !lateNight(r)));
    // A purse seiner that went out of coverage three days ago, its last will published.
    const away = of(
      AWAY,
      timeline(local(2024, 3, 11, 12), [
        { untilMs: local(2024, 3, 11, 15) },
        { untilMs: local(2024, 3, 11, 19), to: OFFSHORE, speedKn: 8 },
      ]),
    );
    await store.writeReadings(away);
    // A boat whose clock is off: readings stamped 20 min ahead, batches set aside as from the future.
    const clockNow = local(2024, 3, 15, 12);
    await store.writeReadings(
      of(CLOCK, timeline(clockNow - 6 * HOUR, [{ untilMs: clockNow - 5 * MIN }])).map((r) => ({
        ...r,
        clockSkewMs: 20 * MIN,
      })),
    );
    await store.writeDeviceMessages([
      ...of(LAMPS, [presence('online', local(2024, 3, 15, 7, 40)), heartbeat(clockNow - 3 * MIN, 0)]),
      ...of(AWAY, [presence('offline', local(2024, 3, 11, 19, 2))]),
      ...of(CLOCK, [heartbeat(clockNow - 4 * MIN, 0)]),
    ]);
    await store.addDeadLetters([
      {
        receivedAtMs: clockNow - 10 * MIN,
        topic: topicFor('telemetry', CLOCK),
        reason: 'time-in-future',
        message: 'device time ahead of receipt',
        payload: JSON.stringify({
          schema: 'qtled.telemetry/1',
          vesselId: CLOCK,
          gatewayId: gatewayOf(CLOCK),
          sentAtMs: clockNow + 50 * MIN,
          readings: [
            {
              vesselId: CLOCK,
              bootId: 'c10c0001',
              seq: 9,
              deviceTimeMs: clockNow + 50 * MIN,
              led: { powerW: 0, energyKwh: 1, lampsOn: 0 },
            },
          ],
        }),
        payloadEncoding: 'utf8',
        payloadBytes: 300,
      },
    ]);

    let now = local(2024, 3, 15, 12, 30);
    await expectSameAsHistory(now);
    const first = new Map((await tracker.overview(now)).map((v) => [v.status.vesselId, v.status]));
    expect(first.get(AWAY)?.status).toBe('at-sea-out-of-coverage');
    expect(first.get(CLOCK)?.conditions).toContain('clock-fault');
    expect(first.get(LATE)?.status).toBe('no-data');

    // Live readings: the first hour announced as ingest announces them, the second one not.
    const live = of(
      LAMPS,
      timeline(local(2024, 3, 15, 12), [{ untilMs: local(2024, 3, 15, 14) }], MIN, 14 * 1_440),
    );
    await store.writeReadings(live);
    tracker.noteStored(live.filter((r) => r.deviceTimeMs < local(2024, 3, 15, 13)));
    now = local(2024, 3, 15, 14, 5);
    await expectSameAsHistory(now);

    // The late night lands inside the status window, unannounced: the count gives it away.
    await store.writeReadings(history.filter(lateNight));
    await expectSameAsHistory(now);

    // Late readings older than the window, announced: the baseline day they fall in is read again.
    const ratioOf = async () =>
      (await tracker.overview(now)).find((v) => v.status.vesselId === LAMPS)?.status.evidence
        .ledNormalDrawRatio;
    expect(await ratioOf()).toBe(1); // fewer than six steady hours: no baseline yet
    await store.writeReadings(lateA);
    tracker.noteStored(lateA);
    await expectSameAsHistory(now);
    expect(await ratioOf()).toBeCloseTo(0.97, 9);
    // ... unannounced (a lost notice): the evaluation pass checks the baseline's history and catches up.
    await store.writeReadings(lateB);
    const evaluated = await tracker.vessels(now);
    const reference = await createEvidenceGatherer({ store, registry, config }).vessels(now);
    expect(evaluated.map((v) => v.status)).toEqual(reference.map((v) => v.status));
    expect(evaluated.map((v) => v.gateways)).toEqual(reference.map((v) => v.gateways));
    expect(evaluated.map((v) => v.recent)).toEqual(reference.map((v) => v.recent));
    await expectSameAsHistory(now);
    expect(await ratioOf()).toBeCloseTo(1.03, 9);

    // A reboot: a new boot id, seqs from 0, announced out of order and twice.
    const rebooted = of(
      LAMPS,
      timeline(local(2024, 3, 15, 14, 10), [{ untilMs: local(2024, 3, 15, 15) }]).map((r) => ({
        ...r,
        bootId: 'b00750b2' as BootId,
      })),
    );
    await store.writeReadings(rebooted);
    tracker.noteStored([...rebooted].reverse());
    tracker.noteStored(rebooted.slice(0, 10));
    now = local(2024, 3, 15, 15, 5);
    await expectSameAsHistory(now);

    // A boat heard of for the first time, whose clock then resets to 1970 (an absurd heartbeat, freshest).
    const lateBoat = of(LATE, timeline(now - 2 * HOUR, [{ untilMs: now - 3 * MIN }]));
    await store.writeReadings(lateBoat);
    await store.writeDeviceMessages(
      of(LATE, [heartbeat(now - 2 * MIN, 0), heartbeat(120_000, 3, { receivedAtMs: now - 10_000 })]),
    );
    await expectSameAsHistory(now);
    expect((await tracker.overview(now, LATE))[0]?.status.conditions).toContain('clock-fault');

    // Time passes without anything new: silence, out of coverage for longer than a trip.
    for (const later of [now + 40 * MIN, now + 2 * DAY, now + 13 * DAY]) await expectSameAsHistory(later);

    // A reading announced that the store never got (a live view's test reading): the count repairs it.
    tracker.noteStored(
      of(LAMPS, [reading({ seq: 99_999, deviceTimeMs: local(2024, 3, 15, 14, 30), ledPowerW: 1 })]),
    );
    await expectSameAsHistory(now);

    // A registry change: another rating for the LED boat, the purse seiner gone, the late boat renamed.
    const next = structuredClone(packaged.registry);
    for (const v of next.vessels)
      if (v.vesselId === LAMPS) for (const version of v.versions) version.ledLamps.ratedW = 200;
    next.vessels = next.vessels.filter((v) => v.vesselId !== AWAY);
    registry.replace(next);
    await expectSameAsHistory(now);
    const changed = await tracker.overview(now);
    expect(changed.some((v) => v.status.vesselId === AWAY)).toBe(false);
    expect(changed.find((v) => v.status.vesselId === LAMPS)?.status.evidence.expectedLedPowerW).not.toBe(
      first.get(LAMPS)?.evidence.expectedLedPowerW,
    );
    registry.replace(packaged.registry);
    await expectSameAsHistory(now);
  });

  it('answers concurrent callers from one consistent view', async () => {
    await store.writeReadings(nights(LAMPS, 1, 3));
    const now = local(2024, 3, 4, 12, 30);
    const [a, b, c] = await Promise.all([tracker.overview(now), tracker.overview(now), tracker.vessels(now)]);
    expect(a).toEqual(b);
    expect(a.map((v) => v.status)).toEqual(c.map((v) => v.status));
    expect(a.map((v) => v.status)).toEqual(await fromHistory(now));
  });

  it('reads no hourly series of an empty baseline day, and counts a run of empty days once', async () => {
    const series = vi.spyOn(store, 'series');
    const counts = vi.spyOn(store, 'countReadings');
    // Readings of one local day only: the baseline's days before it are all empty.
    const day21 = nights(LAMPS, 20, 1).filter((r) => r.deviceTimeMs >= local(2024, 3, 21));
    await store.writeReadings(day21);
    const now = local(2024, 3, 21, 12);
    const ofLamps = (calls: unknown[][]): unknown[][] => calls.filter(([id]) => id === LAMPS);
    const kept = await tracker.overview(now);
    expect(series).not.toHaveBeenCalled();
    // The window's count and one for the whole run of baseline days.
    expect(ofLamps(counts.mock.calls)).toHaveLength(2);
    expect(kept.map((v) => v.status)).toEqual(await fromHistory(now));

    // Another boat, three nights in its baseline: a series read for each day that has readings, none for the others.
    series.mockClear();
    await store.writeReadings(nights(CLOCK, 1, 3));
    const then = local(2024, 3, 4, 12, 30);
    const again = await createVesselStateTracker({ store, registry, config }).overview(then);
    const ofClock = series.mock.calls.filter(([id]) => id === CLOCK);
    const days = new Set(ofClock.map(([, , fromMs]) => fromMs));
    expect(days.size).toBe(ofClock.length);
    // 1–3 March (the night of 29 February–1 March is not in them): the days that have readings.
    expect([...days]).toEqual([local(2024, 3, 1), local(2024, 3, 2), local(2024, 3, 3)]);
    expect(again.map((v) => v.status)).toEqual(await fromHistory(then));
  });
});
