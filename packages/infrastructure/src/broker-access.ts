import { createHmac, timingSafeEqual } from 'node:crypto';

/** What one broker login may do. */
export interface BrokerLogin {
  /** Who it is; the broker binds each client id to the first login that used it (embedded-broker.ts). */
  readonly name: string;
  /** Whether it may connect with this client id at all (the platform's own ids are the platform's). */
  mayUseClientId(clientId: string): boolean;
  mayPublish(topic: string): boolean;
  maySubscribe(filter: string): boolean;
}

/** Who may connect to the embedded broker, and what each may publish and subscribe to. */
export interface BrokerAccessPolicy {
  /** The login for these credentials, or undefined: refused (anonymous included). */
  login(username: string | undefined, password: Buffer | undefined): BrokerLogin | undefined;
}

export interface Credentials {
  username: string;
  password: string;
}

const UPLINK = ['telemetry', 'presence', 'heartbeat', 'events'];
const DOWNLINK = ['ack', 'config'];
const PLATFORM_USER = 'platform';
const VESSEL_ID = /^[A-Z]{2}-\d{5}-[A-Z]{2}$/;

/**
 * The embedded default's logins, with the production ACL's rules (`deploy/mosquitto`): the platform's own
 * clients (ingest, the fleet's control connection) may do anything; each vessel's gateway logs in as its
 * vessel id and may publish only its own uplinks (telemetry, presence, heartbeat, events) and subscribe only
 * to its own ack and config. Passwords are derived from one secret (HMAC-SHA256), so every vessel of the
 * registry — also one uploaded later — has a login without a password file to keep in step. A gateway cannot
 * subscribe to `$share/…` (only to its own two topics), and cannot use the platform's client ids
 * (`platformClientIds`, e.g. ingest's), so it cannot take over their connections or sessions even before they
 * first connect.
 */
export function embeddedBrokerAccess(options: {
  topicRoot: string;
  secret: Buffer;
  platformClientIds?: readonly string[];
}): BrokerAccessPolicy & {
  platform: Credentials;
  gateway(vesselId: string): Credentials;
} {
  const derive = (name: string): string =>
    createHmac('sha256', options.secret).update(`qtled-embedded-broker:${name}`).digest('base64url');
  const matches = (given: Buffer | undefined, expected: string): boolean => {
    if (given === undefined) return false;
    const want = Buffer.from(expected);
    return given.length === want.length && timingSafeEqual(given, want);
  };
  const platformClientIds = new Set(options.platformClientIds ?? []);
  const vesselTopic = (vesselId: string, channel: string): string =>
    `${options.topicRoot}/v1/vessels/${vesselId}/${channel}`;
  return {
    platform: { username: PLATFORM_USER, password: derive(PLATFORM_USER) },
    gateway: (vesselId) => ({ username: vesselId, password: derive(`gateway:${vesselId}`) }),
    login(username, password) {
      if (username === PLATFORM_USER && matches(password, derive(PLATFORM_USER))) {
        return {
          name: PLATFORM_USER,
          mayUseClientId: () => true,
          mayPublish: () => true,
          maySubscribe: () => true,
        };
      }
      if (username === undefined || !VESSEL_ID.test(username)) return undefined;
      if (!matches(password, derive(`gateway:${username}`))) return undefined;
      const publish = new Set(UPLINK.map((c) => vesselTopic(username, c)));
      const subscribe = new Set(DOWNLINK.map((c) => vesselTopic(username, c)));
      return {
        name: `gateway ${username}`,
        mayUseClientId: (clientId) => !platformClientIds.has(clientId),
        mayPublish: (topic) => publish.has(topic),
        maySubscribe: (filter) => subscribe.has(filter),
      };
    },
  };
}
