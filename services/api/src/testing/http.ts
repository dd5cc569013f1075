import { request } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** A live stream opened over real HTTP (inject cannot read an open-ended response). */
export interface OpenStream {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  /** Everything received so far. */
  text(): string;
  /** Resolves once the received text matches. */
  waitFor(pattern: RegExp): Promise<string>;
  close(): void;
  closed: Promise<void>;
}

export async function listenOnce(app: FastifyInstance): Promise<string> {
  const address = app.server.address();
  if (address !== null && typeof address === 'object') return `http://127.0.0.1:${address.port}`;
  return app.listen({ host: '127.0.0.1', port: 0 });
}

export function openStream(
  baseUrl: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${path}`, { headers }, (res) => {
      let text = '';
      const waiters: { pattern: RegExp; resolve: (t: string) => void }[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        for (const w of [...waiters]) {
          if (w.pattern.test(text)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(text);
          }
        }
      });
      const closed = new Promise<void>((done) => {
        res.on('close', () => {
          done();
        });
      });
      resolve({
        statusCode: res.statusCode ?? 0,
        headers: res.headers,
        text: () => text,
        waitFor: (pattern) =>
          pattern.test(text)
            ? Promise.resolve(text)
            : new Promise((r) => waiters.push({ pattern, resolve: r })),
        close: () => req.destroy(),
        closed,
      });
    });
    req.on('error', (error) => {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
    });
    req.end();
  });
}
