import { LIVE_WITHOUT_SIMULATION, PlatformPhase } from '@qt-led/contract';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';

/**
 * The platform's phase: while the embedded default loads its simulated history the statuses it serves are
 * those of the simulated past, and the dashboard shows the progress instead of presenting them as today's.
 */
export const platformRoutes: FastifyPluginCallbackZod<{ phase?: (() => PlatformPhase) | undefined }> = (
  app,
  options,
  done,
) => {
  app.get(
    '',
    {
      schema: {
        tags: ['platform'],
        summary: 'Loading the simulated history, catching up, or live',
        response: { 200: PlatformPhase },
      },
    },
    () => options.phase?.() ?? LIVE_WITHOUT_SIMULATION,
  );
  done();
};
