// An emissions worker thread (started by worker-pool.ts): its own read-only connection to the store, its
// vessel-day cache, and the report engine; gathering, hashing and calculating happen here, off the event
// loop that carries the API, ingest and the broker.
import { parentPort, workerData } from 'node:worker_threads';
import { indexRegistry } from '@qt-led/contract';
import { createStoreModule, type StoreConfig } from '@qt-led/infrastructure';
import { createLogger } from '@qt-led/runtime';
import { openVesselDayArchive, storeIdentity, type VesselDayArchive } from './day-archive.js';
import { createReportEngine } from './report-engine.js';
import {
  type EmissionsWorkerData,
  type FromWorker,
  serialiseError,
  type ToWorker,
} from './worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('emissions-worker runs as a worker thread (see worker-pool.ts)');
const data = workerData as EmissionsWorkerData;
const post = (message: FromWorker): void => {
  port.postMessage(message);
};

// A reader beside the process's own connection: SQLite in WAL mode lets it read while ingest writes.
const storeConfig: StoreConfig =
  data.store.kind === 'sqlite' ? { ...data.store, readOnly: true } : data.store;
const logger = createLogger({ name: 'emissions-worker', level: data.logLevel });
const storeModule = createStoreModule(storeConfig, { logger });
let archive: VesselDayArchive | undefined;
try {
  await storeModule.start();
} catch (error) {
  // Said before anything else, and the thread stays until the pool stops it: a message posted by a thread
  // that then ends can arrive after its exit, and the reason would be lost.
  post({ type: 'fatal', error: serialiseError(error) });
  port.on('message', () => undefined);
  await new Promise<never>(() => undefined);
}
if (data.vesselDayArchive !== undefined) {
  try {
    archive = openVesselDayArchive({
      path: data.vesselDayArchive.path,
      maxBytes: data.vesselDayArchive.maxBytes,
      storeIdentity: storeIdentity(data.store),
      onReplaced: (aside, reason) => {
        logger.warn({ aside, reason }, 'vessel-day archive unreadable: set aside, starting a new one');
      },
    });
  } catch (error) {
    // A shortcut, not a part: without it every report reads the store.
    logger.warn(
      { err: error, path: data.vesselDayArchive.path },
      'vessel-day archive cannot be opened; reports read the store',
    );
  }
}
const engine = createReportEngine(storeModule.store, {
  gather: data.gather,
  vesselDayCacheBytes: data.vesselDayCacheBytes,
  archive,
  onArchiveError: (error) => {
    logger.warn({ err: error }, 'vessel-day archive failed; reading the store instead');
  },
});

const answers = new Map<number, (cached: boolean) => void>();
let jobs = Promise.resolve();

port.on('message', (message: ToWorker) => {
  if (message.type === 'cached') {
    answers.get(message.id)?.(message.cached);
    answers.delete(message.id);
    return;
  }
  jobs = jobs.then(() => run(message));
});
post({ type: 'ready' });

async function run(message: Extract<ToWorker, { type: 'job' }>): Promise<void> {
  const { id } = message;
  try {
    const outcome = await engine.report(
      message.job,
      indexRegistry(message.registry),
      (key) =>
        new Promise<boolean>((resolve) => {
          answers.set(id, resolve);
          post({ type: 'key', id, key });
        }),
    );
    post({ type: 'done', id, key: outcome.key, result: outcome.result ?? null });
  } catch (error) {
    post({ type: 'failed', id, error: serialiseError(error) });
  }
}
