import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  EmissionsReport,
  LocalDate,
  MethodologyParameterSet,
  RegistryIndex,
  VesselId,
} from '@qt-led/contract';
import {
  CALCULATOR_NAME,
  CALCULATOR_VERSION,
  canonicalSha256,
  diffResults,
  type FleetResult,
  parameterSetSha256,
  RESULT_SCHEMA,
  type ResultChange,
} from '@qt-led/jcm';
import type { TelemetryStore } from '@qt-led/store';
import type { GatherOptions } from './gather.js';
import { createReportEngine, type ReportEngine } from './report-engine.js';

export interface EmissionsRequest {
  from: LocalDate;
  toExclusive: LocalDate;
  methodologyId: string;
  /** Default: every vessel of the registry. */
  vesselIds?: readonly VesselId[];
}

/** What `report` returns: the contract's type, the very JSON the API sends for a period. */
export type { EmissionsReport };

/** A figure set handed to partners: kept so that a later recalculation can be compared with it. */
export interface IssuedReport {
  key: string;
  issuedAtMs: number;
  result: FleetResult;
}

/** Where issued reports are kept; they must outlive the process (a restatement is against what was issued). */
export interface IssuedReportStore {
  get(key: string): Promise<IssuedReport | undefined>;
  put(report: IssuedReport): Promise<void>;
}

export interface EmissionsService {
  /** Gathers the period's data, calculates (or reuses the result for identical inputs). */
  report(request: EmissionsRequest): Promise<EmissionsReport>;
  /** Reports and records the result as issued; returns what changed against the previous issue, if any. */
  issue(request: EmissionsRequest): Promise<{ report: IssuedReport; restatement: ResultChange[] }>;
  /** What a recalculation now would change in the issued figures (late data, registry or methodology fixes). */
  restatements(
    request: EmissionsRequest,
  ): Promise<{ issued: IssuedReport | undefined; changes: ResultChange[] }>;
}

export interface EmissionsServiceDeps {
  /** Read by the default engine (in this thread); a worker pool opens its own connections instead. */
  store: TelemetryStore;
  registry: RegistryIndex;
  methodologies: ReadonlyMap<string, MethodologyParameterSet>;
  issued: IssuedReportStore;
  clock: { now(): number };
  gather?: GatherOptions;
  /** Most results kept in the cache (each is a fleet × period). */
  cacheEntries?: number;
  /**
   * Results kept on disk, by the same key, so that a restarted process answers a period already
   * calculated (the scheduler's monthly figures, say) without calculating it again. Unset: memory only.
   */
  results?: ResultArchive | undefined;
  /** Told when the result archive fails (the service then calculates, as without one). */
  onArchiveError?: ((error: Error) => void) | undefined;
  /**
   * Where reports are gathered and calculated: default in this thread over `store` (tests, tools); the
   * emissions module passes a pool of worker threads, so that the event loop never carries a calculation.
   */
  engine?: ReportEngine;
}

/**
 * The emissions service layer (issue "JCM emission calculator", item 5): for any period and vessel set it
 * gathers the data from the storage port, runs the pure calculator and caches results keyed by the
 * parameter set's hash and the gathered input's key. Every report re-validates what it gathers (vessel-days
 * already read are reused while their count of stored readings stands), so late data — a 10-day backlog
 * arriving — changes the input key and the period is recomputed; an issued figure that changes is a
 * restatement, listed field by field.
 */
export function createEmissionsService(deps: EmissionsServiceDeps): EmissionsService {
  const cache = new Map<string, FleetResult>();
  const limit = deps.cacheEntries ?? 64;
  const engine = deps.engine ?? createReportEngine(deps.store, { gather: deps.gather });
  const parameterHashes = new Map<MethodologyParameterSet, string>();

  function methodology(id: string): MethodologyParameterSet {
    const found = deps.methodologies.get(id);
    if (found === undefined) {
      throw new RangeError(
        `unknown methodology "${id}"; known: ${[...deps.methodologies.keys()].join(', ')}`,
      );
    }
    return found;
  }

  function vesselsOf(request: EmissionsRequest): VesselId[] {
    const ids = request.vesselIds ?? deps.registry.registry.vessels.map((v) => v.vesselId);
    const unknown = ids.filter((id) => deps.registry.vessel(id) === undefined);
    if (unknown.length > 0) throw new RangeError(`not in the fleet registry: ${unknown.join(', ')}`);
    return [...new Set(ids)].sort();
  }

  async function report(request: EmissionsRequest): Promise<EmissionsReport> {
    const params = methodology(request.methodologyId);
    let parameterSetHash = parameterHashes.get(params);
    if (parameterSetHash === undefined) {
      parameterSetHash = parameterSetSha256(params);
      parameterHashes.set(params, parameterSetHash);
    }
    const job = {
      from: request.from,
      toExclusive: request.toExclusive,
      vesselIds: vesselsOf(request),
      methodology: params,
      parameterSetSha256: parameterSetHash,
    };
    // The engine gathers and keys the input, then asks whether the result is here: held from that moment.
    const found: { result?: FleetResult } = {};
    const outcome = await engine.report(job, deps.registry, async (key) => {
      const cached = cache.get(key) ?? (await archived(() => deps.results?.get(key)));
      if (cached === undefined) return false;
      remember(key, cached);
      found.result = cached;
      return true;
    });
    if (outcome.result === undefined) {
      if (found.result === undefined) throw new Error(`the emissions engine skipped ${outcome.key} uncached`);
      return { result: found.result, fromCache: true };
    }
    remember(outcome.key, outcome.result);
    await archived(() => deps.results?.put(outcome.key, outcome.result as FleetResult));
    return { result: outcome.result, fromCache: false };
  }

  function remember(key: string, result: FleetResult): void {
    cache.delete(key);
    cache.set(key, result); // most recently used last
    if (cache.size > limit) cache.delete(cache.keys().next().value as string);
  }

  /** The result archive is a shortcut: when it fails, the report is calculated as without one. */
  async function archived<T>(use: () => Promise<T> | undefined): Promise<T | undefined> {
    try {
      return await use();
    } catch (error) {
      deps.onArchiveError?.(error as Error);
      return undefined;
    }
  }

  function issueKey(request: EmissionsRequest): string {
    return canonicalSha256({
      from: request.from,
      toExclusive: request.toExclusive,
      methodologyId: request.methodologyId,
      vesselIds: vesselsOf(request),
    });
  }

  return {
    report,
    async issue(request) {
      const key = issueKey(request);
      const previous = await deps.issued.get(key);
      const { result } = await report(request);
      const issued: IssuedReport = { key, issuedAtMs: deps.clock.now(), result };
      await deps.issued.put(issued);
      return {
        report: issued,
        restatement: previous === undefined ? [] : diffResults(previous.result, result),
      };
    },
    async restatements(request) {
      const issued = await deps.issued.get(issueKey(request));
      if (issued === undefined) return { issued, changes: [] };
      const { result } = await report(request);
      return { issued, changes: diffResults(issued.result, result) };
    },
  };
}

/** Results calculated before, by the service's cache key (the parameter set's hash and the input key). */
export interface ResultArchive {
  get(key: string): Promise<FleetResult | undefined>;
  put(key: string, result: FleetResult): Promise<void>;
}

/** Default number of results the archive keeps, and of bytes (a fleet-month of 40 boats is about 115 kB). */
export const DEFAULT_RESULT_ARCHIVE_ENTRIES = 256;
export const DEFAULT_RESULT_ARCHIVE_BYTES = 512 * 1024 * 1024;

/**
 * Results as JSON files in a directory, one per key, written atomically, the least recently used dropped
 * beyond `maxEntries` files or `maxBytes` in all (a national fleet's results are megabytes each). The file
 * name is the SHA-256 of the calculator's name and version and the key: a
 * new calculator version never answers with a result an older one calculated, and a file whose result
 * says another schema or version is ignored (and removed) rather than served.
 */
export function fileResultArchive(
  directory: string,
  options: { maxEntries?: number | undefined; maxBytes?: number | undefined } = {},
): ResultArchive {
  const maxEntries = options.maxEntries ?? DEFAULT_RESULT_ARCHIVE_ENTRIES;
  const maxBytes = options.maxBytes ?? DEFAULT_RESULT_ARCHIVE_BYTES;
  const fileOf = (key: string): string =>
    join(
      directory,
      `${createHash('sha256').update(`${CALCULATOR_NAME}@${CALCULATOR_VERSION}\n${key}`).digest('hex')}.json`,
    );
  const trim = async (): Promise<void> => {
    const names = (await readdir(directory)).filter((name) => name.endsWith('.json'));
    // Another process sharing the directory may remove a file meanwhile: it is then not counted.
    const files = (
      await Promise.all(
        names.map((name) =>
          stat(join(directory, name)).then(
            ({ mtimeMs, size }) => ({ name, mtimeMs, size }),
            () => undefined,
          ),
        ),
      )
    ).filter((file) => file !== undefined);
    // Newest first: keep while both limits hold, drop the rest.
    files.sort((a, b) => b.mtimeMs - a.mtimeMs);
    let bytes = 0;
    for (const [i, file] of files.entries()) {
      bytes += file.size;
      if (i < maxEntries && bytes <= maxBytes) continue;
      await unlink(join(directory, file.name)).catch(() => undefined);
    }
  };
  return {
    async get(key) {
      const file = fileOf(key);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      let result: FleetResult | undefined;
      try {
        result = JSON.parse(text) as FleetResult;
      } catch {
        result = undefined;
      }
      if (
        result?.schema !== RESULT_SCHEMA ||
        result.provenance.calculator !== CALCULATOR_NAME ||
        result.provenance.calculatorVersion !== CALCULATOR_VERSION
      ) {
        await unlink(file).catch(() => undefined);
        return undefined;
      }
      const now = new Date();
      await utimes(file, now, now).catch(() => undefined); // most recently used
      return result;
    },
    async put(key, result) {
      await mkdir(directory, { recursive: true });
      const target = fileOf(key);
      // The API and the scheduler may share the directory: each writes a temporary file of its own.
      const temporary = `${target}.${String(process.pid)}-${randomUUID()}.tmp`;
      await writeFile(temporary, JSON.stringify(result));
      await rename(temporary, target);
      await trim();
    },
  };
}

/** Issued reports as JSON files in a directory, written atomically (temp file, then rename). */
export function fileIssuedReportStore(directory: string): IssuedReportStore {
  return {
    async get(key) {
      try {
        return JSON.parse(await readFile(join(directory, `${key}.json`), 'utf8')) as IssuedReport;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async put(report) {
      await mkdir(directory, { recursive: true });
      const target = join(directory, `${report.key}.json`);
      await writeFile(`${target}.tmp`, JSON.stringify(report));
      await rename(`${target}.tmp`, target);
    },
  };
}
