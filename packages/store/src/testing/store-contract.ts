import type { BootId, GatewayId, MeterId, VesselId } from '@qt-led/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findGaps, registerSegments } from '../derive.js';
import type { StoredDeviceMessage, StoredReading } from '../model.js';
import type { TelemetryStore } from '../port.js';

/**
 * The one contract test suite every TelemetryStore adapter must pass. Each adapter's test
 * file calls it with a factory that returns a fresh, empty store; the suite never looks inside.
 */
export function describeTelemetryStoreContract(name: string, open: () => Promise<TelemetryStore>): void {
  describe(`TelemetryStore contract: ${name}`, () => {
    let store: TelemetryStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store.close();
    });

    const A = 'QT-90145-TS' as VesselId;
    const B = 'QT-01009-TS' as VesselId;
    const boot1 = 'aaaa0001' as BootId;
    const boot2 = 'bbbb0002' as BootId;
    const t0 = Date.UTC(2024, 2, 1, 11, 0, 0); // 18:00 in Viet Nam, lamps about to be lit
    const minute = 60_000;
    const oldMeter = 'EM17-7360' as MeterId;
    const newMeter = 'EM24-0912' as MeterId;

    function reading(
      vesselId: VesselId,
      bootId: BootId,
      seq: number,
      overrides: Partial<StoredReading> = {},
    ): StoredReading {
      return {
        vesselId,
        gatewayId: 'gw-7c1e9a04' as GatewayId,
        bootId,
        seq,
        deviceTimeMs: t0 + seq * minute,
        receivedAtMs: t0 + seq * minute + 1_500,
        clockSkewMs: null,
        timeSource: 'gps',
        ledPowerW: 9_000 + (seq % 5) * 10,
        ledEnergyKwh: 1_000 + seq * 0.15,
        lampsOn: 44,
        ledMeterId: oldMeter,
        fuelRateLph: 6,
        fuelTotalL: 5_000 + seq * 0.1,
        fix: '3d',
        lat: 17.16,
        lon: 107.34,
        speedKn: 0.5,
        headingDeg: 90,
        ...overrides,
      };
    }

    // Vessel A: boot 1 seqs 0..119 except 40..49 (a gap), then boot 2 (a reboot) with a new meter. Vessel B's
    // gateway predates the meter serial: its readings name no meter.
    const bootOne = Array.from({ length: 120 }, (_, seq) => reading(A, boot1, seq)).filter(
      (r) => r.seq < 40 || r.seq >= 50,
    );
    const bootTwo = Array.from({ length: 30 }, (_, seq) =>
      reading(A, boot2, seq, {
        deviceTimeMs: t0 + (130 + seq) * minute,
        ledEnergyKwh: 2 + seq * 0.15,
        ledMeterId: newMeter,
        fuelTotalL: null,
      }),
    );
    const vesselB = Array.from({ length: 10 }, (_, seq) =>
      reading(B, boot1, seq, { fix: 'none', lat: null, lon: null, ledMeterId: null }),
    );

    it('stores readings and reads them back field for field, in device-time order', async () => {
      await store.writeReadings([...bootTwo, ...vesselB].reverse());
      await store.writeReadings(bootOne);
      expect(await store.countReadings()).toBe(bootOne.length + bootTwo.length + vesselB.length);
      const back = await store.readings(A, t0, t0 + 1_000 * minute);
      expect(back).toEqual([...bootOne, ...bootTwo]);
      const b = await store.readings(B, t0, t0 + 1_000 * minute);
      expect(b[3]).toEqual(vesselB[3]);
    });

    it('stores a re-delivered reading once (idempotent writes)', async () => {
      const again = [...bootOne.slice(0, 60), ...vesselB].map((r) => ({
        ...r,
        receivedAtMs: r.receivedAtMs + 3_600_000,
      }));
      await store.writeReadings(again);
      await store.writeReadings(again.slice(10, 20));
      expect(await store.countReadings(A)).toBe(bootOne.length + bootTwo.length);
      expect(await store.countReadings(B)).toBe(vesselB.length);
      const [first] = await store.readings(A, t0, t0 + 1);
      expect({ ...first, receivedAtMs: 0 }).toEqual({ ...bootOne[0], receivedAtMs: 0 });
    });

    it('keeps two readings whose device clocks collide on the same millisecond', async () => {
      const C = 'QT-93295-TS' as VesselId;
      const sameTime = t0 + 5 * minute;
      await store.writeReadings([
        reading(C, boot1, 7, { deviceTimeMs: sameTime }),
        reading(C, boot2, 8, { deviceTimeMs: sameTime }),
      ]);
      expect(await store.countReadings(C)).toBe(2);
    });

    it('selects a half-open time range and honours the limit', async () => {
      const range = await store.readings(A, t0 + 10 * minute, t0 + 20 * minute);
      expect(range.map((r) => r.seq)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
      expect(await store.readings(A, t0, t0 + 1_000 * minute, 5)).toHaveLength(5);
    });

    it('counts the readings of a half-open time range, of one vessel or all', async () => {
      // Seqs 35..39 and 50..54 of boot 1 (40..49 are the gap).
      expect(await store.countReadings(A, { fromMs: t0 + 35 * minute, toMs: t0 + 55 * minute })).toBe(10);
      expect(await store.countReadings(A, { fromMs: t0 + 130 * minute, toMs: t0 + 1_000 * minute })).toBe(
        bootTwo.length,
      );
      expect(await store.countReadings(A, { fromMs: t0 + 130 * minute, toMs: t0 + 130 * minute })).toBe(0);
      // A, B and the two readings of vessel C that share a millisecond.
      expect(await store.countReadings(undefined, { fromMs: t0, toMs: t0 + 10 * minute })).toBe(22);
    });

    it('answers register readings: the same readings, in the same order, with what calculations need', async () => {
      const whole = await store.readings(A, t0 - 60 * minute, t0 + 1_000 * minute);
      const registers = await store.registerReadings(A, t0 - 60 * minute, t0 + 1_000 * minute);
      expect(registers).toEqual(
        whole.map((r) => ({
          vesselId: r.vesselId,
          bootId: r.bootId,
          seq: r.seq,
          deviceTimeMs: r.deviceTimeMs,
          ledEnergyKwh: r.ledEnergyKwh,
          ledMeterId: r.ledMeterId,
          fuelTotalL: r.fuelTotalL,
          lampsOn: r.lampsOn,
        })),
      );
      expect(registers.length).toBeGreaterThan(100);
      const range = await store.registerReadings(A, t0 + 10 * minute, t0 + 20 * minute);
      expect(range.map((r) => r.seq)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
      expect(await store.registerReadings(A, t0, t0 + 1_000 * minute, 5)).toHaveLength(5);
    });

    it("keeps the LED meter's serial of each reading, and none where the gateway sent none", async () => {
      const serials = async (vesselId: VesselId): Promise<(string | null)[]> => [
        ...new Set((await store.readings(vesselId, t0, t0 + 1_000 * minute)).map((r) => r.ledMeterId)),
      ];
      expect(await serials(A)).toEqual([oldMeter, newMeter]);
      expect(await serials(B)).toEqual([null]);
      const registers = await store.registerReadings(A, t0 + 110 * minute, t0 + 140 * minute);
      expect(registers.map((r) => [r.bootId, r.ledMeterId])).toEqual([
        ...Array.from({ length: 10 }, () => [boot1, oldMeter]),
        ...Array.from({ length: 10 }, () => [boot2, newMeter]),
      ]);
      expect((await store.registerReadings(B, t0, t0 + 1_000 * minute)).map((r) => r.ledMeterId)).toEqual(
        vesselB.map(() => null),
      );
      // A reading without an LED sample has neither register nor serial.
      const D = 'QT-96759-TS' as VesselId;
      await store.writeReadings([
        reading(D, boot1, 0),
        reading(D, boot1, 1, { ledPowerW: null, ledEnergyKwh: null, lampsOn: null, ledMeterId: null }),
      ]);
      expect((await store.readings(D, t0, t0 + minute * 2)).map((r) => r.ledMeterId)).toEqual([
        oldMeter,
        null,
      ]);
    });

    it('answers the newest reading of each vessel', async () => {
      const latest = await store.latestByVessel();
      // A re-delivered reading keeps the first receipt time (SQLite) or the last (InfluxDB): not compared.
      const byVessel = Object.fromEntries(latest.map((r) => [r.vesselId, { ...r, receivedAtMs: 0 }]));
      expect(byVessel[A]).toEqual({ ...bootTwo.at(-1), receivedAtMs: 0 });
      expect(byVessel[B]).toEqual({ ...vesselB.at(-1), receivedAtMs: 0 });
      // Two readings in the same millisecond: the higher seq is the newer.
      expect(byVessel['QT-93295-TS']?.seq).toBe(8);
      // One vessel's: the same reading, the others not read; a vessel without readings has none.
      const ofB = await store.latestByVessel(B);
      expect(ofB.map((r) => ({ ...r, receivedAtMs: 0 }))).toEqual([{ ...vesselB.at(-1), receivedAtMs: 0 }]);
      expect(await store.latestByVessel('QT-99999-TS' as VesselId)).toEqual([]);
    });

    it('downsamples: mean of power, last of registers, empty buckets absent', async () => {
      const series = await store.series(
        A,
        ['ledPowerW', 'ledEnergyKwh', 'fuelTotalL'],
        t0,
        t0 + 60 * minute,
        10 * minute,
      );
      expect(series.map((p) => p.tMs)).toEqual([0, 1, 2, 3, 5].map((i) => t0 + i * 10 * minute));
      const first = series[0];
      const expectedMean = bootOne.slice(0, 10).reduce((s, r) => s + (r.ledPowerW ?? 0), 0) / 10;
      expect(first?.values.ledPowerW).toBeCloseTo(expectedMean, 9);
      expect(first?.values.ledEnergyKwh).toBeCloseTo(1_000 + 9 * 0.15, 9);
      expect(first?.values.fuelTotalL).toBeCloseTo(5_000 + 9 * 0.1, 9);
      const afterReboot = await store.series(
        A,
        ['fuelTotalL', 'ledEnergyKwh'],
        t0 + 130 * minute,
        t0 + 140 * minute,
        10 * minute,
      );
      expect(afterReboot).toEqual([
        { tMs: t0 + 130 * minute, values: { fuelTotalL: null, ledEnergyKwh: 2 + 9 * 0.15 } },
      ]);
    });

    it('counts readings per vessel per local day (Asia/Ho_Chi_Minh, UTC+7)', async () => {
      const counts = await store.dailyCounts(t0 - 86_400_000, t0 + 2 * 86_400_000, 7 * 60);
      const localMidnight = Date.UTC(2024, 2, 1) - 7 * 3_600_000; // 2024-03-01 00:00 in Viet Nam
      const dayTwo = localMidnight + 86_400_000;
      // t0 is 18:00 local: 360 minutes remain on 1 March; vessel A's seqs 0..359 fall on that day.
      const aDayOne =
        bootOne.filter((r) => r.deviceTimeMs < dayTwo).length +
        bootTwo.filter((r) => r.deviceTimeMs < dayTwo).length;
      expect(counts).toEqual(
        expect.arrayContaining([
          { vesselId: A, dayStartMs: localMidnight, readings: aDayOne },
          { vesselId: B, dayStartMs: localMidnight, readings: vesselB.length },
        ]),
      );
    });

    it('gives what the gap ledger and register boundaries need', async () => {
      const readings = await store.readings(A, t0, t0 + 1_000 * minute);
      expect(findGaps(readings)).toEqual([
        {
          vesselId: A,
          bootId: boot1,
          fromSeq: 40,
          toSeq: 49,
          afterMs: t0 + 39 * minute,
          beforeMs: t0 + 50 * minute,
        },
      ]);
      const segments = registerSegments(readings, 'ledEnergyKwh');
      expect(segments.map((s) => [s.first.value, s.endedBy])).toEqual([
        [1_000, 'reset'],
        [2, 'end'],
      ]);
      // Late data fills the gap: the ledger closes by itself.
      await store.writeReadings(Array.from({ length: 10 }, (_, i) => reading(A, boot1, 40 + i)));
      expect(findGaps(await store.readings(A, t0, t0 + 1_000 * minute))).toEqual([]);
    });

    it('keeps dead letters whole, lists them by reason and marks them replayed', async () => {
      const big = JSON.stringify({ schema: 'qtled.telemetry/1', padding: 'Cửa Việt '.repeat(12_000) });
      await store.addDeadLetters([
        {
          receivedAtMs: t0,
          topic: 'qtled/v1/vessels/QT-90145-TS/telemetry',
          reason: 'invalid-json',
          message: 'payload is not JSON',
          payload: '{"schema":',
          payloadEncoding: 'utf8',
          payloadBytes: 10,
        },
        {
          receivedAtMs: t0 + 1,
          topic: 'qtled/v1/vessels/QT-90145-TS/telemetry',
          reason: 'payload-too-large',
          message: 'too big',
          payload: big,
          payloadEncoding: 'utf8',
          payloadBytes: Buffer.byteLength(big),
        },
        {
          receivedAtMs: t0 + 2,
          topic: 'qtled/v1/vessels/QT-01009-TS/telemetry',
          reason: 'invalid-json',
          message: 'payload is not JSON',
          payload: 'AAEC',
          payloadEncoding: 'base64',
          payloadBytes: 3,
        },
      ]);
      const json = await store.listDeadLetters({ reason: 'invalid-json', limit: 10 });
      expect(json.map((l) => l.payload)).toEqual(['AAEC', '{"schema":']);
      const [large] = await store.listDeadLetters({ reason: 'payload-too-large', limit: 10 });
      expect(large?.payload).toBe(big);
      expect(await store.getDeadLetter(large?.id ?? '')).toEqual(large);
      expect(await store.getDeadLetter('no-such-id')).toBeUndefined();

      await store.markDeadLetterReplayed(json[0]?.id ?? '', t0 + 60_000);
      expect((await store.listDeadLetters({ limit: 10 })).map((l) => l.reason)).toEqual([
        'payload-too-large',
        'invalid-json',
      ]);
      const all = await store.listDeadLetters({ limit: 10, includeReplayed: true });
      expect(all.map((l) => l.replayedAtMs)).toEqual([t0 + 60_000, null, null]);
      expect(await store.listDeadLetters({ limit: 1, beforeMs: t0 + 1 })).toHaveLength(1);
    });

    it('stores presence, heartbeats and events once each, by time, and the newest per vessel', async () => {
      const gw = 'gw-7c1e9a04' as GatewayId;
      const heartbeat = (vesselId: VesselId, atMs: number, depth: number): StoredDeviceMessage => ({
        kind: 'heartbeat',
        vesselId,
        gatewayId: gw,
        bootId: boot1,
        atMs,
        receivedAtMs: atMs + 800,
        payload: {
          schema: 'qtled.heartbeat/1',
          vesselId,
          gatewayId: gw,
          bootId: boot1,
          atMs,
          firmware: '1.4.2',
          uptimeS: 3600,
          queue: { depth, oldestUnsentAgeS: depth === 0 ? null : depth * 60, bytesOnDisk: depth * 200 },
          diskFreeBytes: 900_000_000,
          lastAck: { bootId: boot1, throughSeq: 41 },
        },
      });
      const event: StoredDeviceMessage = {
        kind: 'event',
        vesselId: A,
        gatewayId: gw,
        bootId: boot1,
        atMs: t0 + 5 * minute,
        receivedAtMs: t0 + 6 * minute,
        payload: {
          schema: 'qtled.event/1',
          vesselId: A,
          gatewayId: gw,
          bootId: boot1,
          eventSeq: 3,
          atMs: t0 + 5 * minute,
          event: { type: 'meter-replaced', sensor: 'led-meter', lastRegister: 1_012.5, firstRegister: 0 },
        },
      };
      const lastWill: StoredDeviceMessage = {
        kind: 'presence',
        vesselId: A,
        gatewayId: gw,
        bootId: boot1,
        atMs: t0 + 7 * minute,
        receivedAtMs: t0 + 7 * minute,
        payload: {
          schema: 'qtled.presence/1',
          state: 'offline',
          vesselId: A,
          gatewayId: gw,
          bootId: boot1,
          cause: 'connection-lost',
        },
      };
      // The same event and heartbeat twice (a resend), and a second event in the same millisecond.
      const sameMillisecond: StoredDeviceMessage = {
        ...event,
        payload: { ...event.payload, eventSeq: 4, event: { type: 'sensor-recovered', sensor: 'gps' } },
      };
      const messages = [
        heartbeat(A, t0, 0),
        heartbeat(A, t0 + 2 * minute, 5),
        heartbeat(B, t0 + minute, 1),
        event,
        lastWill,
        sameMillisecond,
      ];
      await store.writeDeviceMessages(messages);
      await store.writeDeviceMessages([event, heartbeat(A, t0 + 2 * minute, 5)]);

      const ofA = await store.deviceMessages({ vesselId: A, fromMs: t0, toMs: t0 + 60 * minute });
      expect(ofA.map((m) => [m.kind, m.atMs])).toEqual([
        ['heartbeat', t0],
        ['heartbeat', t0 + 2 * minute],
        ['event', t0 + 5 * minute],
        ['event', t0 + 5 * minute],
        ['presence', t0 + 7 * minute],
      ]);
      expect(ofA.find((m) => m.kind === 'event' && m.payload.eventSeq === 3)).toEqual(event);
      expect(ofA.find((m) => m.kind === 'presence')).toEqual(lastWill);

      const heartbeats = await store.deviceMessages({
        kinds: ['heartbeat'],
        fromMs: t0,
        toMs: t0 + 2 * minute,
      });
      expect(heartbeats.map((m) => [m.vesselId, m.atMs])).toEqual([
        [A, t0],
        [B, t0 + minute],
      ]);
      expect(await store.deviceMessages({ kinds: [], fromMs: t0, toMs: t0 + 60 * minute })).toEqual([]);
      expect(
        await store.deviceMessages({ vesselId: A, fromMs: t0, toMs: t0 + 60 * minute, limit: 2 }),
      ).toHaveLength(2);

      const newest = await store.latestDeviceMessages('heartbeat');
      expect(newest.map((m) => [m.vesselId, m.atMs])).toEqual([
        [B, t0 + minute],
        [A, t0 + 2 * minute],
      ]);
      expect(newest[1]).toEqual(heartbeat(A, t0 + 2 * minute, 5));
      expect((await store.latestDeviceMessages('presence')).map((m) => m.vesselId)).toEqual([A]);
      // One vessel's newest of a kind.
      expect(await store.latestDeviceMessages('heartbeat', A)).toEqual([heartbeat(A, t0 + 2 * minute, 5)]);
      expect((await store.latestDeviceMessages('heartbeat', B)).map((m) => [m.vesselId, m.atMs])).toEqual([
        [B, t0 + minute],
      ]);
      expect(await store.latestDeviceMessages('presence', B)).toEqual([]);
    });
  });
}
