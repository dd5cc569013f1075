import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { type RegistryIndex, assertTopicRoot, storedReadingsTopic } from '@qt-led/contract';

/** A broker login: one per gateway, one per platform service. */
export interface BrokerLogin {
  readonly username: string;
  readonly password: string;
}

export interface GatewayLogin extends BrokerLogin {
  readonly vesselId: string;
  readonly gatewayId: string;
}

/**
 * The platform's own logins: ingest reads every uplink channel, writes acks and tells the API what it
 * stored; the API only reads that.
 */
export const SERVICE_USERS = { ingest: 'ingest', api: 'api' } as const;

/**
 * One login per gateway the registry has ever assigned (a swapped gateway keeps its vessel's topics until
 * it is removed), named by gateway id, each confined to its vessel. Passwords are 24 random bytes.
 */
export function gatewayLogins(
  registry: RegistryIndex,
  existing: Readonly<Record<string, BrokerLogin>> = {},
): GatewayLogin[] {
  const logins: GatewayLogin[] = [];
  for (const vessel of registry.registry.vessels) {
    const gateways = new Set(vessel.versions.map((v) => v.gatewayId as string));
    for (const gatewayId of [...gateways].sort()) {
      logins.push({
        vesselId: vessel.vesselId,
        gatewayId,
        username: gatewayId,
        // Re-running keeps the passwords gateways already carry.
        password: existing[gatewayId]?.password ?? randomPassword(),
      });
    }
  }
  return logins;
}

export function randomPassword(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * A Mosquitto 2 password file line (`mosquitto_passwd` format 7: PBKDF2-SHA512, 101 iterations, 12-byte
 * salt), so no Mosquitto tools are needed to make one.
 */
export function passwordFileLine(login: BrokerLogin, salt: Buffer = randomBytes(12)): string {
  if (/[:\r\n]/.test(login.username)) throw new Error(`a broker username cannot contain ':' or a line break`);
  const hash = pbkdf2Sync(login.password, salt, 101, 64, 'sha512');
  return `${login.username}:$7$101$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/**
 * The topic ACL: a gateway publishes only on its own vessel's uplink channels (its last will included:
 * presence) and reads only its own ack and config; ingest reads every vessel's uplink, writes acks and the
 * stored-readings notices; the API reads those notices only. Everything not granted is refused (Mosquitto
 * denies by default once an ACL file is set).
 */
export function aclFile(topicRoot: string, gateways: readonly GatewayLogin[]): string {
  assertTopicRoot(topicRoot);
  const vessels = `${topicRoot}/v1/vessels`;
  const lines = [
    '# Mosquitto topic ACL, written by services/platform/src/make-passwords.ts from the fleet registry.',
    '# Do not edit by hand: re-run the script after a gateway is added or swapped.',
    '',
    `user ${SERVICE_USERS.ingest}`,
    ...['telemetry', 'presence', 'heartbeat', 'events'].map((c) => `topic read ${vessels}/+/${c}`),
    `topic write ${vessels}/+/ack`,
    `topic write ${storedReadingsTopic(topicRoot)}`,
    '# The container health check subscribes to the broker version.',
    'topic read $SYS/broker/version',
    '',
    '# The API: what ingest stored, for the live stream.',
    `user ${SERVICE_USERS.api}`,
    `topic read ${storedReadingsTopic(topicRoot)}`,
  ];
  for (const g of gateways) {
    lines.push(
      '',
      `# ${g.vesselId}`,
      `user ${g.username}`,
      ...['telemetry', 'presence', 'heartbeat', 'events'].map(
        (c) => `topic write ${vessels}/${g.vesselId}/${c}`,
      ),
      `topic read ${vessels}/${g.vesselId}/ack`,
      `topic read ${vessels}/${g.vesselId}/config`,
    );
  }
  return `${lines.join('\n')}\n`;
}
