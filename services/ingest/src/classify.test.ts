import {
  type BootId,
  type GatewayId,
  decodeMessage,
  encodePayload,
  examplePayload,
  topicFor,
  type VesselId,
} from '@qt-led/contract';
import { describe, expect, it } from 'vitest';
import { type ClassifierOptions, classifyMessage } from './classify.js';
import { batch, fleet, registry, T0 } from './testing/builders.js';

const ROOT = 'qtled-test';
const BOOT = 'c0ffee0001' as BootId;
const [{ vesselId, gatewayId, meterId }] = fleet as [(typeof fleet)[number]];
const options: ClassifierOptions = {
  topicRoot: ROOT,
  futureToleranceMs: 300_000,
  minDeviceTimeMs: Date.UTC(2017, 0, 1),
  clockSkewToleranceMs: 120_000,
};
/** Receive time: just after the readings `batch` stamps from seq 0 to 99. */
const NOW = T0 + 100 * 60_000;

function classify(topic: string, payload: Uint8Array | string, receivedAtMs = NOW) {
  return classifyMessage({ topic, payload }, { registry, receivedAtMs, options });
}

const telemetryTopic = topicFor('telemetry', vesselId, ROOT);

describe('classifyMessage', () => {
  it('turns a valid batch into stored readings and acknowledges every seq', () => {
    const sent = batch(vesselId, gatewayId, BOOT, 0, 3, NOW - 1_000);
    const result = classify(telemetryTopic, encodePayload('telemetry', sent));
    expect(result.outcome).toBe('valid');
    expect(result.deadLetters).toEqual([]);
    expect(result.deviceMessages).toEqual([]);
    expect(result.acks).toEqual({ [vesselId]: { [BOOT]: [0, 1, 2] } });
    expect(result.clockSkewFlagged).toBe(0);
    expect(result.readings.map((r) => r.seq)).toEqual([0, 1, 2]);
    expect(result.readings[1]).toEqual({
      vesselId,
      gatewayId,
      bootId: BOOT,
      seq: 1,
      deviceTimeMs: T0 + 60_000,
      receivedAtMs: NOW,
      clockSkewMs: -1_000,
      timeSource: 'gps',
      ledPowerW: 12_001,
      ledEnergyKwh: 500.2,
      lampsOn: 40,
      ledMeterId: meterId,
      fuelRateLph: 7.5,
      fuelTotalL: 9_000.125,
      fix: '3d',
      lat: 17.16,
      lon: 107.34,
      speedKn: 0.3,
      headingDeg: 45,
    });
  });

  it("stores no meter serial for the readings of a gateway too old to send the LED meter's", () => {
    const sent = batch(vesselId, gatewayId, BOOT, 0, 2, NOW - 1_000);
    sent.readings[0] = {
      ...(sent.readings[0] as (typeof sent.readings)[0]),
      led: { powerW: 12_000, energyKwh: 500, lampsOn: 40 },
    };
    const result = classify(telemetryTopic, encodePayload('telemetry', sent));
    expect(result.outcome).toBe('valid');
    expect(result.readings.map((r) => r.ledMeterId)).toEqual([null, meterId]);
  });

  it('flags a batch sent off receive time, and keeps no coordinates without a fix', () => {
    const sent = batch(vesselId, gatewayId, BOOT, 0, 2, NOW - 600_000);
    sent.readings[0] = { ...(sent.readings[0] as (typeof sent.readings)[0]), position: { fix: 'none' } };
    const result = classify(telemetryTopic, encodePayload('telemetry', sent));
    expect(result.clockSkewFlagged).toBe(2);
    expect(result.readings.map((r) => r.clockSkewMs)).toEqual([-600_000, -600_000]);
    expect(result.readings[0]).toMatchObject({ fix: 'none', lat: null, lon: null, speedKn: null });
  });

  it('sets aside readings stamped in the future or before the epoch floor as replayable batches, and acknowledges them too', () => {
    const sent = batch(vesselId, gatewayId, BOOT, 10, 5, NOW);
    (sent.readings[1] as { deviceTimeMs: number }).deviceTimeMs = NOW + 3 * 86_400_000;
    (sent.readings[2] as { deviceTimeMs: number }).deviceTimeMs = NOW + 86_400_000;
    (sent.readings[3] as { deviceTimeMs: number }).deviceTimeMs = 1_000;
    const result = classify(telemetryTopic, encodePayload('telemetry', sent));
    expect(result.outcome).toBe('valid');
    expect(result.readings.map((r) => r.seq)).toEqual([10, 14]);
    expect(result.acks).toEqual({ [vesselId]: { [BOOT]: [10, 11, 12, 13, 14] } });
    expect(result.readingsSetAside).toEqual({ 'time-in-future': 2, 'time-before-epoch-floor': 1 });
    expect(result.deadLetters.map((l) => l.reason)).toEqual(['time-in-future', 'time-before-epoch-floor']);
    const future = result.deadLetters[0];
    expect(future?.message).toMatch(
      /^2 reading\(s\) of .* boot c0ffee0001 stamped .*: ahead of receive time$/,
    );
    const replayable = decodeMessage(future?.topic ?? '', future?.payload ?? '', { root: ROOT });
    expect(
      replayable.ok && replayable.channel === 'telemetry' && replayable.payload.readings.map((r) => r.seq),
    ).toEqual([11, 12]);
    // A reading just inside the tolerance is stored.
    const edge = batch(vesselId, gatewayId, BOOT, 0, 1, NOW);
    (edge.readings[0] as { deviceTimeMs: number }).deviceTimeMs = NOW + options.futureToleranceMs;
    expect(classify(telemetryTopic, encodePayload('telemetry', edge)).readings).toHaveLength(1);
  });

  it('keeps undecodable payloads byte for byte, with nothing to acknowledge', () => {
    const json = classify(telemetryTopic, '{"schema":');
    expect(json).toMatchObject({ outcome: 'invalid-json', readings: [], acks: {} });
    expect(json.deadLetters).toEqual([
      expect.objectContaining({
        reason: 'invalid-json',
        payload: '{"schema":',
        payloadEncoding: 'utf8',
        payloadBytes: 10,
      }),
    ]);
    const bytes = new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]);
    const utf8 = classify(telemetryTopic, bytes);
    expect(utf8.outcome).toBe('invalid-utf8');
    expect(utf8.deadLetters[0]).toMatchObject({
      payloadEncoding: 'base64',
      payload: Buffer.from(bytes).toString('base64'),
      receivedAtMs: NOW,
      topic: telemetryTopic,
    });
    const other = fleet[1] as (typeof fleet)[number];
    const mismatch = classify(
      topicFor('telemetry', other.vesselId, ROOT),
      encodePayload('telemetry', batch(vesselId, gatewayId, BOOT, 0, 1, NOW)),
    );
    expect(mismatch.outcome).toBe('vessel-mismatch');
    expect(mismatch.acks).toEqual({});
  });

  it('sets aside what a vessel outside the registry sends, acknowledging its readings', () => {
    const stranger = 'QT-99999-TS' as VesselId;
    const topic = topicFor('telemetry', stranger, ROOT);
    const result = classify(topic, encodePayload('telemetry', batch(stranger, gatewayId, BOOT, 0, 3, NOW)));
    expect(result.outcome).toBe('unknown-vessel');
    expect(result.readings).toEqual([]);
    expect(result.readingsSetAside).toEqual({ 'unknown-vessel': 3 });
    expect(result.acks).toEqual({ [stranger]: { [BOOT]: [0, 1, 2] } });
    expect(result.deadLetters).toEqual([
      expect.objectContaining({
        reason: 'unknown-vessel',
        topic,
        message: `vessel ${stranger} is not in the fleet registry`,
      }),
    ]);
    const heartbeat = { ...examplePayload('heartbeat'), vesselId: stranger };
    const device = classify(topicFor('heartbeat', stranger, ROOT), JSON.stringify(heartbeat));
    expect(device).toMatchObject({ outcome: 'unknown-vessel', deviceMessages: [], acks: {} });
    expect(device.deadLetters.map((l) => l.reason)).toEqual(['unknown-vessel']);
  });

  it('stores presence at receive time, heartbeats and events at their own time, and acknowledges events by their seq', () => {
    const identity = { vesselId, gatewayId, bootId: BOOT };
    const presence = { ...examplePayload('presence'), ...identity };
    const heartbeat = { ...examplePayload('heartbeat'), ...identity, atMs: NOW - 5_000 };
    const event = { ...examplePayload('events'), ...identity, atMs: NOW - 9_000 };
    const results = [
      classify(topicFor('presence', vesselId, ROOT), JSON.stringify(presence)),
      classify(topicFor('heartbeat', vesselId, ROOT), JSON.stringify(heartbeat)),
      classify(topicFor('events', vesselId, ROOT), JSON.stringify(event)),
    ];
    expect(results.map((r) => r.outcome)).toEqual(['valid', 'valid', 'valid']);
    expect(results.map((r) => r.acks)).toEqual([{}, {}, {}]);
    expect(results.map((r) => r.eventAcks)).toEqual([{}, {}, { [vesselId]: { [BOOT]: [event.eventSeq] } }]);
    expect(results.flatMap((r) => r.deviceMessages.map((m) => [m.kind, m.atMs, m.receivedAtMs]))).toEqual([
      ['presence', NOW, NOW],
      ['heartbeat', NOW - 5_000, NOW],
      ['event', NOW - 9_000, NOW],
    ]);
    expect(results[2]?.deviceMessages[0]?.payload).toEqual(event);
  });

  it('ignores the platform’s own downlinks', () => {
    const ack = { schema: 'qtled.ack/1', vesselId, atMs: NOW, boots: [{ bootId: BOOT, throughSeq: 3 }] };
    const result = classify(topicFor('ack', vesselId, ROOT), JSON.stringify(ack));
    expect(result).toMatchObject({
      outcome: 'not-telemetry',
      readings: [],
      deadLetters: [],
      deviceMessages: [],
      acks: {},
    });
  });

  it('sets aside readings sent under a gateway the registry does not put on the vessel that day, and acknowledges them', () => {
    // Another boat's gateway id on this boat's topic: a login publishing for a vessel it does not equip.
    const other = (fleet[1] as (typeof fleet)[number]).gatewayId;
    const forged = classify(
      telemetryTopic,
      encodePayload('telemetry', batch(vesselId, other, BOOT, 0, 3, NOW - 1_000)),
    );
    expect(forged.readings).toEqual([]);
    expect(forged.readingsSetAside).toEqual({ 'gateway-mismatch': 3 });
    expect(forged.deadLetters.map((l) => l.reason)).toEqual(['gateway-mismatch']);
    expect(forged.deadLetters[0]?.message).toContain(`sent by gateway ${other}`);
    expect(forged.acks).toEqual({ [vesselId]: { [BOOT]: [0, 1, 2] } });

    // gw-1eb02d28 was on QT-93295-TS until 18 June 2021 and on QT-94018-TS from 9 March 2022: its readings
    // count for the boat that carried it on their date, also when they arrive late.
    const moved = 'gw-1eb02d28' as GatewayId;
    const at = (date: string, seq: number) => {
      const b = batch('QT-94018-TS' as VesselId, moved, BOOT, seq, 1, 0);
      const deviceTimeMs = Date.parse(`${date}T12:00:00+07:00`);
      return { ...b, sentAtMs: deviceTimeMs, readings: b.readings.map((r) => ({ ...r, deviceTimeMs })) };
    };
    const straddling = {
      ...at('2022-03-08', 0),
      readings: [...at('2022-03-08', 0).readings, ...at('2022-03-09', 1).readings],
    };
    const swap = classifyMessage(
      {
        topic: topicFor('telemetry', 'QT-94018-TS' as VesselId, ROOT),
        payload: encodePayload('telemetry', straddling),
      },
      { registry, receivedAtMs: Date.parse('2022-03-10T00:00:00Z'), options },
    );
    expect(swap.readings.map((r) => r.seq)).toEqual([1]);
    expect(swap.readingsSetAside).toEqual({ 'gateway-mismatch': 1 });
    const before = { ...at('2021-06-17', 7), vesselId: 'QT-93295-TS' as VesselId };
    const late = classifyMessage(
      {
        topic: topicFor('telemetry', 'QT-93295-TS' as VesselId, ROOT),
        payload: encodePayload('telemetry', {
          ...before,
          readings: before.readings.map((r) => ({ ...r, vesselId: 'QT-93295-TS' as VesselId })),
        }),
      },
      { registry, receivedAtMs: Date.parse('2022-06-01T00:00:00Z'), options },
    );
    expect(late.readings.map((r) => r.seq)).toEqual([7]);
  });
});
