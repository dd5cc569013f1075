import { type BootId, type GatewayId, type VesselId, topicFor } from '@qt-led/contract';
import type { DiskQueue } from './disk-queue.js';
import type { Clock } from './ports.js';
import type { GatewaySettings } from './settings.js';

/**
 * What the parts of one running gateway share, owned by `createGateway`: the settings in force and where
 * the gateway stands in its lifecycle. Everything else belongs to exactly one part.
 */
export interface GatewayState {
  /** Factory settings, the stored config, or the last config applied. */
  settings: GatewaySettings;
  /** Connected, subscribed and announced: the uploader may publish. */
  online: boolean;
  /** A stop is under way: nothing new is uploaded. */
  stopping: boolean;
  /** Halted: timers and late callbacks do nothing. */
  stopped: boolean;
}

/** This boot on its queue: fixed from start() on. */
export interface BootContext {
  readonly vesselId: VesselId;
  readonly gatewayId: GatewayId;
  readonly queue: DiskQueue;
  readonly bootId: BootId;
  /** The boot's ordinal in the queue file (part of every reading's row id). */
  readonly ordinal: number;
}

export type GatewayTopics = Readonly<
  Record<'telemetry' | 'presence' | 'heartbeat' | 'events' | 'ack' | 'config', string>
>;

export function gatewayTopics(vesselId: VesselId, root: string): GatewayTopics {
  return {
    telemetry: topicFor('telemetry', vesselId, root),
    presence: topicFor('presence', vesselId, root),
    heartbeat: topicFor('heartbeat', vesselId, root),
    events: topicFor('events', vesselId, root),
    ack: topicFor('ack', vesselId, root),
    config: topicFor('config', vesselId, root),
  };
}

/** The device's wall clock as the contract wants it: whole ms, never before the epoch. */
export const wallNowMs = (clock: Clock): number => Math.max(0, Math.round(clock.wallMs()));

export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
