import type { JobRow } from '../../db/schema';
import type { JobMetadata } from './types';

const date = (ms: number | null) => (ms == null ? null : new Date(ms));

/** Metadata of a stored job, as `.now()` returns it for an in-process one. */
export function metadataOf(job: JobRow): JobMetadata {
  return {
    jobName: job.name,
    jobId: job.id,
    enqueuedAt: date(job.createdAt),
    startedAt: date(job.startedAt),
    completedAt: date(job.completedAt),
    status: job.state,
    attempt: job.attempts,
    durationMs: job.completedAt != null && job.startedAt != null ? job.completedAt - job.startedAt : null,
    error: job.error,
  };
}
