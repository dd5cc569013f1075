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
 * those from its disk queue and resends anything else after its ack timeout.
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
      }),
    )
    .min(1)
    .max(MAX_ACKED_BOOTS),
});
export type Ack = z.infer<typeof Ack>;

/**
 * Downlink configuration on `<root>/v1/vessels/<vesselId>/config`, retained so that a gateway coming back
 * into coverage picks up the latest. The gateway applies a higher `configVersion` and answers with a
 * `config-applied` or `config-rejected` event.
 */
export const GatewayConfig = z.object({
  schema: z.literal('qtled.config/1'),
  vesselId: VesselId,
  configVersion: z.int().min(1),
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
});
export type GatewayConfig = z.infer<typeof GatewayConfig>;
