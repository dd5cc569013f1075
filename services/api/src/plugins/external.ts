import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { ApiError } from '../errors.js';

export const API_VERSION = '1.0.0';

/** Outside plugins: the OpenAPI document (from the zod schemas), its UI, and the rate limiter. */
export async function registerExternal(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Quang Tri LED fishing fleet API',
        description:
          'Vessel status, telemetry series, trips, fishing nights, alarms, data completeness and JCM emission ' +
          'figures of the NEDO LED fishing-boat project (VN006). Authenticate with "Authorization: Bearer <token>" ' +
          'from POST /api/v1/auth/login (people) or an API token (machines, partners).',
        version: API_VERSION,
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new ApiError(
        429,
        'RATE_LIMITED',
        `too many attempts from this address; try again in ${context.after} (at most ${context.max} per window)`,
      ),
  });
}
