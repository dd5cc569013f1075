import { PartnerId, Role } from '@qt-led/contract';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SCOPES } from '../auth/permissions.js';
import { ApiError, ErrorBody, notFound } from '../errors.js';
import { Instant, pageLimit } from '../schemas.js';
import { audit } from '../plugins/audit.js';

const TokenView = z
  .object({
    id: z.string(),
    name: z.string(),
    role: Role,
    scopes: z.array(z.enum(SCOPES)).nullable(),
    partner: PartnerId.nullable(),
    createdAtMs: z.number(),
    createdBy: z.string(),
    expiresAtMs: z.number().nullable(),
    revokedAtMs: z.number().nullable(),
    lastUsedAtMs: z.number().nullable(),
  })
  .meta({ id: 'ApiToken' });

const NewToken = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, 'name the token after who uses it, e.g. "NEDO data package"')
    .max(80, 'at most 80 characters'),
  role: Role,
  scopes: z
    .array(z.enum(SCOPES))
    .min(1, 'give at least one scope, or leave scopes out for everything the role allows')
    .optional()
    .describe('limit the token to these areas, e.g. ["emissions", "registry"] for a partner'),
  partner: PartnerId.optional().describe('a partner token: whose data packages it may list and download'),
  expiresAt: Instant.optional().describe('ISO 8601 instant after which the token stops working'),
});

/** API tokens for machines and partners (admin). The token itself is shown once, at creation. */
export const tokenRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.get(
    '',
    {
      schema: {
        tags: ['admin'],
        summary: 'List API tokens, newest first, a page at a time',
        querystring: z.strictObject({
          limit: pageLimit(100, 500),
          cursor: z
            .string()
            .regex(/^\d{1,15}$/, 'pass the nextCursor of the previous page as it was given')
            .transform(Number)
            .optional(),
          includeRevoked: z
            .enum(['true', 'false'])
            .optional()
            .transform((v) => v === 'true'),
        }),
        response: {
          200: z.object({ tokens: z.array(TokenView), nextCursor: z.string().nullable() }),
        },
      },
    },
    (request) => {
      const { limit, cursor, includeRevoked } = request.query;
      const page = app.auth.listApiTokens({
        limit,
        includeRevoked,
        ...(cursor === undefined ? {} : { cursor }),
      });
      return { tokens: page.tokens, nextCursor: page.nextCursor === null ? null : String(page.nextCursor) };
    },
  );

  app.post(
    '',
    {
      schema: {
        tags: ['admin'],
        summary: 'Create an API token; the token is in this response only',
        body: NewToken,
        response: { 201: z.object({ token: z.string(), record: TokenView }), 400: ErrorBody },
      },
    },
    async (request, reply) => {
      const { name, role, scopes, partner, expiresAt } = request.body;
      const nowMs = app.sessionClock.now();
      if (partner !== undefined && role !== 'partner') {
        throw new ApiError(
          400,
          'INVALID_REQUEST',
          'body field "partner": only a partner token speaks for a partner',
        );
      }
      if (expiresAt !== undefined && expiresAt <= nowMs) {
        throw new ApiError(
          400,
          'INVALID_REQUEST',
          'body field "expiresAt": the expiry must be in the future',
        );
      }
      const created = app.auth.createApiToken({
        name,
        role,
        scopes: scopes === undefined ? null : [...new Set(scopes)],
        partner: partner ?? null,
        expiresAtMs: expiresAt ?? null,
        createdBy: request.principal?.username ?? 'unknown',
        nowMs,
      });
      request.log.info(
        { tokenId: created.record.id, role, scopes, by: request.principal?.username },
        'API token created',
      );
      audit(app, request, 'token-created', created.record.id, {
        name,
        role,
        scopes: created.record.scopes,
        partner: created.record.partner,
      });
      return await reply.code(201).send(created);
    },
  );

  app.delete(
    '/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Revoke an API token (it stops working at once; the record stays for the audit trail)',
        params: z.strictObject({
          id: z
            .string()
            .regex(/^tok_[A-Za-z0-9_-]{12}$/, 'a token id looks like tok_ followed by 12 characters'),
        }),
        response: { 200: TokenView, 404: ErrorBody },
      },
    },
    (request) => {
      const record = app.auth.revokeApiToken(request.params.id, app.sessionClock.now());
      if (record === undefined) throw notFound(`no API token ${request.params.id}`);
      request.log.info({ tokenId: record.id, by: request.principal?.username }, 'API token revoked');
      audit(app, request, 'token-revoked', record.id, { name: record.name });
      return record;
    },
  );
  done();
};
