#!/usr/bin/env node
// The ingest process (compose, or by hand against real servers): the store and the ingest module.
import { hostname } from 'node:os';
import {
  createGatewayAssignmentsModule,
  createStoreModule,
  mqttConnectionFrom,
  storeConfigFrom,
} from '@qt-led/infrastructure';
import { redactUrl, runProcess, startModules } from '@qt-led/runtime';
import { ingestEnvSchema } from './config.js';
import { createIngestModule, ingestModuleConfigFrom } from './module.js';

await runProcess({
  name: 'ingest',
  envSchema: ingestEnvSchema,
  async run(config, logger) {
    const brokerUrl = config.MQTT_URL;
    if (brokerUrl === undefined) {
      throw new Error(
        'MQTT_URL is not set: the ingest service needs a broker, e.g. MQTT_URL=mqtt://127.0.0.1:1883',
      );
    }
    const clock = { now: () => Date.now() };
    return startModules(logger, async (modules) => {
      const { store } = await modules.add(createStoreModule(storeConfigFrom(config, 'writer'), { logger }));
      // Only what ingest checks of the registry (30,000 vessels: a few MB, not the whole index).
      const registry = await modules.add(createGatewayAssignmentsModule(config, logger));
      await modules.add(
        createIngestModule(
          ingestModuleConfigFrom(config, {
            mqtt: mqttConnectionFrom({ ...config, MQTT_URL: brokerUrl }),
            shared: config.INGEST_SHARED_SUBSCRIPTION,
            operatorHttp: { host: config.INGEST_HTTP_HOST, port: config.INGEST_HTTP_PORT },
            publishStoredReadings: config.INGEST_PUBLISH_STORED_READINGS,
          }),
          { logger, clock, store, registry: registry.assignments },
        ),
      );
      logger.info(
        {
          broker: redactUrl(brokerUrl),
          store: store.kind,
          registry: registry.status().origin,
          host: hostname(),
        },
        'ingest running',
      );
    });
  },
});
