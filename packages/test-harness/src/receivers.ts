// Real local receivers for notification tests: an HTTP server (node:http) that records what it is sent
// and can be told to fail, and an SMTP sink (smtp-server) that keeps every message it accepts.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface HttpReceiver {
  url: string;
  bodies: unknown[];
  /** The headers of every request, in order. */
  headers: IncomingHttpHeaders[];
  requests: number;
  /** Answer every request with this status (200 by default). */
  status: number;
  close(): Promise<void>;
}

export async function startHttpReceiver(status = 200): Promise<HttpReceiver> {
  const receiver: HttpReceiver = {
    url: '',
    bodies: [],
    headers: [],
    requests: 0,
    status,
    close: () => Promise.resolve(),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      receiver.requests += 1;
      receiver.headers.push(req.headers);
      if (receiver.status < 300) receiver.bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(receiver.status, { 'content-type': 'text/plain' });
      res.end(receiver.status < 300 ? 'ok' : 'receiver down for maintenance');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alarms`;
  receiver.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

export interface SmtpSink {
  port: number;
  messages: { from: string; to: string[]; data: string }[];
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: SmtpSink['messages'] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, messages, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
