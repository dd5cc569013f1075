/**
 * The gateway's ports: everything it needs from the outside world, owned here and implemented by
 * adapters (the real ones in this folder, the simulated ones in ../sim). The firmware does no I/O of its
 * own except its disk queue, and reads no process state or environment.
 */

/** Cancels a timer; calling it twice is harmless. */
export type Cancel = () => void;

/**
 * Time as the gateway sees it. The wall clock is the device's system clock (RTC-backed): it may drift or
 * read 1970 after its battery died; the gateway disciplines it from GPS time. The monotonic clock never
 * jumps and drives every interval and timeout.
 */
export interface Clock {
  /** The device's wall clock, ms since epoch (UTC). */
  wallMs(): number;
  /** Steps the wall clock (like `date -s` + `hwclock -w`), e.g. to GPS time. */
  setWallMs(ms: number): void;
  /** Monotonic milliseconds since an arbitrary origin. */
  monotonicMs(): number;
  /** Calls `fn` once after `delayMs` of monotonic time. */
  setTimer(delayMs: number, fn: () => void): Cancel;
}

/**
 * The LED-circuit kWh meter (e.g. Modbus RTU over RS-485), with its serial when it reports one (the
 * device-identification registers). Rejects when the meter does not answer.
 */
export interface LedMeter {
  read(): Promise<{ powerW: number; energyKwh: number; lampsOn: number; meterId?: string }>;
}

/** The generator's fuel totaliser. Rejects when it does not answer. */
export interface FuelMeter {
  read(): Promise<{ rateLph: number; totalL: number }>;
}

/** A GPS fix as the receiver reports it (NMEA RMC/GGA), with GPS time when the receiver has it. */
export type GpsFix =
  | { fix: 'none' }
  | {
      fix: '2d' | '3d' | 'dgps';
      lat: number;
      lon: number;
      speedKn: number;
      headingDeg: number;
      satellites?: number;
      hdop?: number;
      /** UTC time of the fix from the satellites, ms since epoch. */
      timeMs?: number;
    };

export interface Gps {
  read(): Promise<GpsFix>;
}

/** Free space where the queue lives (statvfs on a real gateway, a simulated card in the simulator). */
export interface DiskInfo {
  freeBytes(): number;
}

/** The last will registered with the broker at connect time. */
export interface WillMessage {
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain: boolean;
}

export interface MqttSessionOptions {
  clientId: string;
  will: WillMessage;
  keepaliveS: number;
}

/** Callbacks from the connection to the gateway. */
export interface MqttHandlers {
  /** The broker accepted a (re)connection; subscriptions must be made again (clean session). */
  onConnect(): void;
  /** The connection was lost or closed. */
  onClose(): void;
  onMessage(topic: string, payload: Uint8Array): void;
}

/**
 * An MQTT connection that keeps reconnecting by itself until closed. Publishing while disconnected
 * rejects at once (the gateway keeps its own disk queue; no second, in-memory queue hides in the client).
 */
export interface MqttSession {
  readonly connected: boolean;
  /** Resolves when the broker acknowledged it (QoS 1) or it was written to the socket (QoS 0). */
  publish(topic: string, payload: string, options: { qos: 0 | 1; retain: boolean }): Promise<void>;
  subscribe(filters: readonly string[], qos: 0 | 1): Promise<void>;
  /**
   * Closes the connection. `graceful`: send DISCONNECT, so the broker discards the last will. Otherwise the
   * socket is dropped as on power loss, and the broker publishes the will.
   */
  close(graceful: boolean): Promise<void>;
}

/** Opens an MQTT session: the factory port through which the gateway reaches its broker. */
export type MqttConnector = (options: MqttSessionOptions, handlers: MqttHandlers) => MqttSession;

/** Where the gateway reports what it does; pino's logger fits. */
export interface GatewayLogger {
  debug(object: object, message?: string): void;
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

export const silentLogger: GatewayLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
