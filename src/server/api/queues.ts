import { z } from 'zod';
import { JobsError } from '../../core/errors';
import { formatRateLimit } from '../../core/rate';
import type { Engine } from '../../db/engine';
import { clearQueueRateLimitAs, pauseQueueAs, resumeQueueAs, setQueueRateLimitAs } from '../../lib/jobs/queue-actions';
import type { Actor } from '../../store/activity';
import { listQueues, type QueueSummary } from '../../store/queues';

/** The queue endpoints' bodies and answers; each change is the one `bin/jobs queues` makes (src/lib/jobs/queue-actions.ts). */

/** `{rate: "100/1m"}` or `{max: 100, duration: "1m"}` (duration in ms or with a unit). */
export const rateLimitBody = z.union([
  z.object({ rate: z.string().min(3).max(50) }).strict(),
  z.object({ max: z.number().int().min(1), duration: z.union([z.number().int().min(1), z.string().min(1).max(50)]) }).strict(),
]);

export function queueJson(q: QueueSummary) {
  return { ...q, rateLimit: q.rateLimit && { ...q.rateLimit, rate: formatRateLimit(q.rateLimit) } };
}

async function queueOf(engine: Engine, queue: string) {
  const found = (await listQueues(engine)).find((q) => q.queue === queue);
  return queueJson(found ?? { queue, paused: false, pending: 0, running: 0, rateLimit: null });
}

export async function pause(engine: Engine, queue: string, who: Actor) {
  const parked = await pauseQueueAs(engine, queue, who);
  return { ...(await queueOf(engine, queue)), parked };
}

export async function resume(engine: Engine, queue: string, who: Actor) {
  const resumed = await resumeQueueAs(engine, queue, who);
  return { ...(await queueOf(engine, queue)), resumed };
}

export async function setRateLimit(engine: Engine, queue: string, body: z.output<typeof rateLimitBody>, who: Actor) {
  await setQueueRateLimitAs(engine, queue, 'rate' in body ? body.rate : body, who);
  return queueOf(engine, queue);
}

/** Lifts the limit; not_found (404) when the queue has none, where bin/jobs only says so. */
export async function clearRateLimit(engine: Engine, queue: string, who: Actor) {
  if (!(await clearQueueRateLimitAs(engine, queue, who))) throw new JobsError('not_found', `Queue ${queue} has no rate limit`);
  return queueOf(engine, queue);
}
