import { z } from 'zod';

/** Milliseconds since the Unix epoch, UTC. Every instant in our payloads is one: no zones, no parsing. */
export const EpochMs = z
  .int()
  .min(0, 'an instant is milliseconds since 1970-01-01T00:00:00Z and cannot be negative');
export type EpochMs = z.infer<typeof EpochMs>;

/** A finite, non-negative measurement (power, rate, speed). zod 4 rejects NaN and ±Infinity for z.number(). */
export const NonNegative = z.number().min(0);

/**
 * A cumulative register (kWh meter, fuel totaliser). It only grows within one meter's life; a drop means
 * the meter was replaced or rolled over and is detected downstream, never integrated as negative energy.
 */
export const Register = z.number().min(0, 'a cumulative register cannot be negative');

/** A reading sequence number within one boot of a gateway: 0, 1, 2, … persisted across power loss. */
export const Seq = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
export type Seq = z.infer<typeof Seq>;

export const FirmwareVersion = z
  .string()
  .regex(/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/, 'a firmware version is semantic, like 1.4.2');
