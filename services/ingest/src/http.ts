import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { DEAD_LETTER_REASONS, type DeadLetterReason } from '@qt-led/store';
import type { IngestOperations } from './operations.js';

/**
 * The ingest's operator surface: `/metrics` (Prometheus), `/healthz` (the process runs), `/readyz` (broker
 * connected and store writable), and the dead-letter store: list, inspect, replay after a fix.
 */
export function createOperatorServer(operations: IngestOperations): Server {
  return createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      send(res, 500, { error: 'internal error', detail: (error as Error).message });
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://ingest');
    const path = url.pathname;
    if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'Content-Type': operations.metricsContentType });
      res.end(await operations.metricsText());
      return;
    }
    if (req.method === 'GET' && path === '/healthz') {
      send(res, 200, { status: 'ok' });
      return;
    }
    if (req.method === 'GET' && path === '/readyz') {
      const ready = operations.ready();
      send(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready' });
      return;
    }
    if (req.method === 'GET' && path === '/dead-letters') {
      const reason = url.searchParams.get('reason') ?? undefined;
      if (reason !== undefined && !(DEAD_LETTER_REASONS as readonly string[]).includes(reason)) {
        send(res, 400, {
          error: `unknown reason "${reason}"; one of ${DEAD_LETTER_REASONS.join(', ')}`,
        });
        return;
      }
      const limitText = url.searchParams.get('limit') ?? '50';
      const limit = Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
        send(res, 400, { error: 'limit must be a whole number from 1 to 1000' });
        return;
      }
      const beforeText = url.searchParams.get('beforeMs');
      const letters = await operations.listDeadLetters({
        limit,
        includeReplayed: url.searchParams.get('includeReplayed') === 'true',
        ...(reason === undefined ? {} : { reason: reason as DeadLetterReason }),
        ...(beforeText === null ? {} : { beforeMs: Number(beforeText) }),
      });
      // The list shows the start of each payload; GET /dead-letters/:id has it whole.
      send(res, 200, { deadLetters: letters });
      return;
    }
    const match = /^\/dead-letters\/([0-9]+)(\/replay)?$/.exec(path);
    if (match !== null) {
      const id = match[1] as string;
      if (req.method === 'GET' && match[2] === undefined) {
        const letter = await operations.getDeadLetter(id);
        if (letter === undefined) send(res, 404, { error: `no dead letter ${id}` });
        else send(res, 200, letter);
        return;
      }
      if (req.method === 'POST' && match[2] !== undefined) {
        const result = await operations.replayDeadLetter(id);
        send(res, result.replayed ? 200 : 409, result);
        return;
      }
    }
    send(res, 404, { error: `no route ${req.method ?? ''} ${path}` });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
