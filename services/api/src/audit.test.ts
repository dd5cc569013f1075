import type { AuditEntry } from '@qt-led/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, createApiFixture, PERIOD } from './testing/api-fixture.js';

let f: ApiFixture;
beforeAll(async () => {
  f = await createApiFixture();
});
afterAll(async () => {
  await f.close();
});

async function log(query = ''): Promise<AuditEntry[]> {
  const response = await f.app.inject({ url: `/api/v1/audit${query}`, headers: f.auth('admin') });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ entries: AuditEntry[] }>().entries;
}

describe('the audit log', () => {
  it('records sign-ins, account and token changes, acknowledgements, exports and packages, newest first', async () => {
    const admin = f.auth('admin');
    await f.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'officer1', password: 'not the password' },
    });
    await f.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin,
      payload: { username: 'audited-one', role: 'officer', password: 'a password the log never shows' },
    });
    const token = await f.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: admin,
      payload: { name: 'audit probe', role: 'analyst', scopes: ['emissions'] },
    });
    const tokenId = token.json<{ record: { id: string } }>().record.id;
    await f.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${tokenId}`, headers: admin });
    const alarms = await f.app.inject({ url: '/api/v1/alarms?state=raised', headers: admin });
    const alarmId = alarms.json<{ alarms: { id: string }[] }>().alarms[0]?.id ?? '';
    await f.app.inject({
      method: 'POST',
      url: `/api/v1/alarms/${alarmId}/acknowledge`,
      headers: f.auth('officer'),
    });
    const csv = await f.app.inject({
      url: `/api/v1/emissions?from=${PERIOD.from}&to=${PERIOD.to}&format=csv`,
      headers: f.auth('partner'),
    });
    expect(csv.statusCode).toBe(200);

    const entries = await log();
    const seen = entries.map((e) => [e.action, e.actor, e.target]);
    expect(seen).toContainEqual(['login-failed', 'officer1', null]);
    expect(seen).toContainEqual(['user-created', 'admin', 'audited-one']);
    expect(seen).toContainEqual(['token-created', 'admin', tokenId]);
    expect(seen).toContainEqual(['token-revoked', 'admin', tokenId]);
    expect(seen).toContainEqual(['alarm-acknowledged', 'officer1', alarmId]);
    expect(seen).toContainEqual([
      'emissions-exported',
      'partner1',
      expect.stringMatching(/\.csv$/) as string,
    ]);
    // The fixture's sign-ins are there too, with the client address.
    expect(entries.find((e) => e.action === 'login' && e.actor === 'partner1')?.ip).toBe('127.0.0.1');
    // Newest first, and never a password.
    expect(entries.map((e) => e.seq)).toEqual([...entries.map((e) => e.seq)].sort((a, b) => b - a));
    expect(JSON.stringify(entries)).not.toContain('a password the log never shows');

    // Filtered by action and paged.
    const logins = await log('?action=login&limit=2');
    expect(logins).toHaveLength(2);
    expect(logins.every((e) => e.action === 'login')).toBe(true);
    const next = await f.app.inject({
      url: `/api/v1/audit?action=login&limit=2&before=${String(logins[1]?.seq)}`,
      headers: admin,
    });
    expect(next.json<{ entries: AuditEntry[] }>().entries.every((e) => e.seq < (logins[1]?.seq ?? 0))).toBe(
      true,
    );
  });
});
