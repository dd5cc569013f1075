#!/usr/bin/env node
// The API process (compose): the store, the registry source, and the API side — emissions, fleet status
// with its alarm notifiers, the API with the dashboard, and the live readings ingest publishes on the broker.
import {
  createRegistryModule,
  createStoreModule,
  mqttConnectionFrom,
  storeConfigFrom,
} from '@qt-led/infrastructure';
import { redactUrl, runProcess, startModules } from '@qt-led/runtime';
import { addApiSide, apiSideConfigFrom } from './assemble.js';
import { apiEnvSchema } from './config.js';

await runProcess({
  name: 'api',
  envSchema: apiEnvSchema,
  async run(config, logger) {
    const clock = { now: () => Date.now() };
    return startModules(logger, async (modules) => {
      const { store } = await modules.add(createStoreModule(storeConfigFrom(config, 'reader'), { logger }));
      const registry = await modules.add(createRegistryModule(config, logger));
      const side = await addApiSide(
        modules,
        apiSideConfigFrom(config, {
          dashboardDir: config.API_DASHBOARD_DIR,
          liveReadingsBroker:
            config.MQTT_URL === undefined
              ? null
              : mqttConnectionFrom({ ...config, MQTT_URL: config.MQTT_URL }),
          topicRoot: config.MQTT_TOPIC_ROOT,
        }),
        { logger, clock, store, registry },
      );
      logger.info(
        {
          url: side.api.url,
          store: store.kind,
          influx: config.INFLUX_URL === undefined ? undefined : redactUrl(config.INFLUX_URL),
          registry: registry.status().origin,
          notify: side.fleetStatus.channels,
          liveReadings: config.MQTT_URL === undefined ? 'none (MQTT_URL unset)' : redactUrl(config.MQTT_URL),
        },
        `API listening on ${side.api.url} (OpenAPI at /api/openapi.json, docs at /api/docs)`,
      );
    });
  },
});
