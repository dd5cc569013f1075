import { z } from 'zod';
import { EpochMs, FirmwareVersion, NonNegative, Seq } from './common.js';
import { BootId, GatewayId, VesselId } from './ids.js';

/**
 * Presence on `<root>/v1/vessels/<vesselId>/presence`, retained. The gateway publishes `online` (its birth
 * message) right after connecting, registers `offline` with cause `connection-lost` as its MQTT last will,
 * and publishes `offline` with cause `shutdown` before a clean stop. A boat out of coverage therefore shows
 * `offline/connection-lost`; telling "out of coverage" from "faulty" is the status service's job.
 */
export const Presence = z.discriminatedUnion('state', [
  z.object({
    schema: z.literal('qtled.presence/1'),
    state: z.literal('online'),
    vesselId: VesselId,
    gatewayId: GatewayId,
    bootId: BootId,
    firmware: FirmwareVersion,
    configVersion: z.int().min(0).describe('version of the downlink config the gateway runs; 0 = factory'),
    bootedAtMs: EpochMs,
    connectedAtMs: EpochMs,
  }),
  z.object({
    schema: z.literal('qtled.presence/1'),
    state: z.literal('offline'),
    vesselId: VesselId,
    gatewayId: GatewayId,
    bootId: BootId,
    cause: z.enum(['connection-lost', 'shutdown']),
  }),
]);
export type Presence = z.infer<typeof Presence>;

/**
 * Heartbeat on `<root>/v1/vessels/<vesselId>/heartbeat` (QoS 0: the next one replaces a lost one). Its
 * queue figures let the platform tell a gateway that is catching up from one whose backlog keeps growing.
 */
export const Heartbeat = z.object({
  schema: z.literal('qtled.heartbeat/1'),
  vesselId: VesselId,
  gatewayId: GatewayId,
  bootId: BootId,
  atMs: EpochMs,
  firmware: FirmwareVersion,
  uptimeS: NonNegative,
  queue: z.object({
    depth: z.int().min(0).describe('readings on disk not yet acknowledged by the platform'),
    oldestUnsentAgeS: NonNegative.nullable().describe('age of the oldest reading not yet acknowledged, s'),
    bytesOnDisk: z.int().min(0),
  }),
  diskFreeBytes: z.int().min(0),
  lastAck: z.object({ bootId: BootId, throughSeq: z.int().min(-1) }).nullable(),
  signal: z.object({ rssiDbm: z.number().min(-140).max(0) }).optional(),
});
export type Heartbeat = z.infer<typeof Heartbeat>;

export const SensorName = z.enum(['led-meter', 'fuel-meter', 'gps', 'rtc']);

/** The things a gateway reports as they happen, besides its readings. */
export const DeviceEventBody = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('boot'),
    reason: z.enum(['power-on', 'watchdog', 'software-update', 'crash', 'unknown']),
    previousBootId: BootId.nullable(),
  }),
  z.object({ type: z.literal('sensor-fault'), sensor: SensorName, detail: z.string().max(500) }),
  z.object({ type: z.literal('sensor-recovered'), sensor: SensorName }),
  z.object({
    type: z.literal('meter-replaced'),
    sensor: z.enum(['led-meter', 'fuel-meter']),
    lastRegister: NonNegative.nullable().describe('last register value of the old meter, if known'),
    firstRegister: NonNegative.describe('first register value of the new meter'),
  }),
  z.object({
    type: z.literal('clock-adjusted'),
    fromMs: z.int().describe('device clock before the adjustment, ms since epoch'),
    toMs: EpochMs,
    source: z.enum(['gps', 'ntp']),
  }),
  z.object({ type: z.literal('queue-pressure'), depth: z.int().min(0), diskFreeBytes: z.int().min(0) }),
  z.object({ type: z.literal('config-applied'), configVersion: z.int().min(1) }),
  z.object({
    type: z.literal('config-rejected'),
    configVersion: z.int().min(1),
    reason: z.string().max(500),
  }),
]);
export type DeviceEventBody = z.infer<typeof DeviceEventBody>;

/** A device event on `<root>/v1/vessels/<vesselId>/events`; `(bootId, eventSeq)` makes resends harmless. */
export const DeviceEvent = z.object({
  schema: z.literal('qtled.event/1'),
  vesselId: VesselId,
  gatewayId: GatewayId,
  bootId: BootId,
  eventSeq: Seq,
  atMs: EpochMs,
  event: DeviceEventBody,
});
export type DeviceEvent = z.infer<typeof DeviceEvent>;
