import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from './auth/permissions.js';
import { type ApiFixture, createApiFixture, PERIOD } from './testing/api-fixture.js';

let f: ApiFixture;
beforeAll(async () => {
  f = await createApiFixture();
});
afterAll(async () => {
  await f.close();
});

interface Case {
  name: string;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string | (() => string);
  payload?: unknown;
  rawBody?: string;
  role?: Role;
  status: number;
  code?: string;
  /** Text the message must contain: the parameter's name and what is wrong with it. */
  message: (string | RegExp)[];
}

const vessel = (): string => f.vesselIds[0] ?? '';
const series = (query: string): string => `/api/v1/vessels/${vessel()}/series?${query}`;

const CASES: Case[] = [
  // auth
  {
    name: 'login without a body',
    method: 'POST',
    url: '/api/v1/auth/login',
    status: 400,
    message: ['request body'],
  },
  {
    name: 'login with a number for a password',
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'admin', password: 12 },
    status: 400,
    message: ['body field "password"'],
  },
  {
    name: 'login with a stray field',
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'admin', password: 'x', remember: true },
    status: 400,
    message: ['"remember"', 'not a parameter', 'username, password'],
  },
  {
    name: 'login with broken JSON',
    method: 'POST',
    url: '/api/v1/auth/login',
    rawBody: '{"username": "admin", ',
    status: 400,
    message: [/JSON/i],
  },
  {
    name: 'login with a wrong password',
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'admin', password: 'wrong password' },
    status: 401,
    code: 'INVALID_CREDENTIALS',
    message: ['wrong password'],
  },
  {
    name: 'a password change to a short password',
    method: 'POST',
    url: '/api/v1/auth/password',
    role: 'officer',
    payload: { currentPassword: 'x', newPassword: 'short' },
    status: 400,
    message: ['body field "newPassword"', 'at least 12 characters'],
  },
  {
    name: 'a password change to twelve of one letter',
    method: 'POST',
    url: '/api/v1/auth/password',
    role: 'officer',
    payload: { currentPassword: 'x', newPassword: 'aaaaaaaaaaaa' },
    status: 400,
    message: ['body field "newPassword"', 'too easy to guess', 'Repeated characters'],
  },
  {
    name: 'a new user with a common password',
    method: 'POST',
    url: '/api/v1/users',
    role: 'admin',
    payload: { username: 'weak-one', role: 'officer', password: 'password1234' },
    status: 400,
    message: ['body field "password"', 'too easy to guess', 'commonly used password'],
  },
  // users and tokens
  {
    name: 'users limit 0',
    url: '/api/v1/users?limit=0',
    status: 400,
    message: ['query parameter "limit"', '1 to 500'],
  },
  {
    name: 'users limit 501',
    url: '/api/v1/users?limit=501',
    status: 400,
    message: ['"limit"', 'at most 500'],
  },
  {
    name: 'users limit abc',
    url: '/api/v1/users?limit=abc',
    status: 400,
    message: ['"limit"', 'whole number'],
  },
  {
    name: 'a user with an unusable name',
    method: 'POST',
    url: '/api/v1/users',
    payload: { username: 'Ắ B', role: 'officer', password: 'long enough password' },
    status: 400,
    message: ['body field "username"', '3–32 lowercase'],
  },
  {
    name: 'a user with an unknown role',
    method: 'POST',
    url: '/api/v1/users',
    payload: { username: 'captain', role: 'captain', password: 'long enough password' },
    status: 400,
    message: ['body field "role"', 'officer'],
  },
  {
    name: 'a user that exists',
    method: 'POST',
    url: '/api/v1/users',
    payload: { username: 'officer1', role: 'officer', password: 'long enough password' },
    status: 409,
    code: 'USER_EXISTS',
    message: ['officer1 already exists'],
  },
  {
    name: 'tokens cursor not a number',
    url: '/api/v1/tokens?cursor=abc',
    status: 400,
    message: ['"cursor"'],
  },
  {
    name: 'a token with an unknown scope',
    method: 'POST',
    url: '/api/v1/tokens',
    payload: { name: 'x', role: 'partner', scopes: ['everything'] },
    status: 400,
    message: ['body field "scopes.0"'],
  },
  {
    name: 'a token with a local time for an expiry',
    method: 'POST',
    url: '/api/v1/tokens',
    payload: { name: 'x', role: 'partner', expiresAt: '2030-01-01 12:00' },
    status: 400,
    message: ['body field "expiresAt"', 'ISO 8601'],
  },
  {
    name: 'a token that expired before it was made',
    method: 'POST',
    url: '/api/v1/tokens',
    payload: { name: 'x', role: 'partner', expiresAt: '2020-01-01T00:00:00Z' },
    status: 400,
    message: ['"expiresAt"', 'future'],
  },
  {
    name: 'revoking a malformed token id',
    method: 'DELETE',
    url: '/api/v1/tokens/123',
    status: 400,
    message: ['path parameter "id"'],
  },
  {
    name: 'revoking an unknown token',
    method: 'DELETE',
    url: '/api/v1/tokens/tok_AAAAAAAAAAAA',
    status: 404,
    code: 'NOT_FOUND',
    message: ['tok_AAAAAAAAAAAA'],
  },
  // vessels and series
  {
    name: 'a malformed vessel id',
    url: '/api/v1/vessels/boat-1',
    status: 400,
    message: ['path parameter "id"', 'QT-90145-TS'],
  },
  {
    name: 'an unknown vessel',
    url: '/api/v1/vessels/QT-11111-TS',
    status: 404,
    code: 'NOT_FOUND',
    message: ['QT-11111-TS'],
  },
  {
    name: 'series of an unknown vessel',
    url: '/api/v1/vessels/QT-11111-TS/series?from=2024-03-01T00:00:00Z&to=2024-03-02T00:00:00Z',
    status: 404,
    message: ['QT-11111-TS'],
  },
  { name: 'series without a period', url: () => series(''), status: 400, message: ['"from"', '"to"'] },
  {
    name: 'series with an instant without zone',
    url: () => series('from=2024-03-01T00:00:00&to=2024-03-02T00:00:00Z'),
    status: 400,
    message: ['query parameter "from"', 'with its zone'],
  },
  {
    name: 'series ending before it starts',
    url: () => series('from=2024-03-02T00:00:00Z&to=2024-03-01T00:00:00Z'),
    status: 400,
    message: ['"to"', 'after'],
  },
  {
    name: 'series with a step that is no duration',
    url: () => series('from=2024-03-01T00:00:00Z&to=2024-03-02T00:00:00Z&step=5x'),
    status: 400,
    message: ['query parameter "step"', '5m'],
  },
  {
    name: 'series with too many points',
    url: () => series('from=2024-03-01T00:00:00Z&to=2024-03-08T00:00:00Z&step=1m'),
    status: 400,
    message: ['query parameter "step"', '10080 points', 'at most 2000', 'step=10m'],
  },
  {
    name: 'series of an unknown field',
    url: () => series('from=2024-03-01T00:00:00Z&to=2024-03-02T00:00:00Z&fields=ledPowerW,voltage'),
    status: 400,
    message: ['query parameter "fields"', '"voltage"', 'ledPowerW'],
  },
  {
    name: 'series with a parameter given twice',
    url: () => series('from=2024-03-01T00:00:00Z&from=2024-03-02T00:00:00Z&to=2024-03-03T00:00:00Z'),
    status: 400,
    message: ['"from"'],
  },
  // trips, nights, completeness, alarms
  {
    name: 'trips on 30 February',
    url: '/api/v1/trips?from=2024-02-30&to=2024-03-02',
    status: 400,
    message: ['"from"', 'YYYY-MM-DD'],
  },
  {
    name: 'trips backwards',
    url: '/api/v1/trips?from=2024-03-05&to=2024-03-01',
    status: 400,
    message: ['"to"', 'end after'],
  },
  {
    name: 'trips over two years',
    url: '/api/v1/trips?from=2022-01-01&to=2024-01-01',
    status: 400,
    message: ['"to"', '366 days'],
  },
  {
    name: 'trips of a misspelt parameter',
    url: `/api/v1/trips?from=${PERIOD.from}&to=${PERIOD.to}&vesel=QT-90145-TS`,
    status: 400,
    message: ['"vesel"', 'vessel, from, to'],
  },
  {
    name: 'nights of an unknown vessel',
    url: `/api/v1/nights?from=${PERIOD.from}&to=${PERIOD.to}&vessel=QT-11111-TS`,
    status: 404,
    message: ['QT-11111-TS'],
  },
  {
    name: 'nights of a malformed vessel',
    url: `/api/v1/nights?from=${PERIOD.from}&to=${PERIOD.to}&vessel=x`,
    status: 400,
    message: ['query parameter "vessel"'],
  },
  {
    name: 'completeness by instants',
    url: '/api/v1/completeness?from=2024-03-01T00:00:00Z&to=2024-03-02',
    status: 400,
    message: ['query parameter "from"', 'YYYY-MM-DD'],
  },
  {
    name: 'completeness of one bad vessel in a list',
    url: `/api/v1/completeness?from=${PERIOD.from}&to=${PERIOD.to}&vessel=QT-90145-TS,QT-1-TS`,
    status: 400,
    message: ['"vessel"', '"QT-1-TS"'],
  },
  {
    name: 'alarms in an unknown state',
    url: '/api/v1/alarms?state=open',
    status: 400,
    message: ['query parameter "state"'],
  },
  {
    name: 'alarms limit 1000',
    url: '/api/v1/alarms?limit=1000',
    status: 400,
    message: ['"limit"', 'at most 500'],
  },
  {
    name: 'alarms before a date',
    url: '/api/v1/alarms?before=yesterday',
    status: 400,
    message: ['"before"', 'ISO 8601'],
  },
  {
    name: 'a JSON login with an empty body',
    method: 'POST',
    url: '/api/v1/auth/login',
    rawBody: '',
    status: 400,
    message: ['request body'],
  },
  {
    name: 'a JSON body poisoning the prototype',
    method: 'POST',
    url: '/api/v1/auth/login',
    rawBody: '{"username":"admin","password":"x","__proto__":{"role":"admin"}}',
    status: 400,
    message: [/not valid JSON/],
  },
  {
    name: 'acknowledging an unknown alarm, with an empty JSON body',
    rawBody: '',
    method: 'POST',
    url: '/api/v1/alarms/no-such-alarm/acknowledge',
    status: 404,
    message: ['no-such-alarm'],
  },
  // emissions
  { name: 'emissions without a period', url: '/api/v1/emissions', status: 400, message: ['"from"', '"to"'] },
  {
    name: 'emissions ending where they start',
    url: '/api/v1/emissions?from=2024-03-01&to=2024-03-01',
    status: 400,
    message: ['"to"'],
  },
  {
    name: 'emissions of an unknown methodology',
    url: `/api/v1/emissions?from=${PERIOD.from}&to=${PERIOD.to}&variant=vn006`,
    status: 400,
    message: ['query parameter "variant"', 'qtled-vn006-electricity-ratio'],
  },
  {
    name: 'emissions as PDF',
    url: `/api/v1/emissions?from=${PERIOD.from}&to=${PERIOD.to}&format=pdf`,
    status: 400,
    message: ['"format"', 'json, csv or xlsx'],
  },
  {
    name: 'emissions of an unknown vessel',
    url: `/api/v1/emissions?from=${PERIOD.from}&to=${PERIOD.to}&vessel=QT-11111-TS`,
    status: 404,
    message: ['QT-11111-TS'],
  },
  {
    name: 'emissions before the methodology applies',
    url: '/api/v1/emissions?from=2016-01-01&to=2016-02-01',
    status: 422,
    code: 'JCM_PARAMETER_NOT_EFFECTIVE',
    message: ['does not apply'],
  },
  // registry and stream
  {
    name: 'a registry that is not one',
    method: 'PUT',
    url: '/api/v1/registry',
    payload: {
      schema: 'qtled.fleet-registry/1',
      illustrative: true,
      notice: '',
      vessels: [{ vesselId: 'QT-1-TS' }],
    },
    status: 400,
    message: ['body field "vessels.0.vesselId"'],
  },
  {
    name: 'a stream of unknown events',
    url: '/api/v1/stream?events=status,weather',
    status: 400,
    message: ['"events"', 'weather'],
  },
];

describe('malformed input gets a 4xx that names the parameter', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const response = await f.app.inject({
        method: c.method ?? 'GET',
        url: typeof c.url === 'string' ? c.url : c.url(),
        headers: {
          ...f.auth(c.role ?? 'admin'),
          ...(c.rawBody === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(c.payload === undefined ? {} : { payload: c.payload as object }),
        ...(c.rawBody === undefined ? {} : { payload: c.rawBody }),
      });
      expect(response.statusCode, response.body).toBe(c.status);
      const body = response.json<{ error: { code: string; message: string; issues?: unknown[] } }>();
      if (c.code !== undefined) expect(body.error.code).toBe(c.code);
      if (c.status === 400 && c.code === undefined) expect(body.error.code).toBe('INVALID_REQUEST');
      for (const part of c.message) {
        if (typeof part === 'string') expect(body.error.message).toContain(part);
        else expect(body.error.message).toMatch(part);
      }
    });
  }

  it('answers garbage in every query parameter of every route with a 4xx or a 200, never a 500', async () => {
    const routes: [string, string[]][] = [
      ['/api/v1/users', ['limit', 'after']],
      ['/api/v1/tokens', ['limit', 'cursor', 'includeRevoked']],
      [`/api/v1/vessels/${vessel()}/series`, ['from', 'to', 'step', 'fields']],
      ['/api/v1/trips', ['vessel', 'from', 'to']],
      ['/api/v1/nights', ['vessel', 'from', 'to']],
      ['/api/v1/completeness', ['from', 'to', 'vessel']],
      ['/api/v1/alarms', ['state', 'vessel', 'before', 'limit']],
      ['/api/v1/emissions', ['from', 'to', 'vessel', 'variant', 'format']],
    ];
    const valid: Record<string, string> = {
      from: PERIOD.from,
      to: PERIOD.to,
      vessel: vessel(),
      limit: '5',
    };
    const garbage = [
      '',
      ' ',
      'null',
      '-1',
      '1e309',
      'NaN',
      '../../etc/passwd',
      '%00',
      'ä😀',
      'x'.repeat(5_000),
      '2024-13-45',
      '0000-00-00',
      '9999-12-31T23:59:59Z',
      '1,2,,3',
    ];
    let requests = 0;
    for (const [path, params] of routes) {
      for (const param of params) {
        for (const value of garbage) {
          const query = new URLSearchParams({
            ...(path.includes('series')
              ? { from: '2024-03-02T00:00:00Z', to: '2024-03-03T00:00:00Z' }
              : valid),
          });
          if (
            path === '/api/v1/completeness' ||
            path === '/api/v1/emissions' ||
            path.includes('trips') ||
            path.includes('nights')
          ) {
            query.set('from', PERIOD.from);
            query.set('to', PERIOD.to);
          }
          if (!params.includes('vessel')) query.delete('vessel');
          if (!params.includes('limit')) query.delete('limit');
          if (!params.includes('from')) {
            query.delete('from');
            query.delete('to');
          }
          query.set(param, value);
          const response = await f.app.inject({
            url: `${path}?${query.toString()}`,
            headers: f.auth('admin'),
          });
          requests += 1;
          expect(
            response.statusCode,
            `${path}?${param}=${value.slice(0, 40)}: ${response.body.slice(0, 300)}`,
          ).toBeLessThan(500);
          if (response.statusCode >= 400) {
            expect(response.json<{ error: { message: string } }>().error.message.length).toBeGreaterThan(10);
          }
        }
      }
    }
    expect(requests).toBeGreaterThan(300);
  });
});
