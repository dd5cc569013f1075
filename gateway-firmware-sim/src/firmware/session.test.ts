import { type KeyObject, generateKeyPairSync, sign } from 'node:crypto';
import {
  type Ack,
  type DeviceEventBody,
  type GatewayConfig,
  type Heartbeat,
  type Presence,
  configSigningText,
  encodePayload,
} from '@qt-led/contract';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BOOT,
  T0,
  VESSEL,
  appendReadings,
  bootOnTempQueue,
  cleanUpParts,
  flush,
  newTimeline,
  recordingLogger,
  recordingSession,
  runTo,
  timelineClock,
} from '../../test/part-rig.js';
import { createActivity } from './activity.js';
import type { ConfigKey } from './config-key.js';
import { gatewayTopics, wallNowMs } from './gateway-state.js';
import type { MqttHandlers, MqttSessionOptions } from './ports.js';
import { createSession } from './session.js';
import { FACTORY_SETTINGS } from './settings.js';

afterEach(cleanUpParts);

const ROOT = 'unit';
const topics = gatewayTopics(VESSEL, ROOT);

function rig(options: { configKey?: ConfigKey } = {}) {
  const timeline = newTimeline();
  const clock = timelineClock(timeline);
  const boot = bootOnTempQueue();
  const state = { settings: FACTORY_SETTINGS, online: false, stopping: false, stopped: false };
  const mqtt = recordingSession();
  const calls: string[] = [];
  const acks: Ack[] = [];
  const schedules: number[] = [];
  const events: DeviceEventBody[] = [];
  const log = recordingLogger();
  let opened: { options: MqttSessionOptions; handlers: MqttHandlers } | undefined;
  const session = createSession({
    boot,
    topics,
    topicRoot: ROOT,
    clock,
    connectMqtt: (options, handlers) => {
      opened = { options, handlers };
      return mqtt;
    },
    clientId: 'client-1',
    keepaliveS: 60,
    bootMono: T0,
    bootedAtMs: T0,
    disk: { freeBytes: () => 4e9 },
    state,
    uploader: {
      connected: () => calls.push(`connected online=${state.online}`),
      disconnected: () => calls.push('disconnected'),
      request: () => calls.push(`request online=${state.online}`),
      acknowledge: (ack) => acks.push(ack),
      lastAck: () => ({ bootId: BOOT, throughSeq: 41 }),
    },
    sampler: { schedule: (periodMs) => schedules.push(periodMs) },
    emitEvent: (event) => events.push(event),
    activity: createActivity({ isStopped: () => state.stopped, log }),
    wallNowMs: () => wallNowMs(clock),
    log,
    configKey: options.configKey,
  });
  const handlers = (): MqttHandlers => {
    if (!opened) throw new Error('not opened');
    return opened.handlers;
  };
  const presence = (): Presence[] =>
    mqtt.published.filter((p) => p.topic === topics.presence).map((p) => JSON.parse(p.payload) as Presence);
  const deliver = (topic: string, payload: string): void => {
    handlers().onMessage(topic, Buffer.from(payload));
  };
  const configObject = (configVersion: number, intervalS = 45): GatewayConfig => ({
    schema: 'qtled.config/1',
    vesselId: VESSEL,
    configVersion,
    issuedAtMs: T0,
    sampling: { intervalS },
    heartbeat: { intervalS: 300 },
    upload: { batchMaxReadings: 50, batchMaxAgeS: 60, ackTimeoutS: 120, backfillMaxReadingsPerS: 10 },
  });
  const config = (configVersion: number, intervalS = 45): string =>
    JSON.stringify(configObject(configVersion, intervalS));
  /** The config signed with a private key (the platform's, or an attacker's). */
  const signedConfig = (key: KeyObject, configVersion: number, intervalS = 45): string => {
    const c = configObject(configVersion, intervalS);
    return JSON.stringify({
      ...c,
      signature: sign(null, Buffer.from(configSigningText(c)), key).toString('base64'),
    });
  };
  return {
    timeline,
    boot,
    state,
    mqtt,
    calls,
    acks,
    schedules,
    events,
    log,
    session,
    opened: () => opened,
    handlers,
    presence,
    deliver,
    config,
    signedConfig,
  };
}

describe('the session', () => {
  it('opens with the retained last will, and goes online only after subscribing and the birth', async () => {
    const r = rig();
    r.session.open();
    expect(r.opened()?.options).toMatchObject({ clientId: 'client-1', keepaliveS: 60 });
    const will = r.opened()?.options.will;
    expect(will).toMatchObject({ topic: topics.presence, qos: 1, retain: true });
    expect(JSON.parse(will?.payload ?? '{}')).toMatchObject({
      state: 'offline',
      cause: 'connection-lost',
      bootId: BOOT,
    });
    r.handlers().onConnect();
    await flush();
    expect(r.mqtt.subscribed).toEqual([topics.ack, topics.config]);
    expect(r.presence()).toEqual([
      expect.objectContaining({ state: 'online', firmware: '1.0.0', configVersion: 0, bootedAtMs: T0 }),
    ]);
    expect(r.mqtt.published[0]).toMatchObject({ qos: 1, retain: true });
    // The uploader is told before the gateway counts as online, then asked to send.
    expect(r.calls).toEqual(['connected online=false', 'request online=true']);
    expect(r.state.online).toBe(true);
  });

  it('stays offline when the connection drops before the birth was acknowledged', async () => {
    const r = rig();
    r.session.open();
    r.mqtt.failing = true;
    r.handlers().onConnect();
    await flush();
    expect(r.state.online).toBe(false);
    expect(r.calls).toEqual([]);
    r.handlers().onClose();
    expect(r.calls).toEqual(['disconnected']);
  });

  it('hands acks to the uploader and sets aside what fails the contract', () => {
    const r = rig();
    r.session.open();
    const ack = {
      schema: 'qtled.ack/1',
      vesselId: VESSEL,
      atMs: T0,
      boots: [{ bootId: BOOT, throughSeq: 4 }],
    };
    r.deliver(topics.ack, encodePayload('ack', ack as Ack));
    r.deliver(topics.ack, '{"schema":"qtled.ack/1"');
    expect(r.acks).toEqual([ack]);
    expect(r.log.lines).toContainEqual({ level: 'warn', message: 'ack set aside' });
  });

  it('applies a newer config (stored, sampling rescheduled, answered, birth again) and ignores an older one', async () => {
    const r = rig();
    r.session.open();
    r.handlers().onConnect();
    await flush();
    r.deliver(topics.config, r.config(3));
    await flush();
    expect(r.state.settings).toMatchObject({ configVersion: 3, sampling: { intervalS: 45 } });
    expect(r.boot.queue.getState('config')).toMatchObject({ configVersion: 3 });
    expect(r.schedules).toEqual([45_000]);
    expect(r.events).toEqual([{ type: 'config-applied', configVersion: 3 }]);
    expect(r.presence().map((p) => p.state === 'online' && p.configVersion)).toEqual([0, 3]);
    r.deliver(topics.config, r.config(2, 30));
    r.deliver(topics.config, r.config(3, 30));
    await flush();
    expect(r.state.settings.sampling.intervalS).toBe(45);
    expect(r.events).toHaveLength(1);
  });

  it('answers a newer config it cannot use with config-rejected, keeping its settings', () => {
    const r = rig();
    r.session.open();
    r.deliver(topics.config, r.config(5, 0));
    expect(r.events).toEqual([expect.objectContaining({ type: 'config-rejected', configVersion: 5 })]);
    expect(r.state.settings).toBe(FACTORY_SETTINGS);
  });

  it('with the platform key pinned, applies only configs signed with it, and keeps taking later ones', async () => {
    const platform = generateKeyPairSync('ed25519');
    const attacker = generateKeyPairSync('ed25519');
    const r = rig({ configKey: platform.publicKey });
    r.session.open();
    r.handlers().onConnect();
    await flush();
    // The forgeries seen: unsigned, signed with another key, and a version that would lock out every later
    // config (2^53 − 1, beyond the contract's bound) cutting sampling to once an hour.
    r.deliver(topics.config, r.config(7, 3600));
    r.deliver(topics.config, r.signedConfig(attacker.privateKey, 8, 3600));
    r.deliver(topics.config, r.signedConfig(platform.privateKey, Number.MAX_SAFE_INTEGER, 3600));
    await flush();
    expect(r.state.settings).toBe(FACTORY_SETTINGS);
    expect(r.boot.queue.getState('config')).toBeUndefined();
    expect(r.events.map((e) => e.type === 'config-rejected' && e.configVersion)).toEqual([
      7,
      8,
      Number.MAX_SAFE_INTEGER,
    ]);
    // The platform's next config is applied.
    r.deliver(topics.config, r.signedConfig(platform.privateKey, 2, 30));
    await flush();
    expect(r.state.settings).toMatchObject({ configVersion: 2, sampling: { intervalS: 30 } });
    expect(r.events.at(-1)).toEqual({ type: 'config-applied', configVersion: 2 });
  });

  it('sends heartbeats while online, with the queue and the last ack', async () => {
    const r = rig();
    r.session.open();
    appendReadings(r.boot, 3, T0);
    await runTo(r.timeline, T0 + 300_000);
    expect(r.mqtt.published.filter((p) => p.topic === topics.heartbeat)).toEqual([]);
    r.handlers().onConnect();
    await runTo(r.timeline, T0 + 600_000);
    const beats = r.mqtt.published.filter((p) => p.topic === topics.heartbeat);
    expect(beats).toHaveLength(1);
    expect(beats[0]).toMatchObject({ qos: 0, retain: false });
    const beat = JSON.parse(beats[0]?.payload ?? '{}') as Heartbeat;
    expect(beat).toMatchObject({
      atMs: T0 + 600_000,
      uptimeS: 600,
      queue: { depth: 3, oldestUnsentAgeS: 600 },
      diskFreeBytes: 4e9,
      lastAck: { bootId: BOOT, throughSeq: 41 },
    });
    r.session.stopHeartbeats();
    await runTo(r.timeline, T0 + 3_600_000);
    expect(r.mqtt.published.filter((p) => p.topic === topics.heartbeat)).toHaveLength(1);
  });

  it('says goodbye (retained offline/shutdown) and closes', async () => {
    const r = rig();
    r.session.open();
    await r.session.sayGoodbye();
    await r.session.close(true);
    expect(r.presence()).toEqual([expect.objectContaining({ state: 'offline', cause: 'shutdown' })]);
    expect(r.mqtt.closedGracefully).toBe(true);
    // Once closed, there is nobody to say goodbye to.
    await r.session.sayGoodbye();
    expect(r.presence()).toHaveLength(1);
  });
});
