/**
 * `JCM_METHODOLOGY_UNREADABLE`: a parameter-set file could not be read (fix the deployment, not the file).
 * `JCM_METHODOLOGY_INVALID`: a parameter set breaks the schema; every problem is listed.
 * `JCM_PARAMETER_NOT_EFFECTIVE`: a parameter is not effective for the whole period asked for.
 * `JCM_INPUT_INVALID`: the period data cannot be calculated (bad numbers, overlapping versions, a vessel
 * twice); every problem is listed. None of these is helped by a retry.
 */
export type JcmErrorCode =
  | 'JCM_METHODOLOGY_UNREADABLE'
  | 'JCM_METHODOLOGY_INVALID'
  | 'JCM_PARAMETER_NOT_EFFECTIVE'
  | 'JCM_INPUT_INVALID';

/** One problem: where (`vessels[QT-90145-TS].energyReadings[3].registerKwh`) and what. */
export interface JcmProblem {
  readonly path: string;
  readonly message: string;
}

export class JcmError extends Error {
  override readonly name = 'JcmError';
  readonly code: JcmErrorCode;
  readonly problems: readonly JcmProblem[];

  constructor(code: JcmErrorCode, summary: string, problems: readonly JcmProblem[], options?: ErrorOptions) {
    const list = problems.map((p) => `  - ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n');
    super(problems.length > 0 ? `${summary}\n${list}` : summary, options);
    this.code = code;
    this.problems = problems;
  }
}
