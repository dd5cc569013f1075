import { IngestReplicaPresence, ingestReplicaTopic } from '@qt-led/contract';
import type { Logger } from '@qt-led/runtime';
import type { Gauge } from 'prom-client';
import type { Clock } from './clock.js';

/** What the watch needs of the MQTT client (mqtt.js's `MqttClient` fits). */
export interface ReplicaWatchMqtt {
  publishAsync(topic: string, payload: string, options: { qos: 1; retain: true }): Promise<unknown>;
  subscribeAsync(filter: string, options: { qos: 1 }): Promise<unknown>;
  on(event: 'message', listener: (topic: string, payload: Buffer) => void): unknown;
  on(event: 'connect', listener: () => void): unknown;
  removeListener(event: 'message', listener: (topic: string, payload: Buffer) => void): unknown;
  removeListener(event: 'connect', listener: () => void): unknown;
}

export interface ReplicaWatchOptions {
  topicRoot: string;
  clientId: string;
  shareGroup: string;
  /** A member offline this long is reported: longer than a restart or a redeploy takes. */
  staleAfterMs: number;
  /** How often the members are looked at again. */
  checkIntervalMs: number;
}

export interface ReplicaWatch {
  start(): Promise<void>;
  /** Says this replica stopped (retained), before the connection ends. */
  stop(): Promise<void>;
  /** Members of this share group offline longer than `staleAfterMs`, by client id. */
  stale(): string[];
}

/** The last will a replica connects with: the broker marks it offline when its connection is lost. */
export function replicaLastWill(
  topicRoot: string,
  clientId: string,
  shareGroup: string,
): { topic: string; payload: string; qos: 1; retain: true } {
  const will: IngestReplicaPresence = {
    schema: 'qtled.ingest-replica/1',
    clientId,
    shareGroup,
    state: 'offline',
    cause: 'connection-lost',
  };
  return {
    topic: ingestReplicaTopic(topicRoot, clientId),
    payload: JSON.stringify(will),
    qos: 1,
    retain: true,
  };
}

/**
 * Watches the other members of ingest's share group. With persistent sessions the broker keeps handing a
 * stopped replica its share of every message until the session expires (14 days): the live replicas then
 * store half (or a third …) of a burst at once and the gateways resend the rest after their ack timeout —
 * delay and double traffic, not loss, and invisible without this. Each replica keeps a retained presence
 * (`online`, then `offline` on a stop or by its last will); a member offline for longer than
 * `staleAfterMs` is reported: the `qtled_ingest_stale_replicas` gauge and a warning naming it and how to
 * retire it (`qtled-retire-ingest-replica`, which ends its session and clears its presence).
 */
export function createReplicaWatch(deps: {
  mqtt: ReplicaWatchMqtt;
  clock: Clock;
  logger: Logger;
  gauge: Pick<Gauge, 'set'>;
  options: ReplicaWatchOptions;
}): ReplicaWatch {
  const { mqtt, clock, options } = deps;
  const logger = deps.logger.child({ component: 'replica-watch' });
  const ownTopic = ingestReplicaTopic(options.topicRoot, options.clientId);
  // Other members: client id → offline since (receive time when the presence says no time), or online.
  const members = new Map<string, { offlineSinceMs: number | null }>();
  const reported = new Set<string>();
  let timer: NodeJS.Timeout | undefined;

  const presence = (state: 'online' | 'offline'): string =>
    JSON.stringify({
      schema: 'qtled.ingest-replica/1',
      clientId: options.clientId,
      shareGroup: options.shareGroup,
      state,
      ...(state === 'offline' ? { cause: 'stopped' } : {}),
      atMs: clock.now(),
    } satisfies IngestReplicaPresence);

  const stale = (): string[] => {
    const now = clock.now();
    return [...members]
      .filter(([, m]) => m.offlineSinceMs !== null && now - m.offlineSinceMs >= options.staleAfterMs)
      .map(([clientId]) => clientId)
      .sort();
  };

  const check = (): void => {
    const now = stale();
    deps.gauge.set(now.length);
    for (const clientId of now) {
      if (reported.has(clientId)) continue;
      reported.add(clientId);
      logger.warn(
        { replica: clientId, shareGroup: options.shareGroup },
        `ingest replica ${clientId} has been offline for more than ${Math.round(options.staleAfterMs / 1000)} s and its ` +
          `session still takes its share of the group's messages (gateways resend them late); ` +
          `restart it, or retire it: qtled-retire-ingest-replica --client-id ${clientId}`,
      );
    }
    for (const clientId of reported) if (!now.includes(clientId)) reported.delete(clientId);
  };

  const onMessage = (topic: string, payload: Buffer): void => {
    const prefix = ingestReplicaTopic(options.topicRoot, '+').slice(0, -1);
    if (!topic.startsWith(prefix) || topic === ownTopic) return;
    const clientId = topic.slice(prefix.length);
    if (payload.length === 0) {
      // Retired: its session is gone, and so is its presence.
      members.delete(clientId);
      check();
      return;
    }
    let parsed: IngestReplicaPresence;
    try {
      parsed = IngestReplicaPresence.parse(JSON.parse(payload.toString('utf8')));
    } catch (error) {
      logger.warn({ err: error, topic }, 'ignored a replica presence that is not one');
      return;
    }
    if (parsed.shareGroup !== options.shareGroup) return;
    const previous = members.get(clientId);
    members.set(clientId, {
      offlineSinceMs:
        parsed.state === 'online' ? null : (parsed.atMs ?? previous?.offlineSinceMs ?? clock.now()),
    });
    check();
  };

  const announce = (): void => {
    mqtt.publishAsync(ownTopic, presence('online'), { qos: 1, retain: true }).catch((error: unknown) => {
      logger.warn({ err: error }, 'could not announce this replica');
    });
  };

  return {
    async start() {
      mqtt.on('message', onMessage);
      // A reconnect may follow a last will that marked this replica offline: say online again.
      mqtt.on('connect', announce);
      await mqtt.subscribeAsync(ingestReplicaTopic(options.topicRoot, '+'), { qos: 1 });
      await mqtt.publishAsync(ownTopic, presence('online'), { qos: 1, retain: true });
      timer = setInterval(check, options.checkIntervalMs);
      timer.unref();
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      mqtt.removeListener('message', onMessage);
      mqtt.removeListener('connect', announce);
      await mqtt
        .publishAsync(ownTopic, presence('offline'), { qos: 1, retain: true })
        .catch((error: unknown) => {
          logger.warn({ err: error }, 'could not say this replica stopped');
        });
    },
    stale,
  };
}
