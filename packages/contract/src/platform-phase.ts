import { z } from 'zod';
import { LIVE_WITHOUT_SIMULATION as LIVE, PLATFORM_PHASES } from './code-lists.js';

/**
 * Where the platform stands with its simulated fleet (the embedded default): loading the history on a first
 * start, catching up the time it was stopped, or live. While it is not live, what the fleet page would show
 * is the simulated past, and the dashboard says so instead of showing it as the fleet's present.
 * A platform serving real boats only is always `live`.
 */
export const PlatformPhase = z.object({
  phase: z.enum(PLATFORM_PHASES),
  /** 0–1 of the history (or the catch-up) loaded. */
  fraction: z.number().min(0).max(1),
  /** The simulated instant the whole fleet has reached; null without a simulated fleet. */
  simulatedMs: z.number().int().nullable(),
  /** Readings the simulated gateways sampled, had acknowledged, and still hold. */
  sampled: z.number().int().nonnegative(),
  acked: z.number().int().nonnegative(),
  pending: z.number().int().nonnegative(),
});
export type PlatformPhase = z.infer<typeof PlatformPhase>;

// The zod-free constant (for the dashboard) is a valid phase.
LIVE satisfies PlatformPhase;
