import fc from 'fast-check';

/**
 * fast-check arbitraries drawn from JSON Schema, the one description both the MQTT contract (its generated
 * `json-schema/`, from the zod schemas) and the API (its OpenAPI document, from the same zod schemas) publish.
 * zod-fast-check does not speak zod 4, so the generators read what zod writes out: the keywords below are
 * the ones `z.toJSONSchema` emits. A schema using any other keyword throws, so a new contract shape cannot
 * quietly go unfuzzed.
 */
export type JsonSchema = Record<string, unknown>;

export interface SchemaArbitraryOptions {
  /** Where `$ref`s point: the document holding `#/...` targets (an OpenAPI document, or the schema itself). */
  root?: JsonSchema;
  /** Most items of a generated array (below the schema's own maximum), to keep cases small. */
  maxItems?: number;
}

const KNOWN = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'enum',
  'const',
  'pattern',
  'format',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'anyOf',
  'oneOf',
  'allOf',
  '$ref',
  'default',
  // Annotations: they say nothing about valid values.
  'description',
  'title',
  '$comment',
  '$schema',
  '$id',
  'id',
  'examples',
  'example',
  'nullable',
  'readOnly',
  'deprecated',
]);

/** An arbitrary of values the schema accepts (as far as JSON Schema can say: zod's refinements are not in it). */
export function schemaArbitrary(
  schema: JsonSchema,
  options: SchemaArbitraryOptions = {},
): fc.Arbitrary<unknown> {
  const root = options.root ?? schema;
  const maxItems = options.maxItems ?? 3;

  const resolve = (ref: string): JsonSchema => {
    if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
    let node: unknown = root;
    for (const part of ref.slice(2).split('/')) node = (node as Record<string, unknown> | undefined)?.[part];
    if (node === undefined || node === null || typeof node !== 'object')
      throw new Error(`unresolved $ref ${ref}`);
    return node as JsonSchema;
  };

  const build = (s: JsonSchema, depth: number): fc.Arbitrary<unknown> => {
    const unknownKeys = Object.keys(s).filter((k) => !KNOWN.has(k) && !k.startsWith('x-'));
    if (unknownKeys.length > 0)
      throw new Error(`unsupported JSON Schema keywords: ${unknownKeys.join(', ')}`);
    if (typeof s['$ref'] === 'string')
      return fc.constant(null).chain(() => build(resolve(s['$ref'] as string), depth + 1));
    if ('const' in s) return fc.constant(s['const']);
    if (Array.isArray(s['enum'])) return fc.constantFrom(...(s['enum'] as unknown[]));
    const alternatives = (s['anyOf'] ?? s['oneOf']) as JsonSchema[] | undefined;
    if (alternatives !== undefined)
      return fc.oneof(
        ...alternatives.map((a) => build({ ...withoutKeys(s, 'anyOf', 'oneOf'), ...a }, depth + 1)),
      );
    if (Array.isArray(s['allOf'])) {
      const merged = (s['allOf'] as JsonSchema[]).reduce<JsonSchema>(
        (all, part) => mergeSchemas(all, part['$ref'] === undefined ? part : resolve(part['$ref'] as string)),
        withoutKeys(s, 'allOf'),
      );
      return build(merged, depth + 1);
    }
    const type = s['type'];
    if (Array.isArray(type))
      return fc.oneof(...type.map((t) => build({ ...s, type: t as string }, depth + 1)));
    const nullable =
      s['nullable'] === true
        ? (a: fc.Arbitrary<unknown>) => fc.option(a, { nil: null })
        : (a: fc.Arbitrary<unknown>) => a;
    switch (type) {
      case 'string':
        return nullable(stringArbitrary(s));
      case 'integer':
      case 'number':
        return nullable(numberArbitrary(s, type === 'integer'));
      case 'boolean':
        return nullable(fc.boolean());
      case 'null':
        return fc.constant(null);
      case 'array': {
        const min = (s['minItems'] as number | undefined) ?? 0;
        const max = Math.max(
          min,
          Math.min((s['maxItems'] as number | undefined) ?? Infinity, min + maxItems),
        );
        if (Array.isArray(s['prefixItems']))
          return fc.tuple(...(s['prefixItems'] as JsonSchema[]).map((p) => build(p, depth + 1)));
        const items = (s['items'] as JsonSchema | undefined) ?? {};
        return nullable(
          fc.array(build(items, depth + 1), { minLength: min, maxLength: depth > 6 ? min : max }),
        );
      }
      case 'object':
      case undefined: {
        if (type === undefined && s['properties'] === undefined) return fc.jsonValue({ maxDepth: 2 });
        const properties = (s['properties'] as Record<string, JsonSchema> | undefined) ?? {};
        const required = (s['required'] as string[] | undefined) ?? [];
        const model = Object.fromEntries(
          Object.entries(properties).map(([k, v]) => [k, build(v, depth + 1)]),
        );
        const record = fc.record(model, { requiredKeys: required.filter((k) => k in properties) });
        const extra = s['additionalProperties'];
        if (
          typeof extra !== 'object' ||
          extra === null ||
          (Object.keys(extra).length === 0 && Object.keys(properties).length > 0)
        )
          return nullable(record);
        const values = build(extra as JsonSchema, depth + 1);
        return nullable(
          fc
            .tuple(record, fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), values, { maxKeys: 2 }))
            .map(([known, more]) => ({ ...more, ...known })),
        );
      }
      default:
        throw new Error(`unsupported JSON Schema type ${JSON.stringify(type)}`);
    }
  };
  return build(schema, 0);
}

function withoutKeys(s: JsonSchema, ...keys: string[]): JsonSchema {
  return Object.fromEntries(Object.entries(s).filter(([k]) => !keys.includes(k)));
}

function mergeSchemas(a: JsonSchema, b: JsonSchema): JsonSchema {
  const properties = {
    ...(a['properties'] as object | undefined),
    ...(b['properties'] as object | undefined),
  };
  const required = [
    ...((a['required'] as string[] | undefined) ?? []),
    ...((b['required'] as string[] | undefined) ?? []),
  ];
  return { ...a, ...b, properties, required };
}

function stringArbitrary(s: JsonSchema): fc.Arbitrary<string> {
  const minLength = (s['minLength'] as number | undefined) ?? 0;
  const maxLength = (s['maxLength'] as number | undefined) ?? Math.max(minLength, 24);
  const within = (text: string) => text.length >= minLength && text.length <= maxLength;
  if (typeof s['pattern'] === 'string') return fc.stringMatching(new RegExp(s['pattern'])).filter(within);
  switch (s['format']) {
    case 'date-time':
      return fc
        .date({ min: new Date('2017-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString());
    case 'date':
      return fc
        .date({ min: new Date('2017-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10));
    case 'email':
      return fc.emailAddress();
    case 'uuid':
      return fc.uuid();
    case 'uri':
      return fc.webUrl();
    default:
      return fc.string({ unit: 'grapheme', minLength, maxLength: Math.min(maxLength, minLength + 24) });
  }
}

function numberArbitrary(s: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = bound(s['minimum'], s['exclusiveMinimum'], integer, 1);
  const max = bound(s['maximum'], s['exclusiveMaximum'], integer, -1);
  if (integer)
    return fc.integer({ min: min ?? Number.MIN_SAFE_INTEGER, max: max ?? Number.MAX_SAFE_INTEGER });
  const exclusive = {
    minExcluded: typeof s['exclusiveMinimum'] === 'number',
    maxExcluded: typeof s['exclusiveMaximum'] === 'number',
  };
  return fc
    .double({
      noNaN: true,
      noDefaultInfinity: true,
      ...(min === undefined ? {} : { min: Object.is(min, 0) ? 0 : min }),
      ...(max === undefined ? {} : { max }),
      ...exclusive,
    })
    .map((n) => (Object.is(n, -0) ? 0 : n));
}

function bound(
  inclusive: unknown,
  exclusive: unknown,
  integer: boolean,
  direction: 1 | -1,
): number | undefined {
  if (typeof exclusive === 'number') return integer ? exclusive + direction : exclusive;
  return typeof inclusive === 'number' ? inclusive : undefined;
}
