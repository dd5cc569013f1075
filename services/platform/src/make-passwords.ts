#!/usr/bin/env node
// The broker's logins from the fleet registry (deploy/mosquitto/make-passwords.sh runs this after
// `npm run build`):
//
//   deploy/mosquitto/make-passwords.sh [--out deploy/mosquitto/secrets] [--topic-root qtled] [--registry file]
//
// The ingest password comes from MQTT_PASSWORD and the API's from API_MQTT_PASSWORD when set (the values
// docker-compose passes to them); otherwise they are made and printed once.
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { makePasswords } from './deploy/make-passwords.js';

function main(): void {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'deploy/mosquitto/secrets' },
      'topic-root': { type: 'string', default: process.env['MQTT_TOPIC_ROOT'] ?? 'qtled' },
      registry: { type: 'string' },
    },
  });
  const given = (name: string): string | undefined => {
    const value = process.env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const result = makePasswords({
    outDir: resolve(values.out),
    topicRoot: values['topic-root'],
    registryPath: values.registry ?? process.env['FLEET_REGISTRY_PATH'],
    ingestPassword: given('MQTT_PASSWORD'),
    apiPassword: given('API_MQTT_PASSWORD'),
  });
  process.stdout.write(
    [
      `Wrote ${result.dynamicSecurityFile} (${result.gateways} gateways, ingest, the API and the health check),`,
      `and ${result.gatewayCredentialsFile} (install each gateway's login on its gateway).`,
      result.ingestPasswordGenerated
        ? `Put the ingest login into .env (shown once):\n  MQTT_USERNAME=${result.ingest.username}\n  MQTT_PASSWORD=${result.ingest.password}`
        : 'The ingest login uses MQTT_PASSWORD from the environment.',
      result.apiPasswordGenerated
        ? `Put the API's login into .env (shown once):\n  API_MQTT_PASSWORD=${result.api.password}`
        : "The API's login uses API_MQTT_PASSWORD from the environment.",
      `Mosquitto in its container runs as uid 1883: \`sudo chown -R 1883:1883 ${dirname(result.dynamicSecurityFile)}\` before`,
      '`docker compose up`. To re-run this script, take that directory back first (`sudo chown -R "$(id -u)" …`), and',
      'restart the broker afterwards (`docker compose restart mosquitto`): it reads its logins at start.',
      '',
    ].join('\n'),
  );
}

main();
