import { VesselId } from './ids.js';

/**
 * The MQTT topic scheme, version 1:
 *
 *     <root>/v1/vessels/<vesselId>/<channel>
 *
 * `root` defaults to `qtled`; tests and staging use their own root so that they never meet production
 * traffic on a shared broker. Each vessel publishes only below its own vessel segment, which a broker ACL
 * can enforce with one pattern per channel. The version segment lets a v2 scheme run beside v1 during a
 * fleet-wide firmware roll-out.
 */
export const DEFAULT_TOPIC_ROOT = 'qtled';
export const TOPIC_SCHEME_VERSION = 'v1';

/**
 * Every channel, who publishes on it, and how. QoS 1 wherever a message must arrive; retained where a
 * newcomer needs the last value (presence for a dashboard that starts later, ack and config for a gateway
 * that reconnects after days at sea).
 */
export const CHANNELS = {
  telemetry: { direction: 'uplink', qos: 1, retain: false },
  presence: { direction: 'uplink', qos: 1, retain: true },
  heartbeat: { direction: 'uplink', qos: 0, retain: false },
  events: { direction: 'uplink', qos: 1, retain: false },
  ack: { direction: 'downlink', qos: 1, retain: true },
  config: { direction: 'downlink', qos: 1, retain: true },
} as const satisfies Record<string, { direction: 'uplink' | 'downlink'; qos: 0 | 1; retain: boolean }>;

export type Channel = keyof typeof CHANNELS;
export const CHANNEL_NAMES = Object.keys(CHANNELS) as Channel[];
export type UplinkChannel = {
  [C in Channel]: (typeof CHANNELS)[C]['direction'] extends 'uplink' ? C : never;
}[Channel];
export type DownlinkChannel = Exclude<Channel, UplinkChannel>;

function isChannel(value: string): value is Channel {
  return Object.hasOwn(CHANNELS, value);
}

/** A topic root is one or more non-empty segments without wildcards, and not a `$` system topic. */
export function assertTopicRoot(root: string): void {
  if (
    root.length === 0 ||
    root.startsWith('$') ||
    /[#+]/.test(root) ||
    root.includes('\u0000') ||
    root.split('/').some((s) => s === '')
  ) {
    throw new Error(
      `invalid MQTT topic root "${root}": use non-empty segments without wildcards, e.g. "qtled"`,
    );
  }
}

/** The topic a vessel's channel lives on. Never a wildcard: publishing to a wildcard is a bug. */
export function topicFor(channel: Channel, vesselId: VesselId, root: string = DEFAULT_TOPIC_ROOT): string {
  assertTopicRoot(root);
  return `${root}/${TOPIC_SCHEME_VERSION}/vessels/${vesselId}/${channel}`;
}

export interface SubscriptionOptions {
  root?: string;
  /**
   * MQTT 5 shared-subscription group: replicas in one group split the messages between them. Leave it out
   * on brokers that do not deliver shared subscriptions (aedes, the embedded broker, does not).
   */
  shareGroup?: string;
}

/** The filter that matches one channel of every vessel, e.g. `$share/ingest/qtled/v1/vessels/+/telemetry`. */
export function subscriptionFor(channel: Channel, options: SubscriptionOptions = {}): string {
  const root = options.root ?? DEFAULT_TOPIC_ROOT;
  assertTopicRoot(root);
  const filter = `${root}/${TOPIC_SCHEME_VERSION}/vessels/+/${channel}`;
  if (options.shareGroup === undefined) return filter;
  if (!/^[A-Za-z0-9_-]+$/.test(options.shareGroup)) {
    throw new Error(
      `invalid shared-subscription group "${options.shareGroup}": use letters, digits, _ and -`,
    );
  }
  return `$share/${options.shareGroup}/${filter}`;
}

export type ParsedTopic = { ok: true; vesselId: VesselId; channel: Channel } | { ok: false; reason: string };

/** Splits a concrete topic into vessel and channel; says why when it is not one of ours. */
export function parseTopic(topic: string, root: string = DEFAULT_TOPIC_ROOT): ParsedTopic {
  const prefix = `${root}/`;
  if (!topic.startsWith(prefix)) return { ok: false, reason: `topic "${topic}" is not under root "${root}"` };
  const parts = topic.slice(prefix.length).split('/');
  if (parts.length !== 4 || parts[1] !== 'vessels') {
    return { ok: false, reason: `topic "${topic}" does not match <root>/v1/vessels/<vesselId>/<channel>` };
  }
  const [version, , vessel, channel] = parts as [string, string, string, string];
  if (version !== TOPIC_SCHEME_VERSION) {
    return {
      ok: false,
      reason: `topic "${topic}" uses scheme version "${version}", expected "${TOPIC_SCHEME_VERSION}"`,
    };
  }
  if (!isChannel(channel)) {
    return { ok: false, reason: `topic "${topic}" names unknown channel "${channel}"` };
  }
  const vesselId = VesselId.safeParse(vessel);
  if (!vesselId.success) {
    return { ok: false, reason: `topic "${topic}" carries an invalid vessel id "${vessel}"` };
  }
  return { ok: true, vesselId: vesselId.data, channel };
}
