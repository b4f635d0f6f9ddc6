import { z } from 'zod';
import { JobsError } from '../../core/errors';
import { formatRateLimit } from '../../core/rate';
import { ringDoorbell } from '../../db/doorbell';
import type { Engine } from '../../db/engine';
import { checkQueue } from '../../lib/jobs/job-spec';
import { clearQueueRateLimit, setQueueRateLimit } from '../../lib/jobs/queue-limits';
import { appendActivity, type Actor } from '../../store/activity';
import { listQueues, pauseQueue, resumeQueue, type QueueSummary } from '../../store/queues';

/** The queue endpoints' changes: the same calls as `bin/jobs queues`, each logged. */

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
  const parked = await pauseQueue(engine, checkQueue(queue), Date.now());
  await appendActivity(engine, { actor: who, action: 'queue.pause', target: queue, details: { parked } }, Date.now());
  return { ...(await queueOf(engine, queue)), parked };
}

export async function resume(engine: Engine, queue: string, who: Actor) {
  const resumed = await resumeQueue(engine, checkQueue(queue));
  await appendActivity(engine, { actor: who, action: 'queue.resume', target: queue, details: { resumed } }, Date.now());
  if (engine.kind === 'file') ringDoorbell(engine.location, 'ready');
  return { ...(await queueOf(engine, queue)), resumed };
}

export async function setRateLimit(engine: Engine, queue: string, body: z.output<typeof rateLimitBody>, who: Actor) {
  const rate = await setQueueRateLimit(queue, 'rate' in body ? body.rate : body);
  await appendActivity(engine, { actor: who, action: 'queue.rate_limit.set', target: queue, details: { rate: formatRateLimit(rate) } }, Date.now());
  return queueOf(engine, queue);
}

export async function clearRateLimit(engine: Engine, queue: string, who: Actor) {
  if (!(await clearQueueRateLimit(queue))) throw new JobsError('not_found', `Queue ${queue} has no rate limit`);
  await appendActivity(engine, { actor: who, action: 'queue.rate_limit.clear', target: queue }, Date.now());
  return queueOf(engine, queue);
}
