import { describe, expect, it } from 'vitest';
import {
  decodeMessage,
  encodePayload,
  MAX_PAYLOAD_BYTES,
  validatePayload,
  type DecodeError,
} from './codec.js';
import { examplePayload, EXAMPLE_PAYLOADS } from './examples.js';
import { MAX_READINGS_PER_BATCH, type Reading } from './telemetry.js';
import { CHANNEL_NAMES, topicFor } from './topics.js';
import { VesselId } from './ids.js';

const vessel = VesselId.parse('QT-90145-TS');
const telemetryTopic = topicFor('telemetry', vessel);

function expectError(result: ReturnType<typeof decodeMessage>): DecodeError {
  if (result.ok) throw new Error('expected the message to be rejected, but it was accepted');
  return result;
}

function batchWith(mutate: (reading: Record<string, unknown>) => void): unknown {
  const batch = examplePayload('telemetry');
  mutate(batch.readings[0] as unknown as Record<string, unknown>);
  return batch;
}

describe('decodeMessage', () => {
  it.each(CHANNEL_NAMES)('accepts the %s example on its topic and returns typed data', (channel) => {
    const result = decodeMessage(topicFor(channel, vessel), JSON.stringify(EXAMPLE_PAYLOADS[channel]));
    expect(result).toMatchObject({ ok: true, channel, vesselId: vessel });
  });

  it('accepts bytes as delivered by mqtt.js', () => {
    const bytes = new TextEncoder().encode(JSON.stringify(EXAMPLE_PAYLOADS.telemetry));
    const result = decodeMessage(telemetryTopic, bytes);
    if (!result.ok || result.channel !== 'telemetry') throw new Error('expected a telemetry batch');
    expect(result.payload.readings).toHaveLength(2);
    expect(result.payload.readings[0]?.led?.energyKwh).toBe(15_204.37);
  });

  it('rejects a batch whose vesselId does not match its topic', () => {
    const other = topicFor('telemetry', VesselId.parse('QT-91234-TS'));
    const error = expectError(decodeMessage(other, JSON.stringify(EXAMPLE_PAYLOADS.telemetry)));
    expect(error.code).toBe('vessel-mismatch');
    expect(error.message).toBe(
      'payload speaks for vessel QT-90145-TS but was published on the topic of vessel QT-91234-TS',
    );
  });

  it('rejects a reading that belongs to another vessel than its batch', () => {
    const payload = batchWith((r) => (r['vesselId'] = 'QT-91234-TS'));
    const error = expectError(decodeMessage(telemetryTopic, JSON.stringify(payload)));
    expect(error.code).toBe('schema-violation');
    expect(error.issues).toContainEqual({
      path: 'readings.0.vesselId',
      message: 'reading belongs to QT-91234-TS, but the batch is from QT-90145-TS',
    });
  });

  it('rejects a reading with a non-finite number, naming the field', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const payload = batchWith((r) => ((r['led'] as Record<string, unknown>)['powerW'] = bad));
      const error = validatePayload('telemetry', payload);
      if (error.ok) throw new Error(`accepted powerW = ${bad}`);
      expect(error.issues.map((i) => i.path)).toEqual(['readings.0.led.powerW']);
    }
  });

  it('rejects a negative register with a readable message', () => {
    const payload = batchWith((r) => ((r['fuel'] as Record<string, unknown>)['totalL'] = -3));
    const error = expectError(decodeMessage(telemetryTopic, JSON.stringify(payload)));
    expect(error.code).toBe('schema-violation');
    expect(error.issues).toEqual([
      { path: 'readings.0.fuel.totalL', message: 'a cumulative register cannot be negative' },
    ]);
    expect(error.message).toContain('readings.0.fuel.totalL: a cumulative register cannot be negative');
  });

  it("takes the LED meter's serial when a gateway sends it, and readings of older gateways without it", () => {
    const withSerial = decodeMessage(telemetryTopic, JSON.stringify(EXAMPLE_PAYLOADS.telemetry));
    if (!withSerial.ok || withSerial.channel !== 'telemetry') throw new Error('expected a telemetry batch');
    expect(withSerial.payload.readings[0]?.led?.meterId).toBe('EM17-7360');
    const older = batchWith((r) => delete (r['led'] as Record<string, unknown>)['meterId']);
    expect(validatePayload('telemetry', older).ok).toBe(true);
    for (const bad of ['em17-7360', 'X', 'EM17-'.repeat(6), 17_360]) {
      const payload = batchWith((r) => ((r['led'] as Record<string, unknown>)['meterId'] = bad));
      const error = validatePayload('telemetry', payload);
      if (error.ok) throw new Error(`accepted meterId = ${String(bad)}`);
      expect(error.issues.map((i) => i.path)).toEqual(['readings.0.led.meterId']);
    }
  });

  it('rejects a reading without device time', () => {
    const payload = batchWith((r) => delete r['deviceTimeMs']);
    const error = expectError(decodeMessage(telemetryTopic, JSON.stringify(payload)));
    expect(error.issues.map((i) => i.path)).toEqual(['readings.0.deviceTimeMs']);
  });

  it('rejects a batch over the reading limit and a payload over the byte limit', () => {
    const batch = examplePayload('telemetry');
    const template = batch.readings[0] as Reading;
    batch.readings = Array.from({ length: MAX_READINGS_PER_BATCH + 1 }, (_, i) => ({ ...template, seq: i }));
    const tooMany = expectError(decodeMessage(telemetryTopic, JSON.stringify(batch)));
    expect(tooMany.code).toBe('schema-violation');
    expect(tooMany.issues).toEqual([
      { path: 'readings', message: 'a telemetry batch carries at most 500 readings' },
    ]);

    const padded = JSON.stringify({ ...EXAMPLE_PAYLOADS.telemetry, padding: 'x'.repeat(MAX_PAYLOAD_BYTES) });
    const tooBig = expectError(decodeMessage(telemetryTopic, padded));
    expect(tooBig.code).toBe('payload-too-large');
    expect(tooBig.message).toMatch(/^payload of \d+ bytes exceeds the limit of 262144 bytes$/);
  });

  it('rejects a reading with no sensor group', () => {
    const payload = batchWith((r) => {
      delete r['led'];
      delete r['fuel'];
      delete r['position'];
    });
    const error = expectError(decodeMessage(telemetryTopic, JSON.stringify(payload)));
    expect(error.issues).toEqual([
      { path: 'readings.0', message: 'a reading carries at least one of led, fuel, position' },
    ]);
  });

  it('sets aside broken bytes, broken JSON and foreign topics with their own codes', () => {
    expect(expectError(decodeMessage(telemetryTopic, new Uint8Array([0x7b, 0xff, 0xfe]))).code).toBe(
      'invalid-utf8',
    );
    expect(expectError(decodeMessage(telemetryTopic, '{"schema":')).code).toBe('invalid-json');
    expect(expectError(decodeMessage('qtled/v1/vessels/QT-90145-TS/firmware', '{}')).code).toBe(
      'unknown-topic',
    );
    expect(expectError(decodeMessage('other/v1/vessels/QT-90145-TS/telemetry', '{}')).code).toBe(
      'unknown-topic',
    );
  });

  it('reports every problem of a message at once', () => {
    const payload = batchWith((r) => {
      r['seq'] = -1;
      r['bootId'] = 'NOT-HEX';
      (r['position'] as Record<string, unknown>)['lat'] = 123;
    });
    const error = expectError(decodeMessage(telemetryTopic, JSON.stringify(payload)));
    expect(error.issues.map((i) => i.path).sort()).toEqual([
      'readings.0.bootId',
      'readings.0.position.lat',
      'readings.0.seq',
    ]);
  });

  it('rejects a payload with an unknown schema version', () => {
    const payload = { ...EXAMPLE_PAYLOADS.heartbeat, schema: 'qtled.heartbeat/2' };
    const error = expectError(decodeMessage(topicFor('heartbeat', vessel), JSON.stringify(payload)));
    expect(error.issues.map((i) => i.path)).toEqual(['schema']);
  });
});

describe('encodePayload', () => {
  it('round-trips through decodeMessage', () => {
    const text = encodePayload('ack', examplePayload('ack'));
    expect(decodeMessage(topicFor('ack', vessel), text)).toMatchObject({
      ok: true,
      payload: EXAMPLE_PAYLOADS.ack,
    });
  });

  it('refuses to serialise what the platform would reject', () => {
    const config = examplePayload('config');
    config.sampling.intervalS = 0;
    expect(() => encodePayload('config', config)).toThrow(/sampling\.intervalS/);
  });
});
