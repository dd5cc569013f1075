import { type KeyObject, createPublicKey, verify } from 'node:crypto';
import { type GatewayConfig, configSigningText } from '@qt-led/contract';

/**
 * The platform's config key, pinned on the gateway: an Ed25519 public key. A gateway that has one applies
 * only configs signed with the matching private key, so whoever can publish on its config topic (a forged
 * retained config) cannot change its sampling or lock it out with a huge version.
 */
export type ConfigKey = KeyObject;

/** The pinned key from its PEM text (SPKI); throws unless it is an Ed25519 public key. */
export function configKeyFromPem(pem: string): ConfigKey {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(
      `the config key must be an Ed25519 public key, not ${key.asymmetricKeyType ?? 'unknown'}`,
    );
  return key;
}

/** True when the config carries a signature that the pinned key verifies. */
export function signedWith(config: GatewayConfig, key: ConfigKey): boolean {
  if (config.signature === undefined) return false;
  return verify(null, Buffer.from(configSigningText(config)), key, Buffer.from(config.signature, 'base64'));
}
