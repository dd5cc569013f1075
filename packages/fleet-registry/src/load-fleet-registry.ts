import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FleetRegistry, indexRegistry, type RegistryIndex } from '@qt-led/contract';
import type { z } from 'zod';

/** The registry shipped with this package (illustrative data); resolves the same from `src` and `dist`. */
export const PACKAGED_FLEET_REGISTRY_URL = new URL('../data/fleet.json', import.meta.url);

/** One problem in a registry file: where (`vessels[3].versions[0].validFrom`) and what. */
export interface FleetRegistryProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * `FLEET_REGISTRY_UNREADABLE`: the file could not be read (missing, permissions): fixing the deployment
 * may help, editing the file will not. `FLEET_REGISTRY_INVALID`: the file was read but is not JSON or
 * breaks the schema; every problem is listed in `problems` and in the message.
 */
export type FleetRegistryErrorCode = 'FLEET_REGISTRY_UNREADABLE' | 'FLEET_REGISTRY_INVALID';

export class FleetRegistryError extends Error {
  override readonly name = 'FleetRegistryError';
  readonly code: FleetRegistryErrorCode;
  /** The file (or other source) the registry came from. */
  readonly source: string;
  readonly problems: readonly FleetRegistryProblem[];

  constructor(
    code: FleetRegistryErrorCode,
    source: string,
    problems: readonly FleetRegistryProblem[],
    options?: ErrorOptions,
  ) {
    const count = problems.length === 1 ? '1 problem' : `${String(problems.length)} problems`;
    const list = problems.map((p) => `  - ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n');
    super(`fleet registry ${source}: ${count}\n${list}`, options);
    this.code = code;
    this.source = source;
    this.problems = problems;
  }
}

/** `['vessels', 3, 'versions', 0, 'validFrom']` → `vessels[3].versions[0].validFrom`. */
function pathOf(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${String(key)}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) text += text ? `.${key}` : key;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text;
}

function problemsOf(error: z.ZodError): FleetRegistryProblem[] {
  return error.issues.map((issue) => ({ path: pathOf(issue.path), message: issue.message }));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Validates registry JSON (already parsed). Throws a {@link FleetRegistryError} listing every problem at
 * once, so one edit round fixes a file. The returned data is frozen: it is the process's single source of
 * vessel configuration.
 */
export function validateFleetRegistry(json: unknown, source: string): FleetRegistry {
  const result = FleetRegistry.safeParse(json);
  if (!result.success)
    throw new FleetRegistryError('FLEET_REGISTRY_INVALID', source, problemsOf(result.error));
  return deepFreeze(result.data);
}

/** Validates registry JSON (already parsed) and indexes it; see {@link validateFleetRegistry}. */
export function parseFleetRegistry(json: unknown, source: string): RegistryIndex {
  return indexRegistry(validateFleetRegistry(json, source));
}

/**
 * Reads, validates and indexes a registry file: by default the packaged one. Synchronous on purpose: it
 * runs once at start-up, before anything can use the registry.
 */
export function loadFleetRegistry(path: string | URL = PACKAGED_FLEET_REGISTRY_URL): RegistryIndex {
  return indexRegistry(readFleetRegistry(path));
}

/** Reads and validates a registry file, without indexing it; see {@link loadFleetRegistry}. */
export function readFleetRegistry(path: string | URL = PACKAGED_FLEET_REGISTRY_URL): FleetRegistry {
  const source = path instanceof URL ? fileURLToPath(path) : path;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new FleetRegistryError('FLEET_REGISTRY_UNREADABLE', source, [{ path: '', message: reason }], {
      cause,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new FleetRegistryError(
      'FLEET_REGISTRY_INVALID',
      source,
      [{ path: '', message: `not JSON: ${reason}` }],
      {
        cause,
      },
    );
  }
  return validateFleetRegistry(json, source);
}
