import { z } from 'zod';
import { PAYLOAD_SCHEMAS } from './codec.js';
import { CHANNELS, type Channel, TOPIC_SCHEME_VERSION } from './topics.js';

/**
 * JSON Schema (draft 2020-12) for every MQTT payload, generated from the zod schemas so that gateway
 * firmware written in another language validates against exactly what the platform enforces. Cross-field
 * rules that JSON Schema cannot state (a reading's vessel equals its batch's vessel; at least one sensor
 * group per reading) are written in each schema's `$comment`.
 */
const CROSS_FIELD_RULES: Partial<Record<Channel, string>> = {
  telemetry:
    'Also enforced by the platform: every reading.vesselId equals the batch vesselId and the topic vessel; each reading carries at least one of led, fuel, position; the payload is at most 262144 bytes.',
  presence: 'Also enforced by the platform: vesselId equals the topic vessel.',
  heartbeat: 'Also enforced by the platform: vesselId equals the topic vessel.',
  events: 'Also enforced by the platform: vesselId equals the topic vessel.',
  ack: 'Each stored range [from, to] has from <= to.',
  config: 'Apply only a configVersion higher than the one running.',
};

export function jsonSchemaFileName(channel: Channel): string {
  return `${channel}.${TOPIC_SCHEME_VERSION}.schema.json`;
}

/** File name → pretty-printed JSON Schema text, one per channel. Deterministic: the committed copies are compared byte for byte. */
export function generateJsonSchemas(): Map<string, string> {
  const files = new Map<string, string>();
  for (const channel of Object.keys(PAYLOAD_SCHEMAS) as Channel[]) {
    const { direction, qos, retain } = CHANNELS[channel];
    const schema = z.toJSONSchema(PAYLOAD_SCHEMAS[channel], { target: 'draft-2020-12', io: 'input' });
    const document = {
      $id: `https://qt-led.invalid/schemas/${jsonSchemaFileName(channel)}`,
      title: `qtled ${channel} payload (${direction}, topic <root>/${TOPIC_SCHEME_VERSION}/vessels/<vesselId>/${channel}, QoS ${qos}${retain ? ', retained' : ''})`,
      $comment:
        `Generated from packages/contract by \`npm run schemas\`; do not edit. ${CROSS_FIELD_RULES[channel] ?? ''}`.trim(),
      ...schema,
    };
    files.set(jsonSchemaFileName(channel), `${JSON.stringify(document, null, 2)}\n`);
  }
  return files;
}
