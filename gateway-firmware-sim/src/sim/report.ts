import cliProgress from 'cli-progress';
import type { FleetProgress, FleetSummary } from './fleet-simulation.js';

const LOCAL_ZONE = 'Asia/Ho_Chi_Minh';

/** `2024-03-01 00:00 (Asia/Ho_Chi_Minh)`: every printed time says its zone. */
export function formatLocal(ms: number): string {
  const text = new Date(ms + 7 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
  return `${text} (${LOCAL_ZONE})`;
}

const pad = (value: string | number, width: number): string => String(value).padStart(width);

/**
 * The end-of-run summary: traffic (readings sampled, published, acknowledged, pending on disk) and, per
 * vessel, the simulated truth — fishing nights, lamp-on hours, LED energy, generator fuel, the
 * metal-halide reference and the saving — with the published ranges each is checked against.
 */
export function formatFleetSummary(summary: FleetSummary): string {
  const { totals } = summary;
  const days = (summary.endMs - summary.startMs) / 86_400_000;
  const lines = [
    `Simulated ${formatLocal(summary.startMs)} → ${formatLocal(summary.endMs)} (${days.toFixed(1)} days), seed ${summary.seed}, ${summary.vessels.length} vessels, ${(summary.realMs / 1000).toFixed(1)} s real time`,
    `Readings: ${totals.sampled} sampled, ${totals.published} published in ${totals.batches} batches (${totals.publishedFromBacklog} from the backlog; ${totals.ackTimeouts} ack timeouts), ${totals.acked} acknowledged and deleted, ${totals.pending} pending on disk, ${totals.evicted} evicted; ${totals.eventsPending} device events pending`,
    `Boots: ${totals.boots}; faults injected on the link: ${totals.duplicatesInjected} duplicate batches, ${totals.corruptedInjected} corrupted frames`,
    '',
    [
      'vessel      ',
      'gear         ',
      'nights',
      'lamp-h',
      ' h/night  ',
      'LED kWh',
      'kWh/lamp-h',
      ' kW inst',
      'fuel L',
      'L/kWh',
      'MH ref L',
      'saving',
      'sampled',
      '  acked',
      'pending',
      'checks',
    ].join(' '),
  ];
  for (const { stats: s, totals: t, checks } of summary.vessels) {
    const failed = checks.filter((c) => !c.ok);
    lines.push(
      [
        s.vesselId.padEnd(12),
        s.gear.padEnd(13),
        pad(s.nights, 6),
        pad(s.lampOnHours.toFixed(1), 6),
        s.minNightHours === null
          ? '       –  '
          : `${s.minNightHours.toFixed(1)}–${s.maxNightHours?.toFixed(1) ?? ''}`.padStart(10),
        pad(s.ledEnergyKwh.toFixed(0), 7),
        pad(s.lampOnHours > 0 ? (s.ledEnergyKwh / s.lampOnHours).toFixed(2) : '–', 10),
        pad(s.ledKw.toFixed(2), 8),
        pad(s.generatorFuelL.toFixed(0), 6),
        pad(s.ledEnergyKwh > 0 ? (s.generatorFuelL / s.ledEnergyKwh).toFixed(3) : '–', 5),
        pad(s.referenceFuelL.toFixed(0), 8),
        pad(s.fuelSavingPct === null ? '–' : `${s.fuelSavingPct.toFixed(1)}%`, 6),
        pad(t.sampled, 7),
        pad(t.acked, 7),
        pad(t.pending, 7),
        failed.length === 0 ? 'ok' : `FAIL ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`,
      ].join(' '),
    );
  }
  const all = summary.vessels.map((v) => v.stats).filter((s) => s.nights > 0);
  if (all.length > 0) {
    const range = (values: number[], digits: number): string =>
      `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
    lines.push(
      '',
      `Ranges over the fleet: nights ${range(
        all.map((s) => s.nights),
        0,
      )}, lamp-on h/night ${Math.min(...all.map((s) => s.minNightHours ?? 0)).toFixed(2)}–${Math.max(...all.map((s) => s.maxNightHours ?? 0)).toFixed(2)}, ` +
        `LED kWh ${range(
          all.map((s) => s.ledEnergyKwh),
          0,
        )}, generator fuel L ${range(
          all.map((s) => s.generatorFuelL),
          0,
        )}, ` +
        `saving ${range(
          all.map((s) => s.fuelSavingPct ?? 0),
          1,
        )} % (published 60–76 %), L/kWh ${range(
          all.map((s) => s.generatorFuelL / s.ledEnergyKwh),
          3,
        )}`,
    );
  }
  lines.push(
    `Calibration checks: ${
      summary.vessels.every((v) => v.checks.every((c) => c.ok))
        ? 'all vessels within the published ranges'
        : 'SOME VESSELS OUTSIDE THE PUBLISHED RANGES (a vessel without a fishing night fails; judge over weeks, not days)'
    }`,
  );
  return lines.join('\n');
}

export interface ProgressDisplay {
  update(progress: FleetProgress): void;
  stop(): void;
}

/** A progress bar on stderr (TTY) or a line every few seconds (logs, CI). */
export function createProgressDisplay(stream: NodeJS.WriteStream, endless: boolean): ProgressDisplay {
  if (!stream.isTTY) {
    let last = 0;
    return {
      update(p) {
        const now = performance.now();
        if (now - last < 5_000) return;
        last = now;
        stream.write(
          `${endless ? '' : `${(p.fraction * 100).toFixed(1)} % `}simulated ${formatLocal(p.simulatedMs)}: ${p.sampled} sampled, ${p.acked} acked, ${p.pending} pending\n`,
        );
      },
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: endless
        ? '{when} | sampled {sampled} | acked {acked} | pending {pending}'
        : '[{bar}] {percentage}% | ETA {eta_formatted} | {when} | sampled {sampled} | acked {acked} | pending {pending}',
      hideCursor: true,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1000, 0, { when: '', sampled: 0, acked: 0, pending: 0 });
  return {
    update(p) {
      bar.update(Math.round(p.fraction * 1000), {
        when: formatLocal(p.simulatedMs),
        sampled: p.sampled,
        acked: p.acked,
        pending: p.pending,
      });
    },
    stop: () => {
      bar.stop();
    },
  };
}
