import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { IngestHealth } from '../deps.js';

const Health = z.object({ status: z.literal('ok') });
const Readiness = z.object({
  ready: z.boolean(),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
});

const READY_TIMEOUT_MS = 5_000;

async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`no answer within ${ms} ms`));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Liveness (the process answers) and readiness (the store answers, ingest keeps up). */
export const healthRoutes: FastifyPluginCallbackZod<{ ingestHealth?: IngestHealth }> = (
  app,
  options,
  done,
) => {
  app.get(
    '/healthz',
    {
      schema: { tags: ['health'], summary: 'The process is alive', security: [], response: { 200: Health } },
    },
    () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'The store answers (and ingest keeps up, when the platform reports it)',
        security: [],
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const checks: Record<string, { ok: boolean; detail?: string }> = {};
      try {
        // A one-minute, one-row query: proves the store answers without scanning anything.
        const probe = app.registryHolder.current().registry.vessels[0]?.vesselId;
        const nowMs = app.clock.now();
        if (probe !== undefined)
          await within(app.store.readings(probe, nowMs - 60_000, nowMs, 1), READY_TIMEOUT_MS);
        checks['store'] = { ok: true, detail: app.store.kind };
      } catch (error) {
        checks['store'] = { ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
      const ingest = options.ingestHealth;
      if (ingest !== undefined) {
        try {
          const ok = await within(Promise.resolve(ingest.ready()), READY_TIMEOUT_MS);
          checks['ingest'] = ok ? { ok } : { ok, detail: 'ingest reports it is not ready' };
        } catch (error) {
          checks['ingest'] = { ok: false, detail: error instanceof Error ? error.message : String(error) };
        }
      }
      const ready = Object.values(checks).every((c) => c.ok);
      return reply.code(ready ? 200 : 503).send({ ready, checks });
    },
  );
  done();
};
