import type { BootId, GatewayId, VesselId } from '@qt-led/contract';
import { Point } from '@influxdata/influxdb-client';
import {
  FIELD_AGGREGATE,
  type DailyCount,
  type DeadLetter,
  type DeadLetterReason,
  type NewDeadLetter,
  type RegisterReading,
  type SeriesField,
  type SeriesPoint,
  type StoredDeviceMessage,
  type StoredReading,
  type TelemetryStore,
  StoreSetupError,
  StoreUnavailableError,
  byDeviceTime,
  deviceMessageFrom,
  deviceMessageKey,
} from '@qt-led/store';

export interface InfluxStoreOptions {
  url: string;
  /** Database (1.x) or bucket mapped to a database (2.x v1-compatibility, 3.x). */
  database: string;
  /** 2.x/3.x API token. */
  token?: string;
  /** 1.x user, when auth-enabled. */
  username?: string;
  password?: string;
  /**
   * Raw readings must be kept at least this long, or a gateway's backlog (weeks at sea) would be written
   * outside the retention window and silently dropped by InfluxDB. Start-up refuses a shorter default
   * retention policy unless `allowShortRetention` is set, in which case it warns loudly instead.
   */
  minRetentionDays: number;
  allowShortRetention?: boolean;
  /** 1.x: create the database when it does not exist (2.x buckets are created by the operator). */
  createDatabase?: boolean;
  requestTimeoutMs?: number;
  onWarning?: (message: string) => void;
}

const MEASUREMENT = 'telemetry';
const LETTERS = 'dead_letters';
const DEVICE = 'device_messages';
/** Under InfluxDB 1.x's 64 KiB string-field limit even for 3-byte UTF-8 characters. */
const PAYLOAD_CHUNK_CHARS = 16_384;

/** Column name in InfluxDB ↔ property of StoredReading. Tags: `vessel` only (low cardinality). */
const FIELD_COLUMNS = {
  ledPowerW: 'led_power_w',
  ledEnergyKwh: 'led_energy_kwh',
  lampsOn: 'lamps_on',
  fuelRateLph: 'fuel_rate_lph',
  fuelTotalL: 'fuel_total_l',
  speedKn: 'speed_kn',
  lat: 'lat',
  lon: 'lon',
} as const satisfies Record<SeriesField, string>;

/**
 * The production store: InfluxDB through the API every version shares — line protocol to `/write`,
 * InfluxQL to `/query` — so the same code runs on 1.x, 2.x (v1-compatibility endpoints) and 3.x.
 *
 * Identity: series `telemetry,vessel=<id>` and a nanosecond timestamp whose millisecond part is the
 * device time and whose sub-millisecond digits are `seq mod 10^6`. A resend therefore lands on the same
 * point (idempotent), and two readings of one vessel never share a timestamp even when a clock steps back
 * onto a millisecond already used — InfluxDB would otherwise overwrite one with the other without a word.
 */
export async function createInfluxStore(options: InfluxStoreOptions): Promise<TelemetryStore> {
  const base = options.url.endsWith('/') ? options.url : `${options.url}/`;
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers['Authorization'] = `Token ${options.token}`;
  else if (options.username !== undefined) {
    headers['Authorization'] =
      `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`;
  }
  const db = options.database;

  async function request(path: string, search: Record<string, string>, body?: string): Promise<Response> {
    const url = new URL(path, base);
    for (const [k, v] of Object.entries(search)) url.searchParams.set(k, v);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: body === undefined ? headers : { ...headers, 'Content-Type': 'text/plain; charset=utf-8' },
        signal: AbortSignal.timeout(timeoutMs),
        ...(body === undefined ? {} : { body }),
      });
    } catch (error) {
      throw new StoreUnavailableError(`InfluxDB at ${url.origin} unreachable: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      const message = `InfluxDB ${url.pathname} answered ${response.status}: ${text.slice(0, 500)}`;
      if (response.status >= 500 || response.status === 429) throw new StoreUnavailableError(message);
      throw new StoreSetupError(message);
    }
    return response;
  }

  async function query(statement: string, epoch: 'ms' = 'ms'): Promise<InfluxSeries[]> {
    const response = await request('query', { db, q: statement, epoch });
    const answer = (await response.json()) as {
      results?: { series?: InfluxSeries[]; error?: string }[];
      error?: string;
    };
    const error = answer.error ?? answer.results?.find((r) => r.error !== undefined)?.error;
    if (error !== undefined) throw new StoreSetupError(`InfluxQL error for "${statement}": ${error}`);
    return answer.results?.flatMap((r) => r.series ?? []) ?? [];
  }

  async function write(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    await request('write', { db, precision: 'ns' }, lines.join('\n'));
  }

  await checkDatabase();

  async function checkDatabase(): Promise<void> {
    let policies: InfluxSeries[];
    try {
      policies = await query(`SHOW RETENTION POLICIES ON ${ident(db)}`);
    } catch (error) {
      if (!(error instanceof StoreSetupError) || !/database not found/i.test(error.message)) throw error;
      if (options.createDatabase !== true) {
        throw new StoreSetupError(
          `InfluxDB database "${db}" does not exist: create it (1.x: CREATE DATABASE; 2.x: a bucket with a DBRP mapping) or set INFLUX_DATABASE`,
        );
      }
      await query(`CREATE DATABASE ${ident(db)}`);
      policies = await query(`SHOW RETENTION POLICIES ON ${ident(db)}`);
    }
    const rows = rowsOf(policies[0]);
    const defaultPolicy = rows.find((r) => r['default'] === true) ?? rows[0];
    if (defaultPolicy === undefined) return;
    const retentionMs = parseGoDuration(String(defaultPolicy['duration']));
    if (retentionMs === 0) return; // infinite
    const retentionDays = retentionMs / 86_400_000;
    if (retentionDays < options.minRetentionDays) {
      const message = `InfluxDB retention of "${db}" is ${retentionDays.toFixed(1)} days, shorter than the ${options.minRetentionDays} days of backlog a gateway may deliver: older readings would be dropped by InfluxDB without an error`;
      if (options.allowShortRetention !== true) {
        throw new StoreSetupError(
          `${message}. Lengthen the retention policy, or accept the risk explicitly.`,
        );
      }
      options.onWarning?.(`${message}. Continuing because short retention is explicitly allowed.`);
    }
  }

  let letterCounter = 0;

  const store: TelemetryStore = {
    kind: 'influxdb',
    async writeReadings(readings) {
      await write(readings.map(readingLine));
    },
    async latestByVessel() {
      const series = await query(`SELECT * FROM ${MEASUREMENT} GROUP BY vessel ORDER BY time DESC LIMIT 1`);
      return series.flatMap((s) => rowsOf(s).map((row) => readingFromRow(row, s.tags?.['vessel'])));
    },
    async readings(vesselId, fromMs, toMs, limit = 1_000_000) {
      const series = await query(
        `SELECT * FROM ${MEASUREMENT} WHERE vessel = ${literal(vesselId)} AND time >= ${fromMs}ms AND time < ${toMs}ms ORDER BY time ASC LIMIT ${limit}`,
      );
      return series.flatMap((s) => rowsOf(s).map((row) => readingFromRow(row, vesselId))).sort(byDeviceTime);
    },
    async registerReadings(vesselId, fromMs, toMs, limit = 1_000_000) {
      const series = await query(
        `SELECT boot, seq, led_energy_kwh, fuel_total_l, lamps_on FROM ${MEASUREMENT} WHERE vessel = ${literal(vesselId)} AND time >= ${fromMs}ms AND time < ${toMs}ms ORDER BY time ASC LIMIT ${limit}`,
      );
      return series
        .flatMap((s) =>
          rowsOf(s).map((row): RegisterReading => ({
            vesselId,
            bootId: row['boot'] as BootId,
            seq: Number(row['seq']),
            deviceTimeMs: Number(row['time']),
            ledEnergyKwh: numberOrNull(row['led_energy_kwh']),
            fuelTotalL: numberOrNull(row['fuel_total_l']),
            lampsOn: numberOrNull(row['lamps_on']),
          })),
        )
        .sort(byDeviceTime);
    },
    async series(vesselId, fields, fromMs, toMs, stepMs): Promise<SeriesPoint[]> {
      if (fields.length === 0) return [];
      const selectors = fields.map(
        (f) => `${FIELD_AGGREGATE[f] === 'mean' ? 'mean' : 'last'}(${FIELD_COLUMNS[f]}) AS ${ident(f)}`,
      );
      const series = await query(
        `SELECT ${selectors.join(', ')} FROM ${MEASUREMENT} WHERE vessel = ${literal(vesselId)} AND time >= ${fromMs}ms AND time < ${toMs}ms GROUP BY time(${stepMs}ms) fill(none)`,
      );
      return rowsOf(series[0]).map((row) => ({
        tMs: Number(row['time']),
        values: Object.fromEntries(fields.map((f) => [f, numberOrNull(row[f])])),
      }));
    },
    async dailyCounts(fromMs, toMs, utcOffsetMinutes) {
      const offsetMinutes = ((-utcOffsetMinutes % 1440) + 1440) % 1440;
      const series = await query(
        `SELECT count(seq) FROM ${MEASUREMENT} WHERE time >= ${fromMs}ms AND time < ${toMs}ms GROUP BY time(1d, ${offsetMinutes}m), vessel fill(none)`,
      );
      return series
        .flatMap((s) =>
          rowsOf(s).map((row): DailyCount => ({
            vesselId: s.tags?.['vessel'] as VesselId,
            dayStartMs: Number(row['time']),
            readings: Number(row['count']),
          })),
        )
        .sort((a, b) =>
          a.vesselId < b.vesselId ? -1 : a.vesselId > b.vesselId ? 1 : a.dayStartMs - b.dayStartMs,
        );
    },
    async countReadings(vesselId) {
      const where = vesselId === undefined ? '' : ` WHERE vessel = ${literal(vesselId)}`;
      const series = await query(`SELECT count(seq) FROM ${MEASUREMENT}${where}`);
      return Number(rowsOf(series[0])[0]?.['count'] ?? 0);
    },
    async writeDeviceMessages(messages) {
      await write(messages.map(deviceLine));
    },
    async deviceMessages(q) {
      const conditions = [`time >= ${q.fromMs}ms`, `time < ${q.toMs}ms`];
      if (q.vesselId !== undefined) conditions.push(`vessel = ${literal(q.vesselId)}`);
      if (q.kinds !== undefined) {
        if (q.kinds.length === 0) return [];
        conditions.push(`(${q.kinds.map((k) => `kind = ${literal(k)}`).join(' OR ')})`);
      }
      const series = await query(
        `SELECT * FROM ${DEVICE} WHERE ${conditions.join(' AND ')} ORDER BY time ASC LIMIT ${q.limit ?? 1_000_000}`,
      );
      return series.flatMap((s) => rowsOf(s).map((row) => deviceFromRow(row, s.tags)));
    },
    async latestDeviceMessages(kind) {
      const series = await query(
        `SELECT * FROM ${DEVICE} WHERE kind = ${literal(kind)} GROUP BY vessel ORDER BY time DESC LIMIT 1`,
      );
      return series
        .flatMap((s) => rowsOf(s).map((row) => deviceFromRow(row, { ...s.tags, kind })))
        .sort((a, b) => (a.vesselId < b.vesselId ? -1 : a.vesselId > b.vesselId ? 1 : 0));
    },
    async addDeadLetters(letters) {
      await write(
        letters.map((letter) => {
          letterCounter = (letterCounter + 1) % 1_000_000;
          const id = `${letter.receivedAtMs}${String(letterCounter).padStart(6, '0')}`;
          return letterLine(id, letter, null);
        }),
      );
    },
    async listDeadLetters(q) {
      const found: DeadLetter[] = [];
      let before = q.beforeMs === undefined ? undefined : `${q.beforeMs}ms`;
      // Replayed letters are filtered here (InfluxQL cannot test a field for absence), so page until full.
      for (;;) {
        const conditions = [
          ...(q.reason === undefined ? [] : [`reason = ${literal(q.reason)}`]),
          ...(before === undefined ? [] : [`time < ${before}`]),
        ];
        const page = rowsOf(
          (
            await query(
              `SELECT * FROM ${LETTERS}${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''} ORDER BY time DESC LIMIT ${q.limit}`,
            )
          )[0],
        ).map(letterFromRow);
        found.push(...page.filter((l) => q.includeReplayed === true || l.replayedAtMs === null));
        if (page.length < q.limit || found.length >= q.limit) return found.slice(0, q.limit);
        before = (page.at(-1) as DeadLetter).id;
      }
    },
    async getDeadLetter(id) {
      if (!/^\d{1,19}$/.test(id)) return undefined;
      const rows = rowsOf((await query(`SELECT * FROM ${LETTERS} WHERE time = ${id}`))[0]);
      return rows[0] === undefined ? undefined : letterFromRow(rows[0]);
    },
    async markDeadLetterReplayed(id, atMs) {
      const letter = await store.getDeadLetter(id);
      if (letter === undefined) return;
      await write([letterLine(id, letter, atMs)]);
    },
    close() {
      return Promise.resolve();
    },
  };
  return store;
}

interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values?: unknown[][];
}

type Row = Record<string, unknown>;

function rowsOf(series: InfluxSeries | undefined): Row[] {
  if (series === undefined) return [];
  return (series.values ?? []).map((values) =>
    Object.fromEntries(series.columns.map((c, i) => [c, values[i]])),
  );
}

function readingLine(r: StoredReading): string {
  const point = new Point(MEASUREMENT)
    .tag('vessel', r.vesselId)
    .stringField('boot', r.bootId)
    .intField('seq', r.seq)
    .stringField('gateway', r.gatewayId)
    .intField('received_ms', r.receivedAtMs)
    .timestamp(`${r.deviceTimeMs}${String(r.seq % 1_000_000).padStart(6, '0')}`);
  if (r.clockSkewMs !== null) point.intField('clock_skew_ms', r.clockSkewMs);
  if (r.timeSource !== null) point.stringField('time_source', r.timeSource);
  if (r.ledPowerW !== null) point.floatField('led_power_w', r.ledPowerW);
  if (r.ledEnergyKwh !== null) point.floatField('led_energy_kwh', r.ledEnergyKwh);
  if (r.lampsOn !== null) point.intField('lamps_on', r.lampsOn);
  if (r.fuelRateLph !== null) point.floatField('fuel_rate_lph', r.fuelRateLph);
  if (r.fuelTotalL !== null) point.floatField('fuel_total_l', r.fuelTotalL);
  if (r.fix !== null) point.stringField('fix', r.fix);
  if (r.lat !== null) point.floatField('lat', r.lat);
  if (r.lon !== null) point.floatField('lon', r.lon);
  if (r.speedKn !== null) point.floatField('speed_kn', r.speedKn);
  if (r.headingDeg !== null) point.floatField('heading_deg', r.headingDeg);
  return point.toLineProtocol() as string;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

function readingFromRow(row: Row, vessel: string | undefined): StoredReading {
  return {
    vesselId: (vessel ?? row['vessel']) as VesselId,
    gatewayId: row['gateway'] as GatewayId,
    bootId: row['boot'] as BootId,
    seq: Number(row['seq']),
    deviceTimeMs: Number(row['time']),
    receivedAtMs: Number(row['received_ms']),
    clockSkewMs: numberOrNull(row['clock_skew_ms']),
    timeSource: (row['time_source'] ?? null) as StoredReading['timeSource'],
    ledPowerW: numberOrNull(row['led_power_w']),
    ledEnergyKwh: numberOrNull(row['led_energy_kwh']),
    lampsOn: numberOrNull(row['lamps_on']),
    fuelRateLph: numberOrNull(row['fuel_rate_lph']),
    fuelTotalL: numberOrNull(row['fuel_total_l']),
    fix: (row['fix'] ?? null) as StoredReading['fix'],
    lat: numberOrNull(row['lat']),
    lon: numberOrNull(row['lon']),
    speedKn: numberOrNull(row['speed_kn']),
    headingDeg: numberOrNull(row['heading_deg']),
  };
}

/**
 * Device messages: series `device_messages,vessel=<id>,kind=<kind>`; the millisecond part of the timestamp
 * is the message's time and the sub-millisecond digits a hash of its key, so a resend lands on the same
 * point and two messages of one millisecond do not overwrite each other.
 */
function deviceLine(m: StoredDeviceMessage): string {
  const key = deviceMessageKey(m);
  return new Point(DEVICE)
    .tag('vessel', m.vesselId)
    .tag('kind', m.kind)
    .stringField('gateway', m.gatewayId)
    .stringField('boot', m.bootId)
    .stringField('key', key)
    .intField('received_ms', m.receivedAtMs)
    .stringField('payload', JSON.stringify(m.payload))
    .timestamp(`${m.atMs}${String(fnv1a(key) % 1_000_000).padStart(6, '0')}`)
    .toLineProtocol() as string;
}

function deviceFromRow(row: Row, tags: Record<string, string> | undefined): StoredDeviceMessage {
  return deviceMessageFrom({
    kind: String(tags?.['kind'] ?? row['kind']),
    vesselId: String(tags?.['vessel'] ?? row['vessel']),
    gatewayId: String(row['gateway']),
    bootId: String(row['boot']),
    atMs: Number(row['time']),
    receivedAtMs: Number(row['received_ms']),
    payload: String(row['payload']),
  });
}

/** 32-bit FNV-1a: a stable, well-spread hash for the sub-millisecond digits (not for security). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function letterLine(id: string, letter: NewDeadLetter, replayedAtMs: number | null): string {
  const point = new Point(LETTERS)
    .tag('reason', letter.reason)
    .stringField('id', id)
    .intField('received_ms', letter.receivedAtMs)
    .stringField('topic', letter.topic)
    .stringField('message', letter.message)
    .stringField('payload_encoding', letter.payloadEncoding)
    .intField('payload_bytes', letter.payloadBytes)
    .timestamp(id);
  const chunks = Math.max(1, Math.ceil(letter.payload.length / PAYLOAD_CHUNK_CHARS));
  point.intField('payload_chunks', chunks);
  for (let i = 0; i < chunks; i++) {
    point.stringField(
      `payload_${i}`,
      letter.payload.slice(i * PAYLOAD_CHUNK_CHARS, (i + 1) * PAYLOAD_CHUNK_CHARS),
    );
  }
  if (replayedAtMs !== null) point.intField('replayed_ms', replayedAtMs);
  return point.toLineProtocol() as string;
}

function letterFromRow(row: Row): DeadLetter {
  const chunks = Number(row['payload_chunks'] ?? 1);
  let payload = '';
  for (let i = 0; i < chunks; i++) {
    const chunk = row[`payload_${i}`];
    payload += typeof chunk === 'string' ? chunk : '';
  }
  return {
    id: String(row['id']),
    receivedAtMs: Number(row['received_ms']),
    topic: String(row['topic']),
    reason: row['reason'] as DeadLetterReason,
    message: String(row['message']),
    payload,
    payloadEncoding: row['payload_encoding'] === 'base64' ? 'base64' : 'utf8',
    payloadBytes: Number(row['payload_bytes']),
    replayedAtMs: numberOrNull(row['replayed_ms']),
  };
}

/** An InfluxQL identifier, double-quoted. */
function ident(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** An InfluxQL string literal, single-quoted. */
function literal(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Parses Go durations as InfluxDB prints them (`0s`, `168h0m0s`, `720h`) into milliseconds. */
export function parseGoDuration(text: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(amount) * (units[unit as string] ?? 0);
  }
  return total;
}
