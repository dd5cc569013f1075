import { z } from 'zod';
import { PACKAGE_RECEIPT_KINDS, PACKAGE_SCOPES, PARTNER_IDS } from './code-lists.js';
import { VesselId } from './ids.js';
import { LocalDate } from './registry.js';

/**
 * The data packages the platform issues to the project's Japanese partners: what a package's manifest says
 * (the file a partner verifies first, signed with the platform's Ed25519 key) and how the API lists them.
 */

export const PACKAGE_MANIFEST_SCHEMA = 'qtled.partner-package/1';

export const PartnerId = z.enum(PARTNER_IDS);
export type PartnerId = z.infer<typeof PartnerId>;

export const PackageScope = z.enum(PACKAGE_SCOPES);
export type PackageScope = z.infer<typeof PackageScope>;

export const PackageLanguage = z.enum(['ja', 'en']);
export type PackageLanguage = z.infer<typeof PackageLanguage>;

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 as 64 lowercase hex digits');

/** `nedo-2026-11-v1`: partner, first local day's month, version. */
export const PackageId = z
  .string()
  .regex(/^[a-z][a-z-]{1,40}-\d{4}-\d{2}-v\d{1,4}$/, 'expected <partner>-<YYYY>-<MM>-v<version>');
export type PackageId = z.infer<typeof PackageId>;

/** A file name inside a package: plain names only (no directories, no traversal). */
export const PackageFileName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'expected a plain file name')
  .refine((name) => !name.includes('..'), 'a file name may not contain ".."');

export const PackageFile = z.object({
  name: PackageFileName,
  sha256: Sha256Hex,
  bytes: z.int().min(0),
  mediaType: z.string(),
  description: z.string(),
});
export type PackageFile = z.infer<typeof PackageFile>;

export const PackageVesselCompleteness = z.object({
  vesselId: VesselId,
  energyObservedRatio: z.number().nullable(),
  lampOnObservedRatio: z.number().nullable(),
  readingsExpected: z.int().min(0),
  readingsReceived: z.int().min(0),
  readingsRatio: z.number().nullable(),
  flags: z.array(z.string()),
});
export type PackageVesselCompleteness = z.infer<typeof PackageVesselCompleteness>;

/** One figure an earlier version of the package gave differently. */
export const PackageRestatement = z.object({
  figure: z.string().describe('path of the figure in the result, e.g. vessels[QT-90145-TS].energyMwh'),
  kind: z.enum(['changed', 'added', 'removed']),
  oldValue: z.string().nullable().describe('canonical JSON of the value as issued before'),
  newValue: z.string().nullable(),
  reason: z.string(),
});
export type PackageRestatement = z.infer<typeof PackageRestatement>;

export const PackageManifest = z
  .object({
    schema: z.literal(PACKAGE_MANIFEST_SCHEMA),
    packageId: PackageId,
    version: z.int().min(1),
    supersedes: PackageId.nullable().describe('the version this one restates; null for the first'),
    partner: PartnerId,
    scope: PackageScope,
    language: PackageLanguage,
    period: z.object({
      from: LocalDate,
      toExclusive: LocalDate,
      timeZone: z.string().describe('IANA zone the local days are counted in'),
      utcOffset: z.string().describe('the offset of that zone, ±HH:MM'),
      fromUtc: z.iso.datetime(),
      toUtc: z.iso.datetime(),
    }),
    generatedAtUtc: z.iso.datetime(),
    contract: z.object({ manifestSchema: z.string(), resultSchema: z.string() }),
    methodology: z.object({
      id: z.string(),
      version: z.string(),
      variant: z.string(),
      parameterSetSha256: Sha256Hex,
    }),
    calculator: z.object({ name: z.string(), version: z.string() }),
    inputSha256: Sha256Hex.describe("the calculator's input hash (canonical JSON of the normalised input)"),
    figuresSha256: Sha256Hex.describe(
      'SHA-256 of the figures (canonical JSON of the result): equal figures, equal hash',
    ),
    completeness: z.object({
      readingsExpected: z.int().min(0),
      readingsReceived: z.int().min(0),
      readingsRatio: z.number().nullable(),
      energyObservedRatio: z.number().nullable(),
      vessels: z.array(PackageVesselCompleteness),
    }),
    restatements: z.int().min(0).describe('rows in restatements.csv (0 for a first version)'),
    signature: z.object({
      algorithm: z.literal('Ed25519'),
      file: z.literal('manifest.sig'),
      publicKeyFingerprint: z.string().describe('SHA-256 of the public key (DER SubjectPublicKeyInfo), hex'),
    }),
    files: z.array(PackageFile).min(1),
  })
  .meta({ id: 'PartnerPackageManifest' });
export type PackageManifest = z.infer<typeof PackageManifest>;

/** A package as the API lists it. */
export const PackageSummary = z
  .object({
    packageId: PackageId,
    partner: PartnerId,
    version: z.int().min(1),
    supersedes: PackageId.nullable(),
    period: z.object({ from: LocalDate, toExclusive: LocalDate, timeZone: z.string() }),
    generatedAtUtc: z.iso.datetime(),
    restatements: z.int().min(0),
    readingsRatio: z.number().nullable(),
    files: z.array(z.object({ name: z.string(), bytes: z.int().min(0) })),
  })
  .meta({ id: 'PartnerPackageSummary' });
export type PackageSummary = z.infer<typeof PackageSummary>;

/** A partner's schedule, as `GET /api/v1/packages/schedule` lists it. */
export const PackageScheduleEntry = z
  .object({
    partner: PartnerId,
    scope: PackageScope,
    language: PackageLanguage,
    delayDays: z.number(),
    restateMonths: z.number(),
    since: LocalDate.nullable().describe('the first month the schedule issues; null before its first pass'),
    nextPeriodFrom: LocalDate.describe('the month the schedule issues next (its first local day)'),
    nextDueMs: z.number(),
  })
  .meta({ id: 'PartnerPackageScheduleEntry' });
export type PackageScheduleEntry = z.infer<typeof PackageScheduleEntry>;

/** What issuing a partner's month gave: a new version, or the one already holding these figures. */
export const PackageIssueOutcome = z
  .object({
    partner: PartnerId,
    from: LocalDate,
    packageId: PackageId,
    issued: z
      .boolean()
      .describe('false: the latest version already holds these figures, nothing new was issued'),
    version: z.number(),
    restatements: z.number(),
  })
  .meta({ id: 'PartnerPackageIssueOutcome' });
export type PackageIssueOutcome = z.infer<typeof PackageIssueOutcome>;

/** One issue, download or delivery attempt of a package. */
export const PackageReceipt = z
  .object({
    atMs: z.number(),
    packageId: z.string(),
    kind: z.enum(PACKAGE_RECEIPT_KINDS),
    by: z.string().describe('"scheduler", a username, "token:<name>", or the delivery endpoint'),
    outcome: z.enum(['ok', 'failed']),
    detail: z.string().optional(),
  })
  .meta({ id: 'PartnerPackageReceipt' });
export type PackageReceipt = z.infer<typeof PackageReceipt>;

/** The platform's public package-signing key (`GET /api/v1/packages/signing-key`). */
export const PackageSigningKey = z
  .object({
    algorithm: z.literal('Ed25519'),
    publicKeyPem: z.string(),
    fingerprint: z.string().describe('SHA-256 of the DER SubjectPublicKeyInfo, hex'),
    fingerprintGrouped: z.string(),
  })
  .meta({ id: 'PartnerPackageSigningKey' });
export type PackageSigningKey = z.infer<typeof PackageSigningKey>;
