import { execFile } from 'node:child_process';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { connect as connectTcp } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts, underParentDeathSignal } from '@qt-led/test-harness';

const REPO = new URL('../../../../', import.meta.url);

/** Where the Debian package installs the plugin the eclipse-mosquitto image has in /usr/lib. */
const LOCAL_DYNSEC_PLUGIN = '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so';

/** Runs deploy/tls/make-certs.sh into `dir` (a CA, broker and API certificates, these client ones). */
export async function makeCerts(dir: string, clients: readonly string[] = []): Promise<void> {
  await promisify(execFile)(new URL('deploy/tls/make-certs.sh', REPO).pathname, [...clients], {
    env: { ...process.env, TLS_OUT_DIR: dir },
  });
}

export interface ProductionBroker {
  /** The plain listener (compose: 1883, inside the compose network only). */
  readonly plainPort: number;
  /** The TLS listener (compose: 8883, published). */
  readonly tlsPort: number;
  stop(): Promise<void>;
}

/**
 * The broker configuration docker-compose runs — deploy/mosquitto/mosquitto.conf with its conf.d delivery
 * settings, the dynamic-security file make-passwords writes, the certificates make-certs writes — on the
 * real local mosquitto. Only the container paths and the ports are rewritten (to loopback), and the
 * documented `require_certificate` option switched on when asked.
 */
export async function startProductionBroker(options: {
  dir: string;
  /** The dynamic-security file make-passwords wrote. */
  dynsecFile: string;
  tls: string;
  requireCertificate?: boolean;
}): Promise<ProductionBroker> {
  const [plainPort, tlsPort] = (await freePorts(2)) as [number, number];
  const shipped = await readFile(new URL('deploy/mosquitto/mosquitto.conf', REPO), 'utf8');
  const rewrites: [RegExp, string][] = [
    [/^listener 1883$/, `listener ${plainPort} 127.0.0.1`],
    [/^listener 8883$/, `listener ${tlsPort} 127.0.0.1`],
    [/^cafile .*/, `cafile ${join(options.tls, 'ca.crt')}`],
    [/^certfile .*/, `certfile ${join(options.tls, 'broker.crt')}`],
    [/^keyfile .*/, `keyfile ${join(options.tls, 'broker.key')}`],
    [/^persistence_location .*/, `persistence_location ${options.dir}/`],
    [/^plugin \/usr\/lib\/mosquitto_dynamic_security\.so$/, `plugin ${LOCAL_DYNSEC_PLUGIN}`],
    [/^plugin_opt_config_file .*/, `plugin_opt_config_file ${options.dynsecFile}`],
    [/^allow_anonymous false$/, 'allow_anonymous false'],
    [/^include_dir .*/, `include_dir ${new URL('deploy/mosquitto/conf.d', REPO).pathname}`],
    ...(options.requireCertificate === true
      ? [[/^#require_certificate true$/, 'require_certificate true'] as [RegExp, string]]
      : []),
  ];
  const lines = shipped.split('\n');
  for (const [pattern] of rewrites) {
    if (!lines.some((l) => pattern.test(l))) throw new Error(`mosquitto.conf has no line ${String(pattern)}`);
  }
  const rewritten = lines.map((line) =>
    rewrites.reduce((l, [pattern, replacement]) => l.replace(pattern, replacement), line),
  );
  // No other authentication or ACL beside the plugin's.
  const other = rewritten.filter((l) => /^(password_file|acl_file|allow_anonymous true)/.test(l));
  if (other.length > 0)
    throw new Error(`mosquitto.conf authenticates beside the plugin: ${other.join('; ')}`);
  // As root, mosquitto drops to a `mosquitto` user that cannot read the temp dir (harness does the same).
  const user = process.getuid?.() === 0 ? ['user root'] : [];
  const configPath = join(options.dir, `mosquitto-${tlsPort}.conf`);
  await writeFile(configPath, [...user, ...rewritten].join('\n'));
  const [command, args] = await underParentDeathSignal('mosquitto', ['-c', configPath]);
  const child = spawn(command, args, { stdio: 'ignore' });
  await waitForPort(plainPort, child);
  await waitForPort(tlsPort, child);
  return {
    plainPort,
    tlsPort,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    },
  };
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connectTcp(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('mosquitto did not open its port');
}
