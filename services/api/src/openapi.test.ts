import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, createApiFixture } from './testing/api-fixture.js';

/**
 * Every success response of the API must say what it is in the OpenAPI document: a client generated from
 * it (or a partner reading it) has nothing else to go by, and a response without a schema is also one the
 * serializer does not shape.
 */
type Schema = Record<string, unknown>;
interface OpenApiDocument {
  paths: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> }>
  >;
  components?: { schemas?: Record<string, Schema> };
}

/** Keywords by which a schema says something about a value; a schema with none of them accepts anything. */
const CONSTRAINING = ['type', 'enum', 'const', 'anyOf', 'oneOf', 'allOf', 'properties', 'items', 'not'];

function resolved(schema: Schema, document: OpenApiDocument, seen = new Set<string>()): Schema | undefined {
  const ref = schema['$ref'];
  if (typeof ref !== 'string') return schema;
  const id = ref.replace('#/components/schemas/', '');
  if (seen.has(id)) return schema; // a cycle: the first visit checks it
  seen.add(id);
  const target = document.components?.schemas?.[id];
  return target === undefined ? undefined : resolved(target, document, seen);
}

/**
 * The places in a response schema that accept anything, as `where` strings. Open maps of arbitrary values
 * (an alarm's evidence: `additionalProperties: {}`) are meant to be open, so only their key type counts.
 */
function emptySchemas(schema: Schema, document: OpenApiDocument, where: string, seen: Set<string>): string[] {
  const ref = schema['$ref'];
  if (typeof ref === 'string') {
    if (seen.has(ref)) return [];
    seen.add(ref);
    const target = resolved(schema, document);
    return target === undefined
      ? [`${where}: ${ref} is not in components`]
      : emptySchemas(target, document, where, seen);
  }
  if (!CONSTRAINING.some((keyword) => keyword in schema)) return [`${where}: ${JSON.stringify(schema)}`];
  const children: [string, Schema][] = [];
  for (const [name, child] of Object.entries(
    (schema['properties'] as Record<string, Schema> | undefined) ?? {},
  ))
    children.push([`${where}.${name}`, child]);
  if (typeof schema['items'] === 'object') children.push([`${where}[]`, schema['items'] as Schema]);
  for (const keyword of ['anyOf', 'oneOf', 'allOf'])
    for (const [i, child] of ((schema[keyword] as Schema[] | undefined) ?? []).entries())
      children.push([`${where}|${keyword}${i}`, child]);
  return children.flatMap(([at, child]) => emptySchemas(child, document, at, seen));
}

/** Every 2xx response with a body (all but 204) that lacks a schema or has a part that accepts anything. */
function undescribedSuccesses(document: OpenApiDocument): string[] {
  const problems: string[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const name = `${method.toUpperCase()} ${path}`;
      const successes = Object.entries(operation.responses ?? {}).filter(([code]) => /^2\d\d$/.test(code));
      if (successes.length === 0) problems.push(`${name}: no success response`);
      for (const [code, response] of successes) {
        if (code === '204') continue;
        const content = Object.entries(response.content ?? {});
        if (content.length === 0) problems.push(`${name} ${code}: no content schema`);
        for (const [mediaType, { schema }] of content) {
          const where = `${name} ${code} ${mediaType}`;
          if (schema === undefined) problems.push(`${where}: no schema`);
          else problems.push(...emptySchemas(schema, document, where, new Set()));
        }
      }
    }
  }
  return problems;
}

let f: ApiFixture;
let document: OpenApiDocument;
beforeAll(async () => {
  f = await createApiFixture();
  document = (await f.app.inject({ url: '/api/openapi.json' })).json<OpenApiDocument>();
});
afterAll(async () => {
  await f.close();
});

describe('the OpenAPI document', () => {
  it('describes every success response, to the last field', () => {
    expect(Object.keys(document.paths).length).toBeGreaterThan(10);
    expect(undescribedSuccesses(document)).toEqual([]);
  });

  it('describes the emissions JSON as the report with its result, beside the CSV and XLSX downloads', () => {
    const content = document.paths['/api/v1/emissions']?.['get']?.responses?.['200']?.content ?? {};
    expect(Object.keys(content).sort()).toEqual(
      [
        'application/json',
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'text/csv',
      ].sort(),
    );
    const report = resolved(content['application/json']?.schema ?? {}, document);
    expect(Object.keys((report?.['properties'] as object | undefined) ?? {}).sort()).toEqual([
      'fromCache',
      'result',
    ]);
  });

  it('would catch a 200 without a schema, an unknown body, and an unknown field', () => {
    const broken: OpenApiDocument = {
      paths: {
        '/a': { get: { responses: { '200': { description: 'Default Response' } as object } } },
        '/b': { get: { responses: { '200': { content: { 'application/json': { schema: {} } } } } } },
        '/c': {
          get: {
            responses: {
              '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/C' } } } },
            },
          },
        },
        '/d': { post: { responses: { '400': {} } } },
        '/e': { delete: { responses: { '204': {} } } },
      },
      components: { schemas: { C: { type: 'object', properties: { x: { description: 'anything' } } } } },
    };
    expect(undescribedSuccesses(broken)).toEqual([
      'GET /a 200: no content schema',
      'GET /b 200 application/json: {}',
      'GET /c 200 application/json.x: {"description":"anything"}',
      'POST /d: no success response',
    ]);
  });
});
