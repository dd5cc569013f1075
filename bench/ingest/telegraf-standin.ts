// A STAND-IN for Telegraf (not installable here: no Debian package in this machine's sources), a child
// process of bench/ingest.ts. It does what `inputs.mqtt_consumer` → `outputs.influxdb` does with Telegraf's
// defaults, so the 10 s-flush contender of docs/performance.md (P3) can be measured:
//   - mqtt_consumer: QoS 0, clean session (persistent_session = false), max_undelivered_messages = 1000:
//     no more than 1,000 messages read but not yet written; beyond that it stops reading (the MQTT client's
//     callback blocks, so the broker's socket backs up); a JSON parser (json_v2: measurement `telemetry`,
//     tag `vessel`, time from the reading's deviceTimeMs), plus the `topic` tag mqtt_consumer adds and the
//     `host` tag the agent adds;
//   - agent/output: metric_batch_size = 1000, metric_buffer_limit = 10000 (full: the oldest metric is
//     dropped), flush_interval = 10 s with flush_jitter = 0, and a write as soon as a full batch is buffered;
//     one write at a time, timeout 5 s; a failed batch stays in the buffer for the next flush.
//   MQTT_URL, MQTT_TOPIC_ROOT, INFLUX_URL, INFLUX_DATABASE
import { hostname } from 'node:os';
import type { TelemetryBatch } from '@qt-led/contract';
import mqtt from 'mqtt';
import { telemetryFilter } from './fleet.js';
import { batchLines } from './points.js';

const METRIC_BATCH_SIZE = 1_000;
const METRIC_BUFFER_LIMIT = 10_000;
const FLUSH_INTERVAL_MS = 10_000;
const MAX_UNDELIVERED_MESSAGES = 1_000;
const WRITE_TIMEOUT_MS = 5_000;

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const root = env('MQTT_TOPIC_ROOT');
const writeUrl = `${env('INFLUX_URL')}/write?db=${encodeURIComponent(env('INFLUX_DATABASE'))}&precision=ms`;
const host = hostname().replace(/[ ,=]/g, '_');

/** A metric in the output buffer, and the message it came from (delivered when the metric is written). */
interface Metric {
  line: string;
}
let buffer: Metric[] = [];
let dropped = 0;
let undelivered = 0;
let writing = false;
const blocked: (() => void)[] = [];

function add(metric: Metric): void {
  if (buffer.length >= METRIC_BUFFER_LIMIT) {
    buffer.shift();
    dropped++;
    delivered(1); // Telegraf counts a dropped tracking metric as delivered (rejected).
  }
  buffer.push(metric);
  if (buffer.length >= METRIC_BATCH_SIZE) void write(false);
}

function delivered(n: number): void {
  undelivered -= n;
  while (undelivered < MAX_UNDELIVERED_MESSAGES && blocked.length > 0) blocked.shift()?.();
}

/** One batch (a full one), or on the flush tick every batch until the buffer is empty. */
async function write(all: boolean): Promise<void> {
  if (writing) return;
  writing = true;
  try {
    do {
      const batch = buffer.slice(0, METRIC_BATCH_SIZE);
      if (batch.length === 0) break;
      if (!all && batch.length < METRIC_BATCH_SIZE) break;
      try {
        const response = await fetch(writeUrl, {
          method: 'POST',
          body: batch.map((m) => m.line).join('\n'),
          signal: AbortSignal.timeout(WRITE_TIMEOUT_MS),
        });
        await response.body?.cancel();
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
      } catch (error) {
        console.error(`E! [outputs.influxdb] when writing: ${String(error)}`);
        return; // kept in the buffer, retried at the next flush
      }
      buffer = buffer.slice(batch.length);
      delivered(batch.length);
    } while (all || buffer.length >= METRIC_BATCH_SIZE);
  } finally {
    writing = false;
  }
  if (buffer.length >= METRIC_BATCH_SIZE) void write(false);
}

setInterval(() => void write(true), FLUSH_INTERVAL_MS);

const client = await mqtt.connectAsync(env('MQTT_URL'), {
  clientId: `telegraf-standin-${process.pid}`,
  clean: true,
  reconnectPeriod: 1_000,
});
client.handleMessage = (packet, done) => {
  const accept = (): void => {
    try {
      const batch = JSON.parse((packet.payload as Buffer).toString('utf8')) as TelemetryBatch;
      const lines = batchLines(batch);
      undelivered += lines.length;
      for (const line of lines) {
        const space = line.indexOf(' ');
        add({ line: `${line.slice(0, space)},host=${host},topic=${packet.topic}${line.slice(space)}` });
      }
    } catch (error) {
      console.error(`E! [inputs.mqtt_consumer] parse error: ${String(error)}`);
    }
    done();
  };
  if (undelivered >= MAX_UNDELIVERED_MESSAGES) blocked.push(accept);
  else accept();
};
await client.subscribeAsync(telemetryFilter(root), { qos: 0 });
console.log('ready');
process.once('SIGTERM', () => {
  console.log(`dropped ${dropped} metrics (buffer full)`);
  void client.endAsync(true).then(() => process.exit(0));
});
