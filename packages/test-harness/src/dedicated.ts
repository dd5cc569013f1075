import type { InfluxServer, MqttServer } from './context.js';
import { startLocalInflux, startLocalMosquitto } from './local-servers.js';
import { findBinary, type ServerControl, type StartedServer } from './processes.js';

/** A server of one test file's own, which it may pause, restart and stop without disturbing other files. */
export interface DedicatedServer<T> extends ServerControl {
  info: T;
  stop(): Promise<void>;
}

function dedicated<T>(server: StartedServer<T>): DedicatedServer<T> {
  const control = server.control;
  if (control === undefined) throw new Error('a dedicated server needs a local binary it can signal');
  return { info: server.info, stop: () => server.stop(), ...control };
}

async function binary(name: 'mosquitto' | 'influxd', debianPackage: string): Promise<string> {
  const found = await findBinary(name);
  if (found === undefined) {
    throw new Error(
      `fault tests start their own ${name} and need the local binary: apt-get install -y ${debianPackage} (Debian/Ubuntu)`,
    );
  }
  return found;
}

/** A Mosquitto of its own (the repository's delivery settings) for fault tests: pause, restart, stop. */
export async function startDedicatedMosquitto(): Promise<DedicatedServer<MqttServer>> {
  return dedicated(await startLocalMosquitto(await binary('mosquitto', 'mosquitto')));
}

/** An InfluxDB 1.x of its own for fault tests: pause (hang), restart, stop. */
export async function startDedicatedInflux(): Promise<DedicatedServer<InfluxServer>> {
  return dedicated(await startLocalInflux(await binary('influxd', 'influxdb')));
}
