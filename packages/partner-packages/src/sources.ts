import type {
  Alarm,
  EmissionsReport,
  FishingNight,
  LocalDate,
  MethodologyParameterSet,
} from '@qt-led/contract';
import type { LampFaultFigure, NightFigure } from './figures.js';
import type { PackageSources } from './scheduler.js';

/** What the sources read from the platform's services (their shapes, so this package needs neither). */
export interface PackageSourceServices {
  emissions: {
    report(request: {
      from: LocalDate;
      toExclusive: LocalDate;
      methodologyId: string;
    }): Promise<EmissionsReport>;
  };
  methodologies: ReadonlyMap<string, MethodologyParameterSet>;
  defaultMethodologyId: string;
  fleetStatus: {
    nights(q: { fromMs: number; toMs: number }): Promise<FishingNight[]>;
    listAlarms(q: { beforeMs?: number; limit: number }): Promise<Alarm[]>;
  };
}

const PAGE = 500;

/**
 * The packages' figures from the emissions service (worker threads, cached: the same figures the API
 * serves) and the fleet status (fishing nights; LED faults are its `led-fault` alarms, clipped to the
 * period, one still raised at the period's end marked open).
 */
export function createPackageSources(services: PackageSourceServices): PackageSources {
  return {
    report: (request) => services.emissions.report(request),
    defaultMethodologyId: services.defaultMethodologyId,
    methodology(id) {
      const found = services.methodologies.get(id);
      if (found === undefined) throw new RangeError(`unknown methodology "${id}"`);
      return found;
    },
    async nights(period): Promise<NightFigure[]> {
      const nights = await services.fleetStatus.nights(period);
      return nights
        .filter((n) => n.startMs >= period.fromMs && n.startMs < period.toMs)
        .map((n) => ({
          vesselId: n.vesselId,
          night: n.night,
          startMs: n.startMs,
          endMs: n.endMs,
          hours: n.hours,
          ledEnergyKwh: n.ledEnergyKwh,
          meanLampsOn: n.meanLampsOn,
        }))
        .sort((a, b) => a.vesselId.localeCompare(b.vesselId) || a.startMs - b.startMs);
    },
    async lampFaults(period): Promise<LampFaultFigure[]> {
      const faults: LampFaultFigure[] = [];
      let beforeMs: number | undefined = period.toMs;
      // Newest first, page by page, until an alarm raised before the period that was also cleared before it.
      for (;;) {
        const page: Alarm[] = await services.fleetStatus.listAlarms({
          ...(beforeMs === undefined ? {} : { beforeMs }),
          limit: PAGE,
        });
        for (const a of page) {
          if (a.type !== 'led-fault' || a.vesselId === null) continue;
          const end = a.clearedAtMs ?? Number.POSITIVE_INFINITY;
          if (end <= period.fromMs) continue;
          faults.push({
            vesselId: a.vesselId,
            fromMs: Math.max(a.raisedAtMs, period.fromMs),
            toMs: Math.min(end, period.toMs),
            open: end > period.toMs,
            detail: a.detail,
          });
        }
        if (page.length < PAGE) break;
        beforeMs = page.at(-1)?.raisedAtMs;
      }
      return faults.sort((a, b) => a.vesselId.localeCompare(b.vesselId) || a.fromMs - b.fromMs);
    },
  };
}
