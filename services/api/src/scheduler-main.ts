#!/usr/bin/env node
// The partner-package scheduler as a process of its own (compose): the store (read-only), the registry, the
// emissions service (worker threads) and the fleet status's period queries and alarms — read, never
// evaluated: the API process evaluates and notifies — then the schedule, issuing into the shared outbox.
import { join } from 'node:path';
import { createEmissionsModule } from '@qt-led/emissions';
import { createFleetStatusService } from '@qt-led/fleet-status';
import { createRegistryModule, createStoreModule, storeConfigFrom } from '@qt-led/infrastructure';
import { createPackageSources, createPackagesModule } from '@qt-led/partner-packages';
import { defineModule, runProcess, startModules } from '@qt-led/runtime';
import { apiSideConfigFrom } from './assemble.js';
import { apiEnvSchema } from './config.js';

await runProcess({
  name: 'scheduler',
  envSchema: apiEnvSchema,
  async run(config, logger) {
    const clock = { now: () => Date.now() };
    const side = apiSideConfigFrom(config, {
      dashboardDir: undefined,
      liveReadingsBroker: null,
      topicRoot: '',
    });
    // The schedule runs here, whatever PACKAGES_SCHEDULE_HERE tells the API process.
    const packagesConfig = { ...side.packages, periodic: true };
    return startModules(logger, async (modules) => {
      const { store } = await modules.add(createStoreModule(storeConfigFrom(config, 'reader'), { logger }));
      const registry = await modules.add(createRegistryModule(config, logger));
      const emissions = await modules.add(
        createEmissionsModule(side.emissions, { store, registry: registry.index, clock, logger }),
      );
      const fleetStatus = createFleetStatusService({
        store,
        registry: registry.index,
        alarmDbPath: config.ALARM_DB_PATH ?? join(config.DATA_DIR, 'alarms.sqlite'),
        clock,
        logger,
      });
      await modules.add(defineModule('fleet status (read only)', { stop: () => fleetStatus.stop() }));
      const packages = await modules.add(
        createPackagesModule(packagesConfig, {
          sources: createPackageSources({
            emissions: emissions.service,
            methodologies: emissions.methodologies,
            defaultMethodologyId: emissions.methodologyIds[0] ?? '',
            fleetStatus,
          }),
          clock,
          logger,
        }),
      );
      logger.info(
        {
          outbox: packagesConfig.outboxDir,
          fingerprint: packages.scheduler.signer.fingerprint,
          partners: (await packages.scheduler.schedule()).map(
            (s) => `${s.partner}: next ${s.nextPeriodFrom}`,
          ),
        },
        'partner-package scheduler running',
      );
    });
  },
});
