import { DEAD_LETTER_REASONS, type DeadLetter } from '@qt-led/store';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError, ErrorBody } from '../errors.js';
import type { IngestOperations } from '../ingest-operations.js';
import { audit } from '../plugins/audit.js';

const DeadLetterView = z
  .object({
    id: z.string(),
    receivedAtMs: z.number(),
    topic: z.string(),
    reason: z.enum(DEAD_LETTER_REASONS),
    message: z.string().describe('why ingest set it aside'),
    payload: z.string().describe('as received (the list shows its first 500 characters)'),
    payloadEncoding: z.enum(['utf8', 'base64']),
    payloadBytes: z.number(),
    replayedAtMs: z.number().nullable(),
  })
  .meta({ id: 'DeadLetter' }) satisfies z.ZodType<DeadLetter>;

const NOT_HERE =
  'ingest does not run in this process; its operator endpoints (/metrics, /dead-letters) are on its own port (INGEST_HTTP_PORT, 9464 under compose)';

/**
 * Ingest's operator view for admins, behind the API's login: its Prometheus metrics and the dead letters
 * (list, inspect, replay after a registry or contract fix).
 */
export const ingestRoutes: FastifyPluginCallbackZod<{ ingest: IngestOperations | undefined }> = (
  app,
  options,
  done,
) => {
  const ingest = (): IngestOperations => {
    if (options.ingest === undefined) throw new ApiError(503, 'INGEST_NOT_IN_PROCESS', NOT_HERE);
    return options.ingest;
  };

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['ingest'],
        summary: "Ingest's Prometheus metrics (text exposition format)",
        response: {
          200: {
            description: 'Prometheus text exposition format',
            content: {
              'text/plain': { schema: z.string().describe('one sample a line, # HELP and # TYPE comments') },
            },
          },
          503: ErrorBody,
        },
      },
    },
    async (_request, reply) => {
      const operations = ingest();
      const text = await operations.metricsText();
      return reply.type(operations.metricsContentType).send(text);
    },
  );

  app.get(
    '/dead-letters',
    {
      schema: {
        tags: ['ingest'],
        summary: 'The newest dead letters (what ingest set aside, with the reason), payloads abbreviated',
        querystring: z.object({
          reason: z.enum(DEAD_LETTER_REASONS).optional(),
          limit: z.coerce.number().int().min(1).max(1_000).default(50),
          beforeMs: z.coerce.number().int().optional().describe('only letters received before (paging back)'),
          includeReplayed: z
            .enum(['true', 'false'])
            .default('false')
            .transform((v) => v === 'true'),
        }),
        response: { 200: z.object({ deadLetters: z.array(DeadLetterView) }), 503: ErrorBody },
      },
    },
    async (request) => {
      const { reason, limit, beforeMs, includeReplayed } = request.query;
      const letters = await ingest().listDeadLetters({
        limit,
        includeReplayed,
        ...(reason === undefined ? {} : { reason }),
        ...(beforeMs === undefined ? {} : { beforeMs }),
      });
      return { deadLetters: letters };
    },
  );

  app.get(
    '/dead-letters/:id',
    {
      schema: {
        tags: ['ingest'],
        summary: 'One dead letter, payload whole',
        params: z.object({ id: z.string().regex(/^[0-9]+$/, 'a dead letter id is a number') }),
        response: { 200: DeadLetterView, 404: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => {
      const letter = await ingest().getDeadLetter(request.params.id);
      if (letter === undefined)
        throw new ApiError(404, 'DEAD_LETTER_NOT_FOUND', `no dead letter ${request.params.id}`);
      return letter;
    },
  );

  app.post(
    '/dead-letters/:id/replay',
    {
      schema: {
        tags: ['ingest'],
        summary:
          'Validate a dead letter again (after a registry or contract fix): 200 stored, 409 still refused',
        params: z.object({ id: z.string().regex(/^[0-9]+$/, 'a dead letter id is a number') }),
        response: {
          200: z.object({ replayed: z.literal(true) }),
          409: ErrorBody,
          404: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request) => {
      const operations = ingest();
      if ((await operations.getDeadLetter(request.params.id)) === undefined) {
        throw new ApiError(404, 'DEAD_LETTER_NOT_FOUND', `no dead letter ${request.params.id}`);
      }
      const result = await operations.replayDeadLetter(request.params.id);
      if (!result.replayed) {
        throw new ApiError(409, 'DEAD_LETTER_STILL_REFUSED', result.reason ?? 'still refused by validation');
      }
      request.log.info({ id: request.params.id, by: request.principal?.username }, 'dead letter replayed');
      audit(app, request, 'dead-letter-replayed', request.params.id);
      return { replayed: true as const };
    },
  );
  done();
};
