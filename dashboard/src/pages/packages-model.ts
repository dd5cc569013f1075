import type { PackageReceipt, PackageSummary, ReceiptKind } from '../api/types.js';
import { localDateOf } from '../i18n/i18n.js';

/** The version in a package id: `nedo-2026-11-v2` → 2; null for anything else. */
export function versionOfId(packageId: string | null): number | null {
  const match = packageId === null ? null : /-v(\d{1,4})$/.exec(packageId);
  return match?.[1] === undefined ? null : Number(match[1]);
}

/** A package as the list shows it: its month, the version it restates and the one that replaced it. */
export interface PackageRow {
  summary: PackageSummary;
  /** `YYYY-MM` */
  month: string;
  /** The version this one restates (its `supersedes`), null for a first version. */
  restates: number | null;
  /** The next version of the same partner's month, when one was issued; null for the one in force. */
  supersededBy: number | null;
}

/**
 * Newest month first, then by partner, then newest version first — the version in force above the ones it
 * restated, each with the version that replaced it.
 */
export function packageRows(list: readonly PackageSummary[]): PackageRow[] {
  const byMonth = new Map<string, number[]>();
  for (const p of list) {
    const key = `${p.partner} ${p.period.from}`;
    byMonth.set(key, [...(byMonth.get(key) ?? []), p.version]);
  }
  return [...list]
    .sort(
      (a, b) =>
        b.period.from.localeCompare(a.period.from) ||
        a.partner.localeCompare(b.partner) ||
        b.version - a.version,
    )
    .map((summary) => {
      const later = (byMonth.get(`${summary.partner} ${summary.period.from}`) ?? []).filter(
        (v) => v > summary.version,
      );
      return {
        summary,
        month: summary.period.from.slice(0, 7),
        restates: versionOfId(summary.supersedes),
        supersededBy: later.length === 0 ? null : Math.min(...later),
      };
    });
}

/** `YYYY-MM` one month before `month`. */
export function previousMonth(month: string): string {
  const [year = 0, m = 1] = month.split('-').map(Number);
  return m === 1
    ? `${String(year - 1).padStart(4, '0')}-12`
    : `${String(year).padStart(4, '0')}-${String(m - 1).padStart(2, '0')}`;
}

/** The last month that has ended at `nowMs` in Viet Nam time (`YYYY-MM`): the latest a partner may get. */
export function lastCompleteMonth(nowMs: number): string {
  return previousMonth(localDateOf(nowMs).slice(0, 7));
}

/** The newest receipts first, at most `limit`, and how many there are of each kind. */
export function receiptsView(
  receipts: readonly PackageReceipt[],
  limit: number,
): { latest: PackageReceipt[]; counts: Record<ReceiptKind, number> } {
  const counts: Record<ReceiptKind, number> = { issued: 0, download: 0, delivery: 0 };
  for (const r of receipts) counts[r.kind] += 1;
  const latest = [...receipts].sort((a, b) => b.atMs - a.atMs).slice(0, limit);
  return { latest, counts };
}
