import { StoreSetupError, StoreUnavailableError } from '@qt-led/store';

/** What the client needs of the store's options: where InfluxDB is and how to authenticate. */
export interface InfluxConnection {
  url: string;
  database: string;
  token?: string;
  username?: string;
  password?: string;
  requestTimeoutMs?: number;
  /** Statements joined into one `/query` request at most (default 100). */
  batchStatements?: number;
  /** Characters of query text in one `/query` request at most (default 64,000). */
  batchChars?: number;
  /** `/query` requests in flight at most; the rest wait their turn (default 4). */
  maxRequestsInFlight?: number;
}

const FORM = 'application/x-www-form-urlencoded';
const SELECT = /^\s*select\s/i;

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
 *
 * Queries are batched: the SELECTs asked in one turn of the event loop go out joined with `;` in
 * multi-statement `/query` requests (at most `batchStatements` statements and `batchChars` characters
 * each, at most `maxRequestsInFlight` requests at once, the rest queued), and each caller gets the series
 * of its own statement. A fleet pass of a few queries per vessel is then tens of requests, not thousands.
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

  async function request(
    path: string,
    search: Record<string, string>,
    body?: string,
    contentType = 'text/plain; charset=utf-8',
  ): Promise<Response> {
    const url = new URL(path, base);
    for (const [k, v] of Object.entries(search)) url.searchParams.set(k, v);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: body === undefined ? headers : { ...headers, 'Content-Type': contentType },
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

  interface Pending {
    statement: string;
    epoch: string;
    /** Asked again on its own after its batch failed for it: never batched again. */
    alone: boolean;
    resolve: (series: InfluxSeries[]) => void;
    reject: (error: unknown) => void;
  }
  const limits = {
    statements: options.batchStatements ?? 100,
    chars: options.batchChars ?? 64_000,
    inFlight: options.maxRequestsInFlight ?? 4,
  };
  const queue: Pending[] = [];
  let inFlight = 0;
  let flushScheduled = false;

  interface Answer {
    results?: { statement_id?: number; series?: InfluxSeries[]; error?: string }[];
    error?: string;
  }

  async function ask(q: string, epoch: string): Promise<Answer> {
    const response = await request('query', { db, epoch }, new URLSearchParams({ q }).toString(), FORM);
    return (await response.json()) as Answer;
  }

  /** One statement on its own: its error is its caller's. */
  async function askAlone(statement: string, epoch: string): Promise<InfluxSeries[]> {
    const answer = await ask(statement, epoch);
    const error = answer.error ?? answer.results?.find((r) => r.error !== undefined)?.error;
    if (error !== undefined) throw new StoreSetupError(`InfluxQL error for "${statement}": ${error}`);
    return answer.results?.flatMap((r) => r.series ?? []) ?? [];
  }

  /**
   * Several statements joined with `;` in one request; InfluxDB answers `results[i]` with `statement_id`
   * i. A statement whose result is an error (InfluxDB also stops at the first error, answering the rest
   * "not executed") or missing is asked again on its own, so only its caller sees its error; a refused
   * request (a parse error fails the whole query) asks each again on its own. A transport failure or 5xx
   * is every caller's.
   */
  async function askBatch(batch: Pending[]): Promise<void> {
    const epoch = (batch[0] as Pending).epoch;
    let answer: Answer;
    try {
      answer = await ask(batch.map((p) => p.statement).join(';\n'), epoch);
    } catch (error) {
      if (error instanceof StoreSetupError) retryAlone(batch);
      else for (const p of batch) p.reject(error);
      return;
    }
    if (answer.error !== undefined) {
      retryAlone(batch);
      return;
    }
    const byId = new Map<number, { series?: InfluxSeries[]; error?: string }>();
    (answer.results ?? []).forEach((r, i) => byId.set(r.statement_id ?? i, r));
    const again: Pending[] = [];
    batch.forEach((p, i) => {
      const result = byId.get(i);
      if (result === undefined || result.error !== undefined) again.push(p);
      else p.resolve(result.series ?? []);
    });
    retryAlone(again);
  }

  function retryAlone(batch: readonly Pending[]): void {
    if (batch.length === 0) return;
    queue.unshift(...batch.map((p) => ({ ...p, alone: true })));
    pump();
  }

  /** The next request's statements: the head of the queue, within the statement and text bounds. */
  function nextBatch(): Pending[] {
    const first = queue.shift() as Pending;
    const batch = [first];
    if (first.alone) return batch;
    let chars = first.statement.length;
    while (batch.length < limits.statements) {
      const next = queue[0];
      if (next === undefined || next.alone || next.epoch !== first.epoch) break;
      if (chars + 2 + next.statement.length > limits.chars) break;
      chars += 2 + next.statement.length;
      batch.push(queue.shift() as Pending);
    }
    return batch;
  }

  function pump(): void {
    while (inFlight < limits.inFlight && queue.length > 0) {
      const batch = nextBatch();
      inFlight += 1;
      const done = (): void => {
        inFlight -= 1;
        pump();
      };
      if (batch.length === 1) {
        const only = batch[0] as Pending;
        askAlone(only.statement, only.epoch).then(only.resolve, only.reject).finally(done);
      } else {
        askBatch(batch)
          .catch((error: unknown) => {
            for (const p of batch) p.reject(error);
          })
          .finally(done);
      }
    }
  }

  return {
    database: db,
    query(statement, epoch = 'ms') {
      return new Promise<InfluxSeries[]>((resolve, reject) => {
        // Only a plain SELECT is joined with others (one with its own `;` could not be told apart).
        const alone = !SELECT.test(statement) || statement.includes(';');
        queue.push({ statement, epoch, alone, resolve, reject });
        // Everything asked in this turn of the event loop goes out together.
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(() => {
            flushScheduled = false;
            pump();
          });
        }
      });
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
