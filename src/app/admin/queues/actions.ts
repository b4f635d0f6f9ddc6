'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { getEngine } from '@/db/client';
import { clearQueueRateLimitAs, pauseQueueAs, resumeQueueAs, setQueueRateLimitAs } from '@/lib/jobs/queue-actions';
import { formatRateLimit } from '@/core/rate';
import { adminAction } from '../_lib/admin-action';

// The queue name is checked again by queue-actions (checkQueue); here it only has to be there.
const oneQueue = z.object({ queue: z.string().min(1, { error: 'Name the queue' }) });
const queueAndRate = oneQueue.extend({ rate: z.string().trim().min(1, { error: 'Give a rate limit such as 100/1m' }) });

/** Pauses a queue (action log: queue.pause, with who asked); its waiting jobs are parked, running ones finish. */
export const pauseQueueAction = adminAction(oneQueue, async ({ queue }, principal) => {
  const parked = await pauseQueueAs(await getEngine(), queue, principal.who);
  revalidatePath('/admin/queues');
  return { message: `Paused ${queue}: ${parked} waiting job${parked === 1 ? '' : 's'} parked.` };
});

/** Resumes a queue and rings the workers (action log: queue.resume). */
export const resumeQueueAction = adminAction(oneQueue, async ({ queue }, principal) => {
  const resumed = await resumeQueueAs(await getEngine(), queue, principal.who);
  revalidatePath('/admin/queues');
  return { message: `Resumed ${queue}: ${resumed} job${resumed === 1 ? '' : 's'} back in line.` };
});

/** Sets a queue's rate limit from text such as "100/1m" (action log: queue.rate_limit.set); a bad rate comes back as the form's error. */
export const setRateLimitAction = adminAction(queueAndRate, async ({ queue, rate }, principal) => {
  const stored = await setQueueRateLimitAs(await getEngine(), queue, rate, principal.who);
  revalidatePath('/admin/queues');
  return { message: `Limited ${queue} to ${formatRateLimit(stored)}.` };
});

/** Lifts a queue's rate limit (action log: queue.rate_limit.clear, only when it had one). */
export const clearRateLimitAction = adminAction(oneQueue, async ({ queue }, principal) => {
  const cleared = await clearQueueRateLimitAs(await getEngine(), queue, principal.who);
  revalidatePath('/admin/queues');
  return { message: cleared ? `Lifted the rate limit of ${queue}.` : `${queue} had no rate limit.` };
});
