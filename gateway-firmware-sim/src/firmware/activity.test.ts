import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../../test/part-rig.js';
import { createActivity } from './activity.js';

describe('the gateway activity', () => {
  it('counts work while it runs, tells the watcher when it ends, and logs a failure instead of throwing', async () => {
    const log = recordingLogger();
    let stopped = false;
    const activity = createActivity({ isStopped: () => stopped, log });
    const seen: number[] = [];
    activity.watch(() => seen.push(activity.busy));
    let release = (): void => undefined;
    activity.run(() => new Promise<void>((resolve) => (release = resolve)));
    activity.run(() => Promise.reject(new Error('meter gone')));
    expect(activity.busy).toBe(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([1]);
    expect(log.lines).toEqual([{ level: 'error', message: 'gateway task failed' }]);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([1, 0]);
    // After a stop, failures of late work are expected: not logged.
    stopped = true;
    activity.run(() => Promise.reject(new Error('queue closed')));
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.lines).toHaveLength(1);
    const done = activity.begin();
    done();
    done();
    expect(activity.busy).toBe(0);
  });
});
