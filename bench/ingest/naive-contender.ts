// The naive contender, a child process of bench/ingest.ts: what a hand-rolled subscriber without batching
// does — decode and validate each message (the contract's decodeMessage, as ours does), one InfluxDB /write
// request per message, and the QoS 1 PUBACK only after that write (so the broker's in-flight window, 20
// messages, bounds the writes in flight).
//   MQTT_URL, MQTT_TOPIC_ROOT, INFLUX_URL, INFLUX_DATABASE
import { decodeMessage } from '@qt-led/contract';
import mqtt from 'mqtt';
import { telemetryFilter } from './fleet.js';
import { batchLines } from './points.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const root = env('MQTT_TOPIC_ROOT');
const writeUrl = `${env('INFLUX_URL')}/write?db=${encodeURIComponent(env('INFLUX_DATABASE'))}&precision=ms`;

const client = await mqtt.connectAsync(env('MQTT_URL'), {
  clientId: `bench-naive-${process.pid}`,
  clean: true,
  reconnectPeriod: 1_000,
});
client.handleMessage = (packet, done) => {
  const decoded = decodeMessage(packet.topic, packet.payload, { root });
  if (!decoded.ok || decoded.channel !== 'telemetry') {
    done();
    return;
  }
  fetch(writeUrl, { method: 'POST', body: batchLines(decoded.payload).join('\n') })
    .then(async (response) => {
      await response.body?.cancel();
      done();
    })
    .catch((error: unknown) => {
      console.error(`write failed: ${String(error)}`);
      done();
    });
};
await client.subscribeAsync(telemetryFilter(root), { qos: 1 });
console.log('ready');
process.once('SIGTERM', () => {
  void client.endAsync(true).then(() => process.exit(0));
});
