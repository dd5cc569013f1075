import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PACKAGES_CONFIG, deliveryTargetsOf, loadPackagesConfig } from './config.js';
import { lastDueMonth, nextMonth } from './scheduler.js';

async function file(content: unknown): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'qtled-packages-config-')), 'packages.json');
  await writeFile(path, JSON.stringify(content));
  return path;
}

describe('the package schedule', () => {
  it('defaults to NEDO and Stanley Electric monthly in Japanese, and names the field of a bad file', async () => {
    expect(loadPackagesConfig(undefined)).toEqual(DEFAULT_PACKAGES_CONFIG);
    expect(DEFAULT_PACKAGES_CONFIG.partners.map((p) => [p.partner, p.scope, p.language])).toEqual([
      ['nedo', 'emissions', 'ja'],
      ['stanley-electric', 'led-performance', 'ja'],
    ]);
    const plain = await file({
      partners: [{ partner: 'nedo', scope: 'emissions', delivery: { url: 'http://nedo.example/in' } }],
    });
    expect(() => loadPackagesConfig(plain)).toThrow(
      /partners\.0\.delivery\.url: expected the partner's https/,
    );
    const twice = await file({
      partners: [
        { partner: 'nedo', scope: 'emissions' },
        { partner: 'nedo', scope: 'emissions' },
      ],
    });
    expect(() => loadPackagesConfig(twice)).toThrow(/each partner appears once/);
  });

  it('reads a delivery secret from the variable it names, and refuses to start when it is unset', async () => {
    const path = await file({
      partners: [
        {
          partner: 'nedo',
          scope: 'emissions',
          delivery: { url: 'https://nedo.example/in', authorizationEnv: 'NEDO_DELIVERY_AUTHORIZATION' },
        },
      ],
    });
    const config = loadPackagesConfig(path);
    expect(deliveryTargetsOf(config, { NEDO_DELIVERY_AUTHORIZATION: 'Bearer s3cret' }).get('nedo')).toEqual({
      url: 'https://nedo.example/in',
      authorization: 'Bearer s3cret',
      attempts: 5,
      retryBaseMs: 1_000,
      timeoutMs: 30_000,
    });
    expect(() => deliveryTargetsOf(config, {})).toThrow(/NEDO_DELIVERY_AUTHORIZATION is not set/);
  });

  it('knows which month is due: the last one ended, plus the delay, in Viet Nam time', () => {
    // 1 December 00:30 in Hanoi is still 30 November in UTC: November has ended there.
    expect(lastDueMonth(Date.parse('2026-11-30T17:30:00Z'), 0)).toBe('2026-11-01');
    expect(lastDueMonth(Date.parse('2026-11-30T16:30:00Z'), 0)).toBe('2026-10-01');
    expect(lastDueMonth(Date.parse('2026-12-03T02:00:00Z'), 5)).toBe('2026-10-01');
    expect(lastDueMonth(Date.parse('2027-01-06T02:00:00Z'), 5)).toBe('2026-12-01');
    expect(nextMonth('2026-12-01')).toBe('2027-01-01');
  });
});
