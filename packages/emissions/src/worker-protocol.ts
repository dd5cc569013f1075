import type { FleetRegistry } from '@qt-led/contract';
import type { StoreConfig } from '@qt-led/infrastructure';
import { type FleetResult, JcmError, type JcmErrorCode, type JcmProblem } from '@qt-led/jcm';
import type { GatherOptions } from './gather.js';
import type { ReportJob } from './report-engine.js';

/**
 * The messages between the emissions worker pool (main thread) and a worker. A job goes to a worker with
 * the registry in force; the worker gathers and keys the input and asks whether the result is cached
 * (`key` → `cached`), the cache being the main thread's, shared by every worker; then it answers `done`
 * (with the result, or none when cached) or `failed`.
 */
export interface EmissionsWorkerData {
  store: StoreConfig;
  gather?: GatherOptions | undefined;
  vesselDayCacheBytes?: number | undefined;
  /** The vessel-day archive's file (shared by the workers) and its size limit; none: memory only. */
  vesselDayArchive?: { path: string; maxBytes?: number | undefined } | undefined;
  logLevel: string;
}

export type ToWorker =
  | { type: 'job'; id: number; job: ReportJob; registry: FleetRegistry }
  | { type: 'cached'; id: number; cached: boolean };

export type FromWorker =
  | { type: 'ready' }
  /** The worker could not start (its store would not open): the reason, before it exits. */
  | { type: 'fatal'; error: SerialisedError }
  | { type: 'key'; id: number; key: string }
  | { type: 'done'; id: number; key: string; result: FleetResult | null }
  | { type: 'failed'; id: number; error: SerialisedError };

export interface SerialisedError {
  name: string;
  message: string;
  stack?: string | undefined;
  code?: string | undefined;
  problems?: readonly JcmProblem[] | undefined;
}

export function serialiseError(error: unknown): SerialisedError {
  if (error instanceof JcmError) {
    return { name: error.name, message: error.message, code: error.code, problems: error.problems };
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      stack: error.stack,
      code: typeof code === 'string' ? code : undefined,
    };
  }
  return { name: 'Error', message: String(error) };
}

/** The error as the main thread rethrows it: a `JcmError` stays one (the API answers 422 for it). */
export function deserialiseError(error: SerialisedError): Error {
  if (error.name === 'JcmError' && error.code !== undefined) {
    const summary = error.message.split('\n')[0] ?? error.message;
    return new JcmError(error.code as JcmErrorCode, summary, error.problems ?? []);
  }
  const restored = error.name === 'RangeError' ? new RangeError(error.message) : new Error(error.message);
  if (error.name !== 'RangeError' && error.name !== 'Error') restored.name = error.name;
  if (error.stack !== undefined) restored.stack = `${error.stack}\n    (in the emissions worker)`;
  return restored;
}
