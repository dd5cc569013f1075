// Node-RED 4 with node-red-contrib-influxdb, the flow a user would build: mqtt in (QoS 1, parsed JSON) →
// function (payload → points) → influxdb batch. Installed by the bench at run time into a cache directory
// (not a dependency of the product), started with a settings file of the bench's: userDir in a temporary
// directory, the editor and the HTTP nodes off, listening on a free loopback port only.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBounded } from './process.js';
import { telemetryFilter } from './fleet.js';

export const NODE_RED_PACKAGES = ['node-red@4', 'node-red-contrib-influxdb'];

/** Installs (once; reruns reuse the cache) and returns the path of red.js and the versions installed. */
export async function installNodeRed(
  cacheDir: string,
  timeoutMs: number,
): Promise<{ redJs: string; versions: string }> {
  mkdirSync(cacheDir, { recursive: true });
  const redJs = join(cacheDir, 'node_modules/node-red/red.js');
  const influxPkg = join(cacheDir, 'node_modules/node-red-contrib-influxdb/package.json');
  if (!existsSync(redJs) || !existsSync(influxPkg)) {
    await runBounded(
      'npm',
      ['install', '--prefix', cacheDir, '--no-audit', '--no-fund', '--no-save', ...NODE_RED_PACKAGES],
      timeoutMs,
      { logPath: join(cacheDir, 'install.log') },
    );
  }
  const version = (file: string): string =>
    (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  return {
    redJs,
    versions: `node-red ${version(join(cacheDir, 'node_modules/node-red/package.json'))}, node-red-contrib-influxdb ${version(influxPkg)}`,
  };
}

/** What the user's function node does: one point per reading, the device time as the timestamp. */
const FUNCTION_BODY = `const b = msg.payload;
msg.payload = b.readings.map((r) => {
  const fields = { boot: r.bootId, seq: r.seq, gateway: b.gatewayId };
  if (r.led) Object.assign(fields, { led_power_w: r.led.powerW, led_energy_kwh: r.led.energyKwh, lamps_on: r.led.lampsOn });
  if (r.fuel) Object.assign(fields, { fuel_rate_lph: r.fuel.rateLph, fuel_total_l: r.fuel.totalL });
  if (r.position) {
    fields.fix = r.position.fix;
    if (r.position.fix !== 'none') Object.assign(fields, { lat: r.position.lat, lon: r.position.lon, speed_kn: r.position.speedKn, heading_deg: r.position.headingDeg });
  }
  return { measurement: 'telemetry', tags: { vessel: r.vesselId }, fields, timestamp: new Date(r.deviceTimeMs) };
});
return msg;`;

/** Writes settings.js and flows.json into `userDir`; returns the settings file. */
export function writeNodeRedFlow(options: {
  userDir: string;
  port: number;
  brokerPort: number;
  influxPort: number;
  database: string;
  root: string;
}): string {
  const { userDir, port, brokerPort, influxPort, database, root } = options;
  mkdirSync(userDir, { recursive: true });
  const flows = [
    { id: 'bench-tab', type: 'tab', label: 'telemetry to InfluxDB' },
    {
      id: 'bench-broker',
      type: 'mqtt-broker',
      name: 'mosquitto',
      broker: '127.0.0.1',
      port: String(brokerPort),
      clientid: '',
      autoConnect: true,
      usetls: false,
      protocolVersion: '4',
      keepalive: '60',
      cleansession: true,
    },
    {
      id: 'bench-influx',
      type: 'influxdb',
      hostname: '127.0.0.1',
      port: String(influxPort),
      protocol: 'http',
      database,
      name: 'influxdb',
      usetls: false,
      influxdbVersion: '1.x',
    },
    {
      id: 'bench-in',
      type: 'mqtt in',
      z: 'bench-tab',
      name: 'boats',
      topic: telemetryFilter(root),
      qos: '1',
      datatype: 'json',
      broker: 'bench-broker',
      nl: false,
      rap: true,
      rh: 0,
      inputs: 0,
      wires: [['bench-fn']],
    },
    {
      id: 'bench-fn',
      type: 'function',
      z: 'bench-tab',
      name: 'payload → points',
      func: FUNCTION_BODY,
      outputs: 1,
      wires: [['bench-out']],
    },
    {
      id: 'bench-out',
      type: 'influxdb batch',
      z: 'bench-tab',
      influxdb: 'bench-influx',
      precision: 'ms',
      retentionPolicy: '',
      name: 'write',
      wires: [],
    },
  ];
  writeFileSync(join(userDir, 'flows.json'), JSON.stringify(flows, null, 2));
  const settings = join(userDir, 'settings.js');
  writeFileSync(
    settings,
    `module.exports = {
  uiHost: '127.0.0.1',
  uiPort: ${port},
  httpAdminRoot: false,
  httpNodeRoot: false,
  userDir: ${JSON.stringify(userDir)},
  flowFile: 'flows.json',
  credentialSecret: false,
  telemetry: { enabled: false },
  diagnostics: { enabled: false },
  runtimeState: { enabled: false },
  externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
  logging: { console: { level: 'info', metrics: false, audit: false } },
};
`,
  );
  return settings;
}
