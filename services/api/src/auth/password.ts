import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with scrypt from `node:crypto`: a memory-hard KDF (RFC 7914) maintained as part of
 * Node's standard library (OpenSSL), so there is no native add-on to keep building. Default cost
 * N = 2^15, r = 8, p = 1 (32 MiB per guess), which fits the small 2-core servers this platform runs on;
 * raise it through {@link ScryptCost} when hardware allows. Every user gets a fresh 16-byte salt, and the
 * stored string carries its parameters, so a stronger cost applies to new hashes without breaking old ones.
 */
export interface ScryptCost {
  readonly logN: number;
  readonly r: number;
  readonly p: number;
}

export const DEFAULT_SCRYPT_COST: ScryptCost = { logN: 15, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const n = 2 ** cost.logN;
  const options: ScryptOptions = {
    N: n,
    r: cost.r,
    p: cost.p,
    // scrypt needs 128 · N · r bytes; Node's default ceiling (32 MiB) is exactly that at 2^15, so leave room.
    maxmem: 256 * n * cost.r,
  };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

/** `scrypt$<logN>$<r>$<p>$<salt b64>$<key b64>` */
export async function hashPassword(
  password: string,
  cost: ScryptCost = DEFAULT_SCRYPT_COST,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, cost);
  return ['scrypt', cost.logN, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Constant-time comparison of the derived key; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, logN, r, p, saltB64, keyB64] = parts as [string, string, string, string, string, string];
  const cost = { logN: Number(logN), r: Number(r), p: Number(p) };
  if (![cost.logN, cost.r, cost.p].every((v) => Number.isInteger(v) && v > 0) || cost.logN > 22) return false;
  const expected = Buffer.from(keyB64, 'base64');
  const actual = await derive(password, Buffer.from(saltB64, 'base64'), cost);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** A random password for generated accounts: 24 characters from base64url (144 bits). */
export function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}
