/**
 * Who may call what: ONE table, route → the roles allowed and the token scope it belongs to. The auth hook
 * reads it for every request, app start-up refuses an `/api/v1` route missing from it, and the tests
 * iterate over it for every role.
 */
import { ROLES, type Role } from '@qt-led/contract';

// The roles are the contract's (the dashboard reads the same list); re-exported for the API's callers.
export { ROLES, type Role };

/**
 * Areas an API token can be limited to (a partner token: `['emissions', 'registry']`). A token without a
 * scope may call whatever its role allows; account routes (`me`, `logout`) need no scope.
 */
export const SCOPES = ['fleet', 'alarms', 'emissions', 'packages', 'registry', 'live', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export type RouteAccess =
  | { readonly public: true }
  | { readonly public?: false; readonly roles: readonly Role[]; readonly scope: Scope | null };

const EVERYONE: readonly Role[] = ROLES;
const FLEET_READERS: readonly Role[] = ['officer', 'analyst', 'admin'];
const FIGURE_READERS: readonly Role[] = ['analyst', 'partner', 'admin'];
const ADMIN: readonly Role[] = ['admin'];
const PUBLIC = { public: true } as const;

export const ROUTE_PERMISSIONS = {
  'GET /healthz': PUBLIC,
  'GET /readyz': PUBLIC,
  'POST /api/v1/auth/login': PUBLIC,
  'POST /api/v1/auth/logout': { roles: EVERYONE, scope: null },
  'GET /api/v1/auth/me': { roles: EVERYONE, scope: null },
  'POST /api/v1/auth/password': { roles: EVERYONE, scope: null },
  'GET /api/v1/users': { roles: ADMIN, scope: 'admin' },
  'POST /api/v1/users': { roles: ADMIN, scope: 'admin' },
  'PATCH /api/v1/users/:username': { roles: ADMIN, scope: 'admin' },
  'DELETE /api/v1/users/:username': { roles: ADMIN, scope: 'admin' },
  'GET /api/v1/tokens': { roles: ADMIN, scope: 'admin' },
  'POST /api/v1/tokens': { roles: ADMIN, scope: 'admin' },
  'DELETE /api/v1/tokens/:id': { roles: ADMIN, scope: 'admin' },
  'GET /api/v1/audit': { roles: ADMIN, scope: 'admin' },
  'GET /api/v1/vessels': { roles: FLEET_READERS, scope: 'fleet' },
  'GET /api/v1/vessels/:id': { roles: FLEET_READERS, scope: 'fleet' },
  'GET /api/v1/vessels/:id/series': { roles: FLEET_READERS, scope: 'fleet' },
  'GET /api/v1/trips': { roles: FLEET_READERS, scope: 'fleet' },
  'GET /api/v1/nights': { roles: FLEET_READERS, scope: 'fleet' },
  'GET /api/v1/completeness': { roles: FLEET_READERS, scope: 'fleet' },
  'GET /api/v1/alarms': { roles: FLEET_READERS, scope: 'alarms' },
  // Analysts read alarms but acknowledging is the officers' call (they go to the boat).
  'POST /api/v1/alarms/:id/acknowledge': { roles: ['officer', 'admin'], scope: 'alarms' },
  'GET /api/v1/emissions': { roles: FIGURE_READERS, scope: 'emissions' },
  // Anyone may fetch the public key to verify a package with; a partner sees only its own packages.
  'GET /api/v1/packages/signing-key': PUBLIC,
  'GET /api/v1/packages': { roles: FIGURE_READERS, scope: 'packages' },
  'GET /api/v1/packages/schedule': { roles: ['analyst', 'admin'], scope: 'packages' },
  'GET /api/v1/packages/receipts': { roles: ['analyst', 'admin'], scope: 'packages' },
  'POST /api/v1/packages/issue': { roles: ['analyst', 'admin'], scope: 'packages' },
  'GET /api/v1/packages/:packageId/download': { roles: FIGURE_READERS, scope: 'packages' },
  'GET /api/v1/packages/:packageId/files/:name': { roles: FIGURE_READERS, scope: 'packages' },
  'GET /api/v1/platform': { roles: EVERYONE, scope: null },
  'GET /api/v1/registry': { roles: EVERYONE, scope: 'registry' },
  'PUT /api/v1/registry': { roles: ADMIN, scope: 'admin' },
  'GET /api/v1/stream': { roles: FLEET_READERS, scope: 'live' },
  'GET /api/v1/ingest/metrics': { roles: ADMIN, scope: 'admin' },
  'GET /api/v1/ingest/dead-letters': { roles: ADMIN, scope: 'admin' },
  'GET /api/v1/ingest/dead-letters/:id': { roles: ADMIN, scope: 'admin' },
  'POST /api/v1/ingest/dead-letters/:id/replay': { roles: ADMIN, scope: 'admin' },
} as const satisfies Record<string, RouteAccess>;

export type RouteKey = keyof typeof ROUTE_PERMISSIONS;

/** `GET /api/v1/users/` and `GET /api/v1/users` are one route (fastify registers both for a prefix). */
export function routeKey(method: string, url: string): string {
  const path = url.length > 1 && url.endsWith('/') ? url.slice(0, -1) : url;
  return `${method.toUpperCase()} ${path}`;
}

export function accessOf(method: string, url: string): RouteAccess | undefined {
  return (ROUTE_PERMISSIONS as Record<string, RouteAccess | undefined>)[routeKey(method, url)];
}

/** The roles allowed on a route; empty for public routes (anyone). */
export function rolesAllowed(key: RouteKey): readonly Role[] {
  const access: RouteAccess = ROUTE_PERMISSIONS[key];
  return access.public === true ? [] : access.roles;
}
