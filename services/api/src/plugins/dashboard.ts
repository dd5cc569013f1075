import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * The built dashboard at `/` when a directory is given, with the single-page-app fallback: a GET for a page
 * path that is no file (`/vessels/QT-90145-TS`) gets index.html, so deep links and reloads work. API paths
 * and non-GET requests get the JSON 404 instead.
 */
export async function registerDashboard(
  app: FastifyInstance,
  dashboardDir: string | undefined,
): Promise<void> {
  if (dashboardDir !== undefined) {
    await app.register(fastifyStatic, {
      root: dashboardDir,
      prefix: '/',
      wildcard: true,
      index: 'index.html',
      cacheControl: false,
      // Vite puts content hashes in asset names: those can be cached for long; index.html never.
      setHeaders: (res, path) => {
        res.setHeader(
          'cache-control',
          path.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
        );
      },
    });
  }
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const isApi = path === '/api' || path.startsWith('/api/') || path === '/healthz' || path === '/readyz';
    if (dashboardDir !== undefined && !isApi && (request.method === 'GET' || request.method === 'HEAD')) {
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .sendFile('index.html');
    }
    return reply.code(404).send({
      error: {
        code: 'NOT_FOUND',
        message: `no route ${request.method} ${path}; the routes are listed at /api/docs`,
      },
    });
  });
}
