#!/usr/bin/env node
// qtled-retire-ingest-replica --client-id <id> [--force]: retires an ingest replica for good (README:
// scaling ingest). Reads the broker settings from the environment, as the ingest service does.
import { parseArgs } from 'node:util';
import { mqttConnectionFrom } from '@qt-led/infrastructure';
import { checkMqttTls, ConfigError, loadConfig, mqttEnv } from '@qt-led/runtime';
import { z } from 'zod';
import { retireReplica } from './retire-replica.js';

const { values } = parseArgs({
  options: { 'client-id': { type: 'string' }, force: { type: 'boolean', default: false } },
});
const clientId = values['client-id'];
if (clientId === undefined) {
  console.error('usage: qtled-retire-ingest-replica --client-id <INGEST_CLIENT_ID of the replica> [--force]');
  process.exit(2);
}
// The broker settings the replica used, TLS included (compose: mqtts:// with MQTT_CA_PATH).
const config = (() => {
  try {
    return loadConfig('retire-ingest-replica', z.object(mqttEnv).superRefine(checkMqttTls), process.env);
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : String(error));
    process.exit(2);
  }
})();
if (config.MQTT_URL === undefined) {
  console.error('MQTT_URL is not set: give the broker the replica used, e.g. MQTT_URL=mqtt://127.0.0.1:1883');
  process.exit(2);
}
const outcome = await retireReplica(
  mqttConnectionFrom({ ...config, MQTT_URL: config.MQTT_URL }),
  config.MQTT_TOPIC_ROOT,
  clientId,
  { force: values.force },
);
if (!outcome.retired) {
  console.error(outcome.reason);
  process.exit(1);
}
console.log(
  `retired ingest replica ${clientId} (it was ${outcome.previous}): its session and presence are gone; ` +
    'the gateways resend what was queued for it after their ack timeout',
);
