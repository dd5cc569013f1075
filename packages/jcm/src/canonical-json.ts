import { createHash, type Hash } from 'node:crypto';

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
  const writer = new CanonicalWriter(undefined);
  writeCanonical(writer, value);
  return writer.finish();
}

/** A register reading as the calculator normalises it: the shape {@link RegisterReadingsJson} writes. */
export interface CanonicalRegisterReading {
  readonly atMs: number;
  readonly register: number;
  readonly bootId: string;
  readonly meterId: string | null;
}

/**
 * A list of register readings to be written as the plain array of the same objects would be — the same
 * bytes (a property test says so) — without looking at each reading's keys: a fleet-month's input is 3.5
 * million of them and writing them through the general path was two fifths of a calculation. Only the
 * writer of this module knows it; anywhere else it is not JSON (`canonicalJson` of it alone refuses it as
 * a class instance would be, except inside this module's writer).
 */
export class RegisterReadingsJson {
  readonly readings: readonly CanonicalRegisterReading[];
  constructor(readings: readonly CanonicalRegisterReading[]) {
    this.readings = readings;
  }
}

/** SHA-256 of a text (UTF-8), lowercase hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * SHA-256 of a value's canonical JSON: the same data gives the same digest whatever its key order. The text
 * is hashed as it is written, in slices, never held whole: a fleet-month's input is 1.7 million readings,
 * over 100 MB of JSON, and building it as one string cost more than the calculation (the digest is the
 * same as `sha256Hex(canonicalJson(value))`, a test says so).
 */
export function canonicalSha256(value: unknown): string {
  const hash = createHash('sha256');
  const writer = new CanonicalWriter(hash);
  writeCanonical(writer, value);
  hash.update(writer.finish(), 'utf8');
  return hash.digest('hex');
}

/** Text written so far is handed to the hash in slices of about this many UTF-16 code units. */
const SLICE = 1 << 16;

/**
 * Collects the canonical text: appended to one string, which is handed to the hash (and emptied) whenever
 * it grows past a slice. Keys are sorted once per object shape (every reading of an array has the same keys
 * in the same order) and each key's `"key":` is written once, which is most of what the writer saves.
 */
class CanonicalWriter {
  text = '';
  private readonly hash: Hash | undefined;
  /** Per nesting depth: the last object's own keys and their sorted order. */
  private readonly lastKeys: (readonly string[] | undefined)[] = [];
  private readonly lastSorted: (readonly string[] | undefined)[] = [];
  private readonly keyPrefixes = new Map<string, string>();
  // 0 and -0 are equal here and both written "0"; NaN never gets this far.
  private lastNumber = Number.NaN;
  private lastNumberText = '';
  private lastString: string | undefined;
  private lastQuoted = '';
  // The boot and meter of the readings last written: each repeats for thousands of readings.
  private lastBoot: string | undefined;
  private lastBootQuoted = '';
  private lastMeter: string | null | undefined;
  private lastMeterQuoted = '';

  constructor(hash: Hash | undefined) {
    this.hash = hash;
  }

  /** Hands what was written to the hash when enough has accumulated (a no-op when writing a string). */
  flush(): void {
    if (this.hash !== undefined && this.text.length >= SLICE) {
      this.hash.update(this.text, 'utf8');
      this.text = '';
    }
  }

  finish(): string {
    const text = this.text;
    this.text = '';
    return text;
  }

  sortedKeys(keys: readonly string[], depth: number): readonly string[] {
    const last = this.lastKeys[depth];
    if (last !== undefined && last.length === keys.length) {
      let same = true;
      for (let i = 0; i < keys.length; i++) {
        if (last[i] !== keys[i]) {
          same = false;
          break;
        }
      }
      if (same) return this.lastSorted[depth] as readonly string[];
    }
    const sorted = [...keys].sort();
    this.lastKeys[depth] = keys;
    this.lastSorted[depth] = sorted;
    return sorted;
  }

  /**
   * A finite number's text. Instants take the integer path; of the other numbers the last is remembered, so a
   * register that stands still (lamps off all day) is converted once.
   */
  numberText(value: number): string {
    if (isLargeInteger(value)) return largeIntegerText(value);
    if (value !== this.lastNumber) {
      this.lastNumber = value;
      this.lastNumberText = String(value);
    }
    return this.lastNumberText;
  }

  /** A string's JSON; the boot id repeated by a vessel's readings is quoted once. */
  quoted(value: string): string {
    if (value !== this.lastString) {
      this.lastString = value;
      this.lastQuoted = JSON.stringify(value);
    }
    return this.lastQuoted;
  }

  /** `{"atMs":…,"bootId":…,"meterId":…,"register":…}` for each reading, keys in canonical order. */
  readings(list: readonly CanonicalRegisterReading[]): void {
    this.text += '[';
    for (let i = 0; i < list.length; i++) {
      const r = list[i] as CanonicalRegisterReading;
      if (!Number.isFinite(r.atMs))
        throw new Unrepresentable(`is ${String(r.atMs)}, not a JSON number`, i, 'atMs');
      if (!Number.isFinite(r.register))
        throw new Unrepresentable(`is ${String(r.register)}, not a JSON number`, i, 'register');
      if (r.bootId !== this.lastBoot) {
        if (typeof r.bootId !== 'string') throw new Unrepresentable('is not a string', i, 'bootId');
        this.lastBoot = r.bootId;
        this.lastBootQuoted = JSON.stringify(r.bootId);
      }
      if (r.meterId !== this.lastMeter) {
        if (r.meterId !== null && typeof r.meterId !== 'string')
          throw new Unrepresentable('is not a string or null', i, 'meterId');
        this.lastMeter = r.meterId;
        this.lastMeterQuoted = r.meterId === null ? 'null' : JSON.stringify(r.meterId);
      }
      this.text += `${i > 0 ? ',' : ''}{"atMs":${this.numberText(r.atMs)},"bootId":${this.lastBootQuoted},"meterId":${this.lastMeterQuoted},"register":${this.numberText(r.register)}}`;
      this.flush();
    }
    this.text += ']';
  }

  keyPrefix(key: string): string {
    let prefix = this.keyPrefixes.get(key);
    if (prefix === undefined) {
      prefix = `${JSON.stringify(key)}:`;
      this.keyPrefixes.set(key, prefix);
    }
    return prefix;
  }
}

const isLargeInteger = (value: number): boolean =>
  value >= 1e7 && value <= Number.MAX_SAFE_INTEGER && Number.isInteger(value);

/**
 * `String(value)` for an integer from 10^7 to 2^53 − 1 (epoch milliseconds): V8 writes such a double through
 * its general path, four times slower than two small integers, which it caches. Same digits (a test
 * compares them); every instant of a fleet-month's readings goes through here.
 */
export function largeIntegerText(value: number): string {
  const high = Math.floor(value / 1e7);
  const low = String(value - high * 1e7);
  return `${String(high)}${'0000000'.slice(low.length)}${low}`;
}

/**
 * Where a value JSON cannot carry was found: the path is assembled while the error unwinds, so that the
 * millions of values of a fleet-month's input are written without building a path string for each.
 */
class Unrepresentable extends Error {
  readonly path: string[] = [];
  readonly what: string;
  constructor(what: string, index?: number, key?: string) {
    super(what);
    this.what = what;
    if (index !== undefined) this.path.push(`[${String(index)}]`, `.${String(key)}`);
  }
}

function writeCanonical(writer: CanonicalWriter, value: unknown): void {
  try {
    write(writer, value, 0);
  } catch (error) {
    if (error instanceof Unrepresentable) {
      throw new TypeError(`canonicalJson: $${error.path.join('')} ${error.what}`, { cause: error });
    }
    throw error;
  }
}

function write(writer: CanonicalWriter, value: unknown, depth: number): void {
  if (value === null) {
    writer.text += 'null';
    return;
  }
  switch (typeof value) {
    case 'boolean':
      writer.text += value ? 'true' : 'false';
      return;
    case 'string':
      writer.text += writer.quoted(value);
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new Unrepresentable(`is ${String(value)}, not a JSON number`);
      // ECMAScript Number::toString, which is what JSON.stringify writes for a finite number (-0 as 0).
      writer.text += writer.numberText(value);
      return;
    case 'object': {
      if (Array.isArray(value)) {
        writer.text += '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) writer.text += ',';
          try {
            write(writer, value[i], depth + 1);
          } catch (error) {
            if (error instanceof Unrepresentable) error.path.unshift(`[${String(i)}]`);
            throw error;
          }
          writer.flush();
        }
        writer.text += ']';
        return;
      }
      if (value instanceof RegisterReadingsJson) {
        writer.readings(value.readings);
        return;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        throw new Unrepresentable('is not a plain object or array');
      }
      const record = value as Record<string, unknown>;
      const keys = writer.sortedKeys(Object.keys(record), depth);
      writer.text += '{';
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string;
        writer.text += i > 0 ? `,${writer.keyPrefix(key)}` : writer.keyPrefix(key);
        try {
          write(writer, record[key], depth + 1);
        } catch (error) {
          if (error instanceof Unrepresentable) error.path.unshift(`.${key}`);
          throw error;
        }
      }
      writer.text += '}';
      return;
    }
    default:
      throw new Unrepresentable(`is ${typeof value}, which JSON cannot carry`);
  }
}
