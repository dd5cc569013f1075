import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import {
  type BrokerLogin,
  SERVICE_USERS,
  aclFile,
  gatewayLogins,
  passwordFileLine,
  randomPassword,
} from './mosquitto-auth.js';

/**
 * Writes the production broker's logins from the fleet registry into `outDir`: the Mosquitto password file
 * (`passwd`) and topic ACL (`acl`) docker-compose mounts, and the gateways' own credentials
 * (`gateway-credentials.json`, keyed by gateway id) for the gateways and the simulator of the `demo`
 * profile. Re-running keeps the gateways' existing passwords.
 */
export interface MakePasswordsResult {
  readonly passwordFile: string;
  readonly aclFile: string;
  readonly gatewayCredentialsFile: string;
  readonly ingest: BrokerLogin;
  readonly ingestPasswordGenerated: boolean;
  readonly api: BrokerLogin;
  readonly apiPasswordGenerated: boolean;
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
  mkdirSync(options.outDir, { recursive: true });
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
  const passwordFile = join(options.outDir, 'passwd');
  writeSecret(passwordFile, `${[ingest, api, ...gateways].map((l) => passwordFileLine(l)).join('\n')}\n`);
  const acl = join(options.outDir, 'acl');
  writeFileSync(acl, aclFile(options.topicRoot, gateways));
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
    passwordFile,
    aclFile: acl,
    gatewayCredentialsFile: credentialsPath,
    ingest,
    ingestPasswordGenerated: options.ingestPassword === undefined,
    api,
    apiPasswordGenerated: options.apiPassword === undefined,
    gateways: gateways.length,
  };
}

function writeSecret(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}
