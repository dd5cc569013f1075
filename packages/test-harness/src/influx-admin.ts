import type { InfluxServer } from './context.js';

/** One series of an InfluxQL answer (with `epoch=ms`, the `time` column holds epoch milliseconds). */
export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

/**
 * Database administration and raw access over the HTTP API every InfluxDB version shares:
 * line protocol to `/write`, InfluxQL to `/query`. Every non-2xx answer, and every InfluxQL error reported
 * inside a 200 answer, throws an Error carrying the status and the body.
 */
export interface InfluxAdmin {
  /** v1: `CREATE DATABASE`. v2: a bucket plus a DBRP mapping, so that `/write?db=` and `/query?db=` reach it. */
  createDatabase(name: string): Promise<void>;
  /** v1: `DROP DATABASE`. v2: deletes the DBRP mappings and the bucket. Dropping a missing database is a no-op. */
  dropDatabase(name: string): Promise<void>;
  /** Runs InfluxQL against `db`; returns the series of every statement, in order. */
  query(db: string, influxql: string): Promise<InfluxSeries[]>;
  /** Writes line protocol with millisecond timestamps in one request. */
  writeLines(db: string, lines: readonly string[]): Promise<void>;
}

interface QueryAnswer {
  results?: { statement_id?: number; series?: InfluxSeries[]; error?: string }[];
  error?: string;
}

interface SendOptions {
  search?: Record<string, string>;
  body?: string;
  contentType?: string;
  /** Answer statuses returned to the caller rather than thrown. */
  accept?: readonly number[];
}

export function influxAdmin(influx: InfluxServer): InfluxAdmin {
  const base = influx.url.endsWith('/') ? influx.url : `${influx.url}/`;
  const auth = authorization(influx);

  async function send(method: string, path: string, options: SendOptions = {}): Promise<Response> {
    const url = new URL(path, base);
    for (const [key, value] of Object.entries(options.search ?? {})) url.searchParams.set(key, value);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (auth !== undefined) headers['Authorization'] = auth;
    if (options.contentType !== undefined) headers['Content-Type'] = options.contentType;
    const response = await fetch(url, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: options.body }),
    });
    if (!response.ok && !(options.accept ?? []).includes(response.status)) {
      const body = await response.text().catch(() => '<unreadable body>');
      throw new Error(
        `InfluxDB ${method} ${url.pathname}${url.search} answered ${response.status} ${response.statusText}: ${body}`,
      );
    }
    return response;
  }

  async function sendJson<T>(
    method: string,
    path: string,
    json?: unknown,
    accept?: readonly number[],
  ): Promise<T> {
    const response = await send(method, path, {
      ...(json === undefined ? {} : { body: JSON.stringify(json), contentType: 'application/json' }),
      ...(accept === undefined ? {} : { accept }),
    });
    return (await response.json()) as T;
  }

  async function influxql(statement: string, db?: string): Promise<InfluxSeries[]> {
    const response = await send('POST', 'query', {
      search: { epoch: 'ms', ...(db === undefined ? {} : { db }) },
      body: new URLSearchParams({ q: statement }).toString(),
      contentType: 'application/x-www-form-urlencoded',
    });
    const answer = (await response.json()) as QueryAnswer;
    const errors = [answer.error, ...(answer.results ?? []).map((r) => r.error)].filter(
      (e) => e !== undefined,
    );
    if (errors.length > 0)
      throw new Error(`InfluxQL error for "${statement}"${db ? ` on ${db}` : ''}: ${errors.join('; ')}`);
    return (answer.results ?? []).flatMap((r) => r.series ?? []);
  }

  let orgIdPromise: Promise<string> | undefined;
  function orgId(): Promise<string> {
    orgIdPromise ??= (async () => {
      const search = influx.org === undefined ? '' : `?org=${encodeURIComponent(influx.org)}`;
      const answer = await sendJson<{ orgs?: { id: string }[] }>('GET', `api/v2/orgs${search}`);
      const id = answer.orgs?.[0]?.id;
      if (id === undefined)
        throw new Error(`InfluxDB has no organisation ${influx.org ?? ''} visible to this token`);
      return id;
    })().catch((err: unknown) => {
      orgIdPromise = undefined;
      throw err;
    });
    return orgIdPromise;
  }

  const v1: Pick<InfluxAdmin, 'createDatabase' | 'dropDatabase'> = {
    async createDatabase(name) {
      await influxql(`CREATE DATABASE ${identifier(name)}`);
    },
    async dropDatabase(name) {
      await influxql(`DROP DATABASE ${identifier(name)}`);
    },
  };

  const v2: Pick<InfluxAdmin, 'createDatabase' | 'dropDatabase'> = {
    async createDatabase(name) {
      const orgID = await orgId();
      const bucket = await sendJson<{ id: string }>('POST', 'api/v2/buckets', {
        orgID,
        name,
        retentionRules: [],
      });
      await sendJson('POST', 'api/v2/dbrps', {
        orgID,
        bucketID: bucket.id,
        database: name,
        retention_policy: 'autogen',
        default: true,
      });
    },
    async dropDatabase(name) {
      const orgID = await orgId();
      const q = `orgID=${encodeURIComponent(orgID)}`;
      const dbrps = await sendJson<{ content?: { id: string }[] }>(
        'GET',
        `api/v2/dbrps?${q}&db=${encodeURIComponent(name)}`,
      );
      for (const dbrp of dbrps.content ?? [])
        await send('DELETE', `api/v2/dbrps/${dbrp.id}?${q}`, { accept: [404] });
      const buckets = await sendJson<{ buckets?: { id: string }[] }>(
        'GET',
        `api/v2/buckets?${q}&name=${encodeURIComponent(name)}`,
        undefined,
        [404],
      );
      for (const bucket of buckets.buckets ?? [])
        await send('DELETE', `api/v2/buckets/${bucket.id}`, { accept: [404] });
    },
  };

  return {
    ...(influx.flavour === 'v1' ? v1 : v2),
    query: (db, statement) => influxql(statement, db),
    async writeLines(db, lines) {
      if (lines.length === 0) return;
      await send('POST', 'write', {
        search: { db, precision: 'ms' },
        body: lines.join('\n'),
        contentType: 'text/plain; charset=utf-8',
      });
    },
  };
}

function authorization(influx: InfluxServer): string | undefined {
  if (influx.flavour === 'v2') {
    if (influx.token === undefined)
      throw new Error('an InfluxDB 2.x/3.x server needs a token (INFLUX_TOKEN)');
    return `Token ${influx.token}`;
  }
  if (influx.username === undefined) return undefined;
  return `Basic ${Buffer.from(`${influx.username}:${influx.password ?? ''}`).toString('base64')}`;
}

/** An InfluxQL double-quoted identifier. */
function identifier(name: string): string {
  return `"${name.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}
