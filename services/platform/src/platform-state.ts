import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * What the platform remembers between starts (DATA_DIR/platform-state.json): the simulated fleet's seed and
 * world, how far its time has run, and whether the history was loaded — so a second start continues
 * instead of loading the history again.
 */
export const PlatformState = z.object({
  schema: z.literal('qtled.platform-state/1'),
  seed: z.int(),
  /** The simulated world's origin (trips, registers and weather are functions of seed and this). */
  worldStartMs: z.int(),
  /** First instant of the history loaded on first start. */
  historyStartMs: z.int(),
  /** Simulated time each boat had reached when the platform last saved its state. */
  vessels: z.record(z.string(), z.int()),
  /** When (platform time) the history was completely loaded; null while it is being loaded. */
  historyLoadedAtMs: z.int().nullable(),
  /** The newest downlink config version sent to the simulated gateways. */
  configVersion: z.int().min(0),
  /** The platform clock when last saved: a later start never runs its clock behind it. */
  clockMs: z.int(),
});
export type PlatformState = z.infer<typeof PlatformState>;

export function readPlatformState(path: string): PlatformState | undefined {
  if (!existsSync(path)) return undefined;
  const parsed = PlatformState.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new Error(
      `${path} is not a platform state file (${parsed.error.issues[0]?.message ?? 'invalid'}); move it away to start over`,
    );
  }
  return parsed.data;
}

/** Written to a temporary file and renamed over the old one, so a crash never leaves half a file. */
export function writePlatformState(path: string, state: PlatformState): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(PlatformState.parse(state), null, 2)}\n`);
  renameSync(temporary, path);
}
