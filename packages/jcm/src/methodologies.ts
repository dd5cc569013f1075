import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MethodologyParameterSet } from '@qt-led/contract';
import { canonicalSha256 } from './canonical-json.js';
import { JcmError, type JcmProblem } from './errors.js';

/** The parameter sets shipped with the package; resolves the same from `src` and from `dist`. */
export const METHODOLOGIES_DIR_URL = new URL('../methodologies/', import.meta.url);

/** Ids of the shipped parameter sets; each lives in `methodologies/<id>.json`. */
export const BUILT_IN_METHODOLOGY_IDS = [
  'qtled-vn006-electricity-ratio',
  'qtled-vn006-rated-power-hours',
  'qtled-vn006-fuel-cross-check',
] as const;
export type BuiltInMethodologyId = (typeof BUILT_IN_METHODOLOGY_IDS)[number];

function pathOf(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${String(key)}]`;
    else text += text ? `.${String(key)}` : String(key);
  }
  return text;
}

/** Validates a parameter set (already parsed JSON); lists every problem at once. */
export function parseMethodology(json: unknown, source: string): MethodologyParameterSet {
  const result = MethodologyParameterSet.safeParse(json);
  if (!result.success) {
    const problems: JcmProblem[] = result.error.issues.map((issue) => ({
      path: pathOf(issue.path),
      message: issue.message,
    }));
    throw new JcmError(
      'JCM_METHODOLOGY_INVALID',
      `methodology ${source}: ${problems.length} problem(s)`,
      problems,
    );
  }
  return result.data;
}

/** Reads and validates a parameter-set file. */
export function loadMethodology(path: string | URL): MethodologyParameterSet {
  const source = path instanceof URL ? fileURLToPath(path) : path;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new JcmError('JCM_METHODOLOGY_UNREADABLE', `methodology ${source}: ${reason}`, [], { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new JcmError('JCM_METHODOLOGY_INVALID', `methodology ${source}: not JSON: ${reason}`, [], {
      cause,
    });
  }
  return parseMethodology(json, source);
}

/** One of the shipped parameter sets, validated. */
export function loadBuiltInMethodology(id: BuiltInMethodologyId): MethodologyParameterSet {
  return loadMethodology(new URL(`${id}.json`, METHODOLOGIES_DIR_URL));
}

/** SHA-256 of the parameter set's canonical JSON: what a result's `parameterSetSha256` names. */
export function parameterSetSha256(methodology: MethodologyParameterSet): string {
  return canonicalSha256(methodology);
}
