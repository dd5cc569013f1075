// Runs the ingest service as production does — its own process, configured by environment variables —
// so that end-to-end tests can kill it with SIGKILL mid-batch and start it again on the same data.
import { freePorts, type InfluxServer, type MqttServer } from '@qt-led/test-harness';
import { startServiceProcess } from './service-process.js';

export interface IngestProcessOptions {
  mqtt: MqttServer;
  topicRoot: string;
  clientId: string;
  dataDir: string;
  /** How old a batch may grow before it is written (default 10 ms: acks come back at once). */
  batchMaxAgeMs?: number;
  /** Absent: the embedded SQLite store in `dataDir`. */
  influx?: InfluxServer & { database: string };
  /** More variables (a shared registry file, …). */
  env?: NodeJS.ProcessEnv;
}

export interface IngestProcess {
  readonly url: string;
  /** The ingest process's id (setpriv execs it: the same process). */
  readonly pid: number;
  /** Counter or gauge from /metrics, summed over labels matching `labels`. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export async function startIngestProcess(options: IngestProcessOptions): Promise<IngestProcess> {
  const port = (await freePorts(1))[0] as number;
  const env: NodeJS.ProcessEnv = {
    LOG_LEVEL: process.env['INGEST_LOG_LEVEL'] ?? 'warn',
    MQTT_URL: options.mqtt.url,
    MQTT_TOPIC_ROOT: options.topicRoot,
    DATA_DIR: options.dataDir,
    INGEST_CLIENT_ID: options.clientId,
    INGEST_HTTP_HOST: '127.0.0.1',
    INGEST_HTTP_PORT: String(port),
    INGEST_GAP_SCAN_INTERVAL_S: '0',
    // Short batches: the simulator advances a boat's clock only once its last batch is acknowledged.
    INGEST_BATCH_MAX_AGE_MS: String(options.batchMaxAgeMs ?? 10),
    ...options.env,
  };
  if (options.mqtt.username !== undefined) env['MQTT_USERNAME'] = options.mqtt.username;
  if (options.mqtt.password !== undefined) env['MQTT_PASSWORD'] = options.mqtt.password;
  if (options.influx !== undefined) {
    env['INFLUX_URL'] = options.influx.url;
    env['INFLUX_DATABASE'] = options.influx.database;
    if (options.influx.token !== undefined) env['INFLUX_TOKEN'] = options.influx.token;
    if (options.influx.username !== undefined) env['INFLUX_USERNAME'] = options.influx.username;
    if (options.influx.password !== undefined) env['INFLUX_PASSWORD'] = options.influx.password;
  }
  const url = `http://127.0.0.1:${port}`;
  const service = await startServiceProcess({
    name: `ingest ${options.clientId}`,
    entry: 'services/ingest/src/main.ts',
    env,
    readyUrl: `${url}/readyz`,
  });
  return {
    url,
    pid: service.pid,
    async metric(name, labels = {}) {
      const text = await (await fetch(`${url}/metrics`)).text();
      let total = 0;
      for (const line of text.split('\n')) {
        const match = /^(\w+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
        if (match?.[1] !== name) continue;
        const have = new Map<string, string>();
        for (const m of (match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) have.set(m[1] ?? '', m[2] ?? '');
        if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) total += Number(match[3]);
      }
      return total;
    },
    kill: (signal) => service.kill(signal),
  };
}
