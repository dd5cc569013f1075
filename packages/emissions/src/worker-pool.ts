import { Worker } from 'node:worker_threads';
import type { FleetRegistry, RegistryIndex } from '@qt-led/contract';
import type { StoreConfig } from '@qt-led/infrastructure';
import type { Logger } from '@qt-led/runtime';
import { EmissionsBusyError, EmissionsWorkerError } from './errors.js';
import type { GatherOptions } from './gather.js';
import type { ReportEngine, ReportJob, ReportOutcome } from './report-engine.js';
import {
  deserialiseError,
  type EmissionsWorkerData,
  type FromWorker,
  type ToWorker,
} from './worker-protocol.js';

export interface EmissionsWorkerPoolOptions {
  /** The store the workers read, each through its own connection (SQLite: read-only, beside the writer). */
  store: StoreConfig;
  /** Reports computed at once, one per worker thread (default 1: one core for emissions). */
  workers?: number | undefined;
  /** Reports that may wait for a worker, first come first served; one more is refused as busy (default 8). */
  queueLimit?: number | undefined;
  /** A report still computing after this long is stopped (its worker replaced) and fails (default 5 min). */
  timeoutMs?: number | undefined;
  gather?: GatherOptions | undefined;
  vesselDayCacheBytes?: number | undefined;
  /** Vessel-days kept on disk across restarts, in this SQLite file (see `openVesselDayArchive`). */
  vesselDayArchive?: { path: string; maxBytes?: number | undefined } | undefined;
  logger?: Logger | undefined;
  /** The worker's module (default this package's `emissions-worker`); tests pass a stand-in. */
  entry?: URL | undefined;
}

export interface EmissionsWorkerPool extends ReportEngine {
  /** Starts the workers (they open their store connections in the background). */
  start(): void;
  /** Refuses new reports, fails those waiting, stops the workers (and with them what they compute). */
  close(): Promise<void>;
  stats(): { workers: number; running: number; queued: number; replaced: number };
}

export const DEFAULT_EMISSIONS_WORKERS = 1;
export const DEFAULT_EMISSIONS_QUEUE_LIMIT = 8;
export const DEFAULT_EMISSIONS_TIMEOUT_MS = 5 * 60_000;

interface Waiting {
  readonly job: ReportJob;
  readonly registry: FleetRegistry;
  readonly isCached: (key: string) => boolean | Promise<boolean>;
  readonly resolve: (outcome: ReportOutcome) => void;
  readonly reject: (error: Error) => void;
}

interface Running extends Waiting {
  readonly id: number;
  readonly startedMs: number;
  readonly timer: NodeJS.Timeout;
}

interface Slot {
  readonly worker: Worker;
  ready: boolean;
  running: Running | undefined;
  /** Why the pool stopped it (timeout, close); unset when it stopped on its own. */
  stopReason: string | undefined;
  lastError: Error | undefined;
}

/** The worker module next to this one: its `.ts` source under vitest and tsx, its build output otherwise. */
function defaultEntry(): URL {
  return new URL(
    import.meta.url.endsWith('.ts') ? './emissions-worker.ts' : './emissions-worker.js',
    import.meta.url,
  );
}

/**
 * Starts a worker on a module. Built output (`npm start`) loads as it is. A TypeScript source (tests, `tsx`)
 * needs tsx's loader inside the thread: on Node 20 a worker does not inherit the parent's loader hooks and
 * `execArgv: ['--import', 'tsx']` does not reach its entry module, so a two-line bootstrap registers tsx
 * there first; `--conditions=source` makes the workspace packages resolve to their sources, as in the
 * parent.
 */
function startWorker(entry: URL, workerData: unknown): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData, execArgv: ['--conditions=source'] });
}

/**
 * The emissions computation off the event loop: a fixed number of worker threads, each with its own store
 * connection, fed from a bounded first-in-first-out queue. A full queue refuses at once
 * ({@link EmissionsBusyError}, with a Retry-After estimate) instead of piling requests up; a worker that
 * crashes or overruns the time limit fails its report ({@link EmissionsWorkerError}) and is replaced.
 */
export function createEmissionsWorkerPool(options: EmissionsWorkerPoolOptions): EmissionsWorkerPool {
  const size = options.workers ?? DEFAULT_EMISSIONS_WORKERS;
  const queueLimit = options.queueLimit ?? DEFAULT_EMISSIONS_QUEUE_LIMIT;
  const timeoutMs = options.timeoutMs ?? DEFAULT_EMISSIONS_TIMEOUT_MS;
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`workers: expected an integer ≥ 1, got ${size}`);
  if (!Number.isInteger(queueLimit) || queueLimit < 0)
    throw new RangeError(`queueLimit: expected an integer ≥ 0, got ${queueLimit}`);
  const limit = timeoutMs >= 10_000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`;
  const entry = options.entry ?? defaultEntry();
  const workerData: EmissionsWorkerData = {
    store: options.store,
    gather: options.gather,
    vesselDayCacheBytes: options.vesselDayCacheBytes,
    vesselDayArchive: options.vesselDayArchive,
    logLevel: options.logger?.level ?? 'info',
  };
  const log = options.logger;
  const slots: Slot[] = [];
  const queue: Waiting[] = [];
  let nextId = 1;
  let closed = false;
  let replaced = 0;
  /** Moving average of a report's duration, for the Retry-After of a refusal. */
  let typicalMs = 10_000;

  function spawn(): Slot {
    const worker = startWorker(entry, workerData);
    const slot: Slot = {
      worker,
      ready: false,
      running: undefined,
      stopReason: undefined,
      lastError: undefined,
    };
    slots.push(slot);
    worker.on('message', (message: FromWorker) => {
      onMessage(slot, message);
    });
    worker.on('error', (error) => {
      slot.lastError = error;
    });
    worker.on('exit', (code) => {
      onExit(slot, code);
    });
    return slot;
  }

  function onMessage(slot: Slot, message: FromWorker): void {
    if (message.type === 'ready') {
      slot.ready = true;
      return;
    }
    if (message.type === 'fatal') {
      slot.lastError = deserialiseError(message.error);
      slot.stopReason = `the worker could not start: ${slot.lastError.message}`;
      log?.error({ err: slot.lastError }, 'an emissions worker could not start');
      void slot.worker.terminate();
      return;
    }
    const running = slot.running;
    if (running?.id !== message.id) return;
    if (message.type === 'key') {
      const answer = (cached: boolean): void => {
        const reply: ToWorker = { type: 'cached', id: running.id, cached };
        slot.worker.postMessage(reply);
      };
      Promise.resolve(running.isCached(message.key)).then(answer, () => {
        answer(false);
      });
      return;
    }
    finish(slot);
    if (message.type === 'done') {
      running.resolve({ key: message.key, result: message.result ?? undefined });
    } else {
      running.reject(deserialiseError(message.error));
    }
    dispatch();
  }

  function finish(slot: Slot): Running | undefined {
    const running = slot.running;
    if (running === undefined) return undefined;
    clearTimeout(running.timer);
    slot.running = undefined;
    typicalMs = 0.7 * typicalMs + 0.3 * (performance.now() - running.startedMs);
    return running;
  }

  function onExit(slot: Slot, code: number): void {
    slots.splice(slots.indexOf(slot), 1);
    const running = finish(slot);
    const why = slot.stopReason ?? slot.lastError?.message ?? `exit code ${code}`;
    if (running !== undefined) {
      const unexpected = slot.stopReason === undefined;
      if (unexpected) log?.error({ err: slot.lastError, code }, 'an emissions worker stopped unexpectedly');
      running.reject(
        new EmissionsWorkerError(
          `the emissions calculation stopped before it finished: ${why}` +
            (closed ? '' : '; a new worker takes the next report, a retry may succeed'),
        ),
      );
    } else if (slot.stopReason === undefined && !closed) {
      log?.error({ err: slot.lastError, code }, 'an idle emissions worker stopped unexpectedly');
    }
    if (closed) return;
    replaced += 1;
    // A worker that came up once is replaced at once (kept warm); one that failed to start is retried only
    // for the next report, which then fails with the same reason instead of the pool spinning.
    if (slot.ready && slots.length < size) spawn();
    dispatch();
  }

  function dispatch(): void {
    while (queue.length > 0 && !closed) {
      let slot = slots.find((s) => s.running === undefined && s.stopReason === undefined);
      if (slot === undefined) {
        if (slots.length >= size) return;
        slot = spawn();
      }
      const waiting = queue.shift() as Waiting;
      const id = nextId++;
      const target = slot;
      const timer = setTimeout(() => {
        target.stopReason = `it took longer than ${limit} and was stopped`;
        log?.warn({ timeoutMs }, 'an emissions report overran its time limit; stopping its worker');
        void target.worker.terminate();
      }, timeoutMs);
      slot.running = { ...waiting, id, startedMs: performance.now(), timer };
      const message: ToWorker = { type: 'job', id, job: waiting.job, registry: waiting.registry };
      slot.worker.postMessage(message);
    }
  }

  return {
    start() {
      while (slots.length < size && !closed) spawn();
    },
    report(job: ReportJob, registry: RegistryIndex, isCached) {
      if (closed) return Promise.reject(new EmissionsWorkerError('the emissions service has stopped'));
      const idle = slots.some((s) => s.running === undefined && s.stopReason === undefined);
      if (!idle && slots.length >= size && queue.length >= queueLimit) {
        const retryAfterS = Math.min(
          600,
          Math.max(1, Math.ceil((typicalMs * (queue.length + 1)) / size / 1000)),
        );
        return Promise.reject(
          new EmissionsBusyError(
            `the emissions service is busy: ${size} report(s) computing and ${queue.length} waiting, ` +
              `the most it queues; retry in about ${retryAfterS} s`,
            retryAfterS,
          ),
        );
      }
      return new Promise<ReportOutcome>((resolve, reject) => {
        queue.push({ job, registry: registry.registry, isCached, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      for (const waiting of queue.splice(0)) {
        waiting.reject(new EmissionsWorkerError('the emissions service stopped before the report started'));
      }
      await Promise.all(
        slots.map((slot) => {
          slot.stopReason = 'the emissions service is stopping';
          return slot.worker.terminate();
        }),
      );
    },
    stats() {
      return {
        workers: slots.length,
        running: slots.filter((s) => s.running !== undefined).length,
        queued: queue.length,
        replaced,
      };
    },
  };
}
