import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@qt-led/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ROUTE_PERMISSIONS } from './auth/permissions.js';
import type { IngestOperations } from './ingest-operations.js';
import { redactQueryToken } from './plugins/request-log.js';
import { startApiTestServer } from './testing/api-server.js';

let dir: string;
let ingestReady = true;
let api: FastifyInstance;
let close: () => Promise<void>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qtled-api-app-'));
  const dashboardDir = join(dir, 'dashboard');
  await import('node:fs/promises').then((fs) => fs.mkdir(join(dashboardDir, 'assets'), { recursive: true }));
  await writeFile(
    join(dashboardDir, 'index.html'),
    '<!doctype html><title>Đội tàu</title><div id="app"></div>',
  );
  await writeFile(join(dashboardDir, 'assets', 'main-abc123.js'), 'console.log("dashboard")');
  const ingest: IngestOperations = {
    ready: () => Promise.resolve(ingestReady),
    metricsText: () => Promise.resolve('qtled_ingest_messages_total 0\n'),
    metricsContentType: 'text/plain; version=0.0.4; charset=utf-8',
    listDeadLetters: () => Promise.resolve([]),
    getDeadLetter: () => Promise.resolve(undefined),
    replayDeadLetter: () => Promise.resolve({ replayed: false, reason: 'no such dead letter' }),
  };
  const server = await startApiTestServer({
    dataDir: dir,
    dashboardDir,
    logger: createLogger({ name: 'api-test', level: 'silent' }),
    clock: { now: () => Date.now() },
    ingest,
  });
  api = server.app;
  close = () => server.stop();
});
afterAll(async () => {
  await close();
  await rm(dir, { recursive: true, force: true });
});

describe('the API document', () => {
  it('is valid JSON (OpenAPI 3.1) generated from the zod schemas, with every route', async () => {
    const response = await api.inject({ url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = JSON.parse(response.body) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { parameters?: { name: string; in: string }[]; responses: object }>
      >;
    };
    expect(document.openapi).toBe('3.1.0');
    const listed = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(listed.sort()).toEqual(Object.keys(ROUTE_PERMISSIONS).sort());
    const series = document.paths['/api/v1/vessels/{id}/series']?.['get'];
    expect(series?.parameters?.map((p) => `${p.in}:${p.name}`).sort()).toEqual(
      ['path:id', 'query:fields', 'query:from', 'query:step', 'query:to'].sort(),
    );
    expect(JSON.stringify(document.paths['/api/v1/emissions']?.['get'])).toContain(
      'qtled-vn006-fuel-cross-check',
    );
  });

  it('has a browsable UI at /api/docs', async () => {
    const response = await api.inject({ url: '/api/docs/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.body).toContain('swagger');
  });
});

describe('health', () => {
  it('is alive, and ready only while the store and ingest are', async () => {
    expect((await api.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await api.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      ready: true,
      checks: { store: { ok: true }, ingest: { ok: true } },
    });
    ingestReady = false;
    const notReady = await api.inject({ url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toMatchObject({ ready: false, checks: { ingest: { ok: false } } });
    ingestReady = true;
  });
});

describe('dashboard', () => {
  it('serves the built files at / and index.html for page paths, never for API paths', async () => {
    const root = await api.inject({ url: '/' });
    expect(root.statusCode).toBe(200);
    expect(root.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' });
    // A Content-Security-Policy that loads scripts from this origin only (the browser tests check that the
    // dashboard runs under it without a violation).
    expect(root.headers['content-security-policy']).toContain("script-src 'self'");
    expect(root.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(root.body).toContain('Đội tàu');
    const asset = await api.inject({ url: '/assets/main-abc123.js' });
    expect(asset.body).toContain('dashboard');
    expect(asset.headers['cache-control']).toContain('immutable');
    const deepLink = await api.inject({ url: '/vessels/QT-90145-TS' });
    expect(deepLink.statusCode).toBe(200);
    expect(deepLink.headers['content-type']).toMatch(/text\/html/);
    expect(deepLink.body).toContain('<div id="app">');
    const unknownApi = await api.inject({ url: '/api/v1/nothing-here' });
    expect(unknownApi.statusCode).toBe(404);
    expect(unknownApi.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const post = await api.inject({ method: 'POST', url: '/vessels' });
    expect(post.statusCode).toBe(404);
  });
});

describe('request log', () => {
  it('never writes a token passed in the query', () => {
    expect(
      redactQueryToken('/api/v1/stream?vessel=QT-90145-TS&access_token=qtl_s_secret&events=status'),
    ).toBe('/api/v1/stream?vessel=QT-90145-TS&access_token=[redacted]&events=status');
  });
});
