import { FleetRegistry } from '@qt-led/contract';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorBody } from '../errors.js';
import { audit } from '../plugins/audit.js';

/**
 * The effective-dated fleet registry: everyone reads it; an admin replaces it as a whole. A replacement is
 * validated with the contract's schema (every problem listed), then handed to the registry source, which
 * writes the live file (temp file + rename, so a crash never leaves half a registry), puts it in force here,
 * and every other process sharing the file (ingest) loads it.
 */
export const registryRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.get(
    '',
    {
      schema: {
        tags: ['registry'],
        summary: 'The fleet registry in force (every vessel with every configuration version)',
        response: { 200: FleetRegistry },
      },
    },
    () => app.registryHolder.current().registry,
  );

  app.put(
    '',
    {
      bodyLimit: app.apiOptions.registryBodyLimitBytes,
      schema: {
        tags: ['registry'],
        summary: 'Replace the fleet registry (admin); validated as a whole, 400 lists every problem',
        body: FleetRegistry,
        response: {
          200: z.object({ vessels: z.number(), versions: z.number(), path: z.string() }),
          400: ErrorBody,
        },
      },
    },
    async (request) => {
      const registry = request.body;
      const { path } = await app.registryHolder.replace(registry);
      const versions = registry.vessels.reduce((n, v) => n + v.versions.length, 0);
      request.log.info(
        { vessels: registry.vessels.length, versions, by: request.principal?.username },
        'registry replaced',
      );
      audit(app, request, 'registry-replaced', path, { vessels: registry.vessels.length, versions });
      return { vessels: registry.vessels.length, versions, path };
    },
  );
  done();
};
