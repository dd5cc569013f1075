import { StoreSetupError, StoreUnavailableError } from '@qt-led/store';

/** What the client needs of the store's options: where InfluxDB is and how to authenticate. */
export interface InfluxConnection {
  url: string;
  database: string;
  token?: string;
  username?: string;
  password?: string;
  requestTimeoutMs?: number;
}

/** One series of an InfluxQL answer. */
export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values?: unknown[][];
}

export type Row = Record<string, unknown>;

/** The two calls every InfluxDB version shares: InfluxQL to `/query`, line protocol to `/write`. */
export interface InfluxClient {
  readonly database: string;
  query(statement: string, epoch?: 'ms'): Promise<InfluxSeries[]>;
  write(lines: readonly string[]): Promise<void>;
}

/**
 * A transport failure or a 5xx/429 answer is a `StoreUnavailableError` (retry later, keep the data); any
 * other refusal is a `StoreSetupError`.
 */
export function createInfluxClient(options: InfluxConnection): InfluxClient {
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

  return {
    database: db,
    async query(statement, epoch = 'ms') {
      const response = await request('query', { db, q: statement, epoch });
      const answer = (await response.json()) as {
        results?: { series?: InfluxSeries[]; error?: string }[];
        error?: string;
      };
      const error = answer.error ?? answer.results?.find((r) => r.error !== undefined)?.error;
      if (error !== undefined) throw new StoreSetupError(`InfluxQL error for "${statement}": ${error}`);
      return answer.results?.flatMap((r) => r.series ?? []) ?? [];
    },
    async write(lines) {
      if (lines.length === 0) return;
      await request('write', { db, precision: 'ns' }, lines.join('\n'));
    },
  };
}

export function rowsOf(series: InfluxSeries | undefined): Row[] {
  if (series === undefined) return [];
  return (series.values ?? []).map((values) =>
    Object.fromEntries(series.columns.map((c, i) => [c, values[i]])),
  );
}

export function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

/** An InfluxQL identifier, double-quoted. */
export function ident(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** An InfluxQL string literal, single-quoted. */
export function literal(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
