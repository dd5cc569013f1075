import { z } from 'zod';

/** One problem with a request, pointing at the parameter that causes it. */
export interface ApiIssue {
  /** Where: `query`, `params`, `body` or `headers`. */
  in: string;
  /** Path inside it, e.g. `from` or `vessels.3.versions.0.validFrom`. */
  path: string;
  message: string;
}

/** The one error body of the API: `{ error: { code, message, issues? } }`. */
export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().describe('stable machine-readable code, e.g. INVALID_REQUEST, NOT_FOUND'),
      message: z.string().describe('what went wrong, in English, naming the parameter'),
      issues: z.array(z.object({ in: z.string(), path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'Error' });

/**
 * An error a handler throws on purpose: the error handler sends its status, code and message as they are
 * (4xx) — 5xx details are never sent.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly statusCode: number;
  readonly code: string;
  readonly issues: readonly ApiIssue[] | undefined;
  constructor(statusCode: number, code: string, message: string, issues?: readonly ApiIssue[]) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
    this.issues = issues;
  }
}

export const notFound = (message: string): ApiError => new ApiError(404, 'NOT_FOUND', message);
export const badRequest = (message: string, issues?: readonly ApiIssue[]): ApiError =>
  new ApiError(400, 'INVALID_REQUEST', message, issues);

/** "query parameter `from`: …; query parameter `to`: …" — the message names every parameter at fault. */
export function describeIssues(issues: readonly ApiIssue[]): string {
  const shown = issues.slice(0, 5).map((issue) => {
    const where = {
      query: 'query parameter',
      params: 'path parameter',
      body: 'body field',
      headers: 'header',
    }[issue.in];
    const label =
      issue.path === ''
        ? issue.in === 'body'
          ? 'request body'
          : `${where ?? issue.in}s`
        : `${where ?? issue.in} "${issue.path}"`;
    return `${label}: ${issue.message}`;
  });
  const more = issues.length > shown.length ? ` (and ${issues.length - shown.length} more)` : '';
  return `${shown.join('; ')}${more}`;
}
