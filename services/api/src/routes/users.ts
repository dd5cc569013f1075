import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { UserExistsError } from '../auth/auth-store.js';
import { hashPassword } from '../auth/password.js';
import { ROLES } from '../auth/permissions.js';
import { ApiError, ErrorBody } from '../errors.js';
import { pageLimit } from '../schemas.js';
import { NewPassword, Username } from './auth.js';

const UserView = z
  .object({ username: z.string(), role: z.enum(ROLES), createdAtMs: z.number() })
  .meta({ id: 'User' });

/** People's accounts (admin). Paged by username. */
export const userRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.get(
    '',
    {
      schema: {
        tags: ['admin'],
        summary: 'List users, a page at a time, ordered by username',
        querystring: z.strictObject({
          limit: pageLimit(100, 500),
          after: Username.optional().describe('the nextAfter of the previous page'),
        }),
        response: { 200: z.object({ users: z.array(UserView), nextAfter: z.string().nullable() }) },
      },
    },
    (request) => {
      const { limit, after } = request.query;
      const rows = app.auth.listUsers({ limit: limit + 1, ...(after === undefined ? {} : { after }) });
      const users = rows.slice(0, limit);
      return { users, nextAfter: rows.length > limit ? (users.at(-1)?.username ?? null) : null };
    },
  );

  app.post(
    '',
    {
      schema: {
        tags: ['admin'],
        summary: 'Create a user with a role',
        body: z.strictObject({ username: Username, role: z.enum(ROLES), password: NewPassword }),
        response: { 201: UserView, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { username, role, password } = request.body;
      const passwordHash = await hashPassword(password, app.apiOptions.scryptCost);
      try {
        const user = app.auth.createUser({ username, role, passwordHash, nowMs: app.clock.now() });
        request.log.info({ username, role, by: request.principal?.username }, 'user created');
        return await reply.code(201).send(user);
      } catch (error) {
        if (error instanceof UserExistsError) throw new ApiError(409, error.code, error.message);
        throw error;
      }
    },
  );
  done();
};
