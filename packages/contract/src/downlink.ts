import { z } from 'zod';
import { EpochMs, Seq } from './common.js';
import { BootId, VesselId } from './ids.js';

/** At most this many boots are acknowledged in one message; older boots are long since drained. */
export const MAX_ACKED_BOOTS = 16;

/** Seq ranges stored beyond the contiguous prefix, so a gateway can free them early (selective ack). */
const SeqRange = z
  .tuple([Seq, Seq])
  .refine(([from, to]) => from <= to, { message: 'a seq range runs from its first to its last seq' });

/**
 * The application-level acknowledgement on `<root>/v1/vessels/<vesselId>/ack`, retained, sent by ingest only
 * after the readings are durably written to the store (docs/architecture.md §1). For each boot, `throughSeq` is the
 * highest seq such that every reading 0..throughSeq is stored (-1: none yet). The gateway deletes exactly
 * those from its disk queue and resends anything else after its ack timeout. Device events are acknowledged
 * the same way by their `eventSeq` (`eventsThroughSeq`, `storedEventRanges`): a gateway keeps an event until
 * an ack names it, not merely until the broker has it.
 */
export const Ack = z.object({
  schema: z.literal('qtled.ack/1'),
  vesselId: VesselId,
  atMs: EpochMs,
  boots: z
    .array(
      z.object({
        bootId: BootId,
        throughSeq: z.int().min(-1).max(Number.MAX_SAFE_INTEGER),
        storedRanges: z.array(SeqRange).max(64).optional(),
        eventsThroughSeq: z
          .int()
          .min(-1)
          .max(Number.MAX_SAFE_INTEGER)
          .optional()
          .describe('every device event 0..eventsThroughSeq of the boot is stored'),
        storedEventRanges: z.array(SeqRange).max(64).optional(),
      }),
    )
    .min(1)
    .max(MAX_ACKED_BOOTS),
});
export type Ack = z.infer<typeof Ack>;

/**
 * The highest config version a gateway accepts. Versions only grow, so a version near the top would lock out
 * every later config; the bound leaves 2^31 − 1 configs, far more than a fleet's lifetime needs.
 */
export const MAX_CONFIG_VERSION = 2 ** 31 - 1;

/**
 * Downlink configuration on `<root>/v1/vessels/<vesselId>/config`, retained so that a gateway coming back
 * into coverage picks up the latest. The gateway applies a higher `configVersion` and answers with a
 * `config-applied` or `config-rejected` event. A gateway provisioned with the platform's config key applies
 * only a config whose `signature` verifies (Ed25519 over `configSigningText`).
 */
export const GatewayConfig = z.object({
  schema: z.literal('qtled.config/1'),
  vesselId: VesselId,
  configVersion: z.int().min(1).max(MAX_CONFIG_VERSION),
  issuedAtMs: EpochMs,
  sampling: z.object({ intervalS: z.int().min(1).max(3600).describe('seconds between readings') }),
  heartbeat: z.object({ intervalS: z.int().min(10).max(3600) }),
  upload: z.object({
    batchMaxReadings: z.int().min(1).max(500),
    batchMaxAgeS: z.int().min(1).max(3600),
    ackTimeoutS: z.int().min(5).max(86_400).describe('resend unacknowledged readings after this long'),
    backfillMaxReadingsPerS: z
      .int()
      .min(1)
      .max(100_000)
      .describe('rate limit for the backlog, so that live status is never starved'),
  }),
  signature: z
    .string()
    .regex(/^[A-Za-z0-9+/]{86}==$/, 'an Ed25519 signature, base64 (64 bytes)')
    .optional()
    .describe("Ed25519 signature (base64) of configSigningText(config) with the platform's config key"),
});
export type GatewayConfig = z.infer<typeof GatewayConfig>;

/**
 * The text a config's signature covers: the config without its signature as JSON, object keys sorted at
 * every level, so that signer and gateway agree on the bytes whatever order the fields were written in.
 */
export function configSigningText(config: GatewayConfig): string {
  const { signature: _signature, ...signed } = config;
  const sorted = (value: unknown): unknown =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
        )
      : value;
  return JSON.stringify(sorted(signed));
}
