import { PartnerId, Role } from '@qt-led/contract';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { UserExistsError } from '../auth/auth-store.js';
import { hashPassword } from '../auth/password.js';
import { ApiError, ErrorBody } from '../errors.js';
import { pageLimit } from '../schemas.js';
import { NewPassword, Username } from './auth.js';
import { audit } from '../plugins/audit.js';

const UserView = z
  .object({ username: z.string(), role: Role, partner: PartnerId.nullable(), createdAtMs: z.number() })
  .meta({ id: 'User' });

const PartnerOfUser = PartnerId.nullable()
  .optional()
  .describe("a partner's account: whose data packages it sees (nedo, stanley-electric)");

/** Only a partner speaks for a partner. */
function checkPartner(role: string, partner: string | null | undefined): void {
  if (partner !== undefined && partner !== null && role !== 'partner') {
    throw new ApiError(
      400,
      'INVALID_REQUEST',
      'body field "partner": only a partner role speaks for a partner',
    );
  }
}

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
        body: z.strictObject({
          username: Username,
          role: Role,
          partner: PartnerOfUser,
          password: NewPassword,
        }),
        response: { 201: UserView, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { username, role, partner, password } = request.body;
      checkPartner(role, partner);
      const passwordHash = await hashPassword(password, app.apiOptions.scryptCost);
      try {
        const user = app.auth.createUser({
          username,
          role,
          partner: partner ?? null,
          passwordHash,
          nowMs: app.sessionClock.now(),
        });
        request.log.info({ username, role, by: request.principal?.username }, 'user created');
        audit(app, request, 'user-created', username, { role, partner: partner ?? null });
        return await reply.code(201).send(user);
      } catch (error) {
        if (error instanceof UserExistsError) throw new ApiError(409, error.code, error.message);
        throw error;
      }
    },
  );

  /** The last admin can be neither demoted nor deleted: the platform would have nobody to run it. */
  function refuseLosingTheLastAdmin(username: string, action: string): void {
    const user = app.auth.findUser(username);
    if (user === undefined) throw new ApiError(404, 'USER_NOT_FOUND', `no user "${username}"`);
    if (user.role === 'admin' && app.auth.countAdmins() <= 1) {
      throw new ApiError(
        409,
        'LAST_ADMIN',
        `"${username}" is the only admin: make another admin before you ${action}`,
      );
    }
  }

  app.patch(
    '/:username',
    {
      schema: {
        tags: ['admin'],
        summary: "Change a user's role or set a new password (their sessions end on a new password)",
        params: z.strictObject({ username: Username }),
        body: z
          .strictObject({ role: Role.optional(), partner: PartnerOfUser, password: NewPassword.optional() })
          .refine((b) => b.role !== undefined || b.password !== undefined || b.partner !== undefined, {
            message: 'give a new role, partner or password',
          }),
        response: { 200: UserView, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const { username } = request.params;
      const { role, partner, password } = request.body;
      if (role !== undefined && role !== 'admin') refuseLosingTheLastAdmin(username, 'demote this one');
      if (app.auth.findUser(username) === undefined) {
        throw new ApiError(404, 'USER_NOT_FOUND', `no user "${username}"`);
      }
      const current = app.auth.findUser(username);
      // Only a partner that was sent is checked against the role: a role change away from partner clears it.
      checkPartner(role ?? current?.role ?? '', partner);
      if (role !== undefined) app.auth.setRole(username, role);
      // A role other than partner speaks for no partner.
      if (partner !== undefined || (role !== undefined && role !== 'partner')) {
        app.auth.setPartner(username, role !== undefined && role !== 'partner' ? null : (partner ?? null));
      }
      if (password !== undefined) {
        app.auth.setPasswordHash(username, await hashPassword(password, app.apiOptions.scryptCost));
        app.auth.deleteSessionsOf(username);
      }
      request.log.info(
        { username, role, passwordReset: password !== undefined, by: request.principal?.username },
        'user changed',
      );
      audit(app, request, 'user-changed', username, {
        ...(role === undefined ? {} : { role }),
        ...(partner === undefined ? {} : { partner }),
        passwordReset: password !== undefined,
      });
      const user = app.auth.findUser(username);
      if (user === undefined) throw new ApiError(404, 'USER_NOT_FOUND', `no user "${username}"`);
      return {
        username: user.username,
        role: user.role,
        partner: user.partner,
        createdAtMs: user.createdAtMs,
      };
    },
  );

  app.delete(
    '/:username',
    {
      schema: {
        tags: ['admin'],
        summary: 'Delete a user; their sessions end at once',
        params: z.strictObject({ username: Username }),
        response: { 204: z.null(), 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { username } = request.params;
      if (username === request.principal?.username) {
        throw new ApiError(409, 'SELF_DELETE', 'you cannot delete your own account; ask another admin');
      }
      refuseLosingTheLastAdmin(username, 'delete this one');
      app.auth.deleteUser(username);
      request.log.info({ username, by: request.principal?.username }, 'user deleted');
      audit(app, request, 'user-deleted', username);
      return reply.code(204).send(null);
    },
  );
  done();
};
