import type { FastifyInstance } from 'fastify';

/**
 * The dashboard's Content-Security-Policy: scripts, styles, fetches and the live stream from this origin
 * only, so that an injected script or a stolen-data beacon has nowhere to load from or post to. Inline
 * style attributes stay allowed (the map's and the charts' layout); inline scripts do not (the built
 * dashboard has none). `frame-ancestors` repeats X-Frame-Options for browsers that honour only CSP.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Over HTTPS, browsers that have seen the site once refuse plain HTTP to it for a year, so a network
 * attacker cannot downgrade a later visit. Not `includeSubDomains`: other hosts of the operator's domain
 * may not serve HTTPS.
 */
export const HSTS = 'max-age=31536000';

/** The API docs page (Swagger UI) runs inline scripts: it gets no CSP of this strictness. */
const DOCS_PREFIX = '/api/docs';

/**
 * Headers that cost nothing and close common holes: no MIME sniffing of a CSV into HTML, no framing of
 * the dashboard by another site, no URLs (with their query) leaking to other sites in Referer, and the
 * dashboard's Content-Security-Policy on everything but the API docs page; HSTS when served over TLS.
 */
export function registerSecurityHeaders(app: FastifyInstance, options: { hsts: boolean }): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    if (options.hsts) reply.header('strict-transport-security', HSTS);
    if (!request.url.startsWith(DOCS_PREFIX)) reply.header('content-security-policy', DASHBOARD_CSP);
    done(null, payload);
  });
}
