import { z } from 'zod';

/**
 * Configuration comes from environment variables only, read once in each process's `main.ts`, validated
 * here with zod, frozen and passed down. A schema is an object keyed by the variables' names, so every
 * problem is reported at once with the variable that causes it — the operator fixes all of them in one go.
 */
export type EnvSource = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
  readonly processName: string;
  readonly problems: readonly { variable: string; message: string }[];
  constructor(processName: string, problems: readonly { variable: string; message: string }[]) {
    super(
      [
        `${processName}: configuration is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}); see .env.example`,
        ...problems.map((p) => `  ${p.variable}: ${p.message}`),
      ].join('\n'),
    );
    this.processName = processName;
    this.problems = problems;
  }
}

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value as DeepReadonly<T>;
}

/**
 * Parses the environment with a schema keyed by variable names. Empty strings count as unset, because
 * `FOO=` in an env file or compose means "not given", never "the empty value".
 */
export function loadConfig<S extends z.ZodType<unknown, Record<string, unknown>>>(
  processName: string,
  schema: S,
  env: EnvSource,
): DeepReadonly<z.output<S>> {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') cleaned[key] = value.trim();
  }
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      processName,
      result.error.issues.map((issue) => ({
        variable: issue.path.length > 0 ? String(issue.path[0]) : '(configuration)',
        message: issue.message,
      })),
    );
  }
  return deepFreeze(result.data);
}

/* ---------- Variable types: each says in its message what a valid value looks like. ---------- */

export function urlVar(protocols: readonly string[]) {
  return z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: `expected a URL with scheme ${protocols.map((p) => `${p}://`).join(' or ')}` },
  );
}

export function intVar(options: { min: number; max: number; default?: number }) {
  const schema = z
    .string()
    .regex(/^-?\d+$/, `expected a whole number between ${options.min} and ${options.max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(options.min, `expected a whole number between ${options.min} and ${options.max}`)
        .max(options.max, `expected a whole number between ${options.min} and ${options.max}`),
    );
  const fallback = options.default;
  return fallback === undefined ? schema : schema.optional().transform((v) => v ?? fallback);
}

export function boolVar(defaultValue: boolean) {
  return z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
    .optional()
    .transform((value) => (value === undefined ? defaultValue : ['true', '1', 'yes'].includes(value)));
}

export function enumVar<const T extends readonly [string, ...string[]]>(values: T, defaultValue?: T[number]) {
  const schema = z.enum(values, { message: `expected one of ${values.join(', ')}` });
  return defaultValue === undefined ? schema : schema.optional().transform((v) => v ?? defaultValue);
}

/** A secret is a non-empty string; its value never reaches a log line (see logger redaction). */
export function secretVar() {
  return z.string().min(1, 'expected a non-empty secret');
}
