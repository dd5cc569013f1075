// `npm run bench:ingest-load`: P5, P6 and P7 of docs/performance.md, each on fresh servers and temp dirs
// (see the headers of p5-outage.ts, p6-api-load.ts and p7-embedded.ts, and bench/README.md). Prints the
// table and saves it with the raw figures to reports/bench/ingest-load-<timestamp>.json.
//
//   npm run bench:ingest-load                                  # ≈ 10 min on 2 cores
//   npm run bench:ingest-load -- --skip p5 --p6-rate 6000      # one part, another rate
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fmt, generateRegistry, type LoadRow, notMeasuredRow, REPO } from './common.js';
import { runOutage } from './p5-outage.js';
import { runApiLoad } from './p6-api-load.js';
import { runEmbedded } from './p7-embedded.js';

const { values: args } = parseArgs({
  options: {
    vessels: { type: 'string', default: '30000' },
    // P5 at the scale target, and at a rate today's ingest sustains (the outage backlog must drain too).
    'p5-rates': { type: 'string', default: '12000,4000' },
    'outage-s': { type: 'string', default: '30' },
    'drain-limit-s': { type: 'string', default: '75' },
    'p6-rate': { type: 'string', default: '12000' },
    'p6-duration-s': { type: 'string', default: '5' },
    'p6-connections': { type: 'string', default: '2' },
    'p7-rates': { type: 'string', default: '1000,2000,3000,4000,6000' },
    'p7-window-s': { type: 'string', default: '10' },
    skip: { type: 'string', default: '' },
    'max-minutes': { type: 'string', default: '20' },
  },
  strict: true,
});
const num = (name: keyof typeof args): number => {
  const value = Number(args[name]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
};
const list = (name: keyof typeof args): number[] =>
  args[name]
    .split(',')
    .filter((v) => v !== '')
    .map(Number);
const skip = new Set(args.skip.split(','));

// The whole run is bounded: at the limit the process exits, and every child dies with it (parent-death
// signal; the harness's servers are also killed by its exit hook).
const maxMs = num('max-minutes') * 60_000;
setTimeout(() => {
  console.error(`bench:ingest-load: the ${args['max-minutes']} min limit is over; stopping`);
  process.exit(2);
}, maxMs).unref();
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

const startedAt = new Date();
const loadAtStart = loadavg();
console.log(
  `bench:ingest-load ${startedAt.toISOString()} on ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), ` +
    `load average ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}, node ${process.version}`,
);

const rows: LoadRow[] = [];
const tmp = mkdtempSync(join(tmpdir(), 'qtled-ingest-load-'));
const registryPath = join(tmp, 'fleet.json');
const vessels = num('vessels');
async function part(name: string, fallback: LoadRow, run: () => Promise<LoadRow[]>): Promise<void> {
  const t0 = performance.now();
  try {
    rows.push(...(await run()));
  } catch (error) {
    const why = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    console.log(`  ${name} failed: ${why}`);
    rows.push({ ...fallback, measured: `not measured: ${why}`, notMeasured: why });
  }
  console.log(`  ${name}: ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}

try {
  if (!skip.has('p5') || !skip.has('p6')) {
    console.log(`generating a ${fmt(vessels)}-vessel registry …`);
    await generateRegistry(vessels, registryPath);
  }
  if (!skip.has('p5')) {
    for (const rate of list('p5-rates')) {
      await part(
        `P5 at ${fmt(rate)} msg/s`,
        notMeasuredRow('P5', `database outage at ${fmt(rate)} msg/s`, 'none lost; drained ≤ 60 s', ''),
        () =>
          runOutage({
            rate,
            registryPath,
            outageS: num('outage-s'),
            drainLimitS: num('drain-limit-s'),
            settleLimitS: 45,
          }),
      );
    }
  }
  if (!skip.has('p6')) {
    await part(
      'P6',
      notMeasuredRow('P6', `API under ${fmt(num('p6-rate'))} msg/s`, 'see docs/performance.md', ''),
      () =>
        runApiLoad({
          rate: num('p6-rate'),
          registryPath,
          durationS: num('p6-duration-s'),
          connections: num('p6-connections'),
        }),
    );
  }
  if (!skip.has('p7')) {
    await part('P7', notMeasuredRow('P7', 'embedded default sustained', '≥ 2,000 msg/s', ''), () =>
      runEmbedded({ rates: list('p7-rates'), windowS: num('p7-window-s') }),
    );
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const loadAtEnd = loadavg();
const mark = (pass: boolean | null): string => (pass === null ? '–' : pass ? '✓' : '✗');
console.log('| id | figure | measured | goal | pass |\n|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.id} | ${r.figure} | ${r.measured} | ${r.goal} | ${mark(r.pass)} |`);
console.log(
  `\nload average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}, at end ${loadAtEnd.map((l) => l.toFixed(2)).join(' ')} ` +
    `(the machine is shared: read the figures with it)`,
);
const dir = join(REPO, 'reports', 'bench');
mkdirSync(dir, { recursive: true });
const file = join(dir, `ingest-load-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  `${JSON.stringify(
    {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: {
        cores: availableParallelism(),
        cpu: cpus()[0]?.model,
        node: process.version,
        loadAverageAtStart: loadAtStart,
        loadAverageAtEnd: loadAtEnd,
      },
      config: args,
      rows,
    },
    null,
    2,
  )}\n`,
);
console.log(`saved ${file}`);
process.exit(0);
