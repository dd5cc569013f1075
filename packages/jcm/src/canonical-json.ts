import { createHash } from 'node:crypto';

/** A JSON value as the calculator emits it: no `undefined`, no NaN, no class instances. */
export type JsonValue =
  null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * Canonical JSON after RFC 8785 (JCS) for the values the calculator produces: object keys sorted by UTF-16
 * code units, no whitespace, numbers and strings as ECMAScript `JSON.stringify` writes them (which is what
 * JCS specifies). Unlike `JSON.stringify` it refuses what JSON cannot carry — NaN, ±Infinity, `undefined`,
 * functions, symbols, bigints, class instances — instead of silently writing `null` or dropping a key, so a
 * defect can never be hashed into a "reproducible" figure. Object properties whose value is `undefined` are
 * refused too: the calculator writes `null` for "no value".
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value))
        throw new TypeError(`canonicalJson: ${path} is ${String(value)}, not a JSON number`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((item, i) => write(item, `${path}[${String(i)}]`)).join(',')}]`;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(`canonicalJson: ${path} is not a plain object or array`);
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      return `{${keys.map((key) => `${JSON.stringify(key)}:${write(record[key], `${path}.${key}`)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: ${path} is ${typeof value}, which JSON cannot carry`);
  }
}

/** SHA-256 of a text (UTF-8), lowercase hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** SHA-256 of a value's canonical JSON: the same data gives the same digest whatever its key order. */
export function canonicalSha256(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
