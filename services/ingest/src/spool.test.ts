import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredReading } from '@qt-led/store';
import { afterAll, describe, expect, it } from 'vitest';
import { openSpool, type WriteBatch } from './spool.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

function batch(readings: number): WriteBatch {
  return {
    readings: Array.from({ length: readings }, () => ({}) as StoredReading),
    deadLetters: [],
    acks: {},
  };
}

describe('disk backlog', () => {
  it('keeps batches in order across a reopen, and its depth in step with them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qtled-spool-'));
    dirs.push(dir);
    const path = join(dir, 'spool.sqlite');
    const spool = openSpool(path);
    spool.push(batch(3));
    spool.push(batch(5));
    expect(spool.depth()).toEqual({ batches: 2, readings: 8 });
    spool.close();

    const reopened = openSpool(path);
    expect(reopened.depth()).toEqual({ batches: 2, readings: 8 });
    const first = reopened.peek();
    expect(first?.batch.readings).toHaveLength(3);
    reopened.remove(first?.id ?? -1);
    reopened.remove(first?.id ?? -1); // removing twice changes nothing
    expect(reopened.depth()).toEqual({ batches: 1, readings: 5 });
    expect(reopened.peek()?.batch.readings).toHaveLength(5);
    reopened.close();
  });
});
