import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FleetRegistry, indexRegistry } from '@qt-led/contract';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorBody } from '../errors.js';

export const REGISTRY_FILE = 'fleet-registry.json';

/**
 * The effective-dated fleet registry: everyone reads it; an admin replaces it as a whole. A replacement is
 * validated with the contract's schema (every problem listed), written to `<dataDir>/fleet-registry.json`
 * (temp file + rename, so a crash never leaves half a registry) and only then put in force.
 */
export const registryRoutes: FastifyPluginCallbackZod<{ dataDir: string }> = (app, options, done) => {
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
      const index = indexRegistry(registry);
      await mkdir(options.dataDir, { recursive: true });
      const path = join(options.dataDir, REGISTRY_FILE);
      const temporary = `${path}.tmp`;
      await writeFile(temporary, `${JSON.stringify(registry, null, 2)}\n`);
      await rename(temporary, path);
      app.registryHolder.replace(index);
      const versions = registry.vessels.reduce((n, v) => n + v.versions.length, 0);
      request.log.info(
        { vessels: registry.vessels.length, versions, by: request.principal?.username },
        'registry replaced',
      );
      return { vessels: registry.vessels.length, versions, path };
    },
  );
  done();
};
