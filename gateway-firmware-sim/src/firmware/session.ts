import {
  type DeviceEventBody,
  type GatewayConfig,
  type Heartbeat,
  type Presence,
  decodeMessage,
  encodePayload,
} from '@qt-led/contract';
import type { Activity } from './activity.js';
import { type ConfigKey, signedWith } from './config-key.js';
import { FIRMWARE_VERSION } from './firmware-build.js';
import type { BootContext, GatewayState, GatewayTopics } from './gateway-state.js';
import type { Cancel, Clock, DiskInfo, GatewayLogger, MqttConnector, MqttSession } from './ports.js';
import type { Sampler } from './sampler.js';
import { type GatewaySettings, settingsFromConfig } from './settings.js';
import type { LastAck, Uploader } from './uploader.js';

/**
 * The MQTT connection over its lifecycle: opened with the boot's last will (retained
 * `offline/connection-lost`); on every (re)connection it subscribes to the vessel's ack and config topics,
 * announces itself with the retained `online` birth, and only then lets the uploader publish. Heartbeats
 * go out while online; a newer downlink config is stored, applied and answered.
 */
export interface Session {
  /** Starts the heartbeats and opens the connection (it reconnects by itself until closed). */
  open(): void;
  stopHeartbeats(): void;
  /** Announces a clean shutdown (retained `offline/shutdown`) if connected; never rejects. */
  sayGoodbye(): Promise<void>;
  /** `graceful`: DISCONNECT, the broker drops the will; otherwise as on power loss. */
  close(graceful: boolean): Promise<void>;
}

export interface SessionDeps {
  boot: BootContext;
  topics: GatewayTopics;
  topicRoot: string;
  clock: Clock;
  connectMqtt: MqttConnector;
  clientId: string;
  keepaliveS: number;
  /** When this boot began, on the monotonic clock (uptime) and the wall clock (the birth). */
  bootMono: number;
  bootedAtMs: number;
  disk: DiskInfo;
  state: GatewayState;
  uploader: Pick<Uploader, 'connected' | 'disconnected' | 'request' | 'acknowledge' | 'lastAck'>;
  sampler: Pick<Sampler, 'schedule'>;
  emitEvent: (event: DeviceEventBody) => void;
  activity: Pick<Activity, 'run' | 'notify'>;
  wallNowMs: () => number;
  log: GatewayLogger;
  /** The pinned config key: configs not signed with it are rejected (unset: not provisioned, any applies). */
  configKey?: ConfigKey | undefined;
}

export function createSession(deps: SessionDeps): Session {
  const { boot, topics, clock, state, uploader, activity, log } = deps;
  let mqtt: MqttSession | undefined;
  let heartbeatTimer: Cancel | undefined;
  const isStopped = (): boolean => state.stopped;

  const publishBirth = async (): Promise<void> => {
    const s = mqtt;
    if (!s || state.stopped) return;
    const birth: Presence = {
      schema: 'qtled.presence/1',
      state: 'online',
      vesselId: boot.vesselId,
      gatewayId: boot.gatewayId,
      bootId: boot.bootId,
      firmware: FIRMWARE_VERSION,
      configVersion: state.settings.configVersion,
      bootedAtMs: deps.bootedAtMs,
      connectedAtMs: deps.wallNowMs(),
    };
    await s.publish(topics.presence, encodePayload('presence', birth), { qos: 1, retain: true });
  };

  const onConnect = (): void => {
    activity.run(async () => {
      const s = mqtt;
      if (!s || state.stopped) return;
      await s.subscribe([topics.ack, topics.config], 1);
      // The birth's PUBACK comes after the retained ack and config the subscription brought, so those
      // are handled before anything is sent (nothing already stored is sent again needlessly).
      await publishBirth();
      if (isStopped() || !s.connected) return;
      uploader.connected(s);
      state.online = true;
      log.info({ bootId: boot.bootId, depth: boot.queue.depth() }, 'online');
      uploader.request();
    });
  };

  const onClose = (): void => {
    if (state.online) log.info({ bootId: boot.bootId }, 'offline');
    state.online = false;
    uploader.disconnected();
    activity.notify();
  };

  const applySettings = (next: GatewaySettings): void => {
    const samplingChanged = next.sampling.intervalS !== state.settings.sampling.intervalS;
    const heartbeatChanged = next.heartbeat.intervalS !== state.settings.heartbeat.intervalS;
    state.settings = next;
    if (samplingChanged) deps.sampler.schedule(next.sampling.intervalS * 1000);
    if (heartbeatChanged) scheduleHeartbeat(next.heartbeat.intervalS * 1000);
  };

  const onConfig = (topic: string, payload: Uint8Array): void => {
    if (state.stopped) return;
    const decoded = decodeMessage(topic, payload, { root: deps.topicRoot });
    if (decoded.ok && decoded.channel === 'config') {
      const config: GatewayConfig = decoded.payload;
      if (config.configVersion <= state.settings.configVersion) return;
      if (deps.configKey !== undefined && !signedWith(config, deps.configKey)) {
        const reason = 'not signed with the pinned config key';
        deps.emitEvent({ type: 'config-rejected', configVersion: config.configVersion, reason });
        log.warn({ configVersion: config.configVersion, reason }, 'config rejected');
        return;
      }
      boot.queue.setState('config', config);
      applySettings(settingsFromConfig(config));
      deps.emitEvent({ type: 'config-applied', configVersion: config.configVersion });
      log.info({ configVersion: config.configVersion }, 'config applied');
      if (state.online) activity.run(publishBirth);
      return;
    }
    // Say no to a config we cannot use, if it is new enough to matter and tells its version.
    const version = configVersionOf(payload);
    if (version !== undefined && version > state.settings.configVersion && !decoded.ok) {
      const reason = decoded.message.slice(0, 500);
      deps.emitEvent({ type: 'config-rejected', configVersion: version, reason });
      log.warn({ configVersion: version, reason: decoded.message }, 'config rejected');
    }
  };

  const onMessage = (topic: string, payload: Uint8Array): void => {
    if (topic === topics.ack) {
      const decoded = decodeMessage(topic, payload, { root: deps.topicRoot });
      if (decoded.ok && decoded.channel === 'ack') uploader.acknowledge(decoded.payload);
      else if (!decoded.ok) log.warn({ code: decoded.code, reason: decoded.message }, 'ack set aside');
    } else if (topic === topics.config) {
      onConfig(topic, payload);
    }
  };

  const heartbeat = async (): Promise<void> => {
    const s = mqtt;
    if (!s || !state.online || state.stopped) return;
    const beat = heartbeatOf(deps, clock.monotonicMs(), uploader.lastAck());
    await s.publish(topics.heartbeat, encodePayload('heartbeat', beat), { qos: 0, retain: false });
  };

  const scheduleHeartbeat = (periodMs: number): void => {
    heartbeatTimer?.();
    const tick = (): void => {
      if (state.stopped) return;
      heartbeatTimer = clock.setTimer(periodMs, tick);
      activity.run(heartbeat);
    };
    heartbeatTimer = clock.setTimer(periodMs, tick);
  };

  return {
    open() {
      scheduleHeartbeat(state.settings.heartbeat.intervalS * 1000);
      const will: Presence = {
        schema: 'qtled.presence/1',
        state: 'offline',
        vesselId: boot.vesselId,
        gatewayId: boot.gatewayId,
        bootId: boot.bootId,
        cause: 'connection-lost',
      };
      mqtt = deps.connectMqtt(
        {
          clientId: deps.clientId,
          keepaliveS: deps.keepaliveS,
          will: { topic: topics.presence, payload: encodePayload('presence', will), qos: 1, retain: true },
        },
        { onConnect, onClose, onMessage },
      );
    },
    stopHeartbeats() {
      heartbeatTimer?.();
    },
    async sayGoodbye() {
      if (!mqtt?.connected) return;
      const goodbye: Presence = {
        schema: 'qtled.presence/1',
        state: 'offline',
        vesselId: boot.vesselId,
        gatewayId: boot.gatewayId,
        bootId: boot.bootId,
        cause: 'shutdown',
      };
      await mqtt
        .publish(topics.presence, encodePayload('presence', goodbye), { qos: 1, retain: true })
        .catch(() => undefined);
    },
    async close(graceful) {
      await mqtt?.close(graceful);
    },
  };
}

function heartbeatOf(
  deps: Pick<SessionDeps, 'boot' | 'bootMono' | 'disk' | 'wallNowMs'>,
  nowMono: number,
  lastAck: LastAck | null,
): Heartbeat {
  const { boot } = deps;
  const oldest = boot.queue.oldestDeviceTimeMs();
  const now = deps.wallNowMs();
  return {
    schema: 'qtled.heartbeat/1',
    vesselId: boot.vesselId,
    gatewayId: boot.gatewayId,
    bootId: boot.bootId,
    atMs: now,
    firmware: FIRMWARE_VERSION,
    uptimeS: Math.round((nowMono - deps.bootMono) / 1000),
    queue: {
      depth: boot.queue.depth(),
      oldestUnsentAgeS: oldest === null ? null : Math.max(0, Math.round((now - oldest) / 1000)),
      bytesOnDisk: boot.queue.bytesInUse(),
    },
    diskFreeBytes: Math.max(0, Math.floor(deps.disk.freeBytes())),
    lastAck: lastAck as Heartbeat['lastAck'],
  };
}

/** The configVersion of a config that fails the schema, if it states one. */
function configVersionOf(payload: Uint8Array): number | undefined {
  try {
    const value = JSON.parse(Buffer.from(payload).toString('utf8')) as unknown;
    if (value && typeof value === 'object' && 'configVersion' in value) {
      const version = value.configVersion;
      if (typeof version === 'number' && Number.isInteger(version) && version >= 1) return version;
    }
  } catch {
    return undefined;
  }
  return undefined;
}
