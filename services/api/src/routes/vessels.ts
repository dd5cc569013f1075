import {
  type LatestReading,
  SERIES_FIELDS,
  SeriesResponse,
  VesselDetail,
  VesselList,
  type VesselId,
  type VesselStatus,
  type VesselView,
} from '@qt-led/contract';
import type { StoredReading } from '@qt-led/store';
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { badRequest, ErrorBody, notFound } from '../errors.js';
import { Instant, SeriesFields, Step, VesselParams } from '../schemas.js';

const DEFAULT_FIELDS = [
  'ledPowerW',
  'ledEnergyKwh',
  'lampsOn',
  'fuelRateLph',
  'fuelTotalL',
  'speedKn',
] as const;

/** Steps offered when the caller leaves `step` out: the finest that stays within the point limit. */
const AUTO_STEPS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1_440, 2_880, 10_080].map(
  (m) => m * 60_000,
);

/** Buckets are aligned to the epoch, so a period can touch one more bucket than its length suggests. */
function bucketCount(fromMs: number, toMs: number, stepMs: number): number {
  return Math.floor((toMs - 1) / stepMs) - Math.floor(fromMs / stepMs) + 1;
}

function formatStep(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${Math.ceil(ms / 1_000)}s`;
}

function latestView(reading: StoredReading | undefined): LatestReading | null {
  if (reading === undefined) return null;
  return {
    deviceTimeMs: reading.deviceTimeMs,
    receivedAtMs: reading.receivedAtMs,
    ledPowerW: reading.ledPowerW,
    ledEnergyKwh: reading.ledEnergyKwh,
    lampsOn: reading.lampsOn,
    fuelTotalL: reading.fuelTotalL,
    fuelRateLph: reading.fuelRateLph,
    lat: reading.lat,
    lon: reading.lon,
    speedKn: reading.speedKn,
  };
}

function vesselView(
  app: FastifyInstance,
  vesselId: VesselId,
  status: VesselStatus | undefined,
  latest: StoredReading | undefined,
  nowMs: number,
): VesselView {
  const registry = app.registryHolder.current();
  const vessel = registry.vessel(vesselId);
  if (vessel === undefined) throw notFound(`vessel ${vesselId} is not in the fleet registry`);
  const version = registry.configAt(vesselId, nowMs)?.version;
  return {
    vesselId,
    name: vessel.name,
    homePort: vessel.homePort,
    district: vessel.district,
    ledLamps: version === undefined ? null : { ...version.ledLamps },
    status: status ?? null,
    latest: latestView(latest),
  };
}

export const vesselRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.get(
    '',
    {
      schema: {
        tags: ['fleet'],
        summary: 'Every vessel of the registry with its status and latest reading',
        response: { 200: VesselList },
      },
    },
    async () => {
      const nowMs = app.clock.now();
      // Status and latest reading from the fleet status service's kept state: one view, no history read.
      const overview = await app.fleetStatus.overview(nowMs);
      const of = new Map(overview.map((v) => [v.status.vesselId, v]));
      return {
        vessels: app.registryHolder.current().registry.vessels.map((v) => {
          const row = of.get(v.vesselId);
          return vesselView(app, v.vesselId, row?.status, row?.latest ?? undefined, nowMs);
        }),
      };
    },
  );

  app.get(
    '/:id',
    {
      schema: {
        tags: ['fleet'],
        summary: 'One vessel: status, latest reading and its registry entry with every version',
        params: VesselParams,
        response: { 200: VesselDetail, 404: ErrorBody },
      },
    },
    async (request) => {
      const { id } = request.params;
      const entry = app.registryHolder.current().vessel(id);
      if (entry === undefined) throw notFound(`vessel ${id} is not in the fleet registry`);
      const nowMs = app.clock.now();
      const row = await app.fleetStatus.vesselOverview(id, nowMs);
      return {
        ...vesselView(app, id, row?.status, row?.latest ?? undefined, nowMs),
        registry: entry,
      };
    },
  );

  app.get(
    '/:id/series',
    {
      schema: {
        tags: ['fleet'],
        summary: 'Downsampled telemetry of one vessel; buckets without readings are absent (gaps)',
        params: VesselParams,
        querystring: z.strictObject({
          from: Instant.describe('start, ISO 8601 instant (inclusive)'),
          to: Instant.describe('end, ISO 8601 instant (exclusive)'),
          step: Step.optional().describe(
            'bucket width like 5m or 1h; default: the finest that keeps within the point limit',
          ),
          fields: SeriesFields.optional().describe(
            `comma-separated, from ${SERIES_FIELDS.join(', ')}; default ${DEFAULT_FIELDS.join(',')}`,
          ),
        }),
        response: { 200: SeriesResponse, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { from, to, step, fields } = request.query;
      if (app.registryHolder.current().vessel(id) === undefined) {
        throw notFound(`vessel ${id} is not in the fleet registry`);
      }
      if (to <= from) throw badRequest('query parameter "to": must be after "from"');
      const max = app.apiOptions.maxSeriesPoints;
      let stepMs = step;
      if (stepMs === undefined) {
        stepMs = AUTO_STEPS_MS.find((s) => bucketCount(from, to, s) <= max);
        if (stepMs === undefined) {
          throw badRequest(
            `query parameter "to": the period is too long for one request; at most ${max} points of 7d`,
          );
        }
      }
      const points = bucketCount(from, to, stepMs);
      if (points > max) {
        const smallest = AUTO_STEPS_MS.find((s) => bucketCount(from, to, s) <= max);
        throw badRequest(
          `query parameter "step": ${formatStep(stepMs)} over this period gives ${points} points; at most ${max} per request` +
            (smallest === undefined
              ? '; shorten the period'
              : `; use step=${formatStep(smallest)} or more, or a shorter period`),
        );
      }
      const chosen = fields ?? [...DEFAULT_FIELDS];
      const series = await app.store.series(id, chosen, from, to, stepMs);
      return {
        vesselId: id,
        fromMs: from,
        toMs: to,
        stepMs,
        fields: chosen,
        points: series.map((p) => ({ tMs: p.tMs, values: p.values })),
      };
    },
  );
  done();
};
