'use server';

import { getEngine } from '../../../db/client';
import { getJob } from '../../../store/queries';
import { jobJson, jobJsonOptions, type JobJson } from '../json';

/** What an app page shows of a job while it runs: its state, progress and, once it ends, result or error. */
export interface JobProgressView {
  id: string;
  name: string;
  state: JobJson['state'];
  label: JobJson['label'];
  percent: number;
  message: string | null;
  attempts: number;
  maxAttempts: number;
  /** The result (secrets masked), once it completed. */
  result: unknown;
  /** The last error's message, once an attempt failed. */
  error: string | null;
}

const fullId = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A server action an app page calls (through useJobProgress) to follow a job
 * it enqueued. It takes only a whole id, never a prefix: an id carries 74
 * random bits, so a page can only follow a job whose id it was given, and
 * nobody can list jobs through it. Params are never returned, and the result
 * is masked like everywhere else (JOBS_REDACT_KEYS). Null for no such job.
 */
export async function readJobProgress(id: string): Promise<JobProgressView | null> {
  if (typeof id !== 'string' || !fullId.test(id)) return null;
  const row = await getJob(await getEngine(), id);
  if (!row) return null;
  const job = jobJson(row, [], jobJsonOptions());
  return {
    id: job.id, name: job.name, state: job.state, label: job.label, percent: job.progress.percent, message: job.progress.message,
    attempts: job.attempts, maxAttempts: job.maxAttempts, result: job.result, error: job.error?.message ?? null,
  };
}
