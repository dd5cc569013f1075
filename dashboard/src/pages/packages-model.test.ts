import { describe, expect, it } from 'vitest';
import type { PackageReceipt, PackageSummary, PartnerId } from '../api/types.js';
import {
  lastCompleteMonth,
  packageRows,
  previousMonth,
  receiptsView,
  versionOfId,
} from './packages-model.js';

function pkg(partner: PartnerId, month: string, version: number): PackageSummary {
  const id = (v: number): string => `${partner}-${month}-v${String(v)}`;
  return {
    packageId: id(version),
    partner,
    version,
    supersedes: version === 1 ? null : id(version - 1),
    period: { from: `${month}-01`, toExclusive: `${month}-28`, timeZone: 'Asia/Ho_Chi_Minh' },
    generatedAtUtc: '2026-12-01T00:00:00.000Z',
    restatements: version === 1 ? 0 : 3,
    readingsRatio: 0.9,
    files: [],
  };
}

describe('the partner packages model', () => {
  it('reads the version from a package id', () => {
    expect(versionOfId('nedo-2026-11-v2')).toBe(2);
    expect(versionOfId('stanley-electric-2026-01-v13')).toBe(13);
    expect(versionOfId(null)).toBeNull();
    expect(versionOfId('nedo-2026-11')).toBeNull();
  });

  it('lists the newest month first, by partner, the version in force above the ones it restated', () => {
    const rows = packageRows([
      pkg('nedo', '2026-10', 1),
      pkg('stanley-electric', '2026-11', 1),
      pkg('nedo', '2026-11', 1),
      pkg('nedo', '2026-11', 3),
      pkg('nedo', '2026-11', 2),
    ]);
    expect(rows.map((r) => r.summary.packageId)).toEqual([
      'nedo-2026-11-v3',
      'nedo-2026-11-v2',
      'nedo-2026-11-v1',
      'stanley-electric-2026-11-v1',
      'nedo-2026-10-v1',
    ]);
    expect(rows.map((r) => [r.month, r.restates, r.supersededBy])).toEqual([
      ['2026-11', 2, null],
      ['2026-11', 1, 3],
      ['2026-11', null, 2],
      ['2026-11', null, null],
      ['2026-10', null, null],
    ]);
  });

  it('takes the last month that has ended in Viet Nam time, across a year end', () => {
    expect(previousMonth('2026-12')).toBe('2026-11');
    expect(previousMonth('2027-01')).toBe('2026-12');
    // 2026-11-30T17:00Z is already 1 December in Viet Nam: November has ended there.
    expect(lastCompleteMonth(Date.UTC(2026, 10, 30, 17, 0))).toBe('2026-11');
    expect(lastCompleteMonth(Date.UTC(2026, 10, 30, 16, 59))).toBe('2026-10');
    expect(lastCompleteMonth(Date.UTC(2027, 0, 15))).toBe('2026-12');
  });

  it('shows the newest receipts first and counts them by kind', () => {
    const receipt = (atMs: number, kind: PackageReceipt['kind']): PackageReceipt => ({
      atMs,
      packageId: 'nedo-2026-11-v1',
      kind,
      by: 'scheduler',
      outcome: 'ok',
    });
    const all = [
      receipt(1, 'issued'),
      receipt(3, 'download'),
      receipt(2, 'delivery'),
      receipt(4, 'download'),
    ];
    const view = receiptsView(all, 3);
    expect(view.latest.map((r) => r.atMs)).toEqual([4, 3, 2]);
    expect(view.counts).toEqual({ issued: 1, download: 2, delivery: 1 });
    expect(all.map((r) => r.atMs)).toEqual([1, 3, 2, 4]);
  });
});
