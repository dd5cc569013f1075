import { BUILT_IN_METHODOLOGY_IDS } from '@qt-led/jcm';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { openAuthStore } from './auth/auth-store.js';
import { ensureFirstAdmin } from './auth/first-admin.js';
import { type ApiDeps, DEFAULT_API_OPTIONS } from './deps.js';
import { registerAuthentication } from './plugins/authentication.js';
import { registerDashboard } from './plugins/dashboard.js';
import { frameworkErrorHandler, registerErrorHandler } from './plugins/error-handler.js';
import { registerExternal } from './plugins/external.js';
import { registerRequestLog } from './plugins/request-log.js';
import { registerSecurityHeaders } from './plugins/security-headers.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { emissionsRoutes } from './routes/emissions.js';
import { fleetRoutes } from './routes/fleet.js';
import { healthRoutes } from './routes/health.js';
import { ingestRoutes } from './routes/ingest.js';
import { packageRoutes } from './routes/packages.js';
import { platformRoutes } from './routes/platform.js';
import { registryRoutes } from './routes/registry.js';
import { type StreamRegistry, streamRoutes } from './routes/stream.js';
import { tokenRoutes } from './routes/tokens.js';
import { userRoutes } from './routes/users.js';
import { vesselRoutes } from './routes/vessels.js';

/**
 * The API as a fastify instance, built from its dependencies (no environment, no process access), in
 * layers: outside plugins (OpenAPI, rate limit) → the app's services as decorators, closed on `close()` when
 * the API opened them → cross-cutting hooks (errors, authentication, request log) → routes → dashboard.
 * The caller owns the store, the emissions and fleet status services and closes them after `app.close()`.
 * The instance is not yet listening nor ready: `await app.ready()` or `app.listen(...)`.
 */
export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const options = { ...DEFAULT_API_OPTIONS, ...deps.options };
  const clock = deps.clock ?? { now: () => Date.now() };
  const methodologyIds = deps.methodologyIds ?? BUILT_IN_METHODOLOGY_IDS;
  const [firstMethodology, ...otherMethodologies] = methodologyIds;
  if (firstMethodology === undefined)
    throw new Error('buildApi: methodologyIds must name at least one methodology');

  // Typed as fastify's logger so the instance is the plain FastifyInstance the plugins are written for.
  const logger: FastifyBaseLogger = deps.logger.child({ component: 'api' });
  const app = Fastify({
    loggerInstance: logger,
    // plugins/request-log.ts writes one line per request instead, with the token redacted from the URL.
    logController: new LogController({ disableRequestLogging: true }),
    // HEAD twins of GET routes would need their own entries in the permission table; nobody needs them.
    exposeHeadRoutes: false,
    trustProxy: options.trustProxy,
    // Live streams stay open: closing the app ends them (preClose below) instead of waiting for them.
    forceCloseConnections: true,
    frameworkErrors: frameworkErrorHandler,
    // Node's https server; the routes and plugins only use what it shares with the http one.
    ...(deps.https === undefined ? {} : { https: { cert: deps.https.cert, key: deps.https.key } }),
  }) as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Clients often send `content-type: application/json` with no body on a POST that takes none
  // (acknowledge, logout): treat that as no body; anything else goes to fastify's own (safe) JSON parser.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    void parseJson(request, text, done);
  });

  // Layer 1: outside plugins. Swagger must come before the routes it documents.
  await registerExternal(app);

  // Layer 2: the app's services.
  const auth = openAuthStore(deps.authDbPath);
  app.decorate('store', deps.store);
  app.decorate('registryHolder', deps.registry);
  app.decorate('emissions', deps.emissions);
  app.decorate('fleetStatus', deps.fleetStatus);
  app.decorate('auth', auth);
  app.decorate('clock', clock);
  const sessionClock = deps.sessionClock ?? clock;
  app.decorate('sessionClock', sessionClock);
  app.decorate('apiOptions', options);
  app.addHook('onClose', () => {
    auth.close();
  });
  const streams: StreamRegistry = { clients: new Set() };
  app.addHook('preClose', () => {
    for (const client of streams.clients) client.end();
  });

  const credentials = await ensureFirstAdmin(auth, deps.dataDir, sessionClock.now(), options.scryptCost);
  if (credentials !== null) {
    app.log.warn(
      { path: credentials },
      `first start: created user "admin" with a random password; its one-time credentials are in ${credentials} (readable by this service's user only)`,
    );
  }

  // Layer 3: cross-cutting hooks.
  registerErrorHandler(app);
  registerAuthentication(app);
  registerRequestLog(app);
  registerSecurityHeaders(app, { hsts: deps.https !== undefined });

  // Layer 4: routes.
  await app.register(healthRoutes, deps.ingest === undefined ? {} : { ingestHealth: deps.ingest });
  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger());
  await app.register(authRoutes, { prefix: '/api/v1/auth', dataDir: deps.dataDir });
  await app.register(userRoutes, { prefix: '/api/v1/users' });
  await app.register(tokenRoutes, { prefix: '/api/v1/tokens' });
  await app.register(auditRoutes, { prefix: '/api/v1/audit' });
  await app.register(vesselRoutes, { prefix: '/api/v1/vessels' });
  await app.register(fleetRoutes, { prefix: '/api/v1' });
  await app.register(emissionsRoutes, {
    prefix: '/api/v1/emissions',
    methodologyIds: [firstMethodology, ...otherMethodologies],
  });
  await app.register(packageRoutes, { prefix: '/api/v1/packages', packages: deps.packages });
  await app.register(platformRoutes, { prefix: '/api/v1/platform', phase: deps.platformPhase });
  await app.register(registryRoutes, { prefix: '/api/v1/registry' });
  await app.register(ingestRoutes, { prefix: '/api/v1/ingest', ingest: deps.ingest });
  await app.register(streamRoutes, {
    prefix: '/api/v1/stream',
    streams,
    ...(deps.liveReadings === undefined ? {} : { liveReadings: deps.liveReadings }),
  });

  // Layer 5: the dashboard and the not-found answer.
  await registerDashboard(app, deps.dashboardDir);
  return app;
}
