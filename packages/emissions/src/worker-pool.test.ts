import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmissionsBusyError, EmissionsWorkerError } from './errors.js';
import type { ReportJob } from './report-engine.js';
import { createEmissionsWorkerPool, type EmissionsWorkerPoolOptions } from './worker-pool.js';

/**
 * A stand-in worker speaking the pool's protocol, told what to do by the job's `from`: answer, answer
 * after a while, ask whether the key is cached, throw (an uncaught error ends the thread), or never answer.
 */
const STAND_IN = `
import { parentPort } from 'node:worker_threads';
parentPort.postMessage({ type: 'ready' });
const pending = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'cached') {
    parentPort.postMessage({ type: 'done', id: m.id, key: 'k-' + m.id, result: m.cached ? null : { computed: true } });
    return;
  }
  const what = m.job.from;
  const done = () => parentPort.postMessage({ type: 'done', id: m.id, key: 'k', result: { what } });
  if (what === 'crash') throw new Error('the stand-in crashed');
  if (what === 'hang') return;
  if (what === 'ask') return parentPort.postMessage({ type: 'key', id: m.id, key: 'k-' + m.id });
  if (what === 'fail') return parentPort.postMessage({ type: 'failed', id: m.id, error: { name: 'RangeError', message: 'no such thing' } });
  if (what.startsWith('slow')) return setTimeout(done, 300);
  done();
});
`;

const registry = loadFleetRegistry();
const job = (from: string): ReportJob => ({ from }) as unknown as ReportJob;
const notCached = (): boolean => false;

describe('the emissions worker pool', () => {
  let dir: string;
  let entry: URL;
  const pool = (options: Partial<EmissionsWorkerPoolOptions> = {}) =>
    createEmissionsWorkerPool({ store: { kind: 'sqlite', path: ':unused:' }, entry, ...options });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qtled-pool-'));
    await writeFile(join(dir, 'stand-in.mjs'), STAND_IN);
    entry = pathToFileURL(join(dir, 'stand-in.mjs'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fails the report of a worker that crashes with a clear error, replaces the worker and serves on', async () => {
    const p = pool();
    p.start();
    const crashed = p.report(job('crash'), registry, notCached);
    await expect(crashed).rejects.toThrow(EmissionsWorkerError);
    await expect(crashed).rejects.toThrow(
      /stopped before it finished: the stand-in crashed; a new worker takes the next report, a retry may succeed/,
    );
    await expect(p.report(job('ok'), registry, notCached)).resolves.toEqual({
      key: 'k',
      result: { what: 'ok' },
    });
    expect(p.stats()).toMatchObject({ workers: 1, replaced: 1 });
    await expect(p.report(job('fail'), registry, notCached)).rejects.toThrow(RangeError);
    await p.close();
  });

  it('queues first come first served up to its limit, then answers busy with when to retry', async () => {
    const p = pool({ workers: 1, queueLimit: 1 });
    const finished: string[] = [];
    const first = p.report(job('slow-1'), registry, notCached).then(() => finished.push('slow-1'));
    const second = p.report(job('slow-2'), registry, notCached).then(() => finished.push('slow-2'));
    const refused = p.report(job('slow-3'), registry, notCached);
    await expect(refused).rejects.toBeInstanceOf(EmissionsBusyError);
    const busy = (await refused.catch((error: unknown) => error)) as EmissionsBusyError;
    expect(busy.code).toBe('EMISSIONS_BUSY');
    expect(busy.retryAfterS).toBeGreaterThanOrEqual(1);
    expect(p.stats()).toMatchObject({ running: 1, queued: 1 });
    await Promise.all([first, second]);
    expect(finished).toEqual(['slow-1', 'slow-2']);
    await p.close();
  });

  it('asks the main thread whether a key is cached before the worker calculates', async () => {
    const p = pool();
    const asked: string[] = [];
    const cached = await p.report(job('ask'), registry, (key) => (asked.push(key), true));
    expect(cached.result).toBeUndefined();
    const computed = await p.report(job('ask'), registry, (key) => (asked.push(key), false));
    expect(computed.result).toEqual({ computed: true });
    expect(asked).toHaveLength(2);
    await p.close();
  });

  it('stops a report that overruns its time limit, and the next one runs on a new worker', async () => {
    const p = pool({ timeoutMs: 200 });
    await expect(p.report(job('hang'), registry, notCached)).rejects.toThrow(
      /took longer than 200 ms and was stopped/,
    );
    await expect(p.report(job('ok'), registry, notCached)).resolves.toMatchObject({ result: { what: 'ok' } });
    await p.close();
  });

  it('on close fails what runs and waits, terminates its workers and refuses new reports', async () => {
    const p = pool({ workers: 1, queueLimit: 4 });
    const running = expect(p.report(job('hang'), registry, notCached)).rejects.toThrow(
      /the emissions service is stopping/,
    );
    const waiting = expect(p.report(job('ok'), registry, notCached)).rejects.toThrow(
      /stopped before the report started/,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await p.close();
    await Promise.all([running, waiting]);
    await expect(p.report(job('ok'), registry, notCached)).rejects.toBeInstanceOf(EmissionsWorkerError);
    expect(p.stats()).toMatchObject({ workers: 0, running: 0, queued: 0 });
  });

  it('fails a report with the reason when the real worker cannot open its store, and tries again for the next', async () => {
    const p = createEmissionsWorkerPool({ store: { kind: 'sqlite', path: join(dir, 'missing.sqlite') } });
    p.start();
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(p.report(job('2024-03-01'), registry, notCached)).rejects.toThrow(
        /the emissions calculation stopped before it finished: .*(unable to open|does not exist|directory)/i,
      );
    }
    await p.close();
  });
});
