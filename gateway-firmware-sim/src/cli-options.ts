import { parseArgs } from 'node:util';
import { assertTopicRoot } from '@qt-led/contract';
import type { QueueSynchronous } from './firmware/disk-queue.js';
import type { FuelMeterPolicy } from './world/registry-setup.js';
import { type FaultSpec, parseDuration, parseFaultSpec } from './sim/faults.js';

export const USAGE = `qtled-sim — the fleet simulator: one simulated gateway per registry vessel, over MQTT.

Usage: qtled-sim [options]

  --vessels <ids|N>        comma-separated vessel ids, or N for the registry's first N (default: all 40)
  --seed <n>               seed of the world, the faults and the boot ids (default 1): same seed, same traffic
  --speed <x|max>          simulated seconds per real second (default 1); max: as fast as acknowledged
  --start <time>           simulated start, ISO 8601 (default: now, or now minus --backfill)
  --duration <d>           stop after this much simulated time (default: run until Ctrl-C)
  --backfill <d>           generate d (e.g. 30d) of history up to now through MQTT as fast as the platform
                           acknowledges, with a progress bar and a summary, then exit
  --faults <spec>          none | realistic | list: realistic,reboot:QT-90145-TS@2d,silent@5d~3d,...
                           (kind[:VESSEL][@OFFSET][~DURATION][xLAMPS]; default realistic)
  --broker <url>           MQTT broker (default MQTT_URL, else mqtt://127.0.0.1:1883); mqtts://host:8883 for TLS
  --ca <file>              mqtts://: the CA the broker's certificate must chain to, PEM (default MQTT_CA_PATH,
                           else the system's CAs); a broker with another certificate is refused
  --cert, --key <file>     mqtts://: a client certificate and its key for every gateway, PEM (default
                           MQTT_CERT_PATH / MQTT_KEY_PATH), for a broker that requires one
  --topic-root <root>      first topic segment(s) (default MQTT_TOPIC_ROOT, else qtled)
  --credentials <file>     per-gateway MQTT credentials, JSON: {"QT-90145-TS": {"username": "…",
                           "password": "…"}, "gw-41a11a97": {…}, "*": {…}} (vessel id, gateway id, or *)
  --username, --password   one login for every gateway (default MQTT_USERNAME / MQTT_PASSWORD)
  --data-dir <dir>         where the gateways' disk queues live (default DATA_DIR/gateways, ./data/gateways)
  --client-id-prefix <p>   prepended to each gateway's MQTT client id
  --queue-sync <full|normal|off>  SQLite synchronous mode of the queues (default normal for the simulator;
                           the firmware's own default is full)
  --config-key <file>      the platform's config key (Ed25519 public key, PEM) pinned on every gateway:
                           only configs signed with it are applied (the platform writes it beside its
                           private key as gateway-config-key.pub.pem)
  --fuel-meters <registry|all>  fit fuel totalisers as the registry says (default) or on every boat
  --no-drain               backfill: leave boats at sea with their queues, as they would be
  --log-level <level>      fatal … trace, silent (default LOG_LEVEL, else warn)
  --help
`;

export interface CliOptions {
  readonly vessels: readonly string[] | number | undefined;
  readonly seed: number;
  readonly speed: number;
  readonly startMs: number;
  readonly endMs: number | undefined;
  readonly backfill: boolean;
  readonly faults: FaultSpec;
  readonly brokerUrl: string;
  /** PEM files for a TLS broker. */
  readonly caFile: string | undefined;
  readonly certFile: string | undefined;
  readonly keyFile: string | undefined;
  readonly topicRoot: string;
  readonly credentialsFile: string | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly dataDir: string;
  readonly clientIdPrefix: string;
  readonly queueSynchronous: QueueSynchronous;
  readonly configKeyFile: string | undefined;
  readonly fuelMeters: FuelMeterPolicy;
  readonly drain: boolean;
  readonly logLevel: string;
}

export interface CliEnvironment {
  readonly MQTT_URL?: string | undefined;
  readonly MQTT_USERNAME?: string | undefined;
  readonly MQTT_PASSWORD?: string | undefined;
  readonly MQTT_CA_PATH?: string | undefined;
  readonly MQTT_CERT_PATH?: string | undefined;
  readonly MQTT_KEY_PATH?: string | undefined;
  readonly MQTT_TOPIC_ROOT?: string | undefined;
  readonly DATA_DIR?: string | undefined;
  readonly LOG_LEVEL?: string | undefined;
}

export type CliParse = { ok: true; help: boolean; options: CliOptions } | { ok: false; problems: string[] };

/** Parses the command line (every problem at once); `nowMs` anchors "now" for live runs and backfill. */
export function parseCliOptions(argv: readonly string[], env: CliEnvironment, nowMs: number): CliParse {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        vessels: { type: 'string' },
        seed: { type: 'string' },
        speed: { type: 'string' },
        start: { type: 'string' },
        duration: { type: 'string' },
        backfill: { type: 'string' },
        faults: { type: 'string' },
        broker: { type: 'string' },
        ca: { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        'topic-root': { type: 'string' },
        credentials: { type: 'string' },
        username: { type: 'string' },
        password: { type: 'string' },
        'data-dir': { type: 'string' },
        'client-id-prefix': { type: 'string' },
        'queue-sync': { type: 'string' },
        'config-key': { type: 'string' },
        'fuel-meters': { type: 'string' },
        'no-drain': { type: 'boolean' },
        'log-level': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    return { ok: false, problems: [error instanceof Error ? error.message : String(error)] };
  }
  const problems: string[] = [];
  const str = (key: string): string | undefined => {
    const v = values[key];
    return typeof v === 'string' ? v : undefined;
  };
  const attempt = <T>(what: string, fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (error) {
      problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      return fallback;
    }
  };

  const seedText = str('seed') ?? '1';
  const seed = Number(seedText);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff)
    problems.push(`--seed: "${seedText}" is not a whole number 0–4294967295`);

  const backfillText = str('backfill');
  const backfillMs =
    backfillText === undefined ? undefined : attempt('--backfill', () => parseDuration(backfillText), 0);
  const speedText = str('speed') ?? (backfillMs === undefined ? '1' : 'max');
  const speed = speedText === 'max' ? Number.POSITIVE_INFINITY : Number(speedText);
  if (!(speed > 0)) problems.push(`--speed: "${speedText}" is not a positive number or max`);

  let startMs = Math.floor(nowMs / 60_000) * 60_000;
  let endMs: number | undefined;
  const startText = str('start');
  if (startText !== undefined) {
    const parsed = Date.parse(startText);
    if (Number.isNaN(parsed)) problems.push(`--start: "${startText}" is not an ISO 8601 time`);
    else startMs = parsed;
  }
  if (backfillMs !== undefined) {
    if (startText === undefined) startMs = Math.floor((nowMs - backfillMs) / 60_000) * 60_000;
    endMs = startMs + backfillMs;
    if (endMs > nowMs + 60_000)
      problems.push('--backfill: the history would reach into the future; move --start back');
  }
  const durationText = str('duration');
  if (durationText !== undefined) {
    if (backfillMs !== undefined) problems.push('--duration and --backfill exclude each other');
    else endMs = startMs + attempt('--duration', () => parseDuration(durationText), 0);
  }

  const vesselsText = str('vessels');
  let vessels: readonly string[] | number | undefined;
  if (vesselsText !== undefined) {
    if (/^\d+$/.test(vesselsText)) vessels = Number(vesselsText);
    else
      vessels = vesselsText
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
  }

  const faults = attempt('--faults', () => parseFaultSpec(str('faults') ?? 'realistic'), {
    realistic: false,
    explicit: [],
  });
  const topicRoot = str('topic-root') ?? env.MQTT_TOPIC_ROOT ?? 'qtled';
  attempt(
    '--topic-root',
    () => {
      assertTopicRoot(topicRoot);
    },
    undefined,
  );
  const brokerUrl = str('broker') ?? env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';
  attempt(
    '--broker',
    () => {
      const url = new URL(brokerUrl);
      if (!['mqtt:', 'mqtts:', 'ws:', 'wss:'].includes(url.protocol))
        throw new Error(`"${brokerUrl}" is not mqtt://, mqtts://, ws:// or wss://`);
    },
    undefined,
  );
  const caFile = str('ca') ?? env.MQTT_CA_PATH;
  const certFile = str('cert') ?? env.MQTT_CERT_PATH;
  const keyFile = str('key') ?? env.MQTT_KEY_PATH;
  if ((certFile === undefined) !== (keyFile === undefined)) problems.push('--cert and --key go together');
  // TLS files with a plain broker URL would be ignored; the operator expects an encrypted link.
  if ([caFile, certFile, keyFile].some((f) => f !== undefined) && !/^(mqtts|wss):/.test(brokerUrl))
    problems.push(`--ca, --cert and --key need a TLS broker: --broker mqtts://host:8883, not "${brokerUrl}"`);
  const queueSync = str('queue-sync') ?? 'normal';
  if (queueSync !== 'full' && queueSync !== 'normal' && queueSync !== 'off')
    problems.push(`--queue-sync: "${queueSync}" is not full, normal or off`);
  const fuelMeters = str('fuel-meters') ?? 'registry';
  if (fuelMeters !== 'registry' && fuelMeters !== 'all')
    problems.push(`--fuel-meters: "${fuelMeters}" is not registry or all`);
  const username = str('username') ?? env.MQTT_USERNAME;
  const password = str('password') ?? env.MQTT_PASSWORD;
  if ((username === undefined) !== (password === undefined))
    problems.push('--username and --password go together');

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    help: values['help'] === true,
    options: {
      vessels,
      seed,
      speed,
      startMs,
      endMs,
      backfill: backfillMs !== undefined,
      faults,
      brokerUrl,
      caFile,
      certFile,
      keyFile,
      topicRoot,
      credentialsFile: str('credentials'),
      username,
      password,
      dataDir: str('data-dir') ?? `${env.DATA_DIR ?? './data'}/gateways`,
      clientIdPrefix: str('client-id-prefix') ?? '',
      queueSynchronous: queueSync as QueueSynchronous,
      configKeyFile: str('config-key'),
      fuelMeters: fuelMeters as FuelMeterPolicy,
      drain: values['no-drain'] !== true,
      logLevel: str('log-level') ?? env.LOG_LEVEL ?? 'warn',
    },
  };
}

/** Credentials of one gateway from a credentials file's object: by vessel id, gateway id, or `*`. */
export function credentialsFor(
  table: Readonly<Record<string, { username: string; password: string }>>,
  vesselId: string,
  gatewayId: string,
): { username: string; password: string } | undefined {
  return table[vesselId] ?? table[gatewayId] ?? table['*'];
}

/** Validates a parsed credentials file; throws listing every bad entry. */
export function parseCredentials(json: unknown): Record<string, { username: string; password: string }> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new Error('the credentials file must hold a JSON object keyed by vessel id, gateway id or *');
  }
  const out: Record<string, { username: string; password: string }> = {};
  const bad: string[] = [];
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    const v = value as { username?: unknown; password?: unknown } | null;
    if (v && typeof v.username === 'string' && typeof v.password === 'string' && v.username !== '') {
      out[key] = { username: v.username, password: v.password };
    } else bad.push(key);
  }
  if (bad.length > 0)
    throw new Error(`credentials without a username and password string: ${bad.join(', ')}`);
  return out;
}
