// Presence (retained birth, last will, goodbye) and downlink configuration, against the real Mosquitto.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type GatewayConfig, encodePayload, examplePayload, topicFor, VesselId } from '@qt-led/contract';
import { connectMqtt, createIsolation, waitFor } from '@qt-led/test-harness';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type TestAcknowledger, startTestAcknowledger } from '../../test/test-acknowledger.js';
import { type TrafficRecorder, startTrafficRecorder } from '../../test/traffic-recorder.js';
import { createFleetSimulation } from '../sim/fleet-simulation.js';

const VESSEL = VesselId.parse('QT-94585-TS');
const START = Date.UTC(2024, 2, 8, 2, 0); // 09:00 local, in port
const MINUTE = 60_000;

const isolation = createIsolation('gwcfg');
let dataDir: string;
let acknowledger: TestAcknowledger;
let recorder: TrafficRecorder;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'qtled-gw-config-'));
  acknowledger = await startTestAcknowledger({ server: inject('mqtt'), topicRoot: isolation.topicRoot });
  recorder = await startTrafficRecorder(inject('mqtt'), isolation.topicRoot);
});

afterAll(async () => {
  await recorder.close();
  await acknowledger.close();
  await rm(dataDir, { recursive: true, force: true });
});

function config(version: number, samplingS: number): GatewayConfig {
  const c = examplePayload('config');
  return { ...c, vesselId: VESSEL, configVersion: version, sampling: { intervalS: samplingS } };
}

describe('presence and downlink config', () => {
  it('announces itself, leaves a last will, applies a newer config and rejects a bad one', async () => {
    const platform = await connectMqtt(inject('mqtt'));
    const configTopic = topicFor('config', VESSEL, isolation.topicRoot);
    // Retained before the gateway starts: picked up on connect, as after days at sea.
    await platform.publishAsync(configTopic, encodePayload('config', config(2, 30)), {
      qos: 1,
      retain: true,
    });
    const simulation = createFleetSimulation({
      seed: 21,
      startMs: START,
      endMs: START + 60 * MINUTE,
      vessels: [VESSEL],
      broker: { url: inject('mqtt').url },
      topicRoot: isolation.topicRoot,
      dataDir,
      clientIdPrefix: `${isolation.id}-`,
      // Out of coverage from minute 20 to 30: the broker publishes the last will.
      coverage: (_v, ms) => ms < START + 20 * MINUTE || ms >= START + 30 * MINUTE,
      speed: 400,
    });
    await simulation.start();
    const vessel = simulation.vessels[0];
    if (!vessel) throw new Error('no vessel');
    await waitFor(() => vessel.nowMs >= START + 35 * MINUTE, { timeoutMs: 30_000, description: 'minute 35' });
    // A config the gateway cannot use (sampling every 0 s) with a newer version: rejected, and said so.
    const bad = { ...config(3, 30), sampling: { intervalS: 0 } };
    await platform.publishAsync(configTopic, JSON.stringify(bad), { qos: 1, retain: true });
    // An older version than the one applied: ignored.
    await platform.publishAsync(configTopic, encodePayload('config', config(1, 120)), {
      qos: 1,
      retain: true,
    });
    await simulation.finished;
    await platform.endAsync();
    await new Promise((resolve) => setTimeout(resolve, 200));

    const events = recorder
      .messages(VESSEL, 'events')
      .map((m) => (JSON.parse(m.payload) as { event: { type: string; configVersion?: number } }).event);
    expect(events.filter((e) => e.type === 'config-applied').map((e) => e.configVersion)).toEqual([2]);
    expect(events.filter((e) => e.type === 'config-rejected').map((e) => e.configVersion)).toEqual([3]);

    const stored = acknowledger.storedOf(VESSEL).map((s) => s.reading);
    const gaps = stored.slice(1).map((r, i) => r.deviceTimeMs - (stored[i]?.deviceTimeMs ?? 0));
    // Sampling every 30 s once config 2 applied (the first sample is taken at boot, before the config).
    expect(gaps.slice(2).every((g) => Math.abs(g - 30_000) < 1_000)).toBe(true);

    const presence = recorder
      .messages(VESSEL, 'presence')
      .map((m) => JSON.parse(m.payload) as { state: string; cause?: string; configVersion?: number });
    const births = presence.filter((p) => p.state === 'online');
    expect(births.length).toBeGreaterThanOrEqual(2);
    expect(births.at(-1)?.configVersion).toBe(2);
    expect(presence.some((p) => p.state === 'offline' && p.cause === 'connection-lost')).toBe(true);
    expect(presence.at(-1)).toMatchObject({ state: 'offline', cause: 'shutdown' });
    // Retained: a dashboard that connects now still learns the last state.
    const late = await connectMqtt(inject('mqtt'));
    let retained = '';
    late.on('message', (_topic, payload) => {
      retained = payload.toString();
    });
    await late.subscribeAsync(topicFor('presence', VESSEL, isolation.topicRoot), { qos: 1 });
    await waitFor(() => retained !== '', { timeoutMs: 3_000, description: 'the retained presence' });
    await late.endAsync();
    expect(JSON.parse(retained)).toMatchObject({ state: 'offline', cause: 'shutdown' });
  }, 60_000);
});
