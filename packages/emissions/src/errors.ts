/**
 * Every worker is computing and the queue is full: the report was not started. Retrying after
 * `retryAfterS` may help (the API answers 503 with a Retry-After header).
 */
export class EmissionsBusyError extends Error {
  override readonly name = 'EmissionsBusyError';
  readonly code = 'EMISSIONS_BUSY';
  readonly retryable = true;
  readonly retryAfterS: number;
  constructor(message: string, retryAfterS: number) {
    super(message);
    this.retryAfterS = retryAfterS;
  }
}

/**
 * The worker computing a report stopped (it crashed, ran out of memory, or took longer than allowed and
 * was stopped), or the service is stopping. The pool has replaced the worker; a retry may help.
 */
export class EmissionsWorkerError extends Error {
  override readonly name = 'EmissionsWorkerError';
  readonly code = 'EMISSIONS_WORKER_FAILED';
  readonly retryable = true;
}
