import {
  PackageFileName,
  PackageId,
  PackageIssueOutcome,
  PackageReceipt,
  PackageScheduleEntry,
  PackageSigningKey,
  PackageSummary,
  PartnerId,
} from '@qt-led/contract';
import type { PackageScheduler } from '@qt-led/partner-packages';
import { localDateStartMs } from '@qt-led/jcm';
import { groupedFingerprint, nextMonth, parsePackageId, zipPackage } from '@qt-led/partner-packages';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError, ErrorBody, notFound } from '../errors.js';
import { audit } from '../plugins/audit.js';

const ZIP_TYPE = 'application/zip';
const Bytes = z.custom<Buffer>((value) => Buffer.isBuffer(value)).meta({ type: 'string', format: 'binary' });

/**
 * The partners' data packages: listed and downloaded (a zip, or one file) by analysts, admins and the
 * partner each is for; issued on an analyst's request; the public signing key for anyone to verify with.
 * Every download is recorded. A partner sees only its own packages; another's answers 404.
 */
export const packageRoutes: FastifyPluginCallbackZod<{ packages: PackageScheduler }> = (
  app,
  options,
  done,
) => {
  const { packages } = options;

  /** The partner whose packages the caller may see: all (undefined) unless the caller is a partner. */
  function visiblePartner(request: FastifyRequest): PartnerId | null | undefined {
    const principal = request.principal;
    return principal?.role === 'partner' ? principal.partner : undefined;
  }

  async function readVisible(request: FastifyRequest, packageId: string): Promise<Map<string, Buffer>> {
    const parts = parsePackageId(packageId);
    const partner = visiblePartner(request);
    const files =
      parts === undefined || (partner !== undefined && parts.partner !== partner)
        ? undefined
        : await packages.outbox.read(packageId);
    if (files === undefined || parts === undefined) throw notFound(`no package "${packageId}"`);
    return files;
  }

  async function recordDownload(request: FastifyRequest, packageId: string, detail: string): Promise<void> {
    const parts = parsePackageId(packageId);
    if (parts === undefined) return;
    await packages.outbox.receipt(parts.partner, {
      atMs: app.sessionClock.now(),
      packageId,
      kind: 'download',
      by: request.principal?.username ?? 'unknown',
      outcome: 'ok',
      detail,
    });
    request.log.info({ packageId, by: request.principal?.username, detail }, 'partner package downloaded');
    audit(app, request, 'package-downloaded', packageId, { file: detail });
  }

  app.get(
    '/signing-key',
    {
      schema: {
        tags: ['packages'],
        summary: "The platform's public Ed25519 key that signs every package, and its fingerprint",
        response: { 200: PackageSigningKey },
      },
    },
    () => ({
      algorithm: 'Ed25519' as const,
      publicKeyPem: packages.signer.publicKeyPem,
      fingerprint: packages.signer.fingerprint,
      fingerprintGrouped: groupedFingerprint(packages.signer.fingerprint),
    }),
  );

  app.get(
    '',
    {
      schema: {
        tags: ['packages'],
        summary: 'Issued packages, newest period first (a partner sees its own)',
        querystring: z.strictObject({ partner: PartnerId.optional() }),
        response: { 200: z.object({ packages: z.array(PackageSummary) }) },
      },
    },
    async (request) => {
      const own = visiblePartner(request);
      if (own === null) return { packages: [] };
      const asked = request.query.partner;
      if (own !== undefined && asked !== undefined && asked !== own) return { packages: [] };
      return { packages: await packages.outbox.list(own ?? asked) };
    },
  );

  app.get(
    '/schedule',
    {
      schema: {
        tags: ['packages'],
        summary: "Each partner's schedule: scope, language, the first month and the next one due",
        response: { 200: z.object({ schedule: z.array(PackageScheduleEntry) }) },
      },
    },
    async () => ({ schedule: await packages.schedule() }),
  );

  app.get(
    '/receipts',
    {
      schema: {
        tags: ['packages'],
        summary: "A partner's receipts: issues, downloads and delivery attempts, oldest first",
        querystring: z.strictObject({ partner: PartnerId }),
        response: { 200: z.object({ receipts: z.array(PackageReceipt) }) },
      },
    },
    async (request) => ({ receipts: await packages.outbox.receipts(request.query.partner) }),
  );

  app.post(
    '/issue',
    {
      schema: {
        tags: ['packages'],
        summary: "Issue a partner's package for a month now (a new version only if its figures changed)",
        body: z.strictObject({
          partner: PartnerId,
          month: z
            .string()
            .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM')
            .optional()
            .describe('default: the last complete month'),
        }),
        response: {
          200: PackageIssueOutcome,
          201: PackageIssueOutcome,
          400: ErrorBody,
          422: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { partner, month } = request.body;
      const from = month === undefined ? undefined : `${month}-01`;
      // Partners receive whole months: one still running would be restated at once.
      if (from !== undefined && localDateStartMs(nextMonth(from)) > app.clock.now()) {
        throw new ApiError(400, 'INVALID_REQUEST', `body field "month": ${String(month)} has not ended yet`);
      }
      let outcome;
      try {
        outcome = await packages.issueNow(partner, from, request.principal?.username);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'EMISSIONS_BUSY' || code === 'EMISSIONS_WORKER_FAILED')
          throw new ApiError(503, code, (error as Error).message);
        if (error instanceof RangeError) throw new ApiError(422, 'PACKAGE_NOT_ISSUED', error.message);
        throw error;
      }
      request.log.info({ ...outcome, by: request.principal?.username }, 'partner package issued on request');
      audit(app, request, 'package-issued', outcome.packageId, {
        issued: outcome.issued,
        version: outcome.version,
      });
      return reply.code(outcome.issued ? 201 : 200).send(outcome);
    },
  );

  app.get(
    '/:packageId/download',
    {
      schema: {
        tags: ['packages'],
        summary: 'The whole package as a zip (verify it with verify-package)',
        params: z.strictObject({ packageId: PackageId }),
        response: {
          200: { description: 'the package', content: { [ZIP_TYPE]: { schema: Bytes } } },
          404: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { packageId } = request.params;
      const files = await readVisible(request, packageId);
      const zip = await zipPackage(packageId, files);
      await recordDownload(request, packageId, 'zip');
      return reply
        .type(ZIP_TYPE)
        .header('content-disposition', `attachment; filename="${packageId}.zip"`)
        .send(zip);
    },
  );

  app.get(
    '/:packageId/files/:name',
    {
      schema: {
        tags: ['packages'],
        summary: 'One file of a package',
        params: z.strictObject({ packageId: PackageId, name: PackageFileName }),
        response: {
          200: { description: 'the file', content: { 'application/octet-stream': { schema: Bytes } } },
          404: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { packageId, name } = request.params;
      const bytes = (await readVisible(request, packageId)).get(name);
      if (bytes === undefined) throw notFound(`package ${packageId} has no file "${name}"`);
      await recordDownload(request, packageId, name);
      const type = name.endsWith('.csv')
        ? 'text/csv; charset=utf-8; header=present'
        : name.endsWith('.json')
          ? 'application/json; charset=utf-8'
          : name.endsWith('.txt')
            ? 'text/plain; charset=utf-8'
            : name.endsWith('.xlsx')
              ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
              : 'application/octet-stream';
      return reply.type(type).header('content-disposition', `attachment; filename="${name}"`).send(bytes);
    },
  );
  done();
};
