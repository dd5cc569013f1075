// Regenerates packages/contract/json-schema/ from the zod schemas. Run `npm run schemas` after changing
// the contract; the unit test json-schema.test.ts fails while the committed copies are stale.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { generateJsonSchemas } from '../src/json-schema.js';

const directory = new URL('../json-schema/', import.meta.url);
await mkdir(directory, { recursive: true });
const files = generateJsonSchemas();
for (const existing of await readdir(directory)) {
  if (!files.has(existing)) await rm(new URL(existing, directory));
}
for (const [name, text] of files) await writeFile(new URL(name, directory), text);
console.log(`wrote ${files.size} JSON Schema files to ${directory.pathname}`);
