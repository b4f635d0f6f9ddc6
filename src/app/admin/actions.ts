'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { JobsError } from '@/core/errors';
import { getEngine } from '@/db/client';
import { cleanupAs } from '@/lib/jobs/cleanup-actions';
import { assertRetryable, cancelJobAs, retryJobsAs } from '@/lib/jobs/job-actions';
import { adminAction } from './_lib/admin-action';

const oneJob = z.object({ id: z.uuid({ error: 'The job id must be a whole id' }) });

/** Retries a failed or cancelled job (written to the action log by retryJobsAs); conflict otherwise. */
export const retryJobAction = adminAction(oneJob, async ({ id }, principal) => {
  const engine = await getEngine();
  await assertRetryable(engine, id);
  const [retried] = await retryJobsAs(engine, [id], principal.who);
  if (!retried) throw new JobsError('conflict', `Job ${id} was left as it is: a live job holds its idempotency key, or it changed meanwhile`);
  revalidatePath(`/admin/jobs/${id}`);
  return { message: 'Retried: it is pending again.' };
});

/** Cancels a pending job, or asks a running one's worker to abort it (written to the action log by cancelJobAs). */
export const cancelJobAction = adminAction(oneJob, async ({ id }, principal) => {
  const result = await cancelJobAs(await getEngine(), id, principal.who);
  revalidatePath(`/admin/jobs/${id}`);
  return { message: result === 'cancelled' ? 'Cancelled.' : 'Cancelling: its worker aborts it.' };
});

const cleanupAges = z.object({
  completedOlderThan: z.string().trim().min(1, { error: 'Give an age such as 1d' }),
  failedOlderThan: z.string().trim().min(1, { error: 'Give an age such as 7d' }),
});

/** Runs the built-in cleanup now, with the ages typed (action log: cleanup, with the counts deleted); a bad age deletes nothing. */
export const cleanupAction = adminAction(cleanupAges, async (ages, principal) => {
  const done = await cleanupAs(await getEngine(), ages, principal.who);
  revalidatePath('/admin');
  return {
    message: `Deleted ${done.completedDeleted} completed and ${done.failedDeleted} failed or cancelled jobs, and ${done.statsMinutesDeleted} per-minute stats rows older than 7 days.`,
  };
});
