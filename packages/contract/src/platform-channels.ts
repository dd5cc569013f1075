import { z } from 'zod';
import { assertTopicRoot, TOPIC_SCHEME_VERSION } from './topics.js';
import { BootId, GatewayId, MeterId, VesselId } from './ids.js';
import { TimeSource } from './telemetry.js';

/**
 * Topics between the platform's own processes, beside the vessels' ones and never readable by a gateway
 * (the broker ACL grants them to the platform's logins only):
 *
 *     <root>/v1/platform/stored-readings     ingest → API: what was just durably stored, for the live stream
 *
 * QoS 0 and not retained: a live view that misses a notice loses one chart point, never data (the store
 * has it), and nobody needs yesterday's notice.
 */
export function storedReadingsTopic(root: string): string {
  assertTopicRoot(root);
  return `${root}/${TOPIC_SCHEME_VERSION}/platform/stored-readings`;
}

/** A reading as the store keeps it (device and receive time, both registers, the LED meter's serial, position). */
export const StoredReadingSchema = z.object({
  vesselId: VesselId,
  gatewayId: GatewayId,
  bootId: BootId,
  seq: z.number().int().nonnegative(),
  deviceTimeMs: z.number(),
  receivedAtMs: z.number(),
  clockSkewMs: z.number().nullable(),
  timeSource: TimeSource.nullish(),
  ledPowerW: z.number().nullable(),
  ledEnergyKwh: z.number().nullable(),
  lampsOn: z.number().nullable(),
  /** Absent from the notices of an ingest that predates it. */
  ledMeterId: MeterId.nullish(),
  fuelRateLph: z.number().nullable(),
  fuelTotalL: z.number().nullable(),
  fix: z.enum(['none', '2d', '3d', 'dgps']).nullable(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  speedKn: z.number().nullable(),
  headingDeg: z.number().nullable(),
});

export const StoredReadingsNotice = z.object({
  schema: z.literal('qtled.stored-readings/1'),
  readings: z.array(StoredReadingSchema),
});
export type StoredReadingsNotice = z.infer<typeof StoredReadingsNotice>;

/**
 * Each ingest replica's presence, retained, on `<root>/v1/platform/ingest-replicas/<clientId>`: `online` when
 * it connects, `offline` when it stops or (its last will) loses the connection; cleared (an empty retained
 * message) when an operator retires it. A replica in a shared subscription whose persistent session outlives
 * it keeps being handed its share of every vessel's messages; the live replicas read these to see such a
 * stale member and say so. `clientId` is `+` for the subscription to every replica.
 */
export function ingestReplicaTopic(root: string, clientId: string): string {
  assertTopicRoot(root);
  if (clientId !== '+' && !/^[A-Za-z0-9._-]{1,128}$/.test(clientId))
    throw new Error(`not a replica client id: ${clientId}`);
  return `${root}/${TOPIC_SCHEME_VERSION}/platform/ingest-replicas/${clientId}`;
}

export const IngestReplicaPresence = z.object({
  schema: z.literal('qtled.ingest-replica/1'),
  clientId: z.string().min(1).max(128),
  shareGroup: z.string().min(1).max(128),
  state: z.enum(['online', 'offline']),
  /** Why it went offline: a clean stop, or the broker's last will for a lost connection. */
  cause: z.enum(['stopped', 'connection-lost']).optional(),
  /** When the replica said so; absent in the last will, which is written when the replica connects. */
  atMs: z.number().optional(),
});
export type IngestReplicaPresence = z.infer<typeof IngestReplicaPresence>;
