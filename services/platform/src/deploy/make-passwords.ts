import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import {
  type BrokerLogin,
  SERVICE_USERS,
  dynamicSecurityConfig,
  gatewayLogins,
  randomPassword,
} from './mosquitto-auth.js';

/** The directory of `outDir` docker-compose mounts (writable) into the broker: nothing the gateways hold. */
export const BROKER_DIR = 'dynsec';
export const DYNSEC_FILE = 'dynamic-security.json';
/** The health check's password, read by the broker container's health check. */
export const HEALTHCHECK_PASSWORD_FILE = 'healthcheck-password';

/**
 * Writes the production broker's logins from the fleet registry into `outDir`: the dynamic-security
 * plugin's configuration (`dynsec/dynamic-security.json`, logins with their client ids and roles) and the
 * health check's password beside it, which docker-compose mounts into the broker, and the gateways' own
 * credentials (`gateway-credentials.json`, keyed by gateway id) for the gateways and the simulator of the
 * `demo` profile. Re-running keeps the gateways' existing passwords.
 */
export interface MakePasswordsResult {
  readonly dynamicSecurityFile: string;
  readonly healthcheckPasswordFile: string;
  readonly gatewayCredentialsFile: string;
  readonly ingest: BrokerLogin;
  readonly ingestPasswordGenerated: boolean;
  readonly api: BrokerLogin;
  readonly apiPasswordGenerated: boolean;
  readonly healthcheck: BrokerLogin;
  readonly gateways: number;
}

export function makePasswords(options: {
  outDir: string;
  topicRoot: string;
  registryPath?: string | undefined;
  ingestPassword?: string | undefined;
  apiPassword?: string | undefined;
}): MakePasswordsResult {
  const registry = loadFleetRegistry(options.registryPath);
  const brokerDir = join(options.outDir, BROKER_DIR);
  mkdirSync(brokerDir, { recursive: true });
  // Everything in here is secret or generated: keep it out of the repository.
  writeFileSync(join(options.outDir, '.gitignore'), '*\n');
  const credentialsPath = join(options.outDir, 'gateway-credentials.json');
  const existing = existsSync(credentialsPath)
    ? (JSON.parse(readFileSync(credentialsPath, 'utf8')) as Record<string, BrokerLogin>)
    : {};
  const gateways = gatewayLogins(registry, existing);
  const ingest: BrokerLogin = {
    username: SERVICE_USERS.ingest,
    password: options.ingestPassword ?? randomPassword(),
  };
  const api: BrokerLogin = { username: SERVICE_USERS.api, password: options.apiPassword ?? randomPassword() };
  const healthcheck: BrokerLogin = { username: SERVICE_USERS.healthcheck, password: randomPassword() };
  const dynamicSecurityFile = join(brokerDir, DYNSEC_FILE);
  writeSecret(
    dynamicSecurityFile,
    `${JSON.stringify(dynamicSecurityConfig(options.topicRoot, { ingest, api, healthcheck, gateways }), null, 2)}\n`,
  );
  const healthcheckPasswordFile = join(brokerDir, HEALTHCHECK_PASSWORD_FILE);
  writeSecret(healthcheckPasswordFile, `${healthcheck.password}\n`);
  // Keyed by gateway id, as the simulator's --credentials and the platform's FLEET_SIM_CREDENTIALS_PATH read it.
  writeSecret(
    credentialsPath,
    `${JSON.stringify(
      Object.fromEntries(gateways.map((g) => [g.gatewayId, { username: g.username, password: g.password }])),
      null,
      2,
    )}\n`,
  );
  return {
    dynamicSecurityFile,
    healthcheckPasswordFile,
    gatewayCredentialsFile: credentialsPath,
    ingest,
    ingestPasswordGenerated: options.ingestPassword === undefined,
    api,
    apiPasswordGenerated: options.apiPassword === undefined,
    healthcheck,
    gateways: gateways.length,
  };
}

function writeSecret(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}
