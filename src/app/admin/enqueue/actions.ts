'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { JobsError } from '@/core/errors';
import { parsePriority } from '@/core/priority';
import { getEngine } from '@/db/client';
import { enqueueJob } from '@/server/api/job-actions';
import { adminAction } from '../_lib/admin-action';
import { readParamsJson } from '../_lib/params-json';

/** An optional text field: what was typed, trimmed; an empty box is "not given". */
const optionalText = (max: number, label: string) =>
  z.string().trim().max(max, { error: `${label} is at most ${max} characters` }).optional().transform((v) => v || undefined);

/** An optional whole number of at least `min`, typed as text. */
const optionalCount = (min: number, max: number, label: string) =>
  optionalText(20, label).pipe(z.string().regex(/^\d+$/, { error: `${label} must be a whole number` }).transform(Number)
    .pipe(z.number().min(min, { error: `${label} must be at least ${min}` }).max(max, { error: `${label} is at most ${max}` })).optional());

/** The Enqueue form: the options of `bin/jobs enqueue`, each as its box's text. */
const enqueueForm = z.object({
  job: z.string({ error: 'Choose a job' }).trim().min(1, { error: 'Choose a job' }).max(200),
  params: z.string().max(1_000_000, { error: 'Params are too long' }).optional(),
  queue: optionalText(100, 'The queue'),
  priority: optionalText(20, 'The priority'),
  delay: optionalText(50, 'The delay'),
  maxAttempts: optionalCount(1, 1_000, 'Max attempts'),
  idempotencyKey: optionalText(500, 'The idempotency key'),
  concurrencyKey: optionalText(200, 'The concurrency key'),
  concurrencyLimit: optionalCount(1, 1_000_000, 'The concurrency limit'),
});

/**
 * Enqueues a job the way POST /api/jobs does (enqueueJob: the job's schema,
 * the size limit, the action log with who asked); an idempotency key that
 * names a live job answers with that job instead of storing a new one.
 */
export const enqueueAction = adminAction(enqueueForm, async (input, principal) => {
  if (input.concurrencyLimit !== undefined && input.concurrencyKey === undefined) {
    throw new JobsError('bad_request', 'A concurrency limit needs a concurrency key: the limit counts the running jobs that share a key');
  }
  const { job, created } = await enqueueJob(await getEngine(), {
    name: input.job,
    params: readParamsJson(input.params),
    options: {
      queue: input.queue,
      priority: input.priority === undefined ? undefined : parsePriority(input.priority),
      delay: input.delay,
      maxAttempts: input.maxAttempts,
      idempotencyKey: input.idempotencyKey,
      concurrencyKey: input.concurrencyKey,
      concurrencyLimit: input.concurrencyLimit,
    },
  }, principal.who);
  revalidatePath('/admin/jobs');
  return { jobId: job.id, name: job.name, created };
});
