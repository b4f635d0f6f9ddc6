import { displayState } from '../../../core/states';
import type { JobEventRow } from '../../../db/schema';
import type { JobJson, JobLabel } from './job-json';

/** What happened to a job, as the SSE streams name it. */
export type JobChangeType =
  | 'job.enqueued' | 'job.scheduled' | 'job.started' | 'job.progress' | 'job.completed'
  | 'job.failed' | 'job.retrying' | 'job.cancelled' | 'job.changed';

/** The job as it was right after the change: the fields a live list shows (no params, so nothing to mask). */
export interface JobChangeSummary {
  id: string;
  name: string;
  queue: string;
  state: JobJson['state'];
  label: JobLabel;
  progress: { percent: number };
  attempts: number;
}

/** One change of the feed: `seq` is its SSE id, which Last-Event-ID resumes after. */
export interface JobChangeJson {
  seq: number;
  type: JobChangeType;
  at: string;
  job: JobChangeSummary;
}

/**
 * A row of the change feed as its public JSON. The label is the one the job
 * had then: a pending job held for its run time (the `scheduled` code 1) is
 * scheduled, or retrying after a failed attempt.
 * @example jobChangeJson(row).type // 'job.progress'
 */
export function jobChangeJson(row: JobEventRow): JobChangeJson {
  const label = displayState({ state: row.state, attempts: row.attempt, scheduled: row.scheduled, runAt: row.scheduled === 1 ? Number.MAX_SAFE_INTEGER : 0 }, 0);
  return {
    seq: row.id,
    type: `job.${row.kind}` as JobChangeType,
    at: new Date(row.at).toISOString(),
    job: { id: row.jobId, name: row.name, queue: row.queue, state: row.state, label: label as JobLabel, progress: { percent: row.progress }, attempts: row.attempt },
  };
}
