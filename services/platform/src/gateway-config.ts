import { type KeyObject, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type GatewayConfig,
  type VesselId,
  configSigningText,
  encodePayload,
  topicFor,
} from '@qt-led/contract';
import type { MqttClient } from 'mqtt';

/** The platform's config signing key (Ed25519, PKCS#8 PEM) under the data directory, mode 0600. */
export const CONFIG_KEY_FILE = 'gateway-config-key.pem';
/** Its public half, for provisioning gateways. */
export const CONFIG_PUBLIC_KEY_FILE = 'gateway-config-key.pub.pem';

export interface ConfigSigningKey {
  readonly privateKey: KeyObject;
  /** What a gateway pins (`--config-key`): only configs signed with the private key are applied. */
  readonly publicKey: KeyObject;
  readonly publicKeyPem: string;
}

/** Reads the config signing key from `dataDir`, or makes one there on the first start. */
export function loadOrCreateConfigSigningKey(dataDir: string): ConfigSigningKey {
  const path = join(dataDir, CONFIG_KEY_FILE);
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const { privateKey } = generateKeyPairSync('ed25519');
    pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    // 'wx': never overwrite a key another start just wrote.
    writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
  }
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new Error(`${path}: the config signing key must be Ed25519, not ${privateKey.asymmetricKeyType}`);
  const publicKey = createPublicKey(privateKey);
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  // Beside it, what a gateway is provisioned with (the simulator's --config-key); rewritten only when it
  // is missing or no longer the private key's (an operator replaced the key).
  const publicPath = join(dataDir, CONFIG_PUBLIC_KEY_FILE);
  if (!existsSync(publicPath) || readFileSync(publicPath, 'utf8') !== publicKeyPem)
    writeFileSync(publicPath, publicKeyPem, { mode: 0o644 });
  return { privateKey, publicKey, publicKeyPem };
}

/** The config with its Ed25519 signature over `configSigningText`. */
export function signGatewayConfig(config: GatewayConfig, key: ConfigSigningKey): GatewayConfig {
  const signature = sign(null, Buffer.from(configSigningText(config)), key.privateKey).toString('base64');
  return { ...config, signature };
}

/** How the simulated gateways upload: while history loads, and live. Everything else is factory. */
export type UploadProfile = 'history' | 'live';

/**
 * The downlink config the platform sends the simulated fleet (retained, so a boat out of coverage gets it
 * when it comes back). While history loads, live readings leave in batches of 10 (every 10 simulated
 * minutes) instead of 5: the same readings in half the ack round trips, which pace the load. Larger batches
 * were slower here (40 boats × 2 days: 5 → 45 s, 10 → 27–32 s, 20 → 40 s, 60 → 51 s), because the firmware
 * re-reads the unsent live readings from its disk queue after every sample to see whether a batch is due.
 * Live, a batch leaves every minute so the dashboard follows the boats closely (the factory's 300 s saves
 * radio time on a real boat; here the network is loopback).
 */
export function gatewayConfig(
  vesselId: VesselId,
  profile: UploadProfile,
  configVersion: number,
  issuedAtMs: number,
): GatewayConfig {
  return {
    schema: 'qtled.config/1',
    vesselId,
    configVersion,
    issuedAtMs,
    sampling: { intervalS: 60 },
    heartbeat: { intervalS: 300 },
    upload: {
      batchMaxReadings: 500,
      batchMaxAgeS: profile === 'history' ? 600 : 60,
      ackTimeoutS: 120,
      backfillMaxReadingsPerS: 100,
    },
  };
}

export async function publishGatewayConfigs(
  client: MqttClient,
  topicRoot: string,
  configs: readonly GatewayConfig[],
): Promise<void> {
  await Promise.all(
    configs.map((config) =>
      client.publishAsync(topicFor('config', config.vesselId, topicRoot), encodePayload('config', config), {
        qos: 1,
        retain: true,
      }),
    ),
  );
}
