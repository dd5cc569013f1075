import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RegistryIndex } from '@qt-led/contract';
import { embeddedBrokerAccess } from '@qt-led/infrastructure';

export const BROKER_SECRET_FILE = 'embedded-broker-secret';
/** The platform's own login (ingest, the fleet's control connection, tools such as the benchmarks). */
export const BROKER_PLATFORM_LOGIN_FILE = 'embedded-broker-platform.json';
/** Every registered vessel's gateway login, in the simulator CLI's `--credentials` format. */
export const BROKER_GATEWAY_LOGINS_FILE = 'embedded-broker-gateways.json';

export type EmbeddedBrokerAccess = ReturnType<typeof embeddedBrokerAccess>;

/**
 * The embedded broker's logins: a secret made on first start (`DATA_DIR/embedded-broker-secret`, 0600) from
 * which every password is derived, and beside it — also 0600 — the platform's login and the gateways' in the
 * simulator CLI's format, for a gateway or a tool run outside the process. `platformClientIds` (ingest's)
 * are the platform login's alone: no gateway can connect with them.
 */
export function embeddedBrokerLogins(
  dataDir: string,
  topicRoot: string,
  platformClientIds: readonly string[],
): EmbeddedBrokerAccess {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, BROKER_SECRET_FILE);
  let secret: Buffer;
  try {
    secret = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    secret = randomBytes(32);
    writeFileSync(path, secret.toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  if (secret.length < 32) throw new Error(`${path}: expected at least 32 bytes of secret (base64url)`);
  const access = embeddedBrokerAccess({ topicRoot, secret, platformClientIds });
  writeFileSync(join(dataDir, BROKER_PLATFORM_LOGIN_FILE), `${JSON.stringify(access.platform)}\n`, {
    mode: 0o600,
  });
  return access;
}

/** The gateway logins of the registry's vessels, keyed by vessel id; written for gateways run outside. */
export function gatewayLogins(
  dataDir: string,
  access: EmbeddedBrokerAccess,
  registry: RegistryIndex,
): Record<string, { username: string; password: string }> {
  const gateways = Object.fromEntries(
    registry.registry.vessels.map((v) => [v.vesselId, access.gateway(v.vesselId)]),
  );
  writeFileSync(join(dataDir, BROKER_GATEWAY_LOGINS_FILE), `${JSON.stringify(gateways, null, 2)}\n`, {
    mode: 0o600,
  });
  return gateways;
}
