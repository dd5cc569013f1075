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
  try {
    return write(value);
  } catch (error) {
    if (error instanceof Unrepresentable) {
      throw new TypeError(`canonicalJson: $${error.path.join('')} ${error.what}`, { cause: error });
    }
    throw error;
  }
}

/**
 * Where a value JSON cannot carry was found: the path is assembled while the error unwinds, so that the
 * millions of values of a fleet-month's input are written without building a path string for each.
 */
class Unrepresentable extends Error {
  readonly path: string[] = [];
  readonly what: string;
  constructor(what: string) {
    super(what);
    this.what = what;
  }
}

function write(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Unrepresentable(`is ${String(value)}, not a JSON number`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        const items = new Array<string>(value.length);
        for (let i = 0; i < value.length; i++) {
          try {
            items[i] = write(value[i]);
          } catch (error) {
            if (error instanceof Unrepresentable) error.path.unshift(`[${String(i)}]`);
            throw error;
          }
        }
        return `[${items.join(',')}]`;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        throw new Unrepresentable('is not a plain object or array');
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      const members = new Array<string>(keys.length);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string;
        try {
          members[i] = `${JSON.stringify(key)}:${write(record[key])}`;
        } catch (error) {
          if (error instanceof Unrepresentable) error.path.unshift(`.${key}`);
          throw error;
        }
      }
      return `{${members.join(',')}}`;
    }
    default:
      throw new Unrepresentable(`is ${typeof value}, which JSON cannot carry`);
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
