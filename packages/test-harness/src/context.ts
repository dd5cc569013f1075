// Brings vitest into every program that includes this file, which its augmentation below needs (the
// harness build has no other import of 'vitest').
import type {} from 'vitest';

/** Where a server came from: the environment, a container started by testcontainers, or a local binary. */
export type ServerSource = 'env' | 'container' | 'local';

/** An MQTT broker the tests may use, provided by the global setup. */
export interface MqttServer {
  /** `mqtt://host:port` (or whatever `MQTT_URL` says). */
  url: string;
  username?: string;
  password?: string;
  source: ServerSource;
}

/** `v1`: InfluxDB 1.x (InfluxQL, databases). `v2`: 2.x/3.x with a token (buckets, v1-compatible /write and /query). */
export type InfluxFlavour = 'v1' | 'v2';

/** An InfluxDB server the tests may use, provided by the global setup. */
export interface InfluxServer {
  /** Base URL, e.g. `http://127.0.0.1:8086`. */
  url: string;
  flavour: InfluxFlavour;
  /** 2.x/3.x: sent as `Authorization: Token ...`. */
  token?: string;
  /** 1.x with auth-enabled: sent as Basic authentication. */
  username?: string;
  password?: string;
  /** 2.x: the organisation buckets are created in (the first one visible to the token if absent). */
  org?: string;
  source: ServerSource;
}

declare module 'vitest' {
  export interface ProvidedContext {
    mqtt: MqttServer;
    influx: InfluxServer;
  }
}
