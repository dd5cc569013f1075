import { AuditAction, AuditEntry } from '@qt-led/contract';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pageLimit } from '../schemas.js';

/** The audit log for admins: who signed in, changed accounts, tokens or the registry, acknowledged, exported. */
export const auditRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.get(
    '',
    {
      schema: {
        tags: ['admin'],
        summary: 'The audit log, newest first, a page at a time',
        querystring: z.strictObject({
          limit: pageLimit(100, 1_000),
          before: z
            .string()
            .regex(/^\d{1,15}$/, 'pass the nextBefore of the previous page as it was given')
            .transform(Number)
            .optional(),
          action: AuditAction.optional(),
        }),
        response: { 200: z.object({ entries: z.array(AuditEntry), nextBefore: z.string().nullable() }) },
      },
    },
    (request) => {
      const { limit, before, action } = request.query;
      const rows = app.auth.listAudit({
        limit: limit + 1,
        ...(before === undefined ? {} : { beforeSeq: before }),
        ...(action === undefined ? {} : { action }),
      });
      const entries = rows.slice(0, limit);
      return {
        entries,
        nextBefore: rows.length > limit ? String(entries.at(-1)?.seq ?? '') : null,
      };
    },
  );
  done();
};
