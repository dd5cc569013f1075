import type { AuditAction } from '@qt-led/contract';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Records what the caller of `request` did in the audit log: the actor is the authenticated principal (or
 * `actor`, for a login, when there is none yet), the time the session clock's, the client address as the
 * request log sees it.
 */
export function audit(
  app: FastifyInstance,
  request: FastifyRequest,
  action: AuditAction,
  target: string | null = null,
  detail: Record<string, unknown> | null = null,
  actor?: string,
): void {
  try {
    app.auth.recordAudit({
      atMs: app.sessionClock.now(),
      actor: actor ?? request.principal?.username ?? 'anonymous',
      action,
      target,
      detail,
      ip: request.ip,
    });
  } catch (error) {
    // What was audited has happened; a failed entry is an operator's problem, said loudly, not the caller's.
    request.log.error({ err: error, action, target }, 'could not write the audit log');
  }
}
