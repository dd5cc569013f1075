import { randomBytes } from 'node:crypto';

/**
 * A namespace of its own for one test file (or one test), so that files run in parallel against the same
 * broker and the same InfluxDB without seeing each other's data.
 */
export interface Isolation {
  /** Unique id, e.g. `t_1a2b3c4d`: a valid MQTT topic segment and InfluxDB database name. */
  readonly id: string;
  /** Topic root for the code under test, e.g. `test/t_1a2b3c4d`; topics are `<root>/v1/vessels/<vesselId>/<channel>`. */
  readonly topicRoot: string;
  /** InfluxDB database (v1) or bucket with a DBRP mapping (v2) name; create it with `influxAdmin().createDatabase`. */
  readonly database: string;
  /** A stable MQTT client id for one role in this isolation, e.g. a persistent-session subscriber that reconnects. */
  clientId(role: string): string;
}

const NAME = /^[a-z][a-z0-9_]{0,31}$/u;

export function createIsolation(prefix = 't'): Isolation {
  if (!NAME.test(prefix)) throw new Error(`isolation prefix "${prefix}" must match ${String(NAME)}`);
  const id = `${prefix}_${randomBytes(4).toString('hex')}`;
  return {
    id,
    topicRoot: `test/${id}`,
    database: id,
    clientId(role: string): string {
      if (!NAME.test(role)) throw new Error(`client role "${role}" must match ${String(NAME)}`);
      return `${id}_${role}`;
    },
  };
}
