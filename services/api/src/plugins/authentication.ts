import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/auth-store.js';
import { accessOf } from '../auth/permissions.js';
import { ApiError } from '../errors.js';

/** Routes whose clients cannot set headers (the browser's EventSource): the token may come as a query parameter. */
const QUERY_TOKEN_ROUTES = new Set(['/api/v1/stream']);

function bearerOf(request: FastifyRequest, url: string): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      throw new ApiError(401, 'UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"');
    }
    return match[1];
  }
  if (QUERY_TOKEN_ROUTES.has(url)) {
    const token = (request.query as Record<string, unknown> | undefined)?.['access_token'];
    if (typeof token === 'string' && token !== '') return token;
  }
  return undefined;
}

/**
 * Authentication and authorisation for every route, from the one permission table. A route under `/api/v1`
 * that the table does not list makes start-up fail, so no route is ever left open by omission.
 */
export function registerAuthentication(app: FastifyInstance): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('bearerToken', null);

  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1')) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (accessOf(method, route.url) === undefined) {
        throw new Error(
          `route ${method} ${route.url} is not in ROUTE_PERMISSIONS (auth/permissions.ts); add it there`,
        );
      }
    }
  });

  app.addHook('onRequest', (request, _reply, done) => {
    try {
      authenticate(request);
      done();
    } catch (error) {
      done(error as Error);
    }
  });

  function authenticate(request: FastifyRequest): void {
    const url = request.routeOptions.url;
    if (url === undefined) return; // no route: the not-found handler answers
    const access = accessOf(request.method, url);
    if (access === undefined || access.public === true) return;
    const token = bearerOf(request, url);
    if (token === undefined) {
      throw new ApiError(
        401,
        'UNAUTHENTICATED',
        'this route needs a token: send "Authorization: Bearer <token>" (POST /api/v1/auth/login gives one)',
      );
    }
    request.principal = authorise(app, token, request.method, url);
    request.bearerToken = token;
  }
}

/** What a session with a one-time password may call: who am I, change the password, log out. */
const ONE_TIME_PASSWORD_ROUTES = new Set(['/api/v1/auth/me', '/api/v1/auth/password', '/api/v1/auth/logout']);

/**
 * The principal of `token` if it may call `method url` now; throws the 401 or 403 otherwise. Used for each
 * request, and again by what keeps a token's access open (a live stream) when access changed.
 */
export function authorise(app: FastifyInstance, token: string, method: string, url: string): Principal {
  const access = accessOf(method, url);
  if (access === undefined || access.public === true) {
    throw new Error(`authorise: ${method} ${url} is not a protected route`);
  }
  const principal: Principal | undefined = app.auth.resolve(token, app.sessionClock.now());
  if (principal === undefined) {
    throw new ApiError(401, 'UNAUTHENTICATED', 'the token is unknown, expired or revoked; log in again');
  }
  if (principal.kind === 'session' && principal.mustChangePassword && !ONE_TIME_PASSWORD_ROUTES.has(url)) {
    throw new ApiError(
      403,
      'PASSWORD_CHANGE_REQUIRED',
      'this account has a one-time password: change it first (POST /api/v1/auth/password), then log in again',
    );
  }
  if (!access.roles.includes(principal.role)) {
    throw new ApiError(
      403,
      'FORBIDDEN',
      `the ${principal.role} role may not ${method} ${url}; allowed: ${access.roles.join(', ')}`,
    );
  }
  if (principal.scopes !== null && access.scope !== null && !principal.scopes.includes(access.scope)) {
    throw new ApiError(
      403,
      'FORBIDDEN',
      `this API token is limited to ${principal.scopes.join(', ')}; ${method} ${url} needs scope ${access.scope}`,
    );
  }
  return principal;
}

/** The authenticated caller of a protected route (the hook guarantees one). */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) {
    throw new ApiError(401, 'UNAUTHENTICATED', 'this route needs a token');
  }
  return request.principal;
}
