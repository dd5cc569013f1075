import { pbkdf2Sync, randomBytes } from 'node:crypto';
import {
  type RegistryIndex,
  assertTopicRoot,
  ingestReplicaTopic,
  storedReadingsTopic,
  subscriptionFor,
  topicFor,
  type VesselId,
} from '@qt-led/contract';

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
 * stored; the API only reads that; the broker container's health check only reads the broker version.
 */
export const SERVICE_USERS = { ingest: 'ingest', api: 'api', healthcheck: 'healthcheck' } as const;

/**
 * The one client id each service login may connect with (the broker refuses any other), as docker-compose
 * sets them (INGEST_CLIENT_ID, API_MQTT_CLIENT_ID; a test keeps them equal). Bound, so that no other login can
 * take a service's id, which would disconnect it and discard its persistent session. A second ingest replica
 * needs a login of its own with its own client id (see docs/architecture.md §7).
 */
export const SERVICE_CLIENT_IDS = {
  ingest: 'qtled-ingest-1',
  api: 'qtled-api-1',
  healthcheck: 'qtled-healthcheck',
} as const;

/** The shared-subscription group of the ingest replicas (INGEST_SHARE_GROUP in docker-compose). */
export const INGEST_SHARE_GROUP = 'ingest';

const UPLINK = ['telemetry', 'presence', 'heartbeat', 'events'] as const;
const DOWNLINK = ['ack', 'config'] as const;

/**
 * One login per gateway the registry has ever assigned (a swapped gateway keeps its vessel's topics until
 * it is removed), named by gateway id, each confined to its vessel; a gateway connects with its gateway id as
 * client id, as the firmware does. Passwords are 24 random bytes.
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
 * A dynamic-security ACL entry (Mosquitto's `acltype`s); `allow: false` entries refuse explicitly. The plugin
 * checks a role's entries highest `priority` first (default 0), the first whose topic matches decides.
 */
interface DynsecAcl {
  readonly acltype: 'publishClientSend' | 'publishClientReceive' | 'subscribePattern';
  readonly topic: string;
  readonly allow: boolean;
  readonly priority?: number;
}

interface DynsecClient {
  readonly username: string;
  readonly textName: string;
  readonly clientid: string;
  readonly password: string;
  readonly salt: string;
  readonly iterations: number;
  readonly roles: readonly { readonly rolename: string }[];
}

/** The dynamic-security plugin's configuration file (`plugin_opt_config_file`), as the plugin reads it. */
export interface DynamicSecurityConfig {
  readonly defaultACLAccess: Readonly<
    Record<'publishClientSend' | 'publishClientReceive' | 'subscribe' | 'unsubscribe', boolean>
  >;
  readonly clients: readonly DynsecClient[];
  readonly groups: readonly never[];
  readonly roles: readonly {
    readonly rolename: string;
    readonly textName: string;
    readonly acls: readonly DynsecAcl[];
  }[];
}

/**
 * A client of the dynamic-security plugin: its password as the plugin stores it (PBKDF2-SHA512 of the
 * password with a 12-byte salt, 101 iterations, 64 bytes, each base64 — what `mosquitto_ctrl` writes), so no
 * Mosquitto tools are needed to make one.
 */
function dynsecClient(
  login: BrokerLogin,
  clientid: string,
  rolename: string,
  textName: string,
  salt: Buffer = randomBytes(12),
): DynsecClient {
  const iterations = 101;
  return {
    username: login.username,
    textName,
    clientid,
    password: pbkdf2Sync(login.password, salt, iterations, 64, 'sha512').toString('base64'),
    salt: salt.toString('base64'),
    iterations,
    roles: [{ rolename }],
  };
}

const allow = (acltype: DynsecAcl['acltype'], topic: string): DynsecAcl => ({ acltype, topic, allow: true });
/** Read access: subscribing to the filter, and receiving what matches it. */
const read = (filter: string): DynsecAcl[] => [
  allow('subscribePattern', filter),
  allow('publishClientReceive', filter),
];

/**
 * The broker's logins and access rules for the dynamic-security plugin. Everything not granted is refused:
 * publishing, subscribing and receiving (`defaultACLAccess`). Each login is bound to one client id, so no
 * login can take over another's connection or session. A gateway publishes only its own vessel's uplink
 * channels (its last will included: presence) and subscribes to and receives only its own ack and config —
 * not `$share/…` (a member of ingest's share group would take its share of every vessel's telemetry);
 * ingest subscribes to every vessel's uplink (shared or not), writes acks and the stored-readings notices;
 * the API reads those notices only; the health check reads the broker version only.
 */
export function dynamicSecurityConfig(
  topicRoot: string,
  logins: {
    ingest: BrokerLogin;
    api: BrokerLogin;
    healthcheck: BrokerLogin;
    gateways: readonly GatewayLogin[];
  },
): DynamicSecurityConfig {
  assertTopicRoot(topicRoot);
  for (const login of [logins.ingest, logins.api, logins.healthcheck, ...logins.gateways]) {
    if (login.username === '' || /[\r\n]/.test(login.username)) throw new Error(`invalid broker username`);
  }
  const vessels = [...new Set(logins.gateways.map((g) => g.vesselId))];
  const vesselRole = (vesselId: string): string => `vessel-${vesselId}`;
  const roles: DynamicSecurityConfig['roles'] = [
    {
      rolename: 'ingest',
      textName:
        'every vessel’s uplink, shared or not; writes acks and the stored-readings notices; the replicas’ presence',
      acls: [
        ...UPLINK.flatMap((channel) => [
          ...read(subscriptionFor(channel, { root: topicRoot })),
          allow(
            'subscribePattern',
            subscriptionFor(channel, { root: topicRoot, shareGroup: INGEST_SHARE_GROUP }),
          ),
        ]),
        allow('publishClientSend', subscriptionFor('ack', { root: topicRoot })),
        allow('publishClientSend', storedReadingsTopic(topicRoot)),
        // The replicas' presence (last will included), and each other's: a stale member is reported.
        allow('publishClientSend', ingestReplicaTopic(topicRoot, '+')),
        ...read(ingestReplicaTopic(topicRoot, '+')),
      ],
    },
    {
      rolename: 'api',
      textName: 'what ingest stored, for the live stream',
      acls: read(storedReadingsTopic(topicRoot)),
    },
    { rolename: 'healthcheck', textName: 'the container health check', acls: read('$SYS/broker/version') },
    ...vessels.map((vesselId) => ({
      rolename: vesselRole(vesselId),
      textName: `the gateways of ${vesselId}: its own uplink, ack and config`,
      acls: [
        // Refused by default already; explicit and first, so that a wider grant added later (`#` matches
        // `$share/…` too) cannot let a gateway join ingest's share group.
        { acltype: 'subscribePattern' as const, topic: '$share/#', allow: false, priority: 100 },
        ...UPLINK.map((channel) =>
          allow('publishClientSend', topicFor(channel, vesselId as VesselId, topicRoot)),
        ),
        ...DOWNLINK.flatMap((channel) => read(topicFor(channel, vesselId as VesselId, topicRoot))),
      ],
    })),
  ];
  return {
    defaultACLAccess: {
      publishClientSend: false,
      publishClientReceive: false,
      subscribe: false,
      unsubscribe: true,
    },
    clients: [
      dynsecClient(logins.ingest, SERVICE_CLIENT_IDS.ingest, 'ingest', 'ingest'),
      dynsecClient(logins.api, SERVICE_CLIENT_IDS.api, 'api', 'the API'),
      dynsecClient(logins.healthcheck, SERVICE_CLIENT_IDS.healthcheck, 'healthcheck', 'health check'),
      ...logins.gateways.map((g) =>
        dynsecClient(g, g.gatewayId, vesselRole(g.vesselId), `gateway of ${g.vesselId}`),
      ),
    ],
    groups: [],
    roles,
  };
}
