import { existsSync, readFileSync, unwatchFile, watchFile } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FleetRegistry, RegistryIndex } from '@qt-led/contract';
import { PACKAGED_FLEET_REGISTRY_URL, loadFleetRegistry, parseFleetRegistry } from './load-fleet-registry.js';

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
  const initialPath = options.initialPath ?? fileURLToPath(PACKAGED_FLEET_REGISTRY_URL);
  const origin = existsSync(options.livePath) ? options.livePath : initialPath;
  let current = loadFleetRegistry(origin);
  let lastText = readFileSync(origin, 'utf8');
  const state: RegistrySourceStatus = {
    origin: origin === initialPath && options.initialPath === undefined ? 'packaged' : origin,
    refusedReloads: 0,
    lastError: null,
  };
  const listeners = new Set<(next: RegistryIndex) => void>();
  let watching = false;

  const putInForce = (next: RegistryIndex): void => {
    current = next;
    for (const listener of listeners) listener(next);
  };
  const reload = (): void => {
    let text: string;
    try {
      text = readFileSync(options.livePath, 'utf8');
    } catch {
      return; // removed or between writes: keep what is in force
    }
    if (text === lastText) return; // our own upload, or a touch without a change
    try {
      const next = parseFleetRegistry(JSON.parse(text), options.livePath);
      lastText = text;
      state.origin = options.livePath;
      putInForce(next);
      options.onReload?.({ origin: options.livePath, vessels: next.registry.vessels.length });
    } catch (error) {
      lastText = text;
      state.refusedReloads += 1;
      state.lastError = error instanceof Error ? error.message : String(error);
      options.onRefused?.(error instanceof Error ? error : new Error(String(error)));
    }
  };

  const index: RegistryIndex = {
    get registry(): FleetRegistry {
      return current.registry;
    },
    vessel: (vesselId) => current.vessel(vesselId),
    configOn: (vesselId, date) => current.configOn(vesselId, date),
    configAt: (vesselId, instant) => current.configAt(vesselId, instant),
    versionsBetween: (vesselId, fromDate, toDateExclusive) =>
      current.versionsBetween(vesselId, fromDate, toDateExclusive),
    vesselForGateway: (gatewayId, date) => current.vesselForGateway(gatewayId, date),
  };

  return {
    name: 'registry',
    index,
    current: () => current,
    async replace(registry) {
      const next = parseFleetRegistry(registry, 'the uploaded registry');
      const text = `${JSON.stringify(registry, null, 2)}\n`;
      await mkdir(dirname(options.livePath), { recursive: true });
      const temporary = `${options.livePath}.${process.pid}.tmp`;
      await writeFile(temporary, text);
      await rename(temporary, options.livePath);
      lastText = text;
      state.origin = options.livePath;
      putInForce(next);
      return { path: options.livePath };
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
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
    stop() {
      if (watching) {
        watching = false;
        unwatchFile(options.livePath, reload);
      }
      return Promise.resolve();
    },
    status: () => ({ ...state }),
  };
}
