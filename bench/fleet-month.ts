// The fleet-month JCM report benchmark (no assertions, not a test; `npm run bench:fleet-month`): the emissions
// module as the API and the scheduler assemble it (worker thread, vessel-day archive, result archive) over an
// SQLite store of 40 boats × 30 days at the firmware's 60 s sampling (1.7 M readings), one report of the
// whole fleet for a 29-day period. Each step is a new module (a restarted process) unless it says otherwise:
//
//   a. first calculation, nothing kept on disk yet: every reading read from the store (the baseline);
//   b. the same report again in the same process: the result from memory;
//   c. restarted: the result from the result archive (what a restarted API answers for the scheduler's months);
//   d. restarted, result archive emptied: calculated again from the archived vessel-days;
//   e. restarted, both emptied: calculated again from the store (the baseline measured a second time).
//
//   npm run bench:fleet-month
//   BENCH_DIR=/tmp/x npm run bench:fleet-month
//
// It runs the built packages (`npm run build` first), as `npm start` does: the worker thread loads
// JavaScript, not TypeScript through a loader. The store is generated once into BENCH_DIR (about a minute; the same as bench:fleet-overview's) and reused.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createEmissionsModule } from '@qt-led/emissions';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import type { VesselId } from '@qt-led/contract';
import { createSqliteStore } from '@qt-led/store-sqlite';
import { ensureFleetHistory, FLEET_STORE_NOW_MS } from './fleet-store.js';

const DIR = process.env['BENCH_DIR'] ?? '/tmp/qtled-overview-bench';
const DAYS = 30;
const NOW_MS = FLEET_STORE_NOW_MS;
const PERIOD = { from: '2024-03-02', toExclusive: '2024-03-31' };
const registry = loadFleetRegistry();
const vesselIds = registry.registry.vessels.map((v) => v.vesselId);

mkdirSync(DIR, { recursive: true });
const storePath = join(DIR, 'telemetry.sqlite');
const store = createSqliteStore({ path: storePath });
await ensureFleetHistory(store, registry, DAYS);
const readings = await store.countReadings();
const archiveDir = join(DIR, 'fleet-month');
const dayArchive = join(archiveDir, 'vessel-days.sqlite');
const resultDir = join(archiveDir, 'results');
rmSync(archiveDir, { recursive: true, force: true });

interface Step {
  id: string;
  what: string;
  ms: number;
  fromCache: boolean;
}
const steps: Step[] = [];
let reductions: number | undefined;

async function run(id: string, what: string, times: number): Promise<void> {
  const module = createEmissionsModule(
    {
      issuedReportsDir: join(archiveDir, 'issued'),
      store: { kind: 'sqlite', path: storePath },
      vesselDayArchivePath: dayArchive,
      resultArchiveDir: resultDir,
    },
    { store, registry, clock: { now: () => NOW_MS } },
  );
  await module.start();
  try {
    // A process that has been up a moment: its worker started and loaded (one boat, one day).
    await module.service.report({
      from: '2024-03-10',
      toExclusive: '2024-03-11',
      vesselIds: [vesselIds[0] as VesselId],
      methodologyId: module.methodologyIds[0] as string,
    });
    for (let k = 0; k < times; k++) {
      const t0 = performance.now();
      const report = await module.service.report({
        ...PERIOD,
        methodologyId: module.methodologyIds[0] as string,
      });
      const ms = performance.now() - t0;
      const figure = report.result.fleet.emissionReductionsTco2;
      if (reductions !== undefined && figure !== reductions)
        throw new Error(`${id}: ${figure} tCO2, the first report said ${reductions}`);
      reductions = figure;
      // A step is what it says or the bench stops: only the store calculations (a, d, e) compute.
      const expectCached = k > 0 || id === 'c';
      if (report.fromCache !== expectCached)
        throw new Error(`${id}: fromCache ${String(report.fromCache)}, expected ${String(expectCached)}`);
      steps.push({
        id: k === 0 ? id : 'b',
        what: k === 0 ? what : 'the same report again in the same process: the result from memory',
        ms,
        fromCache: report.fromCache,
      });
      console.log(`${id}: ${ms.toFixed(0)} ms (fromCache ${String(report.fromCache)})`);
    }
  } finally {
    await module.stop();
  }
}

await run('a', 'first calculation, nothing on disk: every reading from the store', 2);
await run('c', 'restarted: the result from the result archive', 1);
rmSync(resultDir, { recursive: true, force: true });
await run('d', 'restarted, results emptied: calculated from the archived vessel-days', 1);
rmSync(archiveDir, { recursive: true, force: true });
await run('e', 'restarted, both emptied: calculated from the store again', 1);
await store.close();

const baseline = Math.min(...steps.filter((s) => s.id === 'a' || s.id === 'e').map((s) => s.ms));
const lines = [
  `fleet-month JCM report, ${vesselIds.length} boats, ${PERIOD.from} … ${PERIOD.toExclusive}, ${readings} readings in the store`,
  '',
  '| step | ms | fromCache | ratio to the store calculation |',
  '|---|---|---|---|',
  ...steps.map(
    (s) =>
      `| ${s.id} ${s.what} | ${s.ms.toFixed(0)} | ${String(s.fromCache)} | ${(s.ms / baseline).toFixed(3)} |`,
  ),
];
console.log(`\n${lines.join('\n')}`);
const out = join(import.meta.dirname, '..', 'reports', 'bench');
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, `fleet-month-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
  JSON.stringify(
    { at: new Date().toISOString(), readings, period: PERIOD, steps, baselineMs: baseline },
    null,
    2,
  ),
);
