import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  canonicalSha256,
  largeIntegerText,
  RegisterReadingsJson,
  sha256Hex,
} from './canonical-json.js';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units at every level and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: true }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":true,"z":null}]},"b":1}',
    );
    // RFC 8785 §3.2.3: "\u20ac" (€) sorts after "\r" and before the emoji's surrogate pair.
    expect(canonicalJson({ '\u20ac': 1, '\r': 2, '\ud83d\ude00': 3, '1': 4 })).toBe(
      '{"\\r":2,"1":4,"€":1,"😀":3}',
    );
  });

  it('writes numbers the ECMAScript way, as JCS specifies', () => {
    expect(canonicalJson([1e21, 1e-7, 0.1 + 0.2, -0, 333333333.3333333, 4.5, 2e-3])).toBe(
      '[1e+21,1e-7,0.30000000000000004,0,333333333.3333333,4.5,0.002]',
    );
  });

  it('refuses what JSON cannot carry instead of writing null or dropping it', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/\$\.a is NaN/);
    expect(() => canonicalJson([Infinity])).toThrow(/\$\[0\] is Infinity/);
    expect(() => canonicalJson({ a: undefined })).toThrow(/\$\.a is undefined/);
    expect(() => canonicalJson({ when: new Date(0) })).toThrow(/not a plain object/);
    expect(() => canonicalJson({ n: 1n })).toThrow(/bigint/);
  });

  it('hashes the same data to the same digest whatever its key order', () => {
    expect(canonicalSha256({ a: 1, b: [1, 2] })).toBe(canonicalSha256({ b: [1, 2], a: 1 }));
    expect(canonicalSha256({ a: 1, b: [2, 1] })).not.toBe(canonicalSha256({ a: 1, b: [1, 2] }));
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes, slice by slice, exactly the text it writes', () => {
    // Readings of alternating shapes and repeated strings, far more than one slice of text.
    const readings = Array.from({ length: 20_000 }, (_, i) => ({
      ...(i % 3 === 0 ? { meterId: null } : {}),
      register: i / 7,
      atMs: 1_709_226_000_000 + i * 60_000,
      bootId: i < 10_000 ? 'feed0301' : 'b0000002',
      note: i % 1_000 === 0 ? 'line\nbreak "quoted" €' : 'plain',
    }));
    const value = { vessels: [{ readings, days: [{ date: '2024-03-01', n: 1 }] }], period: { from: 'x' } };
    expect(canonicalSha256(value)).toBe(sha256Hex(canonicalJson(value)));
    expect(canonicalJson(value)).toBe(canonicalJson(JSON.parse(JSON.stringify(value)) as unknown));
    expect(() => canonicalSha256({ ...value, late: [...readings, { atMs: Number.NaN }] })).toThrow(
      /\$\.late\[20000\]\.atMs is NaN/,
    );
  });

  it('writes large integers with the digits Number::toString gives', () => {
    for (const n of [1e7, 1e7 + 1, 99_999_999, 1_709_226_000_000, 1e15, 2 ** 53 - 1, 10_000_000_000_007]) {
      expect(largeIntegerText(n)).toBe(String(n));
    }
    fc.assert(
      fc.property(fc.integer({ min: 1e7, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(largeIntegerText(n)).toBe(String(n));
      }),
      { numRuns: 5_000 },
    );
    expect(canonicalJson([1e7, 123_456_789_012, 2 ** 53, 1e21, -12_345_678_901])).toBe(
      '[10000000,123456789012,9007199254740992,1e+21,-12345678901]',
    );
  });

  it('writes register readings through its fast path byte for byte as the plain array', () => {
    const reading = fc.record({
      atMs: fc.oneof(fc.nat(), fc.integer({ min: 1e12, max: Number.MAX_SAFE_INTEGER }), fc.constant(1e7)),
      register: fc.oneof(
        fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }),
        fc.constantFrom(0, -0, 1e21, 1e-7, 5e-324, 1234.5678, 1e7),
      ),
      // Repeated boots and meters (the caches) and strings that need escaping.
      bootId: fc.oneof(fc.constantFrom('abcd0001', 'abcd0002'), fc.string({ unit: 'grapheme' })),
      meterId: fc.oneof(fc.constant(null), fc.constantFrom('EM17-1', 'EM17-2'), fc.string()),
    });
    fc.assert(
      fc.property(fc.array(reading, { maxLength: 60 }), fc.array(reading, { maxLength: 5 }), (a, b) => {
        const plain = { vessels: [{ energyReadings: a, fuelReadings: b, vesselId: 'v' }] };
        const fast = {
          vessels: [
            {
              energyReadings: new RegisterReadingsJson(a),
              fuelReadings: new RegisterReadingsJson(b),
              vesselId: 'v',
            },
          ],
        };
        expect(canonicalJson(fast)).toBe(canonicalJson(plain));
        expect(canonicalSha256(fast)).toBe(canonicalSha256(plain));
      }),
      { numRuns: 300 },
    );
    // Far more than one slice, as a fleet-month's readings are.
    const many = Array.from({ length: 30_000 }, (_, i) => ({
      atMs: 1_709_226_000_000 + i * 60_000,
      register: 5_000 + i / 7,
      bootId: i < 10_000 ? 'abcd0001' : 'abcd0002',
      meterId: i % 5 === 0 ? null : 'EM17-7360',
    }));
    expect(canonicalSha256({ r: new RegisterReadingsJson(many) })).toBe(canonicalSha256({ r: many }));
  });

  it('refuses in its fast path what JSON cannot carry, saying where', () => {
    const bad = [
      { atMs: 1, register: 2, bootId: 'b', meterId: null },
      { atMs: 2, register: Number.NaN, bootId: 'b', meterId: null },
    ];
    expect(() => canonicalJson({ energyReadings: new RegisterReadingsJson(bad) })).toThrow(
      /\$\.energyReadings\[1\]\.register is NaN/,
    );
  });
});
