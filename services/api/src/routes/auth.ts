import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LoginResponse, Me } from '@qt-led/contract';
import { passwordWeakness } from '../auth/password-policy.js';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { INITIAL_ADMIN_FILE } from '../auth/first-admin.js';
import { hashPassword, verifyPassword } from '../auth/password.js';
import { ApiError, ErrorBody } from '../errors.js';
import { principalOf } from '../plugins/authentication.js';
import { audit } from '../plugins/audit.js';

export const Username = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{2,31}$/, 'a username is 3–32 lowercase letters, digits, ".", "_" or "-"');
export const NewPassword = z
  .string()
  .max(256, 'a password has at most 256 characters')
  .superRefine((password, ctx) => {
    const weakness = passwordWeakness(password);
    if (weakness !== undefined) ctx.addIssue({ code: 'custom', message: weakness });
  })
  .describe('at least 12 characters, and not easy to guess (zxcvbn score 3 of 4 or more)');

const LoginBody = z.strictObject({
  username: z.string().min(1, 'give the username').max(64, 'at most 64 characters'),
  password: z.string().min(1, 'give the password').max(256, 'at most 256 characters'),
});
/**
 * A hash of a password nobody has, checked when the username is unknown, so that a failed login takes the
 * same time whether or not the user exists (no username discovery by timing).
 */
let decoyHash: Promise<string> | undefined;

export const authRoutes: FastifyPluginCallbackZod<{ dataDir: string }> = (app, options, done) => {
  decoyHash ??= hashPassword('decoy password that matches nothing', app.apiOptions.scryptCost);

  app.post(
    '/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log in with username and password; returns a session token',
        security: [],
        body: LoginBody,
        response: { 200: LoginResponse, 401: ErrorBody, 429: ErrorBody },
      },
      config: {
        rateLimit: {
          max: app.apiOptions.loginRateLimit.max,
          timeWindow: app.apiOptions.loginRateLimit.timeWindowMs,
        },
      },
    },
    async (request) => {
      const { username, password } = request.body;
      const user = app.auth.findUser(username);
      const ok = await verifyPassword(password, user?.passwordHash ?? (await (decoyHash as Promise<string>)));
      if (user === undefined || !ok) {
        request.log.warn({ username, ip: request.ip }, 'failed login');
        audit(app, request, 'login-failed', null, null, username);
        throw new ApiError(401, 'INVALID_CREDENTIALS', 'unknown username or wrong password');
      }
      const session = app.auth.createSession(
        user.username,
        app.sessionClock.now(),
        app.apiOptions.sessionTtlMs,
      );
      request.log.info({ username: user.username, role: user.role }, 'login');
      audit(app, request, 'login', null, { role: user.role }, user.username);
      if (user.mustChangePassword)
        request.log.warn({ username: user.username }, 'login with a one-time password');
      return {
        ...session,
        user: { username: user.username, role: user.role, mustChangePassword: user.mustChangePassword },
      };
    },
  );

  app.post(
    '/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'End the current session (API tokens are revoked by an admin instead)',
        response: { 204: z.null().describe('logged out'), 400: ErrorBody },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (principal.kind !== 'session') {
        throw new ApiError(
          400,
          'NOT_A_SESSION',
          'an API token cannot log out; an admin revokes it with DELETE /api/v1/tokens/:id',
        );
      }
      app.auth.deleteSession(principal.sessionId);
      audit(app, request, 'logout');
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/me',
    { schema: { tags: ['auth'], summary: 'Who the token belongs to', response: { 200: Me } } },
    (request) => {
      const p = principalOf(request);
      return {
        username: p.username,
        role: p.role,
        kind: p.kind,
        partner: p.partner,
        scopes: p.scopes,
        expiresAtMs: p.expiresAtMs,
        mustChangePassword: p.kind === 'session' && p.mustChangePassword,
      };
    },
  );

  app.post(
    '/password',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Change your own password; every session of yours ends (the first admin must, before anything else)',
        body: z.strictObject({ currentPassword: z.string().min(1).max(256), newPassword: NewPassword }),
        response: { 204: z.null().describe('changed'), 400: ErrorBody, 401: ErrorBody },
      },
      config: {
        rateLimit: {
          max: app.apiOptions.loginRateLimit.max,
          timeWindow: app.apiOptions.loginRateLimit.timeWindowMs,
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (principal.kind !== 'session') {
        throw new ApiError(400, 'NOT_A_SESSION', 'log in as a person to change a password');
      }
      const user = app.auth.findUser(principal.username);
      if (user === undefined || !(await verifyPassword(request.body.currentPassword, user.passwordHash))) {
        throw new ApiError(401, 'INVALID_CREDENTIALS', 'the current password is wrong');
      }
      app.auth.setPasswordHash(
        user.username,
        await hashPassword(request.body.newPassword, app.apiOptions.scryptCost),
      );
      app.auth.deleteSessionsOf(user.username);
      // The first admin's one-time credentials are spent once they change their password.
      if (user.username === 'admin') await rm(join(options.dataDir, INITIAL_ADMIN_FILE), { force: true });
      request.log.info({ username: user.username }, 'password changed');
      audit(app, request, 'password-changed', user.username);
      return reply.code(204).send(null);
    },
  );
  done();
};
