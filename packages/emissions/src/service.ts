import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  EmissionsReport,
  LocalDate,
  MethodologyParameterSet,
  RegistryIndex,
  VesselId,
} from '@qt-led/contract';
import {
  calculateFleet,
  canonicalSha256,
  diffResults,
  type FleetResult,
  parameterSetSha256,
  type ResultChange,
} from '@qt-led/jcm';
import type { TelemetryStore } from '@qt-led/store';
import { DEFAULT_GATHER_OPTIONS, type GatherOptions, gatherVesselInput } from './gather.js';

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
  store: TelemetryStore;
  registry: RegistryIndex;
  methodologies: ReadonlyMap<string, MethodologyParameterSet>;
  issued: IssuedReportStore;
  clock: { now(): number };
  gather?: GatherOptions;
  /** Most results kept in the cache (each is a fleet × period). */
  cacheEntries?: number;
}

/**
 * The emissions service layer (issue "JCM emission calculator", item 5): for any period and vessel set it
 * gathers the data from the storage port, runs the pure calculator and caches results keyed by the hash of
 * their inputs. Every report gathers afresh, so late data — a 10-day backlog arriving — changes the input
 * hash and the period is recomputed; an issued figure that changes is a restatement, listed field by field.
 */
export function createEmissionsService(deps: EmissionsServiceDeps): EmissionsService {
  const cache = new Map<string, FleetResult>();
  const limit = deps.cacheEntries ?? 64;

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
    const vessels = [];
    for (const vesselId of vesselsOf(request)) {
      const input = await gatherVesselInput(
        deps.store,
        deps.registry,
        vesselId,
        request.from,
        request.toExclusive,
        deps.gather ?? DEFAULT_GATHER_OPTIONS,
      );
      // Vessels without a registry version in the period (not yet equipped) have nothing to report.
      if (input.versions.length > 0) vessels.push(input);
    }
    const input = { period: { from: request.from, toExclusive: request.toExclusive }, vessels };
    const key = `${parameterSetSha256(params)}:${canonicalSha256(input)}`;
    const cached = cache.get(key);
    if (cached !== undefined) {
      cache.delete(key);
      cache.set(key, cached); // most recently used last
      return { result: cached, fromCache: true };
    }
    const result = calculateFleet(params, input);
    cache.set(key, result);
    if (cache.size > limit) cache.delete(cache.keys().next().value as string);
    return { result, fromCache: false };
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
