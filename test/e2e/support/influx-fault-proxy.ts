// A fault injector for the database: a loopback HTTP proxy in front of a real influxd. Ingest is pointed at
// the proxy instead of the server; the test decides what the "database" does with each write — pass it
// on, answer 500 as an overloaded or failing InfluxDB does, or hold it (a write in flight that a test can
// kill ingest in the middle of). Everything else (/query, /ping) always passes through unchanged.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with a POST /write. */
export type WriteMode = 'pass' | 'fail-500' | 'hold';

export interface InfluxFaultProxy {
  /** The URL to give ingest as INFLUX_URL. */
  readonly url: string;
  setWriteMode(mode: WriteMode): void;
  /** Writes seen, answered 500, and being held or forwarded right now. */
  counts(): { writes: number; failed: number; inFlight: number };
  close(): Promise<void>;
}

export async function startInfluxFaultProxy(targetUrl: string): Promise<InfluxFaultProxy> {
  const target = new URL(targetUrl);
  let mode: WriteMode = 'pass';
  const held: (() => void)[] = [];
  const counts = { writes: 0, failed: 0, inFlight: 0 };

  const forward = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void => {
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.once('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault proxy: upstream ${error.message}`);
    });
    upstream.end(body);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const isWrite = req.method === 'POST' && (req.url ?? '').startsWith('/write');
      if (!isWrite) {
        forward(req, body, res);
        return;
      }
      counts.writes += 1;
      if (mode === 'fail-500') {
        counts.failed += 1;
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'fault proxy: injected internal error' }));
        return;
      }
      counts.inFlight += 1;
      res.once('close', () => (counts.inFlight -= 1));
      if (mode === 'hold') held.push(() => forward(req, body, res));
      else forward(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setWriteMode(next) {
      mode = next;
      // Leaving `hold`: what was held goes on to the server now, in order.
      if (next !== 'hold') for (const release of held.splice(0)) release();
    },
    counts: () => ({ ...counts }),
    async close() {
      for (const release of held.splice(0)) release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
