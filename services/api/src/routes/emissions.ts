import { EmissionsReport } from '@qt-led/contract';
import { EmissionsBusyError, EmissionsWorkerError } from '@qt-led/emissions';
import { JcmError } from '@qt-led/jcm';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError, ErrorBody, notFound } from '../errors.js';
import { emissionsCsv } from '../exports/emissions-csv.js';
import { exportBaseName } from '../exports/emissions-table.js';
import { emissionsXlsx } from '../exports/emissions-xlsx.js';
import { periodMs } from '../period.js';
import { LocalDate, VesselIdList } from '../schemas.js';
import { audit } from '../plugins/audit.js';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** JCM figures for a period: JSON with every intermediate, or CSV / XLSX exports with provenance. */
export const emissionsRoutes: FastifyPluginCallbackZod<{
  methodologyIds: readonly [string, ...string[]];
}> = (app, options, done) => {
  const [defaultMethodology] = options.methodologyIds;
  app.get(
    '',
    {
      schema: {
        tags: ['emissions'],
        summary: 'JCM emission figures per vessel and for the fleet, with provenance',
        description:
          'format=json (default) returns { result, fromCache } with every intermediate value; csv and xlsx ' +
          'are downloads (one row per vessel plus the fleet total, units in the headers, provenance columns). ' +
          '503 EMISSIONS_BUSY: every emissions worker is computing and the queue is full (Retry-After says ' +
          'when to ask again); 503 EMISSIONS_WORKER_FAILED: the calculation stopped and its worker was replaced.',
        querystring: z.strictObject({
          from: LocalDate.describe('first local day of the period, YYYY-MM-DD'),
          to: LocalDate.describe('local day after the period, YYYY-MM-DD (exclusive)'),
          vessel: VesselIdList.optional().describe('vessel id(s), comma-separated; default the whole fleet'),
          variant: z
            .enum(options.methodologyIds, {
              error: `expected a methodology id: ${options.methodologyIds.join(', ')}`,
            })
            .default(defaultMethodology)
            .describe('the methodology parameter set to calculate with'),
          format: z.enum(['json', 'csv', 'xlsx'], { error: 'expected json, csv or xlsx' }).default('json'),
        }),
        response: {
          200: {
            description: 'the figures as JSON (format=json), or the CSV or XLSX export (format=csv, xlsx)',
            content: {
              'application/json': { schema: EmissionsReport },
              'text/csv': {
                schema: z.string().describe('one row per vessel plus the fleet total, UTF-8, header row'),
              },
              // A workbook is bytes: sent as a buffer, never through a serializer.
              [XLSX_TYPE]: {
                schema: z
                  .custom<Buffer>((value) => Buffer.isBuffer(value))
                  .meta({ type: 'string', format: 'binary' }),
              },
            },
          },
          400: ErrorBody,
          404: ErrorBody,
          422: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { from, to, vessel, variant, format } = request.query;
      periodMs(from, to, app.apiOptions.maxPeriodDays);
      if (vessel !== undefined) {
        const unknown = vessel.filter((id) => app.registryHolder.current().vessel(id) === undefined);
        if (unknown.length > 0) throw notFound(`not in the fleet registry: ${unknown.join(', ')}`);
      }
      let report;
      try {
        report = await app.emissions.report({
          from,
          toExclusive: to,
          methodologyId: variant,
          ...(vessel === undefined ? {} : { vesselIds: vessel }),
        });
      } catch (error) {
        // Overload is said, not queued without bound: the client is told when to come back.
        if (error instanceof EmissionsBusyError) {
          request.log.warn({ retryAfterS: error.retryAfterS }, error.message);
          return reply
            .code(503)
            .header('retry-after', String(error.retryAfterS))
            .type('application/json; charset=utf-8')
            .send({ error: { code: error.code, message: error.message } });
        }
        if (error instanceof EmissionsWorkerError) throw new ApiError(503, error.code, error.message);
        // The methodology does not apply to the period, or the data cannot be calculated: the request
        // is understood but the figures cannot be given — say why, parameter by parameter.
        if (error instanceof JcmError) {
          throw new ApiError(
            422,
            error.code,
            error.message.split('\n')[0] ?? error.code,
            error.problems.map((p) => ({ in: 'calculation', path: p.path, message: p.message })),
          );
        }
        throw error;
      }
      const { result } = report;
      if (format === 'json') return reply.send(report);
      const base = exportBaseName(result, vessel);
      audit(app, request, 'emissions-exported', `${base}.${format}`, {
        from,
        to,
        variant,
        inputSha256: result.provenance.inputSha256,
      });
      if (format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8; header=present')
          .header('content-disposition', `attachment; filename="${base}.csv"`)
          .send(emissionsCsv(result));
      }
      return reply
        .type(XLSX_TYPE)
        .header('content-disposition', `attachment; filename="${base}.xlsx"`)
        .send(await emissionsXlsx(result));
    },
  );
  done();
};
