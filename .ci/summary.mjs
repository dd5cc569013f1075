// Prints the plain CI summary line `N passed, N failed` from vitest's JSON report, and exits non-zero
// when anything failed, when vitest itself failed, or when no test ran at all.
// A file that failed to load (or a global setup that failed) counts as one failure: it ran no test, and
// hiding it would turn a broken harness into a green run.
import { readFileSync } from 'node:fs';

const [reportPath = 'reports/vitest.json', vitestStatus = '0'] = process.argv.slice(2);
let report;
try {
  report = JSON.parse(readFileSync(reportPath, 'utf8'));
} catch (error) {
  console.error(`no vitest JSON report at ${reportPath}: ${error.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const passed = report.numPassedTests ?? 0;
let failed = report.numFailedTests ?? 0;
for (const file of report.testResults ?? []) {
  const failedAssertions = (file.assertionResults ?? []).filter((a) => a.status === 'failed').length;
  if (file.status === 'failed' && failedAssertions === 0) {
    console.error(`file failed without a failing test: ${file.name}\n${file.message ?? ''}`);
    failed += 1;
  }
}
if (Number(vitestStatus) !== 0 && failed === 0) {
  console.error(
    `vitest exited with status ${vitestStatus} without a failing test (global setup or config error)`,
  );
  failed = 1;
}
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
if (passed + failed === 0) console.error('no test ran');
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
