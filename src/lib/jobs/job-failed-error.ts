import type { JobMetadata } from './types';

/** Thrown by `.now()` and `executeFromDatabase()` when the job did not complete; `cause` is what it threw. */
export class JobFailedError extends Error {
  constructor(
    message: string,
    readonly metadata: JobMetadata,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'JobFailedError';
  }
}
