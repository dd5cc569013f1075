import type { ServerResponse } from 'node:http';
import type { FleetChange } from '@qt-led/fleet-status';
import type { StoredReading } from '@qt-led/store';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LiveReadings } from '../live-readings.js';
import { ApiError } from '../errors.js';
import { authorise } from '../plugins/authentication.js';
import { VesselIdList } from '../schemas.js';

export const STREAM_EVENTS = ['status', 'alarm', 'reading'] as const;
type StreamEvent = (typeof STREAM_EVENTS)[number];

const EventList = z
  .string()
  .transform((text, ctx) => {
    const names = [...new Set(text.split(',').map((n) => n.trim()))];
    const unknown = names.filter((n) => !(STREAM_EVENTS as readonly string[]).includes(n));
    if (unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown event ${unknown.join(', ')}; the events are ${STREAM_EVENTS.join(', ')}`,
      });
      return z.NEVER;
    }
    return names as StreamEvent[];
  })
  .meta({ description: `comma-separated subset of ${STREAM_EVENTS.join(', ')}; default all` });

/** The open streams, so that closing the app can end them (an open SSE response would hold the server). */
export interface StreamRegistry {
  readonly clients: Set<ServerResponse>;
}

/**
 * Server-sent events for the dashboard: `status` and `alarm` from the fleet status service, `reading` from
 * the live readings port. A comment every heartbeat keeps proxies from closing an idle stream. A client
 * too slow to take what it is sent loses `reading` events (the next one supersedes them), never status
 * or alarm events; everything is unsubscribed when the client goes.
 */
export const streamRoutes: FastifyPluginCallbackZod<{
  liveReadings?: LiveReadings;
  streams: StreamRegistry;
}> = (app, options, done) => {
  app.get(
    '',
    {
      schema: {
        tags: ['live'],
        summary: 'Live updates as server-sent events (text/event-stream): status, alarm, reading',
        description:
          "EventSource cannot send headers, so the token may be given as ?access_token=. Each event's data is " +
          'JSON: status → VesselStatus, alarm → Alarm, reading → the stored reading.',
        querystring: z.strictObject({
          access_token: z
            .string()
            .optional()
            .describe('the bearer token, for clients that cannot set headers'),
          vessel: VesselIdList.optional().describe('only these vessels (status and reading events)'),
          events: EventList.optional(),
        }),
        response: {
          200: {
            description: 'server-sent events, one per change, until the client disconnects',
            content: { 'text/event-stream': { schema: z.string() } },
          },
        },
      },
    },
    (request, reply) => {
      const wanted = new Set<StreamEvent>(request.query.events ?? STREAM_EVENTS);
      const vessels = request.query.vessel === undefined ? null : new Set<string>(request.query.vessel);
      const raw = reply.raw;
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // nginx would otherwise buffer the stream.
        'x-accel-buffering': 'no',
      });
      raw.write(`retry: 5000\n: connected\n\n`);
      options.streams.clients.add(raw);
      let dropped = 0;

      const send = (event: StreamEvent, data: unknown, droppable: boolean): void => {
        if (raw.writableEnded || raw.destroyed) return;
        if (droppable && raw.writableLength > app.apiOptions.sseMaxBufferedBytes) {
          dropped += 1;
          return;
        }
        raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };

      const unsubscribes: (() => void)[] = [];
      unsubscribes.push(
        app.fleetStatus.onChange((change: FleetChange) => {
          if (!wanted.has(change.type)) return;
          if (change.type === 'status') {
            if (vessels !== null && !vessels.has(change.status.vesselId)) return;
            send('status', change.status, false);
          } else {
            if (vessels !== null && change.alarm.vesselId !== null && !vessels.has(change.alarm.vesselId))
              return;
            send('alarm', change.alarm, false);
          }
        }),
      );
      if (options.liveReadings !== undefined && wanted.has('reading')) {
        unsubscribes.push(
          options.liveReadings.onReading((reading: StoredReading) => {
            if (vessels !== null && !vessels.has(reading.vesselId)) return;
            send('reading', reading, true);
          }),
        );
      }
      // The stream lasts as long as its token's access: it ends at once on logout, a password change, a
      // role or partner change that takes the stream away, the user's deletion, the token's revocation, and
      // when the session or token expires — with an `end` event saying why, so the page does not reconnect
      // blindly.
      const token = request.bearerToken;
      const end = (reason: string): void => {
        if (raw.writableEnded || raw.destroyed) return;
        raw.write(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
        raw.end();
      };
      const recheck = (): void => {
        if (token === null) return;
        try {
          authorise(app, token, 'GET', '/api/v1/stream');
        } catch (error) {
          const reason = error instanceof ApiError ? error.code : 'UNAUTHENTICATED';
          request.log.info(
            { user: request.principal?.username, reason },
            'live stream ended: access changed',
          );
          end(reason);
        }
      };
      unsubscribes.push(app.auth.onAccessChange(recheck));
      const expiresAtMs = request.principal?.expiresAtMs ?? null;
      const expiry =
        expiresAtMs === null
          ? undefined
          : setTimeout(recheck, Math.min(2 ** 31 - 1, Math.max(0, expiresAtMs - app.sessionClock.now() + 1)));

      const heartbeat = setInterval(() => {
        if (!raw.writableEnded) raw.write(`: keep-alive ${new Date(app.clock.now()).toISOString()}\n\n`);
      }, app.apiOptions.sseHeartbeatMs);

      let cleaned = false;
      const cleanup = (): void => {
        if (cleaned) return;
        cleaned = true;
        clearInterval(heartbeat);
        if (expiry !== undefined) clearTimeout(expiry);
        for (const unsubscribe of unsubscribes) unsubscribe();
        options.streams.clients.delete(raw);
        request.log.info({ dropped, user: request.principal?.username }, 'live stream closed');
      };
      raw.on('close', cleanup);
      raw.on('error', cleanup);
      request.log.info({ user: request.principal?.username, events: [...wanted] }, 'live stream opened');
    },
  );
  done();
};
