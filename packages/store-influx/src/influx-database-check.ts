import { StoreSetupError } from '@qt-led/store';
import { type InfluxClient, type InfluxSeries, ident, rowsOf } from './influx-client.js';

/** What the start-up check needs of the store's options. */
export interface DatabaseCheckOptions {
  minRetentionDays: number;
  allowShortRetention?: boolean;
  createDatabase?: boolean;
  onWarning?: (message: string) => void;
}

/**
 * Start-up check: the database exists (or is created, 1.x, when asked to) and its default retention
 * policy keeps readings at least `minRetentionDays` — a refusal, or a loud warning when short retention is
 * explicitly allowed.
 */
export async function checkDatabase(client: InfluxClient, options: DatabaseCheckOptions): Promise<void> {
  const db = client.database;
  let policies: InfluxSeries[];
  try {
    policies = await client.query(`SHOW RETENTION POLICIES ON ${ident(db)}`);
  } catch (error) {
    if (!(error instanceof StoreSetupError) || !/database not found/i.test(error.message)) throw error;
    if (options.createDatabase !== true) {
      throw new StoreSetupError(
        `InfluxDB database "${db}" does not exist: create it (1.x: CREATE DATABASE; 2.x: a bucket with a DBRP mapping) or set INFLUX_DATABASE`,
      );
    }
    await client.query(`CREATE DATABASE ${ident(db)}`);
    policies = await client.query(`SHOW RETENTION POLICIES ON ${ident(db)}`);
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
      throw new StoreSetupError(`${message}. Lengthen the retention policy, or accept the risk explicitly.`);
    }
    options.onWarning?.(`${message}. Continuing because short retention is explicitly allowed.`);
  }
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
