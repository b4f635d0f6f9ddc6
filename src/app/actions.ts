'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { DemoJob } from '@/jobs';
import { validatedAction } from './_lib/validated-action';

/** A form field holding a whole number; blank means the default. */
function wholeNumber(label: string, min: number, max: number, fallback: number) {
  const error = `${label} must be a whole number from ${min} to ${max}`;
  return z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error }).default(fallback),
  );
}

const demoForm = z.object({
  steps: wholeNumber('Steps', 0, 1_000, 10),
  delayMs: wholeNumber('Delay', 0, 60_000, 200),
  failTimes: wholeNumber('Fail times', 0, 10, 0),
  message: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined),
    z.string().max(1_000, { error: 'Message must be at most 1000 characters' }).optional(),
  ),
});

/** Enqueues the demo job from the home page's form; answers with the new job's id. */
export const enqueueDemoJob = validatedAction(demoForm, async (params) => {
  const jobId = await DemoJob.later(params);
  revalidatePath('/');
  return { jobId };
});
