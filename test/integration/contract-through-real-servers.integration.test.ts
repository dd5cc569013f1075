// The foundation's end-to-end check: payloads built and validated by the contract travel through the real
// Mosquitto (QoS 1, the delivery settings production uses) and are read back from the real InfluxDB that
// the harness provides. The mapping to line protocol here is deliberately minimal: it proves the servers
// and the contract fit together; the ingest service owns the real mapping, batching and acks.
import { Point } from '@influxdata/influxdb-client';
import {
  decodeMessage,
  encodePayload,
  examplePayload,
  subscriptionFor,
  topicFor,
  VesselId,
  type DecodeErrorCode,
  type Reading,
  type TelemetryBatch,
} from '@qt-led/contract';
import { connectMqtt, createIsolation, influxAdmin, waitFor } from '@qt-led/test-harness';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const isolation = createIsolation('contract');
const influx = influxAdmin(inject('influx'));
const root = isolation.topicRoot;
const vessels = [VesselId.parse('QT-90145-TS'), VesselId.parse('QT-01009-TS')];
const BATCHES_PER_VESSEL = 10;
const READINGS_PER_BATCH = 50;

let subscriber: MqttClient;
let publisher: MqttClient;
const received: Reading[] = [];
const setAside = new Map<DecodeErrorCode, number>();

function batchFor(vesselId: VesselId, batchIndex: number): TelemetryBatch {
  const batch = examplePayload('telemetry');
  const template = batch.readings[0] as Reading;
  batch.vesselId = vesselId;
  batch.readings = Array.from({ length: READINGS_PER_BATCH }, (_, i) => {
    const seq = batchIndex * READINGS_PER_BATCH + i;
    return {
      ...template,
      vesselId,
      seq,
      deviceTimeMs: template.deviceTimeMs + seq * 60_000,
      led: { powerW: 9_000 + (seq % 7), energyKwh: 15_000 + seq * 0.15, lampsOn: 44 },
    };
  });
  return batch;
}

function toLine(reading: Reading): string {
  const point = new Point('telemetry')
    .tag('vessel', reading.vesselId)
    .intField('seq', reading.seq)
    .stringField('boot', reading.bootId)
    .timestamp(reading.deviceTimeMs);
  if (reading.led) {
    point.floatField('led_power_w', reading.led.powerW).floatField('led_energy_kwh', reading.led.energyKwh);
  }
  const line = point.toLineProtocol();
  if (line === undefined) throw new Error(`reading ${reading.seq} produced no line`);
  return line;
}

beforeAll(async () => {
  await influx.createDatabase(isolation.database);
  subscriber = await connectMqtt(inject('mqtt'), {
    clientId: isolation.clientId('subscriber'),
    onMessage(topic, payload) {
      const decoded = decodeMessage(topic, payload, { root });
      if (!decoded.ok) setAside.set(decoded.code, (setAside.get(decoded.code) ?? 0) + 1);
      else if (decoded.channel === 'telemetry') received.push(...decoded.payload.readings);
    },
  });
  await subscriber.subscribeAsync(subscriptionFor('telemetry', { root }), { qos: 1 });
  publisher = await connectMqtt(inject('mqtt'));
});

afterAll(async () => {
  await Promise.all([subscriber.endAsync(), publisher.endAsync()]);
  await influx.dropDatabase(isolation.database);
});

describe('contract → Mosquitto → InfluxDB', () => {
  it('carries every valid reading to the database and sets aside what the contract rejects', async () => {
    for (let b = 0; b < BATCHES_PER_VESSEL; b++) {
      for (const vesselId of vessels) {
        await publisher.publishAsync(
          topicFor('telemetry', vesselId, root),
          encodePayload('telemetry', batchFor(vesselId, b)),
          {
            qos: 1,
          },
        );
      }
    }
    // A gateway speaking for another boat, and a corrupted frame.
    await publisher.publishAsync(
      topicFor('telemetry', vessels[1] as VesselId, root),
      JSON.stringify(batchFor(vessels[0] as VesselId, 99)),
      {
        qos: 1,
      },
    );
    await publisher.publishAsync(
      topicFor('telemetry', vessels[0] as VesselId, root),
      '{"schema":"qtled.telemetry/1",',
      { qos: 1 },
    );

    const expected = vessels.length * BATCHES_PER_VESSEL * READINGS_PER_BATCH;
    await waitFor(() => received.length === expected && setAside.size === 2, {
      timeoutMs: 10_000,
      description: `${expected} readings and 2 rejected messages from the broker`,
    });
    expect(Object.fromEntries(setAside)).toEqual({ 'vessel-mismatch': 1, 'invalid-json': 1 });

    await influx.writeLines(isolation.database, received.map(toLine));

    const perVessel = (
      await influx.query(isolation.database, 'SELECT count(seq) FROM telemetry GROUP BY vessel')
    ).map((series) => [series.tags?.['vessel'], series.values[0]?.[1]]);
    expect(Object.fromEntries(perVessel)).toEqual({
      'QT-01009-TS': BATCHES_PER_VESSEL * READINGS_PER_BATCH,
      'QT-90145-TS': BATCHES_PER_VESSEL * READINGS_PER_BATCH,
    });

    const sample = batchFor(vessels[1] as VesselId, 3).readings[17] as Reading;
    const [row] = await influx.query(
      isolation.database,
      `SELECT seq, boot, led_power_w, led_energy_kwh FROM telemetry WHERE vessel = '${sample.vesselId}' AND time = ${sample.deviceTimeMs}ms`,
    );
    expect(row?.values).toEqual([
      [sample.deviceTimeMs, sample.seq, sample.bootId, sample.led?.powerW, sample.led?.energyKwh],
    ]);
  });
});
