import { formatRateLimit, type RateLimit } from '../../core/rate';
import { ringDoorbell } from '../../db/doorbell';
import type { Engine } from '../../db/engine';
import { appendActivity, type Actor } from '../../store/activity';
import { pauseQueue, resumeQueue } from '../../store/queues';
import { checkQueue } from './job-spec';
import { liftQueueRateLimit, storeQueueRateLimit, type RateLimitInput } from './queue-limits';

/**
 * The queue changes a person asks for, the same from `bin/jobs queues` and
 * the HTTP API: each checks the queue's name, makes one store call, writes
 * its action-log entry with who asked, and rings the workers when they have
 * something to act on.
 */

/** Pauses a queue (persisted); its waiting jobs are parked and running ones finish. Returns how many it parked. */
export async function pauseQueueAs(engine: Engine, queue: string, who: Actor): Promise<number> {
  const parked = await pauseQueue(engine, checkQueue(queue), Date.now());
  await appendActivity(engine, { actor: who, action: 'queue.pause', target: queue, details: { parked } }, Date.now());
  return parked;
}

/** Resumes a paused queue and wakes the workers; returns how many jobs went back in line. */
export async function resumeQueueAs(engine: Engine, queue: string, who: Actor): Promise<number> {
  const resumed = await resumeQueue(engine, checkQueue(queue));
  await appendActivity(engine, { actor: who, action: 'queue.resume', target: queue, details: { resumed } }, Date.now());
  if (engine.kind === 'file') ringDoorbell(engine.location, 'ready');
  return resumed;
}

/** Limits a queue to `max` starts in any `duration`, across every worker; returns the limit as stored. */
export async function setQueueRateLimitAs(engine: Engine, queue: string, limit: RateLimitInput, who: Actor): Promise<RateLimit> {
  const rate = await storeQueueRateLimit(engine, queue, limit);
  await appendActivity(engine, { actor: who, action: 'queue.rate_limit.set', target: queue, details: { rate: formatRateLimit(rate) } }, Date.now());
  return rate;
}

/** Lifts a queue's rate limit; false (and nothing logged) if it had none. */
export async function clearQueueRateLimitAs(engine: Engine, queue: string, who: Actor): Promise<boolean> {
  const cleared = await liftQueueRateLimit(engine, queue);
  if (cleared) await appendActivity(engine, { actor: who, action: 'queue.rate_limit.clear', target: queue }, Date.now());
  return cleared;
}
