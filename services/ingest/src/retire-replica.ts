import { IngestReplicaPresence, ingestReplicaTopic } from '@qt-led/contract';
import { connectMqtt, type MqttConnectionConfig } from '@qt-led/infrastructure';

export type RetireOutcome =
  | { retired: true; previous: IngestReplicaPresence['state'] | 'unknown' }
  | { retired: false; reason: string };

/**
 * Retires an ingest replica for good: connects once with its client id and a clean start, which makes the
 * broker discard the replica's persistent session — and with it the share of the group's messages queued
 * for it (the gateways resend those after their ack timeout) — and clears its retained presence, so the
 * other replicas stop reporting it. Refuses while the replica says it is online (connecting with its id
 * would disconnect it), unless `force`.
 */
export async function retireReplica(
  mqtt: MqttConnectionConfig,
  topicRoot: string,
  clientId: string,
  options: { force?: boolean; lookMs?: number } = {},
): Promise<RetireOutcome> {
  const topic = ingestReplicaTopic(topicRoot, clientId);
  const previous = await retainedPresence(mqtt, topic, `${clientId}-retire-check`, options.lookMs ?? 1_000);
  if (previous?.state === 'online' && options.force !== true) {
    return {
      retired: false,
      reason: `replica ${clientId} says it is online: stop it first (or pass --force to disconnect it)`,
    };
  }
  const client = await connectMqtt(mqtt, { clientId, persistent: false });
  try {
    // An empty retained message removes the retained presence.
    await client.publishAsync(topic, '', { qos: 1, retain: true });
  } finally {
    await client.endAsync();
  }
  return { retired: true, previous: previous?.state ?? 'unknown' };
}

/** The replica's retained presence, if the broker holds one (read under a client id of its own). */
async function retainedPresence(
  mqtt: MqttConnectionConfig,
  topic: string,
  clientId: string,
  lookMs: number,
): Promise<IngestReplicaPresence | undefined> {
  let client;
  try {
    client = await connectMqtt(mqtt, { clientId, persistent: false });
  } catch {
    // A broker that binds client ids to logins refuses a second id: retire without looking.
    return undefined;
  }
  try {
    const seen = new Promise<IngestReplicaPresence | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), lookMs);
      client.on('message', (t, payload) => {
        if (t !== topic || payload.length === 0) return;
        clearTimeout(timer);
        const parsed = IngestReplicaPresence.safeParse(JSON.parse(payload.toString('utf8')));
        resolve(parsed.success ? parsed.data : undefined);
      });
    });
    await client.subscribeAsync(topic, { qos: 1 });
    return await seen;
  } finally {
    await client.endAsync();
  }
}
