import type { z } from 'zod';
import { Presence, Heartbeat, DeviceEvent } from './device.js';
import { Ack, GatewayConfig } from './downlink.js';
import type { VesselId } from './ids.js';
import { TelemetryBatch } from './telemetry.js';
import { type Channel, DEFAULT_TOPIC_ROOT, parseTopic } from './topics.js';

/** The payload schema of each channel: the typed topic → payload map. */
export const PAYLOAD_SCHEMAS = {
  telemetry: TelemetryBatch,
  presence: Presence,
  heartbeat: Heartbeat,
  events: DeviceEvent,
  ack: Ack,
  config: GatewayConfig,
} as const satisfies Record<Channel, z.ZodType>;

export type PayloadOf<C extends Channel> = z.infer<(typeof PAYLOAD_SCHEMAS)[C]>;

/**
 * Largest payload accepted on any channel: 500 readings of ~300 bytes fit with room to spare, and the
 * broker's own `message_size_limit` (deploy/mosquitto) sits above it so that we, not the broker, report it.
 */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** Why a message was set aside. Stable codes: metrics, dead letters and alarms count by them. */
export const DECODE_ERROR_CODES = [
  'unknown-topic',
  'payload-too-large',
  'invalid-utf8',
  'invalid-json',
  'schema-violation',
  'vessel-mismatch',
] as const;
export type DecodeErrorCode = (typeof DECODE_ERROR_CODES)[number];

export interface DecodeIssue {
  /** Where in the payload, as a dotted path like `readings.3.led.energyKwh`; empty for the whole message. */
  path: string;
  message: string;
}

export interface DecodeError {
  ok: false;
  code: DecodeErrorCode;
  /** One readable sentence (several lines for schema violations), fit for a log line or a dead-letter list. */
  message: string;
  issues: DecodeIssue[];
}

export type Decoded =
  | { [C in Channel]: { ok: true; channel: C; vesselId: VesselId; payload: PayloadOf<C> } }[Channel]
  | DecodeError;

export interface DecodeOptions {
  root?: string;
  maxBytes?: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** Byte length of a string as UTF-8; the contract also runs in the browser, so no Buffer. */
function byteLength(text: string): number {
  return utf8Encoder.encode(text).byteLength;
}

function failure(code: DecodeErrorCode, message: string, issues: DecodeIssue[] = []): DecodeError {
  return { ok: false, code, message, issues };
}

function issuesOf(error: z.ZodError): DecodeIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/** Validates a value against a channel's schema; the same readable issues as decodeMessage. */
export function validatePayload<C extends Channel>(
  channel: C,
  value: unknown,
): { ok: true; payload: PayloadOf<C> } | DecodeError {
  const result = PAYLOAD_SCHEMAS[channel].safeParse(value);
  if (result.success) return { ok: true, payload: result.data as PayloadOf<C> };
  const issues = issuesOf(result.error);
  const lines = issues.map((i) => `  ${i.path === '' ? '(message)' : i.path}: ${i.message}`);
  return failure(
    'schema-violation',
    [`${channel} payload violates the contract:`, ...lines].join('\n'),
    issues,
  );
}

/**
 * Turns one inbound MQTT message into a typed payload or a reason to set it aside. Checks, in order: the
 * topic is ours, the size, UTF-8, JSON, the channel's schema, and that the payload's vessel is the topic's
 * vessel (a gateway may speak only for its own boat). Never throws.
 */
export function decodeMessage(
  topic: string,
  payload: Uint8Array | string,
  options: DecodeOptions = {},
): Decoded {
  const parsedTopic = parseTopic(topic, options.root ?? DEFAULT_TOPIC_ROOT);
  if (!parsedTopic.ok) return failure('unknown-topic', parsedTopic.reason);
  const maxBytes = options.maxBytes ?? MAX_PAYLOAD_BYTES;
  const size = typeof payload === 'string' ? byteLength(payload) : payload.byteLength;
  if (size > maxBytes) {
    return failure('payload-too-large', `payload of ${size} bytes exceeds the limit of ${maxBytes} bytes`);
  }
  let text: string;
  try {
    text = typeof payload === 'string' ? payload : utf8.decode(payload);
  } catch {
    return failure('invalid-utf8', 'payload is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return failure('invalid-json', `payload is not JSON: ${(error as Error).message}`);
  }
  const { channel, vesselId } = parsedTopic;
  const validated = validatePayload(channel, value);
  if (!validated.ok) return validated;
  const payloadVessel = validated.payload.vesselId;
  if (payloadVessel !== vesselId) {
    return failure(
      'vessel-mismatch',
      `payload speaks for vessel ${payloadVessel} but was published on the topic of vessel ${vesselId}`,
      [{ path: 'vesselId', message: `expected ${vesselId}` }],
    );
  }
  return { ok: true, channel, vesselId, payload: validated.payload } as Decoded;
}

/**
 * Validates and serialises a payload for publishing, so that a publisher can never emit what the platform
 * would reject. Throws with the readable issues: sending invalid data is a programming error.
 */
export function encodePayload<C extends Channel>(channel: C, payload: PayloadOf<C>): string {
  const validated = validatePayload(channel, payload);
  if (!validated.ok) throw new Error(validated.message);
  const text = JSON.stringify(payload);
  const size = byteLength(text);
  if (size > MAX_PAYLOAD_BYTES) {
    throw new Error(`${channel} payload of ${size} bytes exceeds the limit of ${MAX_PAYLOAD_BYTES} bytes`);
  }
  return text;
}
