import type {
  FleetResult,
  LocalDate,
  MethodologyParameterSet,
  PackageIssueOutcome,
  PackageScheduleEntry,
  PartnerId,
} from '@qt-led/contract';
import { REGISTRY_TIME_ZONE, localDateOf } from '@qt-led/contract';
import type { Logger, ServiceModule } from '@qt-led/runtime';
import { buildPackage, packageIdOf } from './build.js';
import type { PackagesConfig, PartnerSchedule } from './config.js';
import type { LampFaultFigure, NightFigure, PackageFigures } from './figures.js';
import { type DeliveryTarget, deliverPending } from './delivery.js';
import type { Outbox } from './outbox.js';
import type { PackageSigner } from './signing.js';
import { createHash } from 'node:crypto';
import { canonicalJson, localDateStartMs } from '@qt-led/jcm';

/** What the scheduler needs of the platform: the emission figures and the LED records of a period. */
export interface PackageSources {
  report(request: { from: LocalDate; toExclusive: LocalDate; methodologyId: string }): Promise<{
    result: FleetResult;
  }>;
  methodology(id: string): MethodologyParameterSet;
  defaultMethodologyId: string;
  nights(period: { fromMs: number; toMs: number }): Promise<NightFigure[]>;
  lampFaults(period: { fromMs: number; toMs: number }): Promise<LampFaultFigure[]>;
}

/** What issuing a month gave, and a partner's schedule: the contract's shapes, as the API serves them. */
export type IssueOutcome = PackageIssueOutcome;
export type ScheduleView = PackageScheduleEntry;

export interface PackageScheduler extends ServiceModule {
  /** One pass now: issue what is due, restate what changed. */
  runOnce(): Promise<IssueOutcome[]>;
  /** An analyst's "issue now" for one partner's month (default: the last complete one); `by` is recorded. */
  issueNow(partner: PartnerId, from?: LocalDate, by?: string): Promise<IssueOutcome>;
  schedule(): Promise<ScheduleView[]>;
  readonly signer: PackageSigner;
  readonly outbox: Outbox;
}

export interface PackageSchedulerDeps {
  sources: PackageSources;
  outbox: Outbox;
  signer: PackageSigner;
  clock: { now(): number };
  logger: Logger;
  /** The periodic pass starts when this resolves (the embedded default: at "Live now"); default at once. */
  startFrom?: Promise<void>;
  /** Partners whose packages are also pushed to their HTTPS endpoint, after each pass. */
  deliveries?: ReadonlyMap<PartnerId, DeliveryTarget>;
}

const ZONE = REGISTRY_TIME_ZONE;

/** `2026-11-01` → `2026-12-01`. */
export function nextMonth(from: LocalDate): LocalDate {
  const [y, m] = from.split('-').map(Number) as [number, number];
  return `${String(m === 12 ? y + 1 : y).padStart(4, '0')}-${String(m === 12 ? 1 : m + 1).padStart(2, '0')}-01`;
}

function monthStart(date: LocalDate): LocalDate {
  return `${date.slice(0, 7)}-01`;
}

function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const localDayStartMs = (date: LocalDate): number => localDateStartMs(date, ZONE);

/** The last month whose end, plus the partner's delay, has passed at `nowMs`; its first local day. */
export function lastDueMonth(nowMs: number, delayDays: number): LocalDate {
  let from = monthStart(localDateOf(nowMs, ZONE));
  // Step back from the current month until one is due.
  for (;;) {
    const previous = monthStart(addDays(from, -1));
    if (localDayStartMs(addDays(from, delayDays)) <= nowMs) return previous;
    from = previous;
  }
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The partners' schedule as a module: on each pass (every `checkEveryMinutes`, from `startFrom`) every due
 * month not yet issued since the first is issued — a restart catches up what it missed, and since the
 * outbox is the state (a package exists whole or not at all) nothing is issued twice — and the last
 * `restateMonths` issued months are recalculated: figures that changed (late data, a corrected parameter)
 * are issued as a new version with a restatement table. Passes and "issue now" run one at a time.
 */
export function createPackageScheduler(config: PackagesConfig, deps: PackageSchedulerDeps): PackageScheduler {
  const { sources, outbox, signer, clock } = deps;
  const logger = deps.logger.child({ component: 'packages' });
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function serial<T>(work: () => Promise<T>): Promise<T> {
    const run = chain.then(work, work);
    chain = run.catch(() => undefined);
    return run;
  }

  const scheduleOf = (partner: PartnerId): PartnerSchedule => {
    const found = config.partners.find((p) => p.partner === partner);
    if (found === undefined) throw new RangeError(`no package schedule for partner "${partner}"`);
    return found;
  };

  async function figuresFor(schedule: PartnerSchedule, from: LocalDate): Promise<PackageFigures> {
    const toExclusive = nextMonth(from);
    const methodologyId = schedule.methodologyId ?? sources.defaultMethodologyId;
    const { result } = await sources.report({ from, toExclusive, methodologyId });
    const period = { fromMs: result.period.fromMs, toMs: result.period.toMs };
    const led =
      schedule.scope === 'led-performance'
        ? { nights: await sources.nights(period), lampFaults: await sources.lampFaults(period) }
        : null;
    return { result, methodology: sources.methodology(methodologyId), led };
  }

  async function issue(schedule: PartnerSchedule, from: LocalDate, by = 'scheduler'): Promise<IssueOutcome> {
    const figures = await figuresFor(schedule, from);
    const latest = await outbox.latest(schedule.partner, from);
    if (latest !== undefined && latest.manifest.figuresSha256 === sha256(canonicalJson(figures))) {
      return {
        partner: schedule.partner,
        from,
        packageId: latest.manifest.packageId,
        issued: false,
        version: latest.manifest.version,
        restatements: latest.manifest.restatements,
      };
    }
    const version = (latest?.manifest.version ?? 0) + 1;
    const built = await buildPackage({
      partner: schedule.partner,
      scope: schedule.scope,
      language: schedule.language,
      version,
      previous:
        latest === undefined ? null : { packageId: latest.manifest.packageId, figures: latest.figures },
      figures,
      generatedAtMs: clock.now(),
      signer,
    });
    await outbox.write(built);
    await outbox.receipt(schedule.partner, {
      atMs: clock.now(),
      packageId: built.manifest.packageId,
      kind: 'issued',
      by,
      outcome: 'ok',
      detail: `${String(built.manifest.files.length)} files, ${String(built.manifest.restatements)} restatements`,
    });
    logger.info(
      {
        packageId: built.manifest.packageId,
        restatements: built.manifest.restatements,
        readingsRatio: built.manifest.completeness.readingsRatio,
      },
      latest === undefined ? 'partner package issued' : 'partner package restated as a new version',
    );
    return {
      partner: schedule.partner,
      from,
      packageId: built.manifest.packageId,
      issued: true,
      version,
      restatements: built.manifest.restatements,
    };
  }

  async function sinceOf(schedule: PartnerSchedule): Promise<LocalDate> {
    const kept = await outbox.since(schedule.partner);
    if (kept !== undefined) return kept;
    const first =
      schedule.firstMonth === undefined
        ? lastDueMonth(clock.now(), schedule.delayDays)
        : `${schedule.firstMonth}-01`;
    await outbox.setSince(schedule.partner, first);
    return first;
  }

  async function pass(): Promise<IssueOutcome[]> {
    const outcomes: IssueOutcome[] = [];
    for (const schedule of config.partners) {
      const last = lastDueMonth(clock.now(), schedule.delayDays);
      const months: LocalDate[] = [];
      for (let m = await sinceOf(schedule); m <= last; m = nextMonth(m)) months.push(m);
      const restateFrom = months.length - schedule.restateMonths;
      // Which months are issued, from the manifests read once: an old month's figures are not read again.
      const issued = new Set((await outbox.list(schedule.partner)).map((p) => p.period.from));
      for (const [i, from] of months.entries()) {
        if (stopped) return outcomes;
        if (issued.has(from) && i < restateFrom) continue;
        try {
          outcomes.push(await issue(schedule, from));
        } catch (error) {
          logger.error({ err: error, partner: schedule.partner, from }, 'partner package not issued');
        }
      }
      const target = deps.deliveries?.get(schedule.partner);
      if (target !== undefined && !stopped) {
        await deliverPending(outbox, schedule.partner, target, { clock, logger, stopped: () => stopped });
      }
    }
    return outcomes;
  }

  return {
    name: 'partner-packages',
    signer,
    outbox,
    runOnce: () => serial(pass),
    issueNow(partner, from, by) {
      const schedule = scheduleOf(partner);
      const month = from === undefined ? lastDueMonth(clock.now(), 0) : monthStart(from);
      return serial(() => issue(schedule, month, by));
    },
    async schedule() {
      return Promise.all(
        config.partners.map(async (s) => {
          const next = nextMonth(lastDueMonth(clock.now(), s.delayDays));
          return {
            partner: s.partner,
            scope: s.scope,
            language: s.language,
            delayDays: s.delayDays,
            restateMonths: s.restateMonths,
            since: (await outbox.since(s.partner)) ?? null,
            nextPeriodFrom: next,
            nextDueMs: localDayStartMs(addDays(nextMonth(next), s.delayDays)),
          };
        }),
      );
    },
    async start() {
      logger.info(
        {
          fingerprint: signer.fingerprint,
          outbox: outbox.directory,
          partners: config.partners.map((p) => p.partner),
        },
        'partner packages: signing key fingerprint',
      );
      const tick = (): void => {
        if (stopped) return;
        const began = performance.now();
        void serial(pass)
          .then((outcomes) => {
            // An operator (and the first-sight benchmark) can tell when the pass's work is over.
            logger.info(
              {
                seconds: (performance.now() - began) / 1000,
                months: outcomes.length,
                issued: outcomes.filter((o) => o.issued).length,
              },
              'partner package pass done',
            );
          })
          .catch((error: unknown) => logger.error({ err: error }, 'partner package pass failed'))
          .finally(() => {
            if (!stopped) timer = setTimeout(tick, config.checkEveryMinutes * 60_000);
          });
      };
      void (deps.startFrom ?? Promise.resolve()).then(tick, () => undefined);
      return Promise.resolve();
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await chain;
    },
  };
}

export { packageIdOf };
