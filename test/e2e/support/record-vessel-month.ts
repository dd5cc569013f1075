// Records one vessel-month of gateway traffic as the firmware publishes it, for the record-and-replay test
// (test/e2e/record-replay.test.ts). Run by hand when the firmware's output changes on purpose:
//
//   npx tsx --conditions=source test/e2e/support/record-vessel-month.ts
//
// The real gateway firmware (disk queue, batching, resends, the realistic faults of the seed) runs through
// November 2026 for one boat against a local Mosquitto; the gateway's own test acknowledger answers it (it
// only acknowledges, so the boat moves on — the platform is not what is recorded). Every message the
// gateway publishes — telemetry, events, heartbeats, presence — is kept in arrival order with its channel
// and retain flag, as JSON lines compressed with Brotli, the topic root left out.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { parseTopic } from '@qt-led/contract';
import { createFleetSimulation, parseFaultSpec } from '@qt-led/gateway';
import { localDateStartMs } from '@qt-led/jcm';
import { connectMqtt } from '@qt-led/test-harness';
import { startLocalMosquitto } from '../../../gateway-firmware-sim/bench/local-mosquitto.js';
import { startTestAcknowledger } from '../../../gateway-firmware-sim/test/test-acknowledger.js';
import { RECORDING, RECORDING_PATH, type RecordedLine } from './recording.js';

const UPLINK = new Set(['telemetry', 'events', 'heartbeat', 'presence']);

const mosquitto = await startLocalMosquitto({ tcpNoDelay: true });
const topicRoot = 'record';
const dataDir = await mkdtemp(join(tmpdir(), 'qtled-record-'));
const lines: RecordedLine[] = [];
const recorder = await connectMqtt(
  { url: mosquitto.url, source: 'env' },
  {
    onMessage(topic, payload, packet) {
      const parsed = parseTopic(topic, topicRoot);
      if (!parsed.ok || !UPLINK.has(parsed.channel)) return;
      lines.push({ channel: parsed.channel, retain: packet.retain, payload: payload.toString('utf8') });
    },
  },
);
await recorder.subscribeAsync(`${topicRoot}/v1/vessels/+/+`, { qos: 1 });
const acknowledger = await startTestAcknowledger({
  server: { url: mosquitto.url, source: 'env' },
  topicRoot,
  keepReadings: false,
});
try {
  const simulation = createFleetSimulation({
    seed: RECORDING.seed,
    startMs: localDateStartMs(RECORDING.from),
    endMs: localDateStartMs(RECORDING.toExclusive),
    vessels: [RECORDING.vesselId],
    broker: { url: mosquitto.url },
    topicRoot,
    dataDir,
    faults: parseFaultSpec(RECORDING.faults),
    queueSynchronous: 'normal',
    drain: true,
  });
  await simulation.start();
  const summary = await simulation.finished;
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const text = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
  const zipped = brotliCompressSync(text, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24 },
  });
  await writeFile(RECORDING_PATH, zipped);
  console.info(
    `${String(lines.length)} messages (${String(summary.totals.sampled)} readings sampled, ${String(summary.totals.pending)} pending), ` +
      `${String(text.length)} bytes, ${String(zipped.length)} compressed → ${RECORDING_PATH}`,
  );
} finally {
  await acknowledger.close();
  await recorder.endAsync();
  await mosquitto.stop();
  await rm(dataDir, { recursive: true, force: true });
}
