import { AlarmNotFoundError, AlarmStateError } from '@qt-led/fleet-status';
import {
  Alarm,
  AlarmPage,
  AlarmState,
  CompletenessMatrix,
  NightList,
  TripList,
  type VesselId,
} from '@qt-led/contract';
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError, ErrorBody, notFound } from '../errors.js';
import { periodMs } from '../period.js';
import {
  DateOrInstant,
  Instant,
  LocalDate,
  pageLimit,
  VesselId as VesselIdSchema,
  VesselIdList,
} from '../schemas.js';
import { audit } from '../plugins/audit.js';

function checkVessels(app: FastifyInstance, ids: readonly VesselId[]): void {
  const unknown = ids.filter((id) => app.registryHolder.current().vessel(id) === undefined);
  if (unknown.length > 0) throw notFound(`not in the fleet registry: ${unknown.join(', ')}`);
}

const PeriodQuery = z.strictObject({
  vessel: VesselIdSchema.optional().describe('one vessel; default every vessel'),
  from: DateOrInstant.describe('start: local date YYYY-MM-DD (Viet Nam midnight) or ISO 8601 instant'),
  to: DateOrInstant.describe('end, exclusive: local date or ISO 8601 instant'),
});

/** Trips, fishing nights, completeness and alarms: the officers' view, from the fleet status service. */
export const fleetRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.get(
    '/trips',
    {
      schema: {
        tags: ['fleet'],
        summary: 'Trips (port departure to arrival) that overlap the period',
        querystring: PeriodQuery,
        response: { 200: TripList, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { vessel, from, to } = request.query;
      if (vessel !== undefined) checkVessels(app, [vessel]);
      const period = periodMs(from, to, app.apiOptions.maxPeriodDays);
      const trips = await app.fleetStatus.trips({
        ...period,
        ...(vessel === undefined ? {} : { vesselId: vessel }),
      });
      return { trips };
    },
  );

  app.get(
    '/nights',
    {
      schema: {
        tags: ['fleet'],
        summary: 'Fishing nights (lamp-on intervals) in the period',
        querystring: PeriodQuery,
        response: { 200: NightList, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { vessel, from, to } = request.query;
      if (vessel !== undefined) checkVessels(app, [vessel]);
      const period = periodMs(from, to, app.apiOptions.maxPeriodDays);
      const nights = await app.fleetStatus.nights({
        ...period,
        ...(vessel === undefined ? {} : { vesselId: vessel }),
      });
      return { nights };
    },
  );

  app.get(
    '/completeness',
    {
      schema: {
        tags: ['fleet'],
        summary: 'Readings expected and received per vessel per local day',
        querystring: z.strictObject({
          from: LocalDate.describe('first local day, YYYY-MM-DD'),
          to: LocalDate.describe('local day after the last, YYYY-MM-DD (exclusive)'),
          vessel: VesselIdList.optional(),
        }),
        response: { 200: CompletenessMatrix, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { from, to, vessel } = request.query;
      if (vessel !== undefined) checkVessels(app, vessel);
      const period = periodMs(from, to, app.apiOptions.maxPeriodDays);
      return app.fleetStatus.completeness({
        ...period,
        ...(vessel === undefined ? {} : { vesselIds: vessel }),
      });
    },
  );

  app.get(
    '/alarms',
    {
      schema: {
        tags: ['alarms'],
        summary: 'Alarms, newest first, a page at a time',
        querystring: z.strictObject({
          state: AlarmState.optional(),
          vessel: VesselIdSchema.optional(),
          before: Instant.optional().describe(
            'only alarms raised before this instant: the nextBefore of the previous page',
          ),
          limit: pageLimit(100, 500),
        }),
        response: { 200: AlarmPage, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { state, vessel, before, limit } = request.query;
      if (vessel !== undefined) checkVessels(app, [vessel]);
      const alarms = await app.fleetStatus.listAlarms({
        limit,
        ...(state === undefined ? {} : { state }),
        ...(vessel === undefined ? {} : { vesselId: vessel }),
        ...(before === undefined ? {} : { beforeMs: before }),
      });
      const last = alarms.at(-1);
      return {
        alarms,
        nextBefore:
          alarms.length === limit && last !== undefined ? new Date(last.raisedAtMs).toISOString() : null,
      };
    },
  );

  app.post(
    '/alarms/:id/acknowledge',
    {
      schema: {
        tags: ['alarms'],
        summary: 'Acknowledge a raised alarm (an officer has seen it and acts)',
        params: z.strictObject({
          id: z.string().min(1).max(128, 'an alarm id has at most 128 characters'),
        }),
        response: { 200: Alarm, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      try {
        const alarm = await app.fleetStatus.acknowledgeAlarm(
          request.params.id,
          request.principal?.username ?? 'unknown',
          app.clock.now(),
        );
        audit(app, request, 'alarm-acknowledged', alarm.id, { type: alarm.type, vesselId: alarm.vesselId });
        return alarm;
      } catch (error) {
        if (error instanceof AlarmNotFoundError) throw notFound(`no alarm ${request.params.id}`);
        if (error instanceof AlarmStateError) throw new ApiError(409, error.code, error.message);
        throw error;
      }
    },
  );
  done();
};
