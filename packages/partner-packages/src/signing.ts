import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The platform's package-signing key: Ed25519, detached signatures over `manifest.json`'s bytes. */
export interface PackageSigner {
  readonly publicKeyPem: string;
  /** SHA-256 of the public key's DER SubjectPublicKeyInfo, lowercase hex. */
  readonly fingerprint: string;
  sign(data: Buffer): Buffer;
}

/** The fingerprint of an Ed25519 public key (PEM), as the manifest, the API and the CLI print it. */
export function publicKeyFingerprint(publicKey: KeyObject | string): string {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/** `ab12 cd34 …`: the fingerprint in groups of four, for reading aloud over the phone. */
export function groupedFingerprint(fingerprint: string): string {
  return fingerprint.replace(/(.{4})(?=.)/g, '$1 ');
}

export function signerFromPrivateKey(privateKeyPem: string): PackageSigner {
  const privateKey = createPrivateKey(privateKeyPem);
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`the package-signing key must be Ed25519, got ${String(privateKey.asymmetricKeyType)}`);
  }
  const publicKey = createPublicKey(privateKey);
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: publicKeyFingerprint(publicKey),
    sign: (data) => sign(null, data, privateKey),
  };
}

export function verifySignature(publicKeyPem: string, data: Buffer, signature: Buffer): boolean {
  const key = createPublicKey(publicKeyPem);
  if (key.asymmetricKeyType !== 'ed25519') return false;
  return verify(null, data, key, signature);
}

/**
 * The key at `path` (PKCS#8 PEM), generated there on first use with mode 0600; the public half is written
 * beside it (`.pub.pem`) for the operator to hand to partners. An operator may place their own key there.
 */
export async function loadOrCreatePackageSigner(path: string): Promise<PackageSigner> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const { privateKey } = generateKeyPairSync('ed25519');
    pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await mkdir(dirname(path), { recursive: true });
    await writeFile(`${path}.tmp`, pem, { mode: 0o600 });
    await rename(`${path}.tmp`, path);
  }
  await chmod(path, 0o600);
  const signer = signerFromPrivateKey(pem);
  const publicPath = path.replace(/\.pem$/, '') + '.pub.pem';
  const existing = await readFile(publicPath, 'utf8').catch(() => undefined);
  if (existing !== signer.publicKeyPem) await writeFile(publicPath, signer.publicKeyPem);
  return signer;
}
