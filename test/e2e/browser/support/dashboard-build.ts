import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function newestMtimeMs(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(path)) newest = Math.max(newest, await newestMtimeMs(join(path, entry)));
  return newest;
}

/**
 * The browser tests run against the built dashboard, as users get it. Builds it (once) when `dist` is
 * missing or older than any source, so `npm test` on a fresh clone works without a separate step.
 */
export async function ensureDashboardBuilt(dashboardDir: string): Promise<string> {
  const dist = join(dashboardDir, 'dist');
  const sources = await Promise.all(
    ['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) => newestMtimeMs(join(dashboardDir, p))),
  );
  const built = await stat(join(dist, 'index.html')).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  if (built < Math.max(...sources)) {
    await run('npm', ['run', 'build', '-w', '@qt-led/dashboard'], {
      cwd: join(dashboardDir, '..'),
      timeout: 180_000,
    });
  }
  return dist;
}
