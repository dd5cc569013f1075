import { readdir, readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_PAYLOADS } from './examples.js';
import { generateJsonSchemas, jsonSchemaFileName } from './json-schema.js';
import { CHANNEL_NAMES } from './topics.js';

const directory = new URL('../json-schema/', import.meta.url);

describe('committed JSON Schema for gateway firmware authors', () => {
  it('matches the zod contract byte for byte (run `npm run schemas` when this fails)', async () => {
    const generated = generateJsonSchemas();
    expect((await readdir(directory)).sort()).toEqual([...generated.keys()].sort());
    for (const [name, text] of generated) {
      expect(await readFile(new URL(name, directory), 'utf8'), `${name} is stale`).toBe(text);
    }
  });

  it.each(CHANNEL_NAMES)('accepts the %s example and rejects a broken one, as zod does', async (channel) => {
    const ajv = new Ajv2020({ strict: false });
    const schema = JSON.parse(
      await readFile(new URL(jsonSchemaFileName(channel), directory), 'utf8'),
    ) as object;
    const validate = ajv.compile(schema);
    expect(validate(EXAMPLE_PAYLOADS[channel]), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...EXAMPLE_PAYLOADS[channel], vesselId: 'boat 7' })).toBe(false);
  });
});
