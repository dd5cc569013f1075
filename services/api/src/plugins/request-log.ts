import type { FastifyInstance } from 'fastify';

/** A URL fit for the log: a token passed in the query (the live stream) is replaced. */
export function redactQueryToken(url: string): string {
  return url.replace(/([?&]access_token=)[^&]*/g, '$1[redacted]');
}

/**
 * One line per request, written here rather than by fastify's default request logging, so the URL can be
 * redacted and the caller named.
 */
export function registerRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: redactQueryToken(request.url),
        statusCode: reply.statusCode,
        responseTimeMs: Math.round(reply.elapsedTime),
        user: request.principal?.username,
      },
      'request',
    );
  });
}
