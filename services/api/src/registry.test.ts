import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FleetRegistry } from '@qt-led/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTRY_LIVE_FILE as REGISTRY_FILE } from '@qt-led/runtime';
import { type ApiFixture, createApiFixture } from './testing/api-fixture.js';

let f: ApiFixture;
beforeAll(async () => {
  f = await createApiFixture();
});
afterAll(async () => {
  await f.close();
});

describe('registry', () => {
  it('is readable by every role', async () => {
    for (const role of ['officer', 'analyst', 'partner', 'admin'] as const) {
      const response = await f.app.inject({ url: '/api/v1/registry', headers: f.auth(role) });
      expect(response.statusCode).toBe(200);
      expect(FleetRegistry.safeParse(response.json()).success).toBe(true);
    }
  });

  it('is replaced by an admin: validated, written to the data directory, in force at once', async () => {
    const current = f.registry.current().registry;
    const vesselId = f.vesselIds[0] ?? '';
    const next = structuredClone(current);
    const vessel = next.vessels.find((v) => v.vesselId === vesselId);
    if (vessel === undefined) throw new Error('vessel missing');
    vessel.name = 'Thuận Phong 67 (renamed)';
    const response = await f.app.inject({
      method: 'PUT',
      url: '/api/v1/registry',
      headers: f.auth('admin'),
      payload: next,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ vessels: next.vessels.length, path: join(f.dir, REGISTRY_FILE) });
    const written = JSON.parse(await readFile(join(f.dir, REGISTRY_FILE), 'utf8')) as typeof next;
    expect(written.vessels.find((v) => v.vesselId === vesselId)?.name).toBe('Thuận Phong 67 (renamed)');
    // The delegating view the services hold sees the new registry too.
    expect(f.registry.index.vessel(vesselId as never)?.name).toBe('Thuận Phong 67 (renamed)');
    const shown = await f.app.inject({ url: `/api/v1/vessels/${vesselId}`, headers: f.auth('officer') });
    expect(shown.json()).toMatchObject({ name: 'Thuận Phong 67 (renamed)' });
  });

  it('refuses an invalid registry with every problem and keeps the one in force', async () => {
    const before = f.registry.current();
    const next = structuredClone(before.registry);
    const [first, second] = next.vessels;
    if (first === undefined || second === undefined) throw new Error('registry too small');
    first.district = 'Triệu Phong';
    second.vesselId = first.vesselId;
    const response = await f.app.inject({
      method: 'PUT',
      url: '/api/v1/registry',
      headers: f.auth('admin'),
      payload: next,
    });
    expect(response.statusCode).toBe(400);
    const body = response.json<{
      error: { message: string; issues: { in: string; path: string; message: string }[] };
    }>();
    expect(body.error.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ in: 'body', path: 'vessels.0.district' }),
        expect.objectContaining({
          in: 'body',
          path: 'vessels.1.vesselId',
          message: expect.stringContaining('listed twice') as string,
        }),
      ]),
    );
    expect(body.error.message).toContain('body field "vessels.0.district"');
    expect(f.registry.current()).toBe(before);
  });
});
