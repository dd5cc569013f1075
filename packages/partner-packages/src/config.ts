import { readFileSync } from 'node:fs';
import type { DeliveryTarget } from './delivery.js';
import { PackageLanguage, PackageScope, PartnerId } from '@qt-led/contract';
import { z } from 'zod';

/** One partner's schedule: what they receive, in which language, and when. */
export const PartnerSchedule = z.strictObject({
  partner: PartnerId,
  scope: PackageScope,
  language: PackageLanguage.default('ja'),
  /** Calendar months in the registry's zone (the only period the project reports in). */
  period: z.literal('month').default('month'),
  /** Days after the month's end before it is issued (boats out of coverage deliver late). */
  delayDays: z.int().min(0).max(60).default(0),
  /** Issued months re-checked for changed figures; a change is issued as a new version. */
  restateMonths: z.int().min(0).max(24).default(3),
  /** The methodology the figures are calculated with; default the platform's default. */
  methodologyId: z.string().optional(),
  /** The first month to issue (`YYYY-MM`); default the last complete month when the schedule first runs. */
  firstMonth: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM')
    .optional(),
  /** Push each package to the partner's HTTPS endpoint (they can always download it from the API too). */
  delivery: z
    .strictObject({
      url: z.url({ protocol: /^https$/, error: "expected the partner's https:// endpoint" }),
      /** The variable holding the `Authorization` header value (the secret stays out of the file). */
      authorizationEnv: z
        .string()
        .regex(/^[A-Z][A-Z0-9_]*$/, 'expected the name of an environment variable')
        .optional(),
      /** A CA certificate (PEM file) for an endpoint whose certificate no public CA signed. */
      caPath: z.string().min(1).optional(),
      attempts: z.int().min(1).max(20).default(5),
      retryBaseSeconds: z.number().min(0).max(600).default(1),
      timeoutSeconds: z.number().min(1).max(600).default(30),
    })
    .optional(),
});
export type PartnerSchedule = z.infer<typeof PartnerSchedule>;

export const PackagesConfig = z.strictObject({
  partners: z
    .array(PartnerSchedule)
    .refine((list) => new Set(list.map((p) => p.partner)).size === list.length, 'each partner appears once'),
  /** How often the schedule is checked, minutes. */
  checkEveryMinutes: z.int().min(1).max(1_440).default(60),
});
export type PackagesConfig = z.infer<typeof PackagesConfig>;

/** NEDO the emission figures, Stanley Electric the LED performance; both monthly, in Japanese. */
export const DEFAULT_PACKAGES_CONFIG: PackagesConfig = PackagesConfig.parse({
  partners: [
    { partner: 'nedo', scope: 'emissions' },
    { partner: 'stanley-electric', scope: 'led-performance' },
  ],
});

/** The schedule from a JSON file (`PACKAGES_CONFIG_PATH`), or the default; errors name the field. */
export function loadPackagesConfig(path: string | undefined): PackagesConfig {
  if (path === undefined) return DEFAULT_PACKAGES_CONFIG;
  const parsed = PackagesConfig.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new Error(
      `${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

/**
 * Each partner's delivery target, its secret read from the variable the schedule names and its CA from
 * the file; a named variable that is unset is an error at start, not a silent unauthenticated push.
 */
export function deliveryTargetsOf(
  config: PackagesConfig,
  env: Readonly<Record<string, string | undefined>>,
): Map<PartnerId, DeliveryTarget> {
  const targets = new Map<PartnerId, DeliveryTarget>();
  for (const s of config.partners) {
    const d = s.delivery;
    if (d === undefined) continue;
    const authorization = d.authorizationEnv === undefined ? undefined : env[d.authorizationEnv];
    if (d.authorizationEnv !== undefined && (authorization === undefined || authorization === '')) {
      throw new Error(`${s.partner} delivery: ${d.authorizationEnv} is not set`);
    }
    targets.set(s.partner, {
      url: d.url,
      ...(authorization === undefined ? {} : { authorization }),
      ...(d.caPath === undefined ? {} : { ca: readFileSync(d.caPath, 'utf8') }),
      attempts: d.attempts,
      retryBaseMs: d.retryBaseSeconds * 1_000,
      timeoutMs: d.timeoutSeconds * 1_000,
    });
  }
  return targets;
}
