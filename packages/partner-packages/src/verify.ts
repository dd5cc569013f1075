import { createHash } from 'node:crypto';
import { PackageManifest } from '@qt-led/contract';
import { FIGURES_FILE, MANIFEST_FILE, PUBLIC_KEY_FILE, SIGNATURE_FILE } from './build.js';
import { publicKeyFingerprint, verifySignature } from './signing.js';

export type VerifyProblemCode =
  | 'MANIFEST_MISSING'
  | 'MANIFEST_INVALID'
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_INVALID'
  | 'KEY_MISSING'
  | 'KEY_MISMATCH'
  | 'FILE_MISSING'
  | 'FILE_SIZE_MISMATCH'
  | 'FILE_HASH_MISMATCH'
  | 'FILE_NOT_LISTED'
  | 'FIGURES_HASH_MISMATCH';

export interface VerifyProblem {
  code: VerifyProblemCode;
  /** The file that does not match, when one does not. */
  file: string | null;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  problems: VerifyProblem[];
  manifest: PackageManifest | null;
  /** Whose key the signature was checked with: the one given, or the copy inside the package. */
  key: { source: 'given' | 'package'; fingerprint: string } | null;
}

export interface VerifyOptions {
  /** The platform's public key as published (PEM): the signature must verify with it. */
  publicKeyPem?: string;
  /** Or only its fingerprint: the package's key copy must have it. */
  fingerprint?: string;
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Checks a package offline: the manifest parses and follows the schema, its signature verifies with the
 * platform's key, every listed file is there with its size and SHA-256, nothing unlisted was added, and
 * the figures' hash matches. Every mismatch is a problem naming its file.
 */
export function verifyPackage(
  files: ReadonlyMap<string, Buffer>,
  options: VerifyOptions = {},
  unexpected: readonly string[] = [],
): VerifyReport {
  const problems: VerifyProblem[] = unexpected.map((name) => ({
    code: 'FILE_NOT_LISTED',
    file: name,
    message: `${name} is not a plain file of the package`,
  }));
  const done = (manifest: PackageManifest | null, key: VerifyReport['key']): VerifyReport => ({
    ok: problems.length === 0,
    problems,
    manifest,
    key,
  });
  const manifestBytes = files.get(MANIFEST_FILE);
  if (manifestBytes === undefined) {
    problems.push({ code: 'MANIFEST_MISSING', file: MANIFEST_FILE, message: 'no manifest.json' });
    return done(null, null);
  }

  // The signature first: a manifest that is not the platform's says nothing about the files.
  let keyPem = options.publicKeyPem;
  let source: 'given' | 'package' = 'given';
  if (keyPem === undefined) {
    source = 'package';
    keyPem = files.get(PUBLIC_KEY_FILE)?.toString('utf8');
  }
  let key: VerifyReport['key'] = null;
  if (keyPem === undefined) {
    problems.push({
      code: 'KEY_MISSING',
      file: PUBLIC_KEY_FILE,
      message: 'no public key given or in the package',
    });
  } else {
    let fingerprint: string | undefined;
    try {
      fingerprint = publicKeyFingerprint(keyPem);
    } catch (error) {
      problems.push({
        code: 'KEY_MISMATCH',
        file: source === 'package' ? PUBLIC_KEY_FILE : null,
        message: `the public key cannot be read: ${(error as Error).message}`,
      });
    }
    if (fingerprint !== undefined) {
      key = { source, fingerprint };
      if (options.fingerprint !== undefined && normalise(options.fingerprint) !== fingerprint) {
        problems.push({
          code: 'KEY_MISMATCH',
          file: source === 'package' ? PUBLIC_KEY_FILE : null,
          message: `the key's fingerprint ${fingerprint} is not the expected ${normalise(options.fingerprint)}`,
        });
      }
      const signature = files.get(SIGNATURE_FILE);
      if (signature === undefined) {
        problems.push({ code: 'SIGNATURE_MISSING', file: SIGNATURE_FILE, message: 'no manifest.sig' });
      } else if (!verifySignature(keyPem, manifestBytes, signature)) {
        problems.push({
          code: 'SIGNATURE_INVALID',
          file: MANIFEST_FILE,
          message:
            'the signature does not verify: manifest.json or manifest.sig was changed, or another key signed it',
        });
      }
    }
  }

  let manifest: PackageManifest;
  try {
    const parsed = PackageManifest.safeParse(JSON.parse(manifestBytes.toString('utf8')));
    if (!parsed.success) {
      problems.push({
        code: 'MANIFEST_INVALID',
        file: MANIFEST_FILE,
        message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      });
      return done(null, key);
    }
    manifest = parsed.data;
  } catch (error) {
    problems.push({ code: 'MANIFEST_INVALID', file: MANIFEST_FILE, message: (error as Error).message });
    return done(null, key);
  }
  if (key !== null && manifest.signature.publicKeyFingerprint !== key.fingerprint) {
    problems.push({
      code: 'KEY_MISMATCH',
      file: MANIFEST_FILE,
      message: `the manifest names key ${manifest.signature.publicKeyFingerprint}, checked with ${key.fingerprint}`,
    });
  }

  const listed = new Set<string>([MANIFEST_FILE, SIGNATURE_FILE]);
  for (const entry of manifest.files) {
    listed.add(entry.name);
    const bytes = files.get(entry.name);
    if (bytes === undefined) {
      problems.push({
        code: 'FILE_MISSING',
        file: entry.name,
        message: `${entry.name} is listed but missing`,
      });
    } else if (bytes.length !== entry.bytes) {
      problems.push({
        code: 'FILE_SIZE_MISMATCH',
        file: entry.name,
        message: `${entry.name} has ${String(bytes.length)} bytes, the manifest says ${String(entry.bytes)}`,
      });
    } else if (sha256(bytes) !== entry.sha256) {
      problems.push({
        code: 'FILE_HASH_MISMATCH',
        file: entry.name,
        message: `${entry.name} does not have the SHA-256 the manifest lists: it was changed`,
      });
    }
  }
  for (const name of files.keys()) {
    if (!listed.has(name)) {
      problems.push({ code: 'FILE_NOT_LISTED', file: name, message: `${name} is not in the manifest` });
    }
  }
  const figures = files.get(FIGURES_FILE);
  if (figures !== undefined && sha256(figures) !== manifest.figuresSha256) {
    problems.push({
      code: 'FIGURES_HASH_MISMATCH',
      file: FIGURES_FILE,
      message: 'figures.json does not have the manifest’s figuresSha256',
    });
  }
  return done(manifest, key);
}

function normalise(fingerprint: string): string {
  return fingerprint.replace(/[\s:]/g, '').toLowerCase();
}
