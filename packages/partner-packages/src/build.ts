import { createHash } from 'node:crypto';
import {
  JCM_RESULT_SCHEMA,
  PACKAGE_MANIFEST_SCHEMA,
  PackageManifest,
  type PackageFile,
  type PackageLanguage,
  type PackageScope,
  type PartnerId,
} from '@qt-led/contract';
import { canonicalJson, diffResults, type ResultChange } from '@qt-led/jcm';
import type { CsvCell } from './csv.js';
import { csvFile } from './csv.js';
import type { PackageFigures } from './figures.js';
import { packageReadme } from './readme.js';
import type { PackageSigner } from './signing.js';
import { columnHeader, packageTables } from './tables.js';
import { packageWorkbook } from './xlsx.js';
import { utcIso, utcOffsetAt, zonedIso } from './zone-time.js';

export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';
export const FIGURES_FILE = 'figures.json';
export const WORKBOOK_FILE = 'monitoring-report.xlsx';
export const README_FILE = 'README.txt';
export const PUBLIC_KEY_FILE = 'signing-key.pub.pem';

export interface BuildPackageInput {
  partner: PartnerId;
  scope: PackageScope;
  language: PackageLanguage;
  version: number;
  /** The version this one restates, with the figures it gave; null for a first version. */
  previous: { packageId: string; figures: unknown } | null;
  figures: PackageFigures;
  generatedAtMs: number;
  signer: PackageSigner;
}

export interface BuiltPackage {
  manifest: PackageManifest;
  /** Every file of the package by name, the manifest and its signature included. */
  files: Map<string, Buffer>;
}

export function packageIdOf(partner: PartnerId, from: string, version: number): string {
  return `${partner}-${from.slice(0, 7)}-v${String(version)}`;
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Why the figures moved, from what produced them: the same wording on every row of one restatement. */
function restatementReason(previous: unknown, figures: PackageFigures): string {
  const before = (previous as { result?: { provenance?: Record<string, unknown> } }).result?.provenance;
  const after = figures.result.provenance;
  const reasons: string[] = [];
  if (before?.['inputSha256'] !== after.inputSha256)
    reasons.push('readings received or corrected after the previous version (input data changed)');
  if (before?.['parameterSetSha256'] !== after.parameterSetSha256)
    reasons.push('methodology parameters changed');
  if (before?.['calculatorVersion'] !== after.calculatorVersion) reasons.push('calculator version changed');
  if (reasons.length === 0)
    reasons.push('LED records (nights, lamp faults) received after the previous version');
  return reasons.join('; ');
}

const valueText = (value: ResultChange['old']): string | null =>
  value === null ? null : canonicalJson(value);

/**
 * Builds one package from its figures: the tables as CSV, the workbook, `figures.json` (the figures with
 * every intermediate, canonical JSON), the README, the public key, then the manifest listing every file
 * with its SHA-256 and size, and the detached Ed25519 signature over the manifest's bytes. Pure apart
 * from the signer: the same input gives the same figure files.
 */
export async function buildPackage(input: BuildPackageInput): Promise<BuiltPackage> {
  const { figures, signer } = input;
  const { result } = figures;
  const { period } = result;
  const packageId = packageIdOf(input.partner, period.from, input.version);
  const figuresJson = Buffer.from(canonicalJson(figures), 'utf8');
  const changes =
    input.previous === null
      ? []
      : diffResults(input.previous.figures, JSON.parse(figuresJson.toString('utf8')) as unknown);
  const reason = input.previous === null ? '' : restatementReason(input.previous.figures, figures);
  const restatementRows: CsvCell[][] = changes.map((c) => [
    c.path,
    c.kind,
    valueText(c.old),
    valueText(c.new),
    reason,
  ]);
  const tables = packageTables(figures, restatementRows);

  const vessels = result.vessels.map((v) => ({
    vesselId: v.vesselId,
    energyObservedRatio: v.completeness.energyObservedRatio,
    lampOnObservedRatio: v.completeness.lampOnObservedRatio,
    readingsExpected: v.completeness.readingsExpected,
    readingsReceived: v.completeness.readingsReceived,
    readingsRatio: v.completeness.readingsRatio,
    flags: [...v.flags],
  }));
  const head = {
    schema: PACKAGE_MANIFEST_SCHEMA,
    packageId,
    version: input.version,
    supersedes: input.previous?.packageId ?? null,
    partner: input.partner,
    scope: input.scope,
    language: input.language,
    period: {
      from: period.from,
      toExclusive: period.toExclusive,
      timeZone: period.timeZone,
      utcOffset: utcOffsetAt(period.fromMs, period.timeZone),
      fromUtc: utcIso(period.fromMs),
      toUtc: utcIso(period.toMs),
    },
    generatedAtUtc: utcIso(input.generatedAtMs),
    contract: { manifestSchema: PACKAGE_MANIFEST_SCHEMA, resultSchema: JCM_RESULT_SCHEMA },
    methodology: {
      id: result.provenance.methodologyId,
      version: result.provenance.methodologyVersion,
      variant: result.provenance.variant,
      parameterSetSha256: result.provenance.parameterSetSha256,
    },
    calculator: { name: result.provenance.calculator, version: result.provenance.calculatorVersion },
    inputSha256: result.provenance.inputSha256,
    completeness: {
      readingsExpected: result.fleet.completeness.readingsExpected,
      readingsReceived: result.fleet.completeness.readingsReceived,
      readingsRatio: result.fleet.completeness.readingsRatio,
      energyObservedRatio: result.fleet.completeness.energyObservedRatio,
      vessels,
    },
    restatements: changes.length,
    signature: {
      algorithm: 'Ed25519' as const,
      file: SIGNATURE_FILE,
      publicKeyFingerprint: signer.fingerprint,
    },
  } satisfies Omit<PackageManifest, 'files' | 'figuresSha256'>;

  const files = new Map<string, { bytes: Buffer; mediaType: string; description: string }>();
  for (const table of tables) {
    const header = table.columns.map((c) => columnHeader(c, period.timeZone, period.fromMs));
    const rows = table.rows.map((row) =>
      row.map((cell, i) =>
        table.columns[i]?.kind === 'instant' && typeof cell === 'number'
          ? zonedIso(cell, period.timeZone)
          : cell,
      ),
    );
    files.set(table.file, {
      bytes: csvFile(header, rows),
      mediaType: 'text/csv; charset=utf-8; header=present',
      description: table.description.en,
    });
  }
  // The files besides the tables, with their descriptions in both languages (the README lists them).
  const others = {
    [FIGURES_FILE]: {
      en: 'the figures with every intermediate value, canonical JSON (RFC 8785); figuresSha256 is its hash',
      ja: '全中間値を含む数値データ（正規化JSON、RFC 8785）。figuresSha256 はそのハッシュ',
    },
    [WORKBOOK_FILE]: {
      en: 'the same tables as a workbook laid out like a JCM monitoring report, with a summary sheet',
      ja: '同じ表をJCMモニタリング報告書の形式にまとめたワークブック（概要シート付き）',
    },
    [PUBLIC_KEY_FILE]: {
      en: "the platform's public signing key (compare its fingerprint with the published one)",
      ja: 'プラットフォームの署名用公開鍵（フィンガープリントを公開値と照合のこと）',
    },
    [MANIFEST_FILE]: {
      en: 'what this package is and every file with its SHA-256',
      ja: 'パッケージの内容と全ファイルの SHA-256',
    },
    [SIGNATURE_FILE]: { en: 'Ed25519 signature over manifest.json', ja: 'manifest.json の Ed25519 署名' },
  };
  files.set(FIGURES_FILE, {
    bytes: figuresJson,
    mediaType: 'application/json',
    description: others[FIGURES_FILE].en,
  });
  files.set(WORKBOOK_FILE, {
    bytes: await packageWorkbook(head, figures, tables),
    mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    description: others[WORKBOOK_FILE].en,
  });
  files.set(PUBLIC_KEY_FILE, {
    bytes: Buffer.from(signer.publicKeyPem, 'utf8'),
    mediaType: 'application/x-pem-file',
    description: others[PUBLIC_KEY_FILE].en,
  });
  files.set(README_FILE, {
    bytes: packageReadme(
      head,
      tables,
      Object.entries(others).map(([name, d]) => ({ name, ...d })),
    ),
    mediaType: 'text/plain; charset=utf-8',
    description: 'what the files are and how to verify the package, in English and Japanese',
  });

  const listed: PackageFile[] = [...files].map(([name, f]) => ({
    name,
    sha256: sha256(f.bytes),
    bytes: f.bytes.length,
    mediaType: f.mediaType,
    description: f.description,
  }));
  const manifest = PackageManifest.parse({ ...head, figuresSha256: sha256(figuresJson), files: listed });
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  const out = new Map<string, Buffer>([...files].map(([name, f]) => [name, f.bytes]));
  out.set(MANIFEST_FILE, manifestBytes);
  out.set(SIGNATURE_FILE, signer.sign(manifestBytes));
  return { manifest, files: out };
}
