import { CHANNELS, topicFor, type VesselId } from '@qt-led/contract';
import type { LinkGate } from '../firmware/mqtt-connector.js';
import type { MqttConnector, MqttSession } from '../firmware/ports.js';

/** The boat's radio link as the coverage model sets it. */
export interface CoverageGate extends LinkGate {
  set(up: boolean): void;
}

export function createCoverageGate(initial: boolean): CoverageGate {
  let up = initial;
  const listeners = new Set<(up: boolean) => void>();
  return {
    isUp: () => up,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(next) {
      if (next === up) return;
      up = next;
      for (const listener of [...listeners]) listener(next);
    },
  };
}

/** Corrupted frames of the kinds a real radio link or a firmware bug produces. */
export type CorruptionKind = 'invalid-json' | 'schema-violation' | 'truncated';

/**
 * Faults injected between the gateway and the broker: the gateway's own code is untouched.
 * - duplicate sends: while on, every telemetry batch is published twice (as a lost PUBACK would cause);
 * - corrupted frames: a payload published raw on the vessel's telemetry topic, which the platform must
 *   set aside (and count), never store.
 */
export interface LinkFaults {
  duplicateTelemetry: boolean;
  /** Publishes a corrupted frame on the current connection; false when offline. */
  publishCorrupted(kind: CorruptionKind): Promise<boolean>;
  readonly counts: { duplicates: number; corrupted: number };
}

export function withLinkFaults(
  connector: MqttConnector,
  vesselId: VesselId,
  topicRoot: string,
): { connector: MqttConnector; faults: LinkFaults } {
  let current: MqttSession | undefined;
  const telemetryTopic = topicFor('telemetry', vesselId, topicRoot);
  const counts = { duplicates: 0, corrupted: 0 };
  const faults: LinkFaults = {
    duplicateTelemetry: false,
    counts,
    async publishCorrupted(kind) {
      const session = current;
      if (!session?.connected) return false;
      await session.publish(telemetryTopic, corruptedPayload(kind, vesselId), {
        qos: CHANNELS.telemetry.qos,
        retain: false,
      });
      counts.corrupted += 1;
      return true;
    },
  };
  const wrapped: MqttConnector = (options, handlers) => {
    const session = connector(options, handlers);
    current = session;
    return {
      get connected() {
        return session.connected;
      },
      async publish(topic, payload, publishOptions) {
        await session.publish(topic, payload, publishOptions);
        if (faults.duplicateTelemetry && topic === telemetryTopic) {
          await session.publish(topic, payload, publishOptions);
          counts.duplicates += 1;
        }
      },
      subscribe: (filters, qos) => session.subscribe(filters, qos),
      close: (graceful) => session.close(graceful),
    };
  };
  return { connector: wrapped, faults };
}

function corruptedPayload(kind: CorruptionKind, vesselId: VesselId): string {
  switch (kind) {
    case 'invalid-json':
      return `{"schema":"qtled.telemetry/1","vesselId":"${vesselId}","readings":[{"seq":1,`;
    case 'truncated':
      return `{"schema":"qtled.telemetry/1","vesselId":"${vesselId}","gatewayId":"gw-00`;
    case 'schema-violation':
      return JSON.stringify({
        schema: 'qtled.telemetry/1',
        vesselId,
        gatewayId: 'gw-corrupt0',
        sentAtMs: -5,
        readings: [{ vesselId, bootId: 'not-hex', seq: -1, deviceTimeMs: 'yesterday' }],
      });
  }
}
