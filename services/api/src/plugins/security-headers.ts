import type { FastifyInstance } from 'fastify';

/**
 * Headers that cost nothing and close common holes: no MIME sniffing of a CSV into HTML, no framing of
 * the dashboard by another site, no URLs (with their query) leaking to other sites in Referer.
 * (No Content-Security-Policy here: the API docs page needs inline scripts; the dashboard sets its own.)
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    done(null, payload);
  });
}
