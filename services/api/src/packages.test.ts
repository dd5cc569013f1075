import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PackageSummary } from '@qt-led/contract';
import { readPackageFiles, verifyPackage } from '@qt-led/partner-packages';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, createApiFixture } from './testing/api-fixture.js';

let f: ApiFixture;
beforeAll(async () => {
  f = await createApiFixture();
});
afterAll(async () => {
  await f.close();
});

async function token(partner?: string): Promise<string> {
  const created = await f.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    headers: f.auth('admin'),
    payload: {
      name: `partner ${partner ?? 'none'}`,
      role: 'partner',
      ...(partner === undefined ? {} : { partner }),
    },
  });
  expect(created.statusCode, created.body).toBe(201);
  return created.json<{ token: string }>().token;
}

describe('partner packages through the API', () => {
  it('issues on request, lists and serves each partner its own packages, signed with the published key, and records downloads', async () => {
    // The schedule's first pass (in this process, as in npm start) issued February for both partners.
    const issued = await f.app.inject({
      method: 'POST',
      url: '/api/v1/packages/issue',
      headers: f.auth('analyst'),
      payload: { partner: 'stanley-electric', month: '2024-02' },
    });
    expect([200, 201]).toContain(issued.statusCode);
    expect(issued.json()).toMatchObject({ packageId: 'stanley-electric-2024-02-v1', version: 1 });
    const again = await f.app.inject({
      method: 'POST',
      url: '/api/v1/packages/issue',
      headers: f.auth('analyst'),
      payload: { partner: 'stanley-electric', month: '2024-02' },
    });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ issued: false, packageId: 'stanley-electric-2024-02-v1' });
    const running = await f.app.inject({
      method: 'POST',
      url: '/api/v1/packages/issue',
      headers: f.auth('analyst'),
      payload: { partner: 'nedo', month: '2024-03' },
    });
    expect(running.statusCode).toBe(400);
    expect(running.body).toContain('has not ended yet');

    const all = await f.app.inject({ url: '/api/v1/packages', headers: f.auth('analyst') });
    const list = all.json<{ packages: PackageSummary[] }>().packages;
    expect(list.map((p) => p.packageId).sort()).toEqual(['nedo-2024-02-v1', 'stanley-electric-2024-02-v1']);
    for (const p of list) PackageSummary.parse(p);

    // The fixture's partner speaks for NEDO: it sees NEDO's package, and Stanley Electric's is not there.
    const own = await f.app.inject({ url: '/api/v1/packages', headers: f.auth('partner') });
    expect(own.json<{ packages: PackageSummary[] }>().packages.map((p) => p.packageId)).toEqual([
      'nedo-2024-02-v1',
    ]);
    const other = await f.app.inject({
      url: '/api/v1/packages/stanley-electric-2024-02-v1/download',
      headers: f.auth('partner'),
    });
    expect(other.statusCode).toBe(404);

    // A partner token for Stanley Electric downloads its zip; it verifies with the key the API publishes.
    const stanley = await token('stanley-electric');
    const zip = await f.app.inject({
      url: '/api/v1/packages/stanley-electric-2024-02-v1/download',
      headers: { authorization: `Bearer ${stanley}` },
    });
    expect(zip.statusCode).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    const key = await f.app.inject({ url: '/api/v1/packages/signing-key' });
    expect(key.statusCode).toBe(200);
    const { publicKeyPem, fingerprint } = key.json<{ publicKeyPem: string; fingerprint: string }>();
    const dir = await mkdtemp(join(tmpdir(), 'qtled-api-packages-'));
    await writeFile(join(dir, 'p.zip'), zip.rawPayload);
    const { files, unexpected } = await readPackageFiles(join(dir, 'p.zip'));
    const report = verifyPackage(files, { publicKeyPem }, unexpected);
    expect(report.problems).toEqual([]);
    expect(report.key?.fingerprint).toBe(fingerprint);
    const manifest = await f.app.inject({
      url: '/api/v1/packages/stanley-electric-2024-02-v1/files/manifest.json',
      headers: { authorization: `Bearer ${stanley}` },
    });
    expect(manifest.json()).toMatchObject({ partner: 'stanley-electric', language: 'ja' });
    // A partner token that speaks for nobody sees nothing; a file name with a path is refused.
    const nobody = await token();
    const none = await f.app.inject({
      url: '/api/v1/packages',
      headers: { authorization: `Bearer ${nobody}` },
    });
    expect(none.json()).toEqual({ packages: [] });
    const traversal = await f.app.inject({
      url: '/api/v1/packages/nedo-2024-02-v1/files/..%2F..%2Fapi-auth.sqlite',
      headers: f.auth('admin'),
    });
    expect(traversal.statusCode).toBe(400);

    // A month before the schedule's first: only the analyst's request issues it, and the receipt says who.
    const january = await f.app.inject({
      method: 'POST',
      url: '/api/v1/packages/issue',
      headers: f.auth('analyst'),
      payload: { partner: 'nedo', month: '2024-01' },
    });
    expect(january.statusCode).toBe(201);
    const nedoReceipts = await f.app.inject({
      url: '/api/v1/packages/receipts?partner=nedo',
      headers: f.auth('admin'),
    });
    expect(
      nedoReceipts.json<{ receipts: { kind: string; by: string; packageId: string }[] }>().receipts,
    ).toContainEqual(
      expect.objectContaining({ kind: 'issued', by: 'analyst1', packageId: 'nedo-2024-01-v1' }),
    );
    const receipts = await f.app.inject({
      url: '/api/v1/packages/receipts?partner=stanley-electric',
      headers: f.auth('admin'),
    });
    expect(
      receipts
        .json<{ receipts: { kind: string; by: string; detail?: string }[] }>()
        .receipts.filter((r) => r.kind === 'download'),
    ).toEqual([
      expect.objectContaining({ by: 'token:partner stanley-electric', detail: 'zip' }),
      expect.objectContaining({ by: 'token:partner stanley-electric', detail: 'manifest.json' }),
    ]);
    // The audit log has the downloads and the analyst's issues.
    const audited = await f.app.inject({
      url: '/api/v1/audit?action=package-downloaded',
      headers: f.auth('admin'),
    });
    expect(audited.json<{ entries: { actor: string; target: string }[] }>().entries).toContainEqual(
      expect.objectContaining({
        actor: 'token:partner stanley-electric',
        target: 'stanley-electric-2024-02-v1',
      }),
    );
    const issuedLog = await f.app.inject({
      url: '/api/v1/audit?action=package-issued',
      headers: f.auth('admin'),
    });
    expect(issuedLog.json<{ entries: { actor: string; target: string }[] }>().entries).toContainEqual(
      expect.objectContaining({ actor: 'analyst1', target: 'nedo-2024-01-v1' }),
    );
    const schedule = await f.app.inject({ url: '/api/v1/packages/schedule', headers: f.auth('analyst') });
    expect(schedule.json()).toMatchObject({
      schedule: [
        {
          partner: 'nedo',
          scope: 'emissions',
          language: 'ja',
          since: '2024-02-01',
          nextPeriodFrom: '2024-03-01',
        },
        { partner: 'stanley-electric', scope: 'led-performance', since: '2024-02-01' },
      ],
    });
    // A partner moved to another role no longer speaks for a partner.
    const moved = await f.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: f.auth('admin'),
      payload: {
        username: 'moving-partner',
        role: 'partner',
        partner: 'nedo',
        password: 'moves to the analysts soon',
      },
    });
    expect(moved.json()).toMatchObject({ role: 'partner', partner: 'nedo' });
    const promoted = await f.app.inject({
      method: 'PATCH',
      url: '/api/v1/users/moving-partner',
      headers: f.auth('admin'),
      payload: { role: 'analyst' },
    });
    expect(promoted.statusCode, promoted.body).toBe(200);
    expect(promoted.json()).toMatchObject({ role: 'analyst', partner: null });
    const refused = await f.app.inject({
      method: 'PATCH',
      url: '/api/v1/users/moving-partner',
      headers: f.auth('admin'),
      payload: { partner: 'nedo' },
    });
    expect(refused.statusCode).toBe(400);
    // Only a partner token speaks for a partner.
    const wrong = await f.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: f.auth('admin'),
      payload: { name: 'analyst for nedo', role: 'analyst', partner: 'nedo' },
    });
    expect(wrong.statusCode).toBe(400);
  });
});
