import { createHash } from 'node:crypto';
import { existsSync, readFileSync, unwatchFile, watchFile } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type FleetRegistry,
  type GatewayAssignments,
  gatewayAssignmentsOf,
  indexRegistry,
  type RegistryIndex,
} from '@qt-led/contract';
import {
  PACKAGED_FLEET_REGISTRY_URL,
  readFleetRegistry,
  validateFleetRegistry,
} from './load-fleet-registry.js';

/** What the registry source says about itself (logs, the operator's view). */
export interface RegistrySourceStatus {
  /** The file the registry in force was read from, or `packaged`. */
  origin: string;
  /** Replacements read from the live file that were refused (not JSON, or breaking the schema). */
  refusedReloads: number;
  lastError: string | null;
}

/**
 * The fleet registry in force, shared by every part of a process and, through one file, by every process
 * of a deployment: an admin's upload is validated, written to the live file (temp file + rename, so no
 * reader ever sees half of it) and put in force; every other process sharing that file — ingest under
 * compose — notices the change and loads it, so new vessels are accepted without a restart.
 */
export interface RegistrySource {
  readonly name: 'registry';
  /** A stable view that always answers from the registry in force: hand it to services built once. */
  readonly index: RegistryIndex;
  current(): RegistryIndex;
  /** Validated by the caller's schema already; persisted, then in force here and, soon, everywhere. */
  replace(registry: FleetRegistry): Promise<{ path: string }>;
  /** Called after each change (an upload here, or the live file changed by another process). */
  onChange(listener: (next: RegistryIndex) => void): () => void;
  /** Watches the live file for other processes' uploads. */
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): RegistrySourceStatus;
}

export interface RegistrySourceOptions {
  /** The registry in force, written by uploads and watched; it wins over `initialPath` once it exists. */
  livePath: string;
  /** Used while the live file does not exist yet; default: the registry packaged with this module. */
  initialPath?: string | undefined;
  /** How often the live file is checked for another process's upload (stat polling works on any volume). */
  watchIntervalMs?: number;
  onReload?: (event: { origin: string; vessels: number }) => void;
  onRefused?: (error: Error) => void;
}

export function createRegistrySource(options: RegistrySourceOptions): RegistrySource {
  const live = watchRegistryFile(options, indexRegistry);
  const index: RegistryIndex = {
    get registry(): FleetRegistry {
      return live.current().registry;
    },
    vessel: (vesselId) => live.current().vessel(vesselId),
    configOn: (vesselId, date) => live.current().configOn(vesselId, date),
    configAt: (vesselId, instant) => live.current().configAt(vesselId, instant),
    versionsBetween: (vesselId, fromDate, toDateExclusive) =>
      live.current().versionsBetween(vesselId, fromDate, toDateExclusive),
    vesselForGateway: (gatewayId, date) => live.current().vesselForGateway(gatewayId, date),
  };

  return {
    name: 'registry',
    index,
    current: live.current,
    async replace(registry) {
      const validated = validateFleetRegistry(registry, 'the uploaded registry');
      const text = `${JSON.stringify(registry, null, 2)}\n`;
      await mkdir(dirname(options.livePath), { recursive: true });
      const temporary = `${options.livePath}.${process.pid}.tmp`;
      await writeFile(temporary, text);
      await rename(temporary, options.livePath);
      live.putInForce(validated, text);
      return { path: options.livePath };
    },
    onChange: live.onChange,
    start: live.start,
    stop: live.stop,
    status: live.status,
  };
}

/**
 * What ingest holds of the registry in force ({@link GatewayAssignments}), from the same live file as a
 * {@link RegistrySource} and reloaded the same way when another process's upload replaces it, but without
 * keeping the registry itself: a process that only ingests needs no more.
 */
export interface GatewayAssignmentsSource {
  readonly name: 'registry';
  /** A stable view that always answers from the registry in force: hand it to services built once. */
  readonly assignments: GatewayAssignments;
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): RegistrySourceStatus;
}

export function createGatewayAssignmentsSource(options: RegistrySourceOptions): GatewayAssignmentsSource {
  const live = watchRegistryFile(options, gatewayAssignmentsOf);
  return {
    name: 'registry',
    assignments: followingCurrent(live.current),
    start: live.start,
    stop: live.stop,
    status: live.status,
  };
}

/**
 * The {@link GatewayAssignments} of a {@link RegistrySource}'s registry in force, as a stable view: built
 * once, and again on each change (in a process that holds the whole registry anyway, for its other parts).
 */
export function gatewayAssignmentsFollowing(
  source: Pick<RegistrySource, 'current' | 'onChange'>,
): GatewayAssignments {
  let current = gatewayAssignmentsOf(source.current().registry);
  source.onChange((next) => {
    current = gatewayAssignmentsOf(next.registry);
  });
  return followingCurrent(() => current);
}

const followingCurrent = (current: () => GatewayAssignments): GatewayAssignments => ({
  has: (vesselId) => current().has(vesselId),
  gatewayOn: (vesselId, date) => current().gatewayOn(vesselId, date),
  vesselIds: () => current().vesselIds(),
});

/**
 * The live registry file behind both sources: what is in force (the registry made into `T`), the status,
 * and the polling for other processes' uploads, which are validated and put in force or refused.
 */
function watchRegistryFile<T>(options: RegistrySourceOptions, build: (registry: FleetRegistry) => T) {
  const initialPath = options.initialPath ?? fileURLToPath(PACKAGED_FLEET_REGISTRY_URL);
  const origin = existsSync(options.livePath) ? options.livePath : initialPath;
  let current = build(readFleetRegistry(origin));
  // A digest, not the text: a registry of 30,000 vessels is tens of MB of text to keep for a comparison.
  let lastDigest = digestOf(readFileSync(origin, 'utf8'));
  const state: RegistrySourceStatus = {
    origin: origin === initialPath && options.initialPath === undefined ? 'packaged' : origin,
    refusedReloads: 0,
    lastError: null,
  };
  const listeners = new Set<(next: T) => void>();
  let watching = false;

  const putInForce = (registry: FleetRegistry, text: string): void => {
    lastDigest = digestOf(text);
    state.origin = options.livePath;
    current = build(registry);
    for (const listener of listeners) listener(current);
  };
  const reload = (): void => {
    let text: string;
    try {
      text = readFileSync(options.livePath, 'utf8');
    } catch {
      return; // removed or between writes: keep what is in force
    }
    const digest = digestOf(text);
    if (digest === lastDigest) return; // our own upload, or a touch without a change
    try {
      const registry = validateFleetRegistry(JSON.parse(text), options.livePath);
      putInForce(registry, text);
      options.onReload?.({ origin: options.livePath, vessels: registry.vessels.length });
    } catch (error) {
      lastDigest = digest;
      state.refusedReloads += 1;
      state.lastError = error instanceof Error ? error.message : String(error);
      options.onRefused?.(error instanceof Error ? error : new Error(String(error)));
    }
  };

  return {
    current: (): T => current,
    putInForce,
    onChange: (listener: (next: T) => void): (() => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start: (): Promise<void> => {
      if (!watching) {
        watching = true;
        watchFile(
          options.livePath,
          { interval: options.watchIntervalMs ?? 2_000, persistent: false },
          reload,
        );
      }
      return Promise.resolve();
    },
    stop: (): Promise<void> => {
      if (watching) {
        watching = false;
        unwatchFile(options.livePath, reload);
      }
      return Promise.resolve();
    },
    status: (): RegistrySourceStatus => ({ ...state }),
  };
}

const digestOf = (text: string): string => createHash('sha256').update(text).digest('base64');
