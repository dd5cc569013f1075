import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { ApiError, type ApiIssue, describeIssues } from '../errors.js';

const CONTEXT_NAMES: Record<string, string> = {
  querystring: 'query',
  params: 'params',
  body: 'body',
  headers: 'headers',
};

/** The parameter names a route's zod schema accepts, to tell a caller who misspelt one what exists. */
function knownKeys(schema: unknown): string[] {
  const shape = (schema as { shape?: unknown } | undefined)?.shape;
  return shape !== null && typeof shape === 'object' ? Object.keys(shape) : [];
}

function validationIssues(error: FastifyError, request: FastifyRequest): ApiIssue[] {
  if (!hasZodFastifySchemaValidationErrors(error)) return [];
  const where = CONTEXT_NAMES[error.validationContext ?? ''] ?? 'request';
  const schemaKey = error.validationContext;
  return error.validation.map((v) => {
    const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
    if (v.keyword === 'unrecognized_keys') {
      const keys = (v.params as { keys?: unknown }).keys;
      const unknown = Array.isArray(keys) ? keys.map(String) : [];
      const known = schemaKey === undefined ? [] : knownKeys(request.routeOptions.schema?.[schemaKey]);
      return {
        in: where,
        path: unknown.join(','),
        message: `not a parameter of this route${known.length > 0 ? `; the parameters are ${known.join(', ')}` : ''}`,
      };
    }
    return { in: where, path, message: v.message ?? 'invalid' };
  });
}

function send(
  reply: FastifyReply,
  statusCode: number,
  code: string,
  message: string,
  issues?: readonly ApiIssue[],
) {
  return reply
    .code(statusCode)
    .type('application/json; charset=utf-8')
    .send({ error: { code, message, ...(issues === undefined ? {} : { issues }) } });
}

const FRAMEWORK_MESSAGES: Record<string, string> = {
  FST_ERR_BAD_URL: 'the URL is malformed',
  FST_ERR_MAX_PARAM_LENGTH: 'a path parameter is longer than any this API accepts',
};

/**
 * Fastify's router answers a malformed URL or an overlong path parameter before any route or error handler
 * runs, in a body of its own; passed as `frameworkErrors`, this sends those in the API's one error shape
 * (without echoing the URL back).
 */
export function frameworkErrorHandler(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 400;
  void send(reply, status, 'INVALID_REQUEST', FRAMEWORK_MESSAGES[error.code] ?? 'the request is malformed');
}

/**
 * The one error handler. Input problems are 4xx with a message naming the parameter; anything else is a
 * 500 whose details stay in the log (with the request id, which the client gets to quote).
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = validationIssues(error, request);
      return send(reply, 400, 'INVALID_REQUEST', describeIssues(issues), issues);
    }
    if (error instanceof ApiError) {
      if (error.statusCode >= 500) request.log.error({ err: error }, 'request failed');
      return send(reply, error.statusCode, error.code, error.message, error.issues);
    }
    if (!isResponseSerializationError(error)) {
      const status = error.statusCode ?? 500;
      // fastify's own 4xx (malformed JSON, wrong content type, body too large) are safe to pass on.
      if (status >= 400 && status < 500) {
        const code = (error.code as string | undefined) ?? '';
        return send(
          reply,
          status,
          code === '' || code.startsWith('FST_') ? 'INVALID_REQUEST' : code,
          error.message,
        );
      }
    }
    request.log.error({ err: error }, 'request failed');
    return send(
      reply,
      500,
      'INTERNAL',
      `internal error; the details are in the server log under request id ${request.id}`,
    );
  });
}
