import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

/**
 * The dashboard imports the code lists as values through the package's schema-free subpaths; if that
 * module ever imported anything (zod above all), the whole of it would land in the browser bundle.
 */
describe('the schema-free code lists', () => {
  it('import nothing', async () => {
    const source = await readFile(new URL('./code-lists.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/^\s*(import|export\s.*\sfrom)\s/m);
    expect(source).not.toMatch(/\bimport\s*\(/);
  });

  it('are what the package exports as its browser-safe subpaths', async () => {
    const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      exports: Record<string, { source: string; default: string }>;
    };
    for (const subpath of ['./code-lists', './fleet-status']) {
      expect(manifest.exports[subpath]).toMatchObject({
        source: './src/code-lists.ts',
        default: './dist/code-lists.js',
      });
    }
  });
});
