/**
 * Errors of two kinds: user errors with a code (mapped to an exit code and an
 * HTTP status in one table), and control-flow errors a job throws to ask for a
 * transition.
 */
export type ErrorCode =
  | 'usage'
  | 'bad_request'
  | 'invalid_params'
  | 'params_too_large'
  | 'unknown_job'
  | 'not_found'
  | 'ambiguous_id'
  | 'conflict'
  | 'unauthorized'
  | 'forbidden'
  | 'too_many_requests'
  | 'database_busy'
  | 'database_unavailable'
  | 'config'
  | 'bad_file';

/** How each user error surfaces: the CLI's exit code and the API's HTTP status. */
export const errorSurface: Record<ErrorCode, { exitCode: number; httpStatus: number }> = {
  usage: { exitCode: 2, httpStatus: 400 },
  bad_request: { exitCode: 2, httpStatus: 400 },
  invalid_params: { exitCode: 2, httpStatus: 400 },
  params_too_large: { exitCode: 2, httpStatus: 413 },
  unknown_job: { exitCode: 2, httpStatus: 400 },
  not_found: { exitCode: 1, httpStatus: 404 },
  ambiguous_id: { exitCode: 1, httpStatus: 409 },
  conflict: { exitCode: 1, httpStatus: 409 },
  unauthorized: { exitCode: 1, httpStatus: 401 },
  /** Signed in, but not allowed: a read-only token asking for a change, or a cross-site request. */
  forbidden: { exitCode: 1, httpStatus: 403 },
  /** Failed logins from one client are spaced out; this one would have waited too long. */
  too_many_requests: { exitCode: 1, httpStatus: 429 },
  database_busy: { exitCode: 1, httpStatus: 503 },
  database_unavailable: { exitCode: 1, httpStatus: 503 },
  config: { exitCode: 2, httpStatus: 500 },
  /** A file given to a command is not what it must be: not a backup, damaged, or encrypted with another key. */
  bad_file: { exitCode: 1, httpStatus: 422 },
};

/** An error a user caused: shown as its message, never with a stack trace. */
export class JobsError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra facts for the caller, e.g. the ids an ambiguous prefix matched. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'JobsError';
  }
}

/** Thrown by a job to end it at once, without the retries it has left. */
export class NonRetryableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NonRetryableError';
  }
}

/**
 * Thrown by a job to be tried again after `delayMs` instead of its backoff,
 * e.g. an HTTP 429 or 503 that said when to come back (Retry-After). It still
 * uses up an attempt; with none left the job fails like any error.
 */
export class RetryLaterError extends Error {
  constructor(message: string, readonly delayMs: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetryLaterError';
  }
}

/** The worker no longer owns the job: its lease expired and another worker may have it. */
export class LeaseLostError extends Error {
  constructor(readonly jobId: string) {
    super(`Lost the lease on job ${jobId}: it expired and the job may now belong to another worker`);
    this.name = 'LeaseLostError';
  }
}

/** Raised when the job's signal is aborted because it ran past its timeout. */
export class JobTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`Job timed out after ${timeoutMs} ms`);
    this.name = 'JobTimeoutError';
  }
}

export function isJobsError(error: unknown): error is JobsError {
  return error instanceof JobsError;
}

/** A message and stack from anything thrown, since jobs may throw non-Errors. */
export function describeError(error: unknown): { message: string; stack?: string; name: string } {
  if (error instanceof Error) return { message: error.message, stack: error.stack, name: error.name };
  return { message: typeof error === 'string' ? error : JSON.stringify(error) ?? String(error), name: 'Error' };
}

/** Raised when the job's signal is aborted because someone cancelled it. */
export class JobCancelledError extends Error {
  constructor() {
    super('Job was cancelled');
    this.name = 'JobCancelledError';
  }
}

/** Raised when the worker stops and its shutdown grace ran out before the job finished. */
export class WorkerShutdownError extends Error {
  constructor() {
    super('Worker shut down before the job finished; it will run again');
    this.name = 'WorkerShutdownError';
  }
}
