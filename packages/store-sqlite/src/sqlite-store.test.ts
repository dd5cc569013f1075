import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createSqliteStore } from './sqlite-store.js';
import { describeTelemetryStoreContract } from '@qt-led/store/testing';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'qtled-sqlite-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describeTelemetryStoreContract('embedded SQLite (file, WAL)', () =>
  Promise.resolve(createSqliteStore({ path: join(directory, 'telemetry.sqlite') })),
);
