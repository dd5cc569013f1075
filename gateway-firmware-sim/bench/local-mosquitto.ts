// Benchmark support: a throw-away Mosquitto on a free loopback port with the repository's delivery
// settings (deploy/mosquitto/conf.d), like the test harness starts for the integration tests.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DELIVERY_CONF_DIR = fileURLToPath(new URL('../../deploy/mosquitto/conf.d', import.meta.url));

export interface LocalMosquitto {
  readonly url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

export interface LocalMosquittoOptions {
  binary?: string;
  /**
   * `set_tcp_nodelay true`: without it Mosquitto 2.0's writes to a client wait for the client's delayed
   * TCP ACK (~40 ms) whenever an earlier packet is unacknowledged, so every PUBLISH → ack round trip costs
   * 45–90 ms on loopback (measured). Not in deploy/mosquitto yet: see the README.
   */
  tcpNoDelay?: boolean;
}

export async function startLocalMosquitto(options: LocalMosquittoOptions = {}): Promise<LocalMosquitto> {
  const binary = options.binary ?? '/usr/sbin/mosquitto';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'qtled-bench-mosquitto-'));
  const port = await freePort();
  const config = [
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    'per_listener_settings false',
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    ...(options.tcpNoDelay === true ? ['set_tcp_nodelay true'] : []),
    `persistence_location ${dir}/`,
    `log_dest file ${dir}/mosquitto.log`,
    `include_dir ${DELIVERY_CONF_DIR}`,
    '',
  ].join('\n');
  await writeFile(path.join(dir, 'mosquitto.conf'), config);
  const child: ChildProcess = spawn(binary, ['-c', path.join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`mosquitto did not start (see ${dir}/mosquitto.log)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
