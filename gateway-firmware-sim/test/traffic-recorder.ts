// Test code: records everything the gateways publish, per vessel and channel, as raw bytes, to compare
// runs (determinism) and to look at presence, events and heartbeats.
import { createHash } from 'node:crypto';
import { parseTopic } from '@qt-led/contract';
import { connectMqtt, type MqttServer } from '@qt-led/test-harness';
import type { MqttClient } from 'mqtt';

export interface RecordedMessage {
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
}

export interface TrafficRecorder {
  /** Messages of one vessel's channel, in arrival order. */
  messages(vesselId: string, channel: string): readonly RecordedMessage[];
  /** SHA-256 over the payloads of each `vessel/channel` stream. */
  digests(channels?: readonly string[]): Map<string, string>;
  count(): number;
  close(): Promise<void>;
}

export async function startTrafficRecorder(server: MqttServer, topicRoot: string): Promise<TrafficRecorder> {
  const streams = new Map<string, RecordedMessage[]>();
  let total = 0;
  const client: MqttClient = await connectMqtt(server, {
    onMessage(topic, payload, packet) {
      const parsed = parseTopic(topic, topicRoot);
      const key = parsed.ok ? `${parsed.vesselId}/${parsed.channel}` : `?/${topic}`;
      const list = streams.get(key) ?? [];
      streams.set(key, list);
      list.push({ topic, payload: payload.toString('utf8'), retain: packet.retain });
      total += 1;
    },
  });
  await client.subscribeAsync(`${topicRoot}/v1/vessels/+/+`, { qos: 1 });
  return {
    messages: (vesselId, channel) => streams.get(`${vesselId}/${channel}`) ?? [],
    digests(channels) {
      const out = new Map<string, string>();
      for (const [key, list] of [...streams.entries()].sort(([a], [b]) => a.localeCompare(b))) {
        const channel = key.split('/')[1] ?? '';
        if (channels && !channels.includes(channel)) continue;
        const hash = createHash('sha256');
        for (const m of list) hash.update(m.payload).update('\n');
        out.set(key, hash.digest('hex'));
      }
      return out;
    },
    count: () => total,
    close: () => client.endAsync(),
  };
}
