import { appendFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  PackageManifest,
  type PackageReceipt,
  type PackageSummary,
  PARTNER_IDS,
  type PartnerId,
  PackageId,
} from '@qt-led/contract';
import { FIGURES_FILE, MANIFEST_FILE, type BuiltPackage } from './build.js';

/** A record of one issue, download or delivery attempt: who, when, what, the outcome. */
export type { PackageReceipt };

export interface Outbox {
  readonly directory: string;
  /** Packages newest period first, then newest version first. */
  list(partner?: PartnerId): Promise<PackageSummary[]>;
  /** The latest version issued for a partner's period (`from` = its first local day). */
  latest(
    partner: PartnerId,
    from: string,
  ): Promise<{ manifest: PackageManifest; figures: unknown } | undefined>;
  /** Every file of a package, or undefined when there is no such package. */
  read(packageId: string): Promise<Map<string, Buffer> | undefined>;
  /** Writes a package atomically (a temporary directory renamed into place); refuses to overwrite. */
  write(built: BuiltPackage): Promise<void>;
  receipt(partner: PartnerId, receipt: PackageReceipt): Promise<void>;
  receipts(partner: PartnerId): Promise<PackageReceipt[]>;
  /** The scheduler's first period per partner, kept so that a restart catches up from it. */
  since(partner: PartnerId): Promise<string | undefined>;
  setSince(partner: PartnerId, from: string): Promise<void>;
}

const ID_PARTS = /^(.+)-(\d{4}-\d{2})-v(\d+)$/;

export function parsePackageId(
  packageId: string,
): { partner: PartnerId; month: string; version: number } | undefined {
  if (!PackageId.safeParse(packageId).success) return undefined;
  const m = ID_PARTS.exec(packageId);
  const partner = PARTNER_IDS.find((p) => p === m?.[1]);
  if (m === null || partner === undefined) return undefined;
  return { partner, month: m[2] as string, version: Number(m[3]) };
}

/**
 * Issued packages on disk: `<directory>/<partner>/<packageId>/<files>`. A package directory appears whole
 * or not at all (written beside, then renamed), and is never changed afterwards; a restatement is a new
 * version beside it. Receipts are appended to `<partner>/receipts.jsonl`.
 */
export function openOutbox(directory: string): Outbox {
  const partnerDir = (partner: PartnerId): string => join(directory, partner);

  async function manifestsOf(partner: PartnerId): Promise<PackageManifest[]> {
    let names: string[];
    try {
      names = await readdir(partnerDir(partner));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const out: PackageManifest[] = [];
    for (const name of names) {
      if (parsePackageId(name)?.partner !== partner) continue;
      const text = await readFile(join(partnerDir(partner), name, MANIFEST_FILE), 'utf8');
      out.push(PackageManifest.parse(JSON.parse(text)));
    }
    return out.sort((a, b) => b.period.from.localeCompare(a.period.from) || b.version - a.version);
  }

  async function readPackage(packageId: string): Promise<Map<string, Buffer> | undefined> {
    const parts = parsePackageId(packageId);
    if (parts === undefined) return undefined;
    const dir = join(partnerDir(parts.partner), packageId);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const files = new Map<string, Buffer>();
    for (const name of names.sort()) files.set(name, await readFile(join(dir, name)));
    return files;
  }

  return {
    directory,
    async list(partner) {
      const partners = partner === undefined ? PARTNER_IDS : [partner];
      const all = (await Promise.all(partners.map(manifestsOf))).flat();
      return all
        .sort(
          (a, b) =>
            b.period.from.localeCompare(a.period.from) ||
            a.partner.localeCompare(b.partner) ||
            b.version - a.version,
        )
        .map((m) => ({
          packageId: m.packageId,
          partner: m.partner,
          version: m.version,
          supersedes: m.supersedes,
          period: { from: m.period.from, toExclusive: m.period.toExclusive, timeZone: m.period.timeZone },
          generatedAtUtc: m.generatedAtUtc,
          restatements: m.restatements,
          readingsRatio: m.completeness.readingsRatio,
          files: m.files.map((f) => ({ name: f.name, bytes: f.bytes })),
        }));
    },
    async latest(partner, from) {
      const manifest = (await manifestsOf(partner)).find((m) => m.period.from === from);
      if (manifest === undefined) return undefined;
      const text = await readFile(join(partnerDir(partner), manifest.packageId, FIGURES_FILE), 'utf8');
      return { manifest, figures: JSON.parse(text) as unknown };
    },
    read: readPackage,
    async write(built) {
      const { partner, packageId } = built.manifest;
      const target = join(partnerDir(partner), packageId);
      const temporary = join(partnerDir(partner), `.tmp-${packageId}`);
      await rm(temporary, { recursive: true, force: true });
      await mkdir(temporary, { recursive: true });
      for (const [name, bytes] of built.files) await writeFile(join(temporary, name), bytes);
      try {
        // rename() onto an existing non-empty directory fails: an issued package is never replaced.
        await rename(temporary, target);
      } catch (error) {
        await rm(temporary, { recursive: true, force: true });
        throw new Error(`package ${packageId} exists already; issued packages are never replaced`, {
          cause: error,
        });
      }
    },
    async receipt(partner, receipt) {
      await mkdir(partnerDir(partner), { recursive: true });
      await appendFile(join(partnerDir(partner), 'receipts.jsonl'), `${JSON.stringify(receipt)}\n`);
    },
    async receipts(partner) {
      try {
        const text = await readFile(join(partnerDir(partner), 'receipts.jsonl'), 'utf8');
        return text
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as PackageReceipt);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
    },
    async since(partner) {
      try {
        const state = JSON.parse(await readFile(join(partnerDir(partner), 'schedule.json'), 'utf8')) as {
          since?: string;
        };
        return state.since;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async setSince(partner, from) {
      await mkdir(partnerDir(partner), { recursive: true });
      const path = join(partnerDir(partner), 'schedule.json');
      await writeFile(`${path}.tmp`, `${JSON.stringify({ since: from })}\n`);
      await rename(`${path}.tmp`, path);
    },
  };
}
