// Ingest benchmark (docs/performance.md, goals P1–P4 and P8): one command, loopback only, bounded, ratios
// against baselines measured in the same run on the same machine. See bench/README.md for what each
// contender is, the definitions and the options; the modules are in bench/ingest/.
//
//   npm run bench:ingest                                  # everything, ≈ 9 minutes on 2 cores
//   npm run bench:ingest -- --window-s 3 --contenders ours --profiles 30000 --rates 4000,12000
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { decodeMessage } from '@qt-led/contract';
import { brokerCeiling, databaseCeiling } from './ingest/ceilings.js';
import { type ContenderSpec, naive, nodeRed, ours, telegraf } from './ingest/contenders.js';
import { type Fleet, gatewayMessage, nationalFleet, projectFleet } from './ingest/fleet.js';
import {
  percentile,
  runStep,
  searchSustained,
  type Session,
  startSession,
  type StepOptions,
  type StepResult,
} from './ingest/measure.js';
import { installNodeRed } from './ingest/node-red.js';
import { repoRoot, runBounded } from './ingest/process.js';

const { values: flags } = parseArgs({
  options: {
    'window-s': { type: 'string' },
    'warmup-s': { type: 'string' },
    contenders: { type: 'string' },
    profiles: { type: 'string' },
    rates: { type: 'string' },
    steps: { type: 'string' },
    'max-minutes': { type: 'string' },
    'skip-build': { type: 'boolean' },
  },
});
const env = process.env;
const WINDOW_S = Number(flags['window-s'] ?? env['BENCH_WINDOW_S'] ?? 6);
const WARMUP_S = Number(flags['warmup-s'] ?? env['BENCH_WARMUP_S'] ?? 4);
const CONTENDERS = (
  flags.contenders ??
  env['BENCH_CONTENDERS'] ??
  'ceilings,ours,naive,nodered,telegraf'
).split(',');
const PROFILES = (flags.profiles ?? env['BENCH_PROFILES'] ?? '30000,40').split(',');
const RATES = (flags.rates ?? env['BENCH_RATES'])?.split(',').map(Number);
const STEPS = flags.steps ?? env['BENCH_STEPS'];
const MAX_MINUTES = Number(flags['max-minutes'] ?? env['BENCH_MAX_MINUTES'] ?? 9.5);
const SKIP_BUILD = flags['skip-build'] ?? env['BENCH_SKIP_BUILD'] === '1';
const OUT_DIR = env['BENCH_DIR'] ?? join(repoRoot, 'reports/bench');
const TARGET_RATE = 12_000;

const runStarted = performance.now();
const deadline = runStarted + MAX_MINUTES * 60_000;
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const workDir = mkdtempSync(join(tmpdir(), 'qtled-bench-ingest-'));
const loadAtStart = loadavg();
mkdirSync(OUT_DIR, { recursive: true });

// At the overall limit (plus a minute for the step under way) the bench gives up: every child dies with it.
const hardStop = setTimeout(
  () => {
    console.error(`bench:ingest: over its ${MAX_MINUTES} min limit by 1 min; stopping`);
    process.exit(2);
  },
  (MAX_MINUTES + 1) * 60_000,
);
hardStop.unref();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
process.once('exit', () => {
  rmSync(workDir, { recursive: true, force: true });
});

const log = (text: string): void => {
  console.log(`[${((performance.now() - runStarted) / 1000).toFixed(0).padStart(3)} s] ${text}`);
};
const fmt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : String(n));
const ms = (n: number): string => (Number.isFinite(n) ? `${fmt(n)} ms` : 'not queryable within the limit');

const stepOptions: StepOptions = {
  warmupS: WARMUP_S,
  windowS: WINDOW_S,
  probeEveryMs: 500,
  probeTimeoutMs: 15_000,
};
const latencyOptions: StepOptions = { ...stepOptions, windowS: Math.max(WINDOW_S, 10), probeEveryMs: 250 };

interface SearchRow {
  contender: string;
  label: string;
  profile: string;
  sustained?: number;
  bracket?: [number, number];
  steps: StepResult[];
  latency: Record<string, StepResult>;
  notMeasured?: string;
}
const rows: SearchRow[] = [];
const ceilings: { brokerMsgPerS?: number; databasePointsPerS?: number; notMeasured?: string } = {};
let nodeRedVersions: string | undefined;

function stepLine(name: string, s: StepResult): string {
  if (s.error !== undefined) return `${name} at ${fmt(s.rate)} msg/s: not measured: ${s.error}`;
  return (
    `${name} at ${fmt(s.rate)} msg/s: ${fmt(s.written)}/${fmt(s.offered)} written ${s.ok ? '✓' : '✗'}, ` +
    `p50 ${ms(percentile(s.latenciesMs, 50))}, p99 ${ms(percentile(s.latenciesMs, 99))}, ` +
    `${s.cpuUsPerMessage.toFixed(1)} µs CPU/msg, RSS ${s.rssMb.toFixed(0)} MB (peak ${s.peakRssMb.toFixed(0)})`
  );
}

function estimateStepMs(spec: ContenderSpec, options: StepOptions): number {
  return (options.warmupS + options.windowS) * 1000 + spec.graceMs + 8_000;
}

async function measureContender(
  spec: ContenderSpec,
  fleet: Fleet,
  search: { first: number; low: number; high: number; steps: number },
  latencyRates: number[],
): Promise<void> {
  const row: SearchRow = {
    contender: spec.id,
    label: spec.label,
    profile: fleet.name,
    steps: [],
    latency: {},
  };
  rows.push(row);
  if (performance.now() + estimateStepMs(spec, stepOptions) > deadline) {
    row.notMeasured = `not measured: the run's ${MAX_MINUTES} min limit was reached`;
    log(`${spec.label}, ${fleet.name}: ${row.notMeasured}`);
    return;
  }
  let session: Session | undefined;
  try {
    session = await startSession(join(workDir, `${spec.id}-${fleet.vessels.length}`));
    const found = await searchSustained(
      (rate) => runStep(spec, session as Session, fleet, rate, stepOptions),
      {
        ...search,
        steps: STEPS === undefined ? search.steps : Number(STEPS),
        rates: RATES,
        outOfTime: () => performance.now() + estimateStepMs(spec, stepOptions) > deadline,
        onStep: (s) => {
          log(stepLine(`${spec.id} (${fleet.name})`, s));
        },
      },
    );
    row.steps = found.steps;
    row.sustained = found.sustained;
    row.bracket = found.bracket;
    if (found.steps.length === 0) row.notMeasured = 'not measured: no time left for a step';
    else if (found.steps.every((s) => s.error !== undefined))
      row.notMeasured = `not measured: ${found.steps[0]?.error ?? ''}`;
    for (const rate of latencyRates) {
      if (performance.now() + estimateStepMs(spec, latencyOptions) > deadline) break;
      const step = await runStep(spec, session, fleet, rate, latencyOptions);
      row.latency[String(rate)] = step;
      log(stepLine(`${spec.id} (${fleet.name}) latency run`, step));
    }
  } catch (error) {
    row.notMeasured = `not measured: ${error instanceof Error ? error.message : String(error)}`;
    log(`${spec.label}, ${fleet.name}: ${row.notMeasured}`);
  } finally {
    await session?.stop();
  }
}

try {
  console.log(
    `bench:ingest — ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), load average ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}, ` +
      `window ${WINDOW_S} s after ${WARMUP_S} s warm-up, limit ${MAX_MINUTES} min`,
  );
  if (!SKIP_BUILD) {
    log('building services/ingest (tsc -b) …');
    await runBounded('npx', ['tsc', '-b', 'services/ingest'], 300_000);
  }
  const fleets: Fleet[] = [];
  for (const profile of PROFILES) {
    if (profile === '40') fleets.push(projectFleet());
    else if (profile === '30000') {
      log('the 30,000-vessel registry (generated once into BENCH_DIR) …');
      fleets.push(await nationalFleet(OUT_DIR));
    } else throw new Error(`unknown profile ${profile}: 40 or 30000`);
  }
  const national = fleets.find((f) => f.vessels.length === 30_000) ?? fleets[0];
  if (national === undefined) throw new Error('no fleet profile selected');

  let high = 40_000;
  if (CONTENDERS.includes('ceilings')) {
    const session = await startSession(join(workDir, 'ceilings'));
    try {
      ceilings.brokerMsgPerS = await brokerCeiling(session, national, 100_000);
      log(`broker delivery ceiling (bare QoS 1 subscriber): ${fmt(ceilings.brokerMsgPerS)} msg/s`);
      ceilings.databasePointsPerS = await databaseCeiling(session, national, 40);
      log(`database write ceiling (raw batched line protocol): ${fmt(ceilings.databasePointsPerS)} points/s`);
      high = Math.min(ceilings.brokerMsgPerS, ceilings.databasePointsPerS);
    } catch (error) {
      ceilings.notMeasured = `not measured: ${error instanceof Error ? error.message : String(error)}`;
      log(`ceilings: ${ceilings.notMeasured}`);
    } finally {
      await session.stop();
    }
  }

  let nodeRedSpec: ContenderSpec | string | undefined;
  if (CONTENDERS.includes('nodered')) {
    log('Node-RED 4 + node-red-contrib-influxdb (npm install into BENCH_DIR/node-red, once) …');
    nodeRedSpec = await installNodeRed(join(OUT_DIR, 'node-red'), 300_000).then(
      ({ redJs, versions }) => {
        nodeRedVersions = versions;
        return nodeRed(redJs, versions);
      },
      (error: unknown) =>
        `not measured: npm install failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  for (const fleet of fleets) {
    const isNational = fleet.vessels.length === 30_000;
    if (CONTENDERS.includes('ours'))
      await measureContender(
        ours,
        fleet,
        { first: TARGET_RATE, low: 500, high, steps: isNational ? 5 : 4 },
        isNational ? [100, 1_000] : [],
      );
    if (CONTENDERS.includes('naive'))
      await measureContender(naive, fleet, { first: 800, low: 100, high: 4_000, steps: 3 }, []);
    if (typeof nodeRedSpec === 'string')
      rows.push({
        contender: 'nodered',
        label: 'Node-RED',
        profile: fleet.name,
        steps: [],
        latency: {},
        notMeasured: nodeRedSpec,
      });
    else if (nodeRedSpec !== undefined)
      await measureContender(
        nodeRedSpec,
        fleet,
        { first: 1_000, low: 100, high, steps: isNational ? 4 : 3 },
        [],
      );
    if (CONTENDERS.includes('telegraf') && isNational)
      await measureContender(telegraf, fleet, { first: 4_000, low: 250, high, steps: 2 }, [100, 1_000]);
  }

  // Validation share of ours' CPU per message (P4): decode + validate alone, in this process.
  const sample = gatewayMessage(national, 'bench', 42, Date.now());
  const bytes = Buffer.from(sample.payload);
  const n = 50_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) decodeMessage(sample.topic, bytes, { root: 'bench' });
  const validateUs = ((performance.now() - t0) / n) * 1000;

  report(validateUs);
} finally {
  rmSync(workDir, { recursive: true, force: true });
}

function report(validateUs: number): void {
  const find = (contender: string, profile: string): SearchRow | undefined =>
    rows.find((r) => r.contender === contender && r.profile === profile);
  const sustainedText = (r: SearchRow | undefined): string => {
    if (r === undefined) return 'not measured: not selected';
    if (r.notMeasured !== undefined) return r.notMeasured;
    const [good, bad] = r.bracket ?? [0, Infinity];
    if (good === 0) return `< ${fmt(bad)} msg/s (lowest rate tried failed)`;
    return `${fmt(good)} msg/s${Number.isFinite(bad) ? ` (${fmt(bad)}: ✗)` : ' (highest rate tried)'}`;
  };
  const verdict = (ok: boolean | undefined): string => (ok === undefined ? '' : ok ? ' — PASS' : ' — FAIL');

  console.log('\n=== sustained (≥ 99 % of the window written by its end + grace) ===');
  for (const r of rows) console.log(`${r.label}, ${r.profile}: ${sustainedText(r)}`);

  const national = '30,000 boats';
  const ours30k = find('ours', national);
  const ceiling =
    ceilings.brokerMsgPerS === undefined || ceilings.databasePointsPerS === undefined
      ? undefined
      : Math.min(ceilings.brokerMsgPerS, ceilings.databasePointsPerS);
  const goals: { id: string; text: string; pass?: boolean; value?: number }[] = [];
  const usable = (r: SearchRow | undefined): r is SearchRow =>
    r !== undefined && r.notMeasured === undefined && (r.sustained ?? 0) > 0;

  // P1
  if (usable(ours30k) && ceiling !== undefined) {
    const ratio = (ours30k.sustained ?? 0) / ceiling;
    goals.push({
      id: 'P1',
      value: ratio,
      pass: ratio >= 0.8,
      text: `sustained / min(ceilings) = ${fmt(ours30k.sustained ?? 0)} / ${fmt(ceiling)} = ${ratio.toFixed(2)} (goal ≥ 0.8)`,
    });
  } else
    goals.push({
      id: 'P1',
      text: `not measured: ${ceiling === undefined ? 'no ceilings' : (ours30k?.notMeasured ?? `ours sustained none of the rates tried (${sustainedText(ours30k)})`)}`,
    });

  // P2
  for (const profile of ['40 boats', national]) {
    const o = find('ours', profile);
    for (const [id, goal] of [
      ['naive', 10],
      ['nodered', 4],
    ] as const) {
      const c = find(id, profile);
      if (usable(o) && usable(c)) {
        const ratio = (o.sustained ?? 0) / (c.sustained ?? 1);
        goals.push({
          id: 'P2',
          value: ratio,
          pass: ratio >= goal,
          text: `${profile}: ours / ${id} = ${fmt(o.sustained ?? 0)} / ${fmt(c.sustained ?? 0)} = ${ratio.toFixed(1)}× (goal ≥ ${goal}×)`,
        });
      } else
        goals.push({
          id: 'P2',
          text: `${profile}: ours / ${id}: not measured (${o?.notMeasured ?? c?.notMeasured ?? 'a sustained rate of 0 or a contender not selected'})`,
        });
    }
  }

  // P3
  const atTarget = ours30k?.steps.find((s) => s.rate === TARGET_RATE && s.error === undefined);
  if (atTarget !== undefined) {
    const p99 = percentile(atTarget.latenciesMs, 99);
    goals.push({
      id: 'P3',
      value: p99,
      pass: p99 <= 2_000,
      text: `p99 publish → queryable at ${fmt(TARGET_RATE)} msg/s (${atTarget.latenciesMs.length} probes, ${atTarget.ok ? 'sustained' : 'NOT sustained'}): p50 ${ms(percentile(atTarget.latenciesMs, 50))}, p99 ${ms(p99)} (goal ≤ 2,000 ms)`,
    });
  } else goals.push({ id: 'P3', text: `at ${fmt(TARGET_RATE)} msg/s: not measured (no step at that rate)` });
  const tg = find('telegraf', national);
  for (const rate of ['100', '1000']) {
    const o = ours30k?.latency[rate];
    const t = tg?.latency[rate];
    if (o !== undefined && t !== undefined) {
      const [op99, tp99] = [percentile(o.latenciesMs, 99), percentile(t.latenciesMs, 99)];
      const ratio = op99 / tp99;
      goals.push({
        id: 'P3',
        value: ratio,
        pass: ratio <= 0.2,
        text: `at ${fmt(Number(rate))} msg/s: ours p50 ${ms(percentile(o.latenciesMs, 50))} p99 ${ms(op99)} vs Telegraf stand-in p50 ${ms(percentile(t.latenciesMs, 50))} p99 ${ms(tp99)}: p99 ratio ${ratio.toFixed(3)} (goal ≤ 0.2)`,
      });
    } else goals.push({ id: 'P3', text: `at ${rate} msg/s vs the 10 s-flush contender: not measured` });
  }

  // P4 and P8: at 12,000 msg/s if ours sustained it, else at the highest rate it sustained.
  const cpuStep =
    atTarget?.ok === true ? atTarget : ours30k?.steps.filter((s) => s.ok).sort((a, b) => b.rate - a.rate)[0];
  if (cpuStep !== undefined) {
    const share = validateUs / cpuStep.cpuUsPerMessage;
    goals.push({
      id: 'P4',
      value: cpuStep.cpuUsPerMessage,
      pass: cpuStep.cpuUsPerMessage <= 25,
      text: `ours CPU per message (QoS 1) at ${fmt(cpuStep.rate)} msg/s: ${cpuStep.cpuUsPerMessage.toFixed(1)} µs (goal ≤ 25 µs)`,
    });
    goals.push({
      id: 'P4',
      value: share,
      pass: share <= 0.25,
      text: `decode + validate ${validateUs.toFixed(2)} µs = ${(share * 100).toFixed(0)} % of it (goal ≤ 25 %)`,
    });
  } else goals.push({ id: 'P4', text: 'not measured: no sustained step of ours' });
  const rssStep =
    atTarget ??
    cpuStep ??
    ours30k?.steps.filter((st) => st.error === undefined).sort((a, b) => b.rate - a.rate)[0];
  if (rssStep !== undefined)
    goals.push({
      id: 'P8',
      value: rssStep.peakRssMb,
      pass: rssStep.peakRssMb <= 250,
      text: `ours peak RSS (VmHWM) at ${fmt(rssStep.rate)} msg/s${rssStep.ok ? '' : ' (not sustained)'}: ${rssStep.peakRssMb.toFixed(0)} MB (goal ≤ 250 MB)`,
    });
  else goals.push({ id: 'P8', text: 'not measured: no step of ours' });

  console.log('\n=== per contender ===');
  for (const r of rows) {
    const best = r.steps.filter((s) => s.ok).sort((a, b) => b.rate - a.rate)[0];
    const cpu =
      best === undefined
        ? 'n/a'
        : `${best.cpuUsPerMessage.toFixed(1)} µs CPU/msg, peak RSS ${best.peakRssMb.toFixed(0)} MB at ${fmt(best.rate)}`;
    console.log(`${r.label}, ${r.profile}: ${sustainedText(r)}; ${cpu}`);
    for (const [rate, s] of Object.entries(r.latency))
      console.log(
        `  latency at ${fmt(Number(rate))} msg/s: p50 ${ms(percentile(s.latenciesMs, 50))}, p99 ${ms(percentile(s.latenciesMs, 99))}`,
      );
  }
  console.log('\n=== goals (docs/performance.md) ===');
  for (const g of goals) console.log(`${g.id} ${g.text}${verdict(g.pass)}`);

  const loadAtEnd = loadavg();
  console.log(
    `\nload average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}, at end ${loadAtEnd.map((l) => l.toFixed(2)).join(' ')}; ${((performance.now() - runStarted) / 1000).toFixed(0)} s`,
  );
  const file = join(OUT_DIR, `ingest-${stamp}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        startedAt: new Date(Date.now() - (performance.now() - runStarted)).toISOString(),
        durationS: (performance.now() - runStarted) / 1000,
        machine: { cores: availableParallelism(), cpu: cpus()[0]?.model, loadAtStart, loadAtEnd },
        versions: { node: process.version, nodeRed: nodeRedVersions },
        config: {
          windowS: WINDOW_S,
          warmupS: WARMUP_S,
          contenders: CONTENDERS,
          profiles: PROFILES,
          rates: RATES,
          steps: STEPS,
          maxMinutes: MAX_MINUTES,
        },
        ceilings,
        validateUsPerMessage: validateUs,
        rows: rows.map((r) => ({
          ...r,
          steps: r.steps.map(summarise),
          latency: Object.fromEntries(Object.entries(r.latency).map(([k, s]) => [k, summarise(s)])),
        })),
        goals,
      },
      (_key, value: unknown) =>
        typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
      2,
    ),
  );
  console.log(`saved ${file}`);
}

function summarise(s: StepResult): Record<string, unknown> {
  return {
    ...s,
    p50Ms: percentile(s.latenciesMs, 50),
    p99Ms: percentile(s.latenciesMs, 99),
    probes: s.latenciesMs.length,
  };
}
