import type { JsonValue } from './canonical-json.js';

/**
 * One difference between a previously issued result and a new one. `changed`: a value differs (a figure, a
 * hash, a flag list's member); `added` / `removed`: a whole value (a vessel, a sub-period) appears or goes,
 * reported once with its full content rather than leaf by leaf.
 */
export interface ResultChange {
  readonly path: string;
  readonly kind: 'changed' | 'added' | 'removed';
  readonly old: JsonValue | null;
  readonly new: JsonValue | null;
}

const isObject = (v: unknown): v is Record<string, JsonValue> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Arrays whose members carry a `vesselId` are matched by it, so a vessel added in between shifts nothing. */
function keyOf(item: unknown): string | undefined {
  return isObject(item) && typeof item['vesselId'] === 'string' ? item['vesselId'] : undefined;
}

function walk(path: string, a: unknown, b: unknown, out: ResultChange[]): void {
  if (Array.isArray(a) && Array.isArray(b)) {
    const items: unknown[] = [...(a as unknown[]), ...(b as unknown[])];
    const keyed = items.length > 0 && items.every((item) => keyOf(item) !== undefined);
    if (keyed) {
      const before = new Map(a.map((item) => [keyOf(item) as string, item as unknown]));
      const after = new Map(b.map((item) => [keyOf(item) as string, item as unknown]));
      const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
      for (const key of keys) walk(`${path}[${key}]`, before.get(key), after.get(key), out);
    } else {
      for (let i = 0; i < Math.max(a.length, b.length); i += 1)
        walk(`${path}[${String(i)}]`, i < a.length ? a[i] : undefined, i < b.length ? b[i] : undefined, out);
    }
    return;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) walk(path ? `${path}.${key}` : key, a[key], b[key], out);
    return;
  }
  if (a === undefined && b === undefined) return;
  if (a === undefined) out.push({ path, kind: 'added', old: null, new: b as JsonValue });
  else if (b === undefined) out.push({ path, kind: 'removed', old: a as JsonValue, new: null });
  else if (Array.isArray(a) || Array.isArray(b) || isObject(a) || isObject(b) || a !== b)
    out.push({ path, kind: 'changed', old: a as JsonValue, new: b as JsonValue });
}

/**
 * Compares a previously issued result (as stored: parsed JSON) with a new one and lists every changed
 * value with its path (`vessels[QT-90145-TS].emissionReductionsTco2`), old and new value — empty when the
 * two are identical. Provenance changes (`provenance.inputSha256` …) are listed like any other, so a
 * restatement record says both what changed and why.
 */
export function diffResults(previous: unknown, next: unknown): ResultChange[] {
  const out: ResultChange[] = [];
  walk('', previous, next, out);
  return out;
}
